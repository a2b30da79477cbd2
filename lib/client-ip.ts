/**
 * The client's address, decided once per request by server.ts and passed to Next in a header of ours
 * (any value a client sent in that header is overwritten), so rate limits and audit events agree.
 */
import type { IncomingMessage } from 'node:http';

export const CLIENT_IP_HEADER = 'x-parley-client-ip';

export function resolveClientIp(req: IncomingMessage, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = req.headers['x-forwarded-for'];
    const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim();
    if (first) return first.slice(0, 64);
  }
  return (req.socket.remoteAddress ?? 'unknown').replace(/^::ffff:/, '');
}

export function clientIpFromHeaders(headers: Headers): string | null {
  return headers.get(CLIENT_IP_HEADER);
}
