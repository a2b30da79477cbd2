/**
 * Reads an Auth.js session JWT from a request's cookies (or an `Authorization: Bearer` header) and asks
 * lib/data/sessions.ts whether the session it names still counts: how route handlers and the Socket.IO
 * handshake know who is calling. Identity comes from here only, never from payloads.
 */
import { createHash, hkdf } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { base64url, calculateJwkThumbprint, jwtDecrypt } from 'jose';
import { LRUCache } from 'lru-cache';
import { getToken, type JWT } from 'next-auth/jwt';
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

/** Content encryption algorithms Auth.js tokens use, and their key lengths (@auth/core/jwt). */
const KEY_BYTES: Record<string, number> = { 'A256CBC-HS512': 64, A256GCM: 32 };

/** Derived keys and their thumbprints by (enc, salt, secret): a handful per process. */
const derivedKeys = new Map<string, Promise<{ key: Uint8Array; thumbprint: string }>>();

function derivedKey(enc: string, secret: string, salt: string): Promise<{ key: Uint8Array; thumbprint: string }> {
  const id = `${enc}\0${salt}\0${secret}`;
  let found = derivedKeys.get(id);
  if (!found) {
    const length = KEY_BYTES[enc];
    if (!length) return Promise.reject(new Error('Unsupported JWT Content Encryption Algorithm'));
    found = new Promise<Uint8Array>((resolve, reject) =>
      hkdf('sha256', secret, salt, `Auth.js Generated Encryption Key (${salt})`, length, (error, key) => (error ? reject(error) : resolve(new Uint8Array(key)))),
    ).then(async (key) => ({ key, thumbprint: await calculateJwkThumbprint({ kty: 'oct', k: base64url.encode(key) }, `sha${length << 3}` as 'sha256' | 'sha512') }));
    found.catch(() => derivedKeys.delete(id));
    derivedKeys.set(id, found);
  }
  return found;
}

/** jose's leeway on `exp`, kept by cached tokens too. */
const CLOCK_TOLERANCE_S = 15;

/**
 * Tokens opened already, by a SHA-256 of (secrets, salt, token): a tab presents the same token on every
 * request and handshake until Auth.js reissues it, and opening it (AES-CBC and HMAC-SHA512 through WebCrypto,
 * three async steps) was ~4 % of the server's CPU under the capacity model (bench/ capacity profile), hashing
 * it is ~1/50 of that. Only tokens that decrypted get in, each hit checks expiry again with jose's
 * tolerance, and whether the session still counts is asked of the database on every request as before
 * (validateSession), so a revoked session ends exactly as soon. Entries are small (~0.2 KB: the digest, the
 * session id, the expiry) and capped, so a flood of distinct valid tokens only pushes out older ones.
 */
const openedTokens = new LRUCache<string, { sid: string; exp: number }>({ max: 10_000 });

function openedTokenKey(secrets: readonly string[], salt: string, token: string): string {
  const hash = createHash('sha256');
  for (const secret of secrets) hash.update(secret).update('\0');
  return hash.update(salt).update('\0').update(token).digest('base64url');
}

/**
 * Auth.js's own `decode` (@auth/core/jwt.js), except that the key derived from the secret (HKDF) and its
 * thumbprint are computed once rather than for every token: they were a fifth of a socket connect's CPU
 * (bench (c) profile). Same checks: `dir` key management, A256CBC-HS512 or A256GCM, the kid must match the
 * key's thumbprint when present, expiry with 15 s of tolerance. Tokens minted by Auth.js decode here in
 * every test that signs in over a socket (lib/testing/realtime.ts).
 */
async function decodeSessionToken(params: { token?: string; secret: string | string[]; salt: string }): Promise<JWT | null> {
  const { token, salt } = params;
  if (!token) return null;
  const secrets = Array.isArray(params.secret) ? params.secret : [params.secret];
  const cacheKey = openedTokenKey(secrets, salt, token);
  const opened = openedTokens.get(cacheKey);
  if (opened) {
    if (opened.exp > Date.now() / 1000 - CLOCK_TOLERANCE_S) return { sid: opened.sid, exp: opened.exp };
    openedTokens.delete(cacheKey);
    return null;
  }
  const { payload } = await jwtDecrypt<JWT>(
    token,
    async ({ kid, enc }) => {
      for (const secret of secrets) {
        const { key, thumbprint } = await derivedKey(enc, secret, salt);
        if (kid === undefined || kid === thumbprint) return key;
      }
      throw new Error('no matching decryption secret');
    },
    { clockTolerance: CLOCK_TOLERANCE_S, keyManagementAlgorithms: ['dir'], contentEncryptionAlgorithms: ['A256CBC-HS512', 'A256GCM'] },
  );
  // Only what sealedSessionFromHeaders reads is kept: a token without both is refused there anyway.
  if (typeof payload.sid === 'string' && typeof payload.exp === 'number') openedTokens.set(cacheKey, { sid: payload.sid, exp: payload.exp });
  return payload;
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
  let token = await getToken({ req: { headers }, secret, secureCookie, decode: decodeSessionToken }).catch(() => null);
  // A Bearer token carries no cookie name; one issued over https was salted with the __Secure- name.
  if (!token && !secureCookie && headers.get('authorization')?.startsWith('Bearer ')) {
    token = await getToken({ req: { headers }, secret, secureCookie: true, decode: decodeSessionToken }).catch(() => null);
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
