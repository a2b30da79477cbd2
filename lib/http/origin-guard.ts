/**
 * Cross-site request forgery defence for every route, applied once in server.ts: a browser request that could
 * change something (any method but GET, HEAD, OPTIONS) must come from our own origin. SameSite=Lax cookies
 * alone do not stop a sibling subdomain or another port of the same host ("same-site"), nor a top-level
 * form POST in browsers that treat fresh cookies as Lax-allowing-POST.
 *
 * The rule is the one Go's net/http `CrossOriginProtection` and the OWASP CSRF cheat sheet (Fetch Metadata,
 * then Origin) use, plus a JSON-only rule for the REST API:
 *   1. `Sec-Fetch-Site` (set by the browser, not by page scripts) other than `same-origin` / `none` → 403.
 *   2. An `Origin` header whose host is not ours (the request's Host, or the public host server.ts put in
 *      X-Forwarded-Host) → 403. `Origin: null` (sandboxed frames, cross-origin redirects) is foreign too.
 *   3. Under /api/ except Auth.js's /api/auth/*, `Content-Type: application/json` is required, body or no body:
 *      an HTML form cannot send it and a cross-origin script cannot send it without a CORS preflight,
 *      which Parley never grants. Non-browser clients send no Origin / Sec-Fetch-Site and pass 1 and 2.
 *      Uploads (POST /api/rooms/:roomId/uploads, PUT /api/account/avatar) carry raw bytes and must say
 *      `application/octet-stream` instead: just as unsendable by a form, and just as preflighted cross-origin.
 * ALLOWED_ORIGINS does not apply here: it lets other origins open sockets; the REST API is same-origin only.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AppError, httpStatusOf, toErrorBody } from '../errors';
import { normalizeHost } from './public-origin';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const SAME_ORIGIN_FETCH_SITES = new Set(['same-origin', 'none']);

interface GuardedRequest {
  method: string;
  url: string;
  headers: Pick<Headers, 'get'>;
}

function originHost(origin: string): string | undefined {
  try {
    const url = new URL(origin);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.host : undefined;
  } catch {
    return undefined;
  }
}

function ownHosts(headers: GuardedRequest['headers']): Set<string> {
  const hosts = new Set<string>();
  for (const name of ['host', 'x-forwarded-host']) {
    const host = normalizeHost(headers.get(name) ?? undefined);
    if (host) hosts.add(host);
  }
  return hosts;
}

/** The routes whose body is not JSON: uploads (docs/protocol.md §4.11) and a new account picture (PUT, §4.15). */
export const UPLOAD_PATH = /^\/api\/rooms\/[^/]+\/uploads\/?$/;
export const AVATAR_PATH = /^\/api\/account\/avatar\/?$/;

function mediaType(value: string | null): string | undefined {
  return value?.split(';')[0]?.trim().toLowerCase();
}

/** Why this request may not change anything, as the error to answer with; `null` when it may. */
export function crossOriginRefusal(request: GuardedRequest): AppError | null {
  if (SAFE_METHODS.has(request.method.toUpperCase())) return null;
  const { headers } = request;
  const fetchSite = headers.get('sec-fetch-site');
  if (fetchSite !== null && !SAME_ORIGIN_FETCH_SITES.has(fetchSite.toLowerCase())) {
    return new AppError('FORBIDDEN', 'Cross-origin requests cannot change anything here.');
  }
  const origin = headers.get('origin');
  if (origin !== null) {
    const host = originHost(origin);
    if (!host || !ownHosts(headers).has(host)) {
      return new AppError('FORBIDDEN', 'Cross-origin requests cannot change anything here.');
    }
  }
  const { pathname } = new URL(request.url, 'http://parley.invalid');
  if (pathname.startsWith('/api/') && !pathname.startsWith('/api/auth/')) {
    const type = mediaType(headers.get('content-type'));
    if (UPLOAD_PATH.test(pathname) || (AVATAR_PATH.test(pathname) && request.method.toUpperCase() === 'PUT')) {
      if (type !== 'application/octet-stream') {
        return new AppError('UNSUPPORTED_MEDIA_TYPE', 'Send the file as Content-Type: application/octet-stream.');
      }
    } else if (type !== 'application/json') {
      return new AppError('UNSUPPORTED_MEDIA_TYPE', 'Send Content-Type: application/json (also when there is no body).');
    }
  }
  return null;
}

/**
 * server.ts's gate, before Next sees the request: answers a refused request itself (documented error
 * shape) and returns true. At the process edge rather than in Next's proxy (middleware): any proxy makes
 * Next tee every request body, and a client that hangs up mid-body then logs an uncaught "Error: aborted"
 * with a stack (vercel/next.js#42365, #84649) — a log flood and a crash risk of its own.
 */
export function refuseCrossOriginStateChange(req: IncomingMessage, res: ServerResponse): boolean {
  const refusal = crossOriginRefusal({
    method: req.method ?? 'GET',
    url: req.url ?? '/',
    headers: {
      get(name) {
        const value = req.headers[name.toLowerCase()];
        return Array.isArray(value) ? value.join(', ') : (value ?? null);
      },
    },
  });
  if (!refusal) return false;
  res.writeHead(httpStatusOf(refusal), { 'content-type': 'application/json' }).end(JSON.stringify({ error: toErrorBody(refusal) }));
  return true;
}
