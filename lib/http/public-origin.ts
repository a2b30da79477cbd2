/**
 * The public origin: the scheme and host people type to reach Parley. Decided once per request in server.ts
 * (the trust boundary) and handed to Next in `X-Forwarded-Host` / `X-Forwarded-Proto`, which Next's
 * server-action check and Auth.js's server-side calls already read. Next's own `request.url` is NOT the
 * public origin under a custom server: it is built from the `hostname` and `port` given to `next()`
 * (`http://0.0.0.0:3000`), so anything that makes absolute URLs from it (Auth.js's route handlers) is given
 * a request at the public origin instead (lib/http/public-request.ts). server.ts imports this module, so it
 * must not load Next.
 */
import type { IncomingMessage } from 'node:http';

export interface PublicOriginSettings {
  /** Configured origin (PUBLIC_URL); wins over anything a request says. */
  publicUrl?: string;
  /** Behind a reverse proxy we trust to set X-Forwarded-Host / X-Forwarded-Proto. */
  /** TRUST_PROXY: proxies in front (0: none, forwarded headers ignored). */
  trustProxy: number;
}

export interface ForwardedHeaders {
  host: string;
  proto: 'http' | 'https';
}

/** `host[:port]` as a URL would print it, or undefined when `value` is not a plain host. */
export function normalizeHost(value: string | undefined): string | undefined {
  if (!value) return undefined;
  try {
    const url = new URL(`http://${value}`);
    if (url.username || url.password || url.pathname !== '/' || url.search || url.hash) return undefined;
    return url.host;
  } catch {
    return undefined;
  }
}

function first(value: string | string[] | undefined): string | undefined {
  const raw = Array.isArray(value) ? value[0] : value;
  return raw?.split(',')[0]?.trim() || undefined;
}

/**
 * The public host and scheme of a request: PUBLIC_URL when set; behind a trusted proxy its forwarded
 * headers (falling back to Host); otherwise what this connection is (Host, and https only over TLS).
 */
export function resolveForwarded(req: IncomingMessage, settings: PublicOriginSettings): ForwardedHeaders {
  if (settings.publicUrl) {
    const url = new URL(settings.publicUrl);
    return { host: url.host, proto: url.protocol === 'https:' ? 'https' : 'http' };
  }
  const tls = 'encrypted' in req.socket && req.socket.encrypted === true;
  const direct: ForwardedHeaders = { host: normalizeHost(req.headers.host) ?? 'localhost', proto: tls ? 'https' : 'http' };
  if (!settings.trustProxy) return direct;
  const proto = first(req.headers['x-forwarded-proto'])?.toLowerCase();
  return {
    host: normalizeHost(first(req.headers['x-forwarded-host'])) ?? direct.host,
    proto: proto === 'https' || proto === 'http' ? proto : direct.proto,
  };
}

/** Overwrites the request's forwarded headers with the resolved public host and scheme (server.ts). */
export function setForwardedHeaders(req: IncomingMessage, settings: PublicOriginSettings): ForwardedHeaders {
  const forwarded = resolveForwarded(req, settings);
  req.headers['x-forwarded-host'] = forwarded.host;
  req.headers['x-forwarded-proto'] = forwarded.proto;
  return forwarded;
}

/** The public origin of a request that passed through server.ts, e.g. `https://chat.example.com`. */
export function publicOrigin(headers: Headers): string {
  const host = normalizeHost(headers.get('x-forwarded-host') ?? undefined) ?? normalizeHost(headers.get('host') ?? undefined) ?? 'localhost';
  const proto = headers.get('x-forwarded-proto') === 'https' ? 'https' : 'http';
  return `${proto}://${host}`;
}
