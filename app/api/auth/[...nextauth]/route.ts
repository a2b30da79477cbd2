/**
 * Auth.js's endpoints, handed the request at the public origin so its redirects point there. next-auth's
 * handler reads only the Request itself (`nextUrl` only with AUTH_URL, which lib/env.ts refuses), so the
 * plain Request from atPublicOrigin is all it needs.
 */
import type { NextRequest } from 'next/server';
import { handlers } from '@/lib/auth';
import { atPublicOrigin } from '@/lib/http/public-request';

export const GET = (request: NextRequest) => handlers.GET(atPublicOrigin(request) as NextRequest);
export const POST = (request: NextRequest) => handlers.POST(atPublicOrigin(request) as NextRequest);
