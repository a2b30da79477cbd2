/**
 * ICE servers as a participant receives them (docs/protocol.md §4.12 "ICE servers"): TURN credentials are
 * coturn's `use-auth-secret` scheme, so a value computed by another implementation must match exactly.
 */
import { describe, expect, it } from 'vitest';
import { parseEnv } from '../env';
import { iceServersFor, turnCredential } from './ice';

const SECRET = 'coturn-shared-secret-0123';
const USER = '01a1fdb5-010c-77fd-82f4-39bafe91cb5b';
/** 2026-01-01T00:00:00Z. */
const EXPIRY = 1_767_225_600;
/**
 * Computed outside this code base, as coturn does it:
 * `printf '%s' '1767225600:01a1fdb5-010c-77fd-82f4-39bafe91cb5b' | openssl dgst -sha1 -hmac 'coturn-shared-secret-0123' -binary | base64`
 */
const OPENSSL_CREDENTIAL = 'aSCDE58s1cG4LstieVfd4sjsiUc=';

type IceEnv = Parameters<typeof iceServersFor>[0];
const envWith = (servers: unknown[], extra: Record<string, string> = {}): IceEnv =>
  parseEnv({ AUTH_SECRET: 'x'.repeat(16) + 'K9v2Lq8ZpR4mT7wY', ICE_SERVERS: JSON.stringify(servers), ...extra });

describe('turnCredential', () => {
  it('is `<unix expiry>:<user id>` and base64(HMAC-SHA1(secret, username)), as openssl computes it', () => {
    expect(turnCredential(SECRET, USER, new Date(EXPIRY * 1000))).toEqual({ username: `${EXPIRY}:${USER}`, credential: OPENSSL_CREDENTIAL });
  });

  it('takes whole seconds of the expiry (rounded down), like coturn compares them', () => {
    expect(turnCredential(SECRET, USER, new Date(EXPIRY * 1000 + 999))).toEqual({ username: `${EXPIRY}:${USER}`, credential: OPENSSL_CREDENTIAL });
  });

  it('differs per user and per secret', () => {
    const other = turnCredential(SECRET, '01a1fdb4-c3b8-7449-bfcf-457c4b70b844', new Date(EXPIRY * 1000));
    expect(other.credential).not.toBe(OPENSSL_CREDENTIAL);
    expect(turnCredential(`${SECRET}!`, USER, new Date(EXPIRY * 1000)).credential).not.toBe(OPENSSL_CREDENTIAL);
  });
});

describe('iceServersFor', () => {
  const ttl = 4 * 3600;
  /** `now` such that now + the default TTL is EXPIRY (+ 750 ms, which the username drops). */
  const now = new Date((EXPIRY - ttl) * 1000 + 750);

  it('derives TURN credentials valid for TURN_CREDENTIAL_TTL_SECONDS (default 4 h) for this user', () => {
    const env = envWith([{ urls: ['turn:turn.example.com:3478', 'turns:turn.example.com:5349'] }], { TURN_SECRET: SECRET });
    expect(env.TURN_CREDENTIAL_TTL_SECONDS).toBe(ttl);
    expect(iceServersFor(env, USER, now)).toEqual([
      { urls: ['turn:turn.example.com:3478', 'turns:turn.example.com:5349'], username: `${EXPIRY}:${USER}`, credential: OPENSSL_CREDENTIAL },
    ]);
  });

  it('follows a configured TTL', () => {
    const env = envWith([{ urls: 'turn:turn.example.com' }], { TURN_SECRET: SECRET, TURN_CREDENTIAL_TTL_SECONDS: '600' });
    const [server] = iceServersFor(env, USER, new Date(EXPIRY * 1000));
    expect(server?.username).toBe(`${EXPIRY + 600}:${USER}`);
    expect(server?.urls).toEqual(['turn:turn.example.com']);
  });

  it('hands fresh credentials out later (a resume gets a later expiry)', () => {
    const env = envWith([{ urls: ['turn:turn.example.com'] }], { TURN_SECRET: SECRET });
    const first = iceServersFor(env, USER, now)[0]!;
    const later = iceServersFor(env, USER, new Date(now.getTime() + 60_000))[0]!;
    expect(later.username).toBe(`${EXPIRY + 60}:${USER}`);
    expect(later.credential).not.toBe(first.credential);
  });

  it('passes STUN servers and servers with static credentials through untouched', () => {
    const env = envWith(
      [
        { urls: ['stun:stun.example.com:3478'] },
        { urls: ['turn:static.example.com'], username: 'fixed-user', credential: 'fixed-pass' },
        { urls: 'stuns:stun2.example.com' },
      ],
      { TURN_SECRET: SECRET },
    );
    expect(iceServersFor(env, USER, now)).toEqual([
      { urls: ['stun:stun.example.com:3478'] },
      { urls: ['turn:static.example.com'], username: 'fixed-user', credential: 'fixed-pass' },
      { urls: ['stuns:stun2.example.com'] },
    ]);
  });

  it('leaves TURN without a secret out (keeping the STUN urls of a mixed entry), never handing out broken credentials', () => {
    // The environment refuses this configuration at start; the function still must not hand out a TURN url without credentials.
    const env: IceEnv = {
      ICE_SERVERS: [{ urls: ['turn:turn.example.com'] }, { urls: ['stun:stun.example.com', 'turn:turn.example.com'] }, { urls: ['stun:plain.example.com'] }],
      TURN_SECRET: undefined,
      TURN_CREDENTIAL_TTL_SECONDS: ttl,
    };
    expect(iceServersFor(env, USER, now)).toEqual([{ urls: ['stun:stun.example.com'] }, { urls: ['stun:plain.example.com'] }]);
  });

  it('is an empty list when nothing is configured (host candidates only)', () => {
    expect(iceServersFor(parseEnv({ AUTH_SECRET: 'x'.repeat(16) + 'K9v2Lq8ZpR4mT7wY' }), USER, now)).toEqual([]);
  });
});
