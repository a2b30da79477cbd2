/**
 * Next's request proxy (formerly middleware): the one place every route — pages and their server actions,
 * route handlers, Auth.js's endpoints — refuses cross-origin state changes (lib/http/origin-guard.ts).
 */
import type { NextRequest } from 'next/server';
import { toHttpResponse } from '@/lib/errors';
import { crossOriginRefusal } from '@/lib/http/origin-guard';

export function proxy(request: NextRequest): Response | undefined {
  const refusal = crossOriginRefusal(request);
  return refusal ? toHttpResponse(refusal) : undefined;
}

export const config = {
  // Static files and image optimization only answer GET; everything else passes through the guard.
  matcher: ['/((?!_next/static|_next/image).*)'],
};
