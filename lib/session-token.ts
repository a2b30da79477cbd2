/**
 * Reads an Auth.js session JWT from a request's cookies (or an `Authorization: Bearer` header) and asks
 * lib/data/sessions.ts whether the session it names still counts: how route handlers and the Socket.IO
 * handshake know who is calling. Identity comes from here only, never from payloads.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { getToken } from 'next-auth/jwt';
import { validateSession, type ValidSession } from './data/sessions';

const SECURE_COOKIE = '__Secure-authjs.session-token';

export function toFetchHeaders(incoming: IncomingHttpHeaders): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(incoming)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) headers.append(name, v);
  }
  return headers;
}

/**
 * The session id sealed in the request's token and when the token itself expires (ms), without asking
 * the database. null: no token, one that does not decrypt with our secret or has expired, or one issued
 * before sessions were revocable.
 */
export async function sealedSessionFromHeaders(
  incoming: IncomingHttpHeaders | Headers,
  secret: string,
): Promise<{ sessionId: string; tokenExpiresAt: number } | null> {
  const headers = incoming instanceof Headers ? incoming : toFetchHeaders(incoming);
  // Auth.js names the cookie with a __Secure- prefix when the site is served over https.
  const secureCookie = (headers.get('cookie') ?? '').includes(`${SECURE_COOKIE}=`);
  let token = await getToken({ req: { headers }, secret, secureCookie }).catch(() => null);
  // A Bearer token carries no cookie name; one issued over https was salted with the __Secure- name.
  if (!token && !secureCookie && headers.get('authorization')?.startsWith('Bearer ')) {
    token = await getToken({ req: { headers }, secret, secureCookie: true }).catch(() => null);
  }
  if (typeof token?.sid !== 'string' || typeof token.exp !== 'number') return null;
  return { sessionId: token.sid, tokenExpiresAt: token.exp * 1000 };
}

/** The caller's live session (user, session id, when it ends: the token's or the row's expiry, whichever is first), or null. */
export async function sessionFromHeaders(incoming: IncomingHttpHeaders | Headers, secret: string): Promise<ValidSession | null> {
  const sealed = await sealedSessionFromHeaders(incoming, secret);
  const session = sealed ? await validateSession(sealed.sessionId) : null;
  if (!sealed || !session) return null;
  return { ...session, expiresAt: Math.min(session.expiresAt, sealed.tokenExpiresAt) };
}
