import * as jose from 'jose';
import { encode } from 'next-auth/jwt';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { sealedSessionFromHeaders } from './session-token';

// jwtDecrypt as jose has it, counted: how many tokens were actually opened.
vi.mock('jose', async (importOriginal) => {
  const actual = await importOriginal<typeof import('jose')>();
  return { ...actual, jwtDecrypt: vi.fn(actual.jwtDecrypt) };
});
const decrypts = vi.mocked(jose.jwtDecrypt);

const secret = 'test-secret-for-session-token-decoding-000';
const cookieName = 'authjs.session-token';
const sid = '7f1c2e0a-3b4d-4e5f-8a9b-0c1d2e3f4a5b';

async function headersWith(token: string, name = cookieName): Promise<Headers> {
  return new Headers({ cookie: `${name}=${token}` });
}

describe('sealedSessionFromHeaders', () => {
  it('reads tokens Auth.js encodes, again and again (the derived key is cached)', async () => {
    const token = await encode({ token: { sid }, secret, salt: cookieName, maxAge: 3600 });
    for (let i = 0; i < 3; i += 1) {
      const sealed = await sealedSessionFromHeaders(await headersWith(token), secret);
      expect(sealed?.sessionId).toBe(sid);
      expect(sealed!.tokenExpiresAt).toBeGreaterThan(Date.now() + 3500_000);
    }
  });

  it('refuses a token sealed with another secret, for another cookie name, or expired', async () => {
    const other = await encode({ token: { sid }, secret: `${secret}-other`, salt: cookieName, maxAge: 3600 });
    const otherSalt = await encode({ token: { sid }, secret, salt: `__Secure-${cookieName}`, maxAge: 3600 });
    const expired = await encode({ token: { sid }, secret, salt: cookieName, maxAge: -60 });
    expect(await sealedSessionFromHeaders(await headersWith(other), secret)).toBeNull();
    expect(await sealedSessionFromHeaders(await headersWith(otherSalt), secret)).toBeNull();
    expect(await sealedSessionFromHeaders(await headersWith(expired), secret)).toBeNull();
    expect(await sealedSessionFromHeaders(await headersWith('not-a-token'), secret)).toBeNull();
  });

  it('reads the __Secure- cookie with its own salt, and a Bearer token', async () => {
    const secure = await encode({ token: { sid }, secret, salt: `__Secure-${cookieName}`, maxAge: 3600 });
    expect((await sealedSessionFromHeaders(await headersWith(secure, `__Secure-${cookieName}`), secret))?.sessionId).toBe(sid);
    const bearer = await encode({ token: { sid }, secret, salt: cookieName, maxAge: 3600 });
    expect((await sealedSessionFromHeaders(new Headers({ authorization: `Bearer ${bearer}` }), secret))?.sessionId).toBe(sid);
  });

  describe('tokens opened before', () => {
    afterEach(() => {
      vi.useRealTimers();
    });

    it('opens a token once, however often it is presented', async () => {
      const token = await encode({ token: { sid }, secret, salt: cookieName, maxAge: 3600 });
      decrypts.mockClear();
      for (let i = 0; i < 4; i += 1) expect((await sealedSessionFromHeaders(await headersWith(token), secret))?.sessionId).toBe(sid);
      expect(decrypts).toHaveBeenCalledTimes(1);
    });

    it('still refuses one once it has expired, and under another secret', async () => {
      const token = await encode({ token: { sid }, secret, salt: cookieName, maxAge: 60 });
      expect((await sealedSessionFromHeaders(await headersWith(token), secret))?.sessionId).toBe(sid);
      expect(await sealedSessionFromHeaders(await headersWith(token), `${secret}-rotated`)).toBeNull();
      vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 60_000 + 10_000 }); // within jose's 15 s of leeway
      expect((await sealedSessionFromHeaders(await headersWith(token), secret))?.sessionId).toBe(sid);
      vi.setSystemTime(Date.now() + 10_000);
      expect(await sealedSessionFromHeaders(await headersWith(token), secret)).toBeNull();
    });

    it('never keeps one that did not open', async () => {
      const forged = await encode({ token: { sid }, secret: `${secret}-other`, salt: cookieName, maxAge: 3600 });
      decrypts.mockClear();
      expect(await sealedSessionFromHeaders(await headersWith(forged), secret)).toBeNull();
      expect(await sealedSessionFromHeaders(await headersWith(forged), secret)).toBeNull();
      expect(decrypts).toHaveBeenCalledTimes(2);
    });
  });
});
