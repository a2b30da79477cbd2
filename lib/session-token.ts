/**
 * Reads an Auth.js session JWT from a Node request's cookies (or an `Authorization: Bearer` header):
 * how the Socket.IO handshake knows who is connecting. Identity comes from here only, never payloads.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { getToken } from 'next-auth/jwt';
import type { PublicUser } from './schemas/user';

export const SESSION_MAX_AGE_SECONDS = 30 * 24 * 60 * 60;
const SECURE_COOKIE = '__Secure-authjs.session-token';

export function toFetchHeaders(incoming: IncomingHttpHeaders): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(incoming)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) headers.append(name, v);
  }
  return headers;
}

export async function sessionUserFromHeaders(incoming: IncomingHttpHeaders | Headers, secret: string): Promise<PublicUser | null> {
  return (await sessionFromHeaders(incoming, secret))?.user ?? null;
}

/** The session's user and when the session expires (ms since the epoch). */
export async function sessionFromHeaders(
  incoming: IncomingHttpHeaders | Headers,
  secret: string,
): Promise<{ user: PublicUser; expiresAt: number } | null> {
  const headers = incoming instanceof Headers ? incoming : toFetchHeaders(incoming);
  // Auth.js names the cookie with a __Secure- prefix when the site is served over https.
  const secureCookie = (headers.get('cookie') ?? '').includes(`${SECURE_COOKIE}=`);
  let token = await getToken({ req: { headers }, secret, secureCookie });
  // A Bearer token carries no cookie name; one issued over https was salted with the __Secure- name.
  if (!token && !secureCookie && headers.get('authorization')?.startsWith('Bearer ')) {
    token = await getToken({ req: { headers }, secret, secureCookie: true });
  }
  if (!token?.sub || typeof token.username !== 'string') return null;
  return {
    user: { id: token.sub, username: token.username, displayName: typeof token.name === 'string' ? token.name : token.username },
    expiresAt: typeof token.exp === 'number' ? token.exp * 1000 : Date.now() + SESSION_MAX_AGE_SECONDS * 1000,
  };
}
