/**
 * ICE servers for a call, as handed to a participant (call:start, call:accept, call:resume). TURN servers
 * configured without a username get time-limited credentials derived from TURN_SECRET, the scheme coturn
 * checks with `use-auth-secret` (draft-uberti-behave-turn-rest): username `<expiry unix time>:<user id>`,
 * credential base64(HMAC-SHA1(secret, username)). Nothing to store, nothing to revoke: they expire.
 */
import { createHmac } from 'node:crypto';
import type { Env } from '../env';
import type { IceServer } from '../schemas/call';

export function turnCredential(secret: string, userId: string, expiresAt: Date): { username: string; credential: string } {
  const username = `${Math.floor(expiresAt.getTime() / 1000)}:${userId}`;
  const credential = createHmac('sha1', secret).update(username).digest('base64');
  return { username, credential };
}

const isTurn = (url: string) => url.startsWith('turn:') || url.startsWith('turns:');

/** The configured servers for `userId`, with fresh TURN credentials where the secret provides them. */
export function iceServersFor(
  env: Pick<Env, 'ICE_SERVERS' | 'TURN_SECRET' | 'TURN_CREDENTIAL_TTL_SECONDS'>,
  userId: string,
  now = new Date(),
): IceServer[] {
  const expiresAt = new Date(now.getTime() + env.TURN_CREDENTIAL_TTL_SECONDS * 1000);
  return env.ICE_SERVERS.flatMap((server): IceServer[] => {
    if (server.username !== undefined || server.credential !== undefined) {
      return [{ urls: server.urls, ...(server.username ? { username: server.username } : {}), ...(server.credential ? { credential: server.credential } : {}) }];
    }
    if (!server.urls.some(isTurn)) return [{ urls: server.urls }];
    // TURN without credentials of its own: only usable with the shared secret (else left out, not handed out broken).
    if (!env.TURN_SECRET) {
      const stun = server.urls.filter((url) => !isTurn(url));
      return stun.length > 0 ? [{ urls: stun }] : [];
    }
    return [{ urls: server.urls, ...turnCredential(env.TURN_SECRET, userId, expiresAt) }];
  });
}
