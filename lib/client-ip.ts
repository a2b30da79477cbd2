/**
 * The client's address, decided once per request by server.ts and passed to Next in a header of ours
 * (any value a client sent in that header is overwritten), so rate limits and audit events agree.
 */
import type { IncomingMessage } from 'node:http';

export const CLIENT_IP_HEADER = 'x-parley-client-ip';

/**
 * `trustedProxies` (TRUST_PROXY): each proxy appends the address it saw to X-Forwarded-For, so the client
 * is the entry that many places from the end; anything before it is the client's own say-so. A list
 * shorter than that (some proxy replaced the header) gives its first entry.
 */
export function resolveClientIp(req: IncomingMessage, trustedProxies: number): string {
  if (trustedProxies > 0) {
    const header = req.headers['x-forwarded-for'];
    const entries = (Array.isArray(header) ? header.join(',') : (header ?? ''))
      .split(',')
      .map((entry) => entry.trim())
      .filter(Boolean);
    const client = entries[Math.max(0, entries.length - trustedProxies)];
    if (client) return client.slice(0, 64);
  }
  return (req.socket.remoteAddress ?? 'unknown').replace(/^::ffff:/, '');
}

export function clientIpFromHeaders(headers: Headers): string | null {
  return headers.get(CLIENT_IP_HEADER);
}

/**
 * The key that rate limits and "known address" checks use for a client address: IPv4 as is, IPv6 by
 * its /64 prefix — one IPv6 subscriber usually holds a whole /64, so a per-address limit on full IPv6
 * addresses would give them 2^64 budgets.
 */
export function addressKey(ip: string | null): string {
  if (!ip) return 'unknown';
  if (!ip.includes(':')) return ip;
  const [head = '', tail = ''] = ip.toLowerCase().split('%')[0]!.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const missing = ip.includes('::') ? 8 - left.length - right.length : 0;
  const groups = [...left, ...Array<string>(Math.max(0, missing)).fill('0'), ...right];
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '')).join(':')}::/64`;
}
