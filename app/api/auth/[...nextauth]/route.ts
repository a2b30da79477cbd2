/**
 * Auth.js's endpoints. Only those a credentials sign-in uses are served; any other path under /api/auth is a
 * plain 404 that never reaches Auth.js (which would log it as an error). The request is handed over at the
 * public origin so Auth.js's redirects point there: next-auth's handler reads only the Request itself
 * (`nextUrl` only with AUTH_URL, which lib/env.ts refuses), so the plain Request from atPublicOrigin is all
 * it needs.
 */
import type { NextRequest } from 'next/server';
import { handlers } from '@/lib/auth';
import { AppError, toHttpResponse } from '@/lib/errors';
import { atPublicOrigin } from '@/lib/http/public-request';

const ENDPOINTS = {
  GET: new Set(['csrf', 'session', 'providers', 'signin', 'signout', 'error']),
  POST: new Set(['callback/credentials', 'signin/credentials', 'signout', 'session']),
};

function serve(method: keyof typeof ENDPOINTS) {
  return (request: NextRequest): Promise<Response> => {
    const action = new URL(request.url).pathname.replace(/^\/api\/auth\//, '');
    if (!ENDPOINTS[method].has(action)) return Promise.resolve(toHttpResponse(new AppError('NOT_FOUND', 'There is no such sign-in endpoint.')));
    return handlers[method](atPublicOrigin(request) as NextRequest);
  };
}

export const GET = serve('GET');
export const POST = serve('POST');
