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
import { safeCallbackUrl } from '@/lib/safe-redirect';

const ENDPOINTS = {
  GET: new Set(['csrf', 'session', 'providers', 'signin', 'signout', 'error']),
  POST: new Set(['callback/credentials', 'signin/credentials', 'signout', 'session']),
};

const CALLBACK_COOKIE = /^(__Secure-)?authjs\.callback-url$/;

/**
 * The request with its post-sign-in destinations (the `callbackUrl` query parameter and Auth.js's
 * callback-url cookie) reduced to same-origin paths: Auth.js answers a value it cannot parse as a URL with a
 * 500 "server configuration" error, and both are whatever the client sent.
 */
function withSafeCallbackUrls(request: Request): Request {
  const url = new URL(request.url);
  const query = url.searchParams.get('callbackUrl');
  const cookie = request.headers.get('cookie');
  const unsafeCookie = cookie?.split(';').some((part) => CALLBACK_COOKIE.test(part.split('=')[0]!.trim())) ?? false;
  if (query === null && !unsafeCookie) return request;
  if (query !== null) url.searchParams.set('callbackUrl', safeCallbackUrl(query, url.origin));
  const headers = new Headers(request.headers);
  if (cookie && unsafeCookie) {
    const kept = cookie.split(';').map((part) => {
      const [name = '', ...rest] = part.split('=');
      if (!CALLBACK_COOKIE.test(name.trim())) return part;
      let value = rest.join('=');
      try {
        value = decodeURIComponent(value);
      } catch {
        value = '/';
      }
      return `${name}=${encodeURIComponent(safeCallbackUrl(value, url.origin))}`;
    });
    headers.set('cookie', kept.join(';'));
  }
  return new Request(url, { method: request.method, headers, body: request.body, duplex: 'half' } as RequestInit);
}

function serve(method: keyof typeof ENDPOINTS) {
  return (request: NextRequest): Promise<Response> => {
    const action = new URL(request.url).pathname.replace(/^\/api\/auth\//, '');
    if (!ENDPOINTS[method].has(action)) return Promise.resolve(toHttpResponse(new AppError('NOT_FOUND', 'There is no such sign-in endpoint.')));
    return handlers[method](withSafeCallbackUrls(atPublicOrigin(request)) as NextRequest);
  };
}

export const GET = serve('GET');
export const POST = serve('POST');
