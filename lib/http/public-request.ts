/** Requests re-addressed at the public origin (lib/http/public-origin.ts explains why). */
import { publicOrigin } from './public-origin';

/**
 * The same request (method, headers, body), addressed at the public origin, for code that builds absolute
 * URLs from `request.url`. A plain Request on purpose: a NextRequest rewrites 127.0.0.1 and [::1] to
 * `localhost`, another origin (whose cookies the browser keeps apart).
 */
export function atPublicOrigin(request: Request): Request {
  const url = new URL(request.url);
  return new Request(`${publicOrigin(request.headers)}${url.pathname}${url.search}`, request);
}
