import { describe, expect, it } from 'vitest';
import { getDb } from '../db';
import { getEnv } from '../env';
import { AppError } from '../errors';
import { uniqueName } from '../testing/realtime';
import { authenticate, registerUser } from './users';

const password = 'correct horse battery';
const ip = () => `10.1.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`;

async function register(username: string) {
  return registerUser({ data: { username, displayName: 'Someone', password, confirmPassword: password }, ip: ip() });
}

describe('registration and sign-in against PostgreSQL', () => {
  it('registers a user with a bcrypt hash and an audit event, then authenticates', async () => {
    const username = uniqueName('reg');
    const user = await register(username);
    expect(user).toEqual({ id: expect.any(String), username, displayName: 'Someone', avatar: null });

    const row = await getDb().user.findUniqueOrThrow({ where: { id: user.id } });
    expect(row.passwordHash).toMatch(/^\$2[aby]\$1\d\$/);
    expect(row.passwordHash).not.toContain(password);
    const registered = await getDb().auditEvent.findMany({ where: { actorId: user.id, kind: 'user.registered' } });
    expect(registered).toHaveLength(1);

    const signedIn = await authenticate({ username, password, ip: ip() });
    expect(signedIn.id).toBe(user.id);
    expect((await getDb().user.findUniqueOrThrow({ where: { id: user.id } })).lastSeenAt).not.toBeNull();
    expect(await getDb().auditEvent.count({ where: { actorId: user.id, kind: 'login.succeeded' } })).toBe(1);
    expect(await getDb().user.findUnique({ where: { id: user.id }, select: { id: true, username: true, displayName: true, avatar: true } })).toEqual(user);
  });

  it('rejects a duplicate username in any case, as a username field error, writing nothing', async () => {
    const username = uniqueName('dup');
    await register(username);
    const before = await getDb().user.count();
    for (const variant of [username, username.toUpperCase()]) {
      const error = await registerUser({
        // the schema lower-cases; the database must refuse even if a caller skipped it
        data: { username: variant.toLowerCase(), displayName: 'Other', password, confirmPassword: password },
        ip: ip(),
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AppError);
      expect(error).toMatchObject({ code: 'CONFLICT', extra: { issues: [{ path: 'username', message: 'That username is taken.' }] } });
    }
    expect(await getDb().user.count()).toBe(before);
  });

  it('refuses a mixed-case username at the database level', async () => {
    await expect(
      getDb().user.create({ data: { username: `Mixed${uniqueName()}`.slice(0, 32), displayName: 'x', passwordHash: 'x' } }),
    ).rejects.toThrow();
  });

  it('gives the same generic error for a wrong password and an unknown user, and audits failures', async () => {
    const username = uniqueName('pw');
    const user = await register(username);
    const wrongPassword = await authenticate({ username, password: 'wrong password', ip: ip() }).catch((e: unknown) => e);
    const unknownUser = await authenticate({ username: uniqueName('nobody'), password, ip: ip() }).catch((e: unknown) => e);
    expect(wrongPassword).toMatchObject({ code: 'UNAUTHORIZED', message: 'Invalid username or password.' });
    expect(unknownUser).toMatchObject({ code: 'UNAUTHORIZED', message: 'Invalid username or password.' });
    const failures = await getDb().auditEvent.findMany({ where: { actorId: user.id, kind: 'login.failed' } });
    expect(failures).toHaveLength(1);
    expect(JSON.stringify(failures[0]?.details)).not.toContain('wrong password');
  });

  it('bounds guessing from many addresses, without locking the owner out at an address they used before', async () => {
    const username = uniqueName('rl');
    await register(username);
    const home = ip();
    await authenticate({ username, password, ip: home }); // the owner signed in from home once (new then: one attempt spent)
    const limit = getEnv().RATE_LIMIT_LOGIN_PER_ACCOUNT - 1;
    // An attacker with many addresses, all guessing at once: each guess spends the account-wide budget first.
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) => authenticate({ username, password: `guess-${i}-xx`, ip: `172.16.${i >> 8}.${i & 255}` }).catch((e: AppError) => e.code)),
    );
    expect(results.filter((code) => code === 'UNAUTHORIZED')).toHaveLength(limit);
    expect(results.filter((code) => code === 'RATE_LIMITED')).toHaveLength(200 - limit);

    // Even the right password is refused from yet another new address, with a retry time…
    const limited = await authenticate({ username, password, ip: '192.0.2.99' }).catch((e: unknown) => e);
    expect(limited).toMatchObject({ code: 'RATE_LIMITED' });
    expect((limited as AppError).extra.retryAfter).toBeGreaterThan(60);
    expect((limited as AppError).message).toMatch(/Try again in \d+ minutes?/);
    // …but the owner at home signs in.
    await expect(authenticate({ username, password, ip: home })).resolves.toMatchObject({ username });
    expect(await getDb().auditEvent.count({ where: { kind: 'login.rate_limited', details: { path: ['username'], equals: username } } })).toBe(201 - limit);
  });

  it('bounds guessing one account from one address, also in parallel; the owner elsewhere is unaffected', async () => {
    const username = uniqueName('rl1');
    const user = await register(username);
    const attacker = ip();
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) => authenticate({ username, password: `guess-${i}-xx`, ip: attacker }).catch((e: AppError) => e.code)),
    );
    const perAddress = getEnv().RATE_LIMIT_LOGIN_PER_ACCOUNT_AND_IP;
    expect(results.filter((code) => code === 'UNAUTHORIZED')).toHaveLength(perAddress);
    expect(await getDb().auditEvent.count({ where: { actorId: user.id, kind: 'login.failed' } })).toBe(perAddress);
    await expect(authenticate({ username, password, ip: attacker })).rejects.toMatchObject({ code: 'RATE_LIMITED' });
    await expect(authenticate({ username, password, ip: ip() })).resolves.toMatchObject({ username });
  });

  it('treats an IPv6 /64 as one address', async () => {
    const username = uniqueName('v6');
    await register(username);
    const perAddress = getEnv().RATE_LIMIT_LOGIN_PER_ACCOUNT_AND_IP;
    for (let i = 0; i < perAddress; i += 1) {
      await expect(authenticate({ username, password: `guess-${i}-xx`, ip: `2001:db8:1:2::${(i + 1).toString(16)}` })).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    }
    await expect(authenticate({ username, password, ip: '2001:db8:1:2:ffff::1' })).rejects.toMatchObject({ code: 'RATE_LIMITED' });
  });

  it('refuses a disabled account with the generic error', async () => {
    const username = uniqueName('off');
    const user = await register(username);
    await getDb().user.update({ where: { id: user.id }, data: { disabledAt: new Date() } });
    await expect(authenticate({ username, password, ip: ip() })).rejects.toMatchObject({ code: 'UNAUTHORIZED', message: 'Invalid username or password.' });
  });

  it('rate limits many attempts from one address across usernames', async () => {
    const address = ip();
    const results = [];
    for (let i = 0; i < 31; i += 1) {
      results.push(await authenticate({ username: uniqueName('spray'), password, ip: address }).catch((e: AppError) => e.code));
    }
    expect(results.slice(0, 30).every((code) => code === 'UNAUTHORIZED')).toBe(true);
    expect(results[30]).toBe('RATE_LIMITED');
  });
});
