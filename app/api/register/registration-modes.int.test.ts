/**
 * Who may create an account (docs/protocol.md §4.15): the first account becomes the instance's
 * administrator (exactly one, however many sign up at once); `closed` refuses everyone; `invite` needs
 * a sign-up invitation's token, spent atomically with the insert so parallel sign-ups never pass its
 * use limit. The registration mode and the first account are instance-wide: this file has a database
 * of its own.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { isInstanceAdmin } from '@/lib/data/instance-admin';
import { createInvite } from '@/lib/data/invites';
import { createRoom } from '@/lib/data/rooms';
import { getDb } from '@/lib/db';
import { createOwnDatabase, type OwnDatabase } from '@/lib/testing/own-database';
import { apiRequest, uniqueName } from '@/lib/testing/realtime';
import type { CreatedInvite } from '@/lib/schemas/moderation';
import * as invites from '../admin/invites/route';
import * as settings from '../admin/settings/route';
import * as oneInvite from '../invites/[token]/route';
import { GET, POST } from './route';

vi.stubEnv('RATE_LIMIT_SIGNUPS_PER_IP', '100000');
const NAMED_ADMIN = 'named-admin';
vi.stubEnv('ADMIN_USERNAMES', ` ${NAMED_ADMIN.toUpperCase()} , someone-else`);

let db: OwnDatabase;
beforeAll(async () => {
  db = await createOwnDatabase(inject('databaseUrl'), 'registration');
});
afterAll(async () => {
  await db.drop();
});

let address = 0;
function register(body: Record<string, unknown>): Promise<Response> {
  address += 1;
  return POST(
    new Request('http://localhost/api/register', {
      method: 'POST',
      // A different address each time: this file is not about the sign-up rate limit.
      headers: { 'content-type': 'application/json', 'x-parley-client-ip': `10.77.${address >> 8}.${address & 255}` },
      body: JSON.stringify(body),
    }),
  );
}

const account = (username = uniqueName('reg')) => ({ username, displayName: `Person ${username}`, password: 'a long password', confirmPassword: 'a long password' });

async function registered(response: Response): Promise<{ id: string; username: string }> {
  expect(response.status).toBe(201);
  return ((await response.json()) as { user: { id: string; username: string } }).user;
}

async function errorOf(response: Response): Promise<{ status: number; code: string; message: string; issues?: { path: string }[] }> {
  const { error } = (await response.json()) as { error: { code: string; message: string; issues?: { path: string }[] } };
  return { status: response.status, ...error };
}

async function mode(): Promise<string> {
  const response = await GET(new Request('http://localhost/api/register'));
  expect(response.status).toBe(200);
  return ((await response.json()) as { registrationMode: string }).registrationMode;
}

async function setMode(admin: Admin, registrationMode: string): Promise<void> {
  const response = await settings.PATCH(await apiRequest(admin, 'PATCH', '/api/admin/settings', { registrationMode }));
  expect(response.status).toBe(200);
  expect(await mode()).toBe(registrationMode);
}

type Admin = { id: string; username: string; displayName: string };

/** A sign-up invitation made on the admin page (POST /api/admin/invites), put in the state asked for. */
async function signupInvite(admin: Admin, options: { maxUses?: number; expired?: boolean; revoked?: boolean } = {}): Promise<{ token: string; id: string }> {
  const created = await invites.POST(await apiRequest(admin, 'POST', '/api/admin/invites', { maxUses: options.maxUses ?? null }));
  expect(created.status).toBe(201);
  const { token, invite } = (await created.json()) as CreatedInvite;
  expect(invite).toMatchObject({ roomId: null, status: 'active', uses: 0 });
  if (options.expired) await getDb().invite.update({ where: { id: invite.id }, data: { expiresAt: new Date(Date.now() - 1_000) } });
  if (options.revoked) {
    const revoked = await oneInvite.DELETE(await apiRequest(admin, 'DELETE', `/api/invites/${invite.id}`), { params: Promise.resolve({ token: invite.id }) });
    expect(revoked.status).toBe(204);
  }
  return { token, id: invite.id };
}

async function usesOf(inviteId: string): Promise<number> {
  return (await getDb().invite.findUniqueOrThrow({ where: { id: inviteId } })).uses;
}

async function adminCount(): Promise<number> {
  return getDb().user.count({ where: { isAdmin: true } });
}

describe('the first account', () => {
  it('becomes the instance administrator; the accounts after it do not', async () => {
    expect(await getDb().user.count()).toBe(0);
    const first = await registered(await register(account()));
    const second = await registered(await register(account()));
    expect(await isInstanceAdmin(first.id)).toBe(true);
    expect(await isInstanceAdmin(second.id)).toBe(false);
    const audit = await getDb().auditEvent.findFirstOrThrow({ where: { kind: 'user.registered', actorId: first.id } });
    expect(audit.details).toEqual({ instanceAdmin: true, inviteId: null });
  });

  it('parallel first sign-ups: exactly one becomes administrator, every time', async () => {
    for (let round = 0; round < 3; round++) {
      await getDb().$executeRaw`TRUNCATE users CASCADE`;
      const responses = await Promise.all(Array.from({ length: 6 }, () => register(account())));
      expect(responses.map((r) => r.status)).toEqual(Array(6).fill(201));
      expect(await getDb().user.count()).toBe(6);
      expect(await adminCount()).toBe(1);
    }
  });

  it('ADMIN_USERNAMES (any case, spaces around) makes an account an administrator too; others stay people', async () => {
    const named = await registered(await register(account(NAMED_ADMIN)));
    expect(await isInstanceAdmin(named.id)).toBe(true);
    expect((await getDb().user.findUniqueOrThrow({ where: { id: named.id } })).isAdmin).toBe(false); // by name, not by flag
    const plain = await registered(await register(account()));
    expect(await isInstanceAdmin(plain.id)).toBe(false);
  });
});

describe('registration modes', () => {
  let admin: Admin;
  beforeAll(async () => {
    const row = await getDb().user.findFirstOrThrow({ where: { isAdmin: true }, select: { id: true, username: true, displayName: true } });
    admin = row;
    await setMode(admin, 'open');
  });

  it('a new instance is open, and GET /api/register says so without a session; a query is refused', async () => {
    expect(await mode()).toBe('open');
    expect((await GET(new Request('http://localhost/api/register?mode=1'))).status).toBe(422);
  });

  it('closed: every sign-up is refused with 403, with or without a token, names in ADMIN_USERNAMES included', async () => {
    const { token, id } = await signupInvite(admin);
    await setMode(admin, 'closed');
    try {
      const before = await getDb().user.count();
      for (const body of [account(), { ...account(), inviteToken: token }, account('someone-else')]) {
        expect(await errorOf(await register(body))).toMatchObject({ status: 403, code: 'FORBIDDEN', message: 'Registration is closed.' });
      }
      expect(await getDb().user.count()).toBe(before);
      expect(await usesOf(id)).toBe(0);
    } finally {
      await setMode(admin, 'open');
    }
  });

  it('invite: needs a valid sign-up token; refusals spend nothing, a failed insert spends nothing', async () => {
    const good = await signupInvite(admin, { maxUses: 5 });
    const expired = await signupInvite(admin, { expired: true });
    const revoked = await signupInvite(admin, { revoked: true });
    const usedUp = await signupInvite(admin, { maxUses: 1 });
    await getDb().invite.update({ where: { id: usedUp.id }, data: { uses: 1 } });
    const room = await createRoom({ ownerId: admin.id, data: { kind: 'public', name: uniqueName('room'), description: '' }, ip: null });
    await setMode(admin, 'invite');
    try {
      const missing = await errorOf(await register(account()));
      expect(missing).toMatchObject({ status: 403, code: 'FORBIDDEN', issues: [{ path: 'inviteToken' }] });
      expect(await errorOf(await register(account('someone-else')))).toMatchObject({ status: 403 }); // admins by name too
      const unknown = randomBytes(24).toString('base64url');
      for (const token of [unknown, expired.token, revoked.token, usedUp.token]) {
        expect(await errorOf(await register({ ...account(), inviteToken: token }))).toMatchObject({
          status: 403,
          code: 'FORBIDDEN',
          message: 'This invitation is not valid (any more).',
          issues: [{ path: 'inviteToken' }],
        });
      }
      // A room's invitation is not a way onto the instance.
      const roomInvite = await createInvite({ userId: admin.id, roomId: room.id, options: { expiresInSeconds: null, maxUses: null }, ip: null });
      expect((await register({ ...account(), inviteToken: roomInvite.token })).status).toBe(403);
      expect(await usesOf(roomInvite.invite.id)).toBe(0);
      expect((await register({ ...account(), inviteToken: 'not a token' })).status).toBe(422);

      const alice = account();
      await registered(await register({ ...alice, inviteToken: good.token }));
      expect(await usesOf(good.id)).toBe(1);
      // The same username again: 409, and the invitation's use is not spent on it.
      expect((await register({ ...alice, inviteToken: good.token })).status).toBe(409);
      expect(await usesOf(good.id)).toBe(1);
      expect(await usesOf(expired.id)).toBe(0);
      const audit = await getDb().auditEvent.findFirstOrThrow({ where: { kind: 'user.registered' }, orderBy: { id: 'desc' } });
      expect(audit.details).toEqual({ instanceAdmin: false, inviteId: good.id });
    } finally {
      await setMode(admin, 'open');
    }
  });

  it('invite: parallel sign-ups with one token never pass its use limit', async () => {
    const invite = await signupInvite(admin, { maxUses: 3 });
    await setMode(admin, 'invite');
    try {
      const responses = await Promise.all(Array.from({ length: 10 }, () => register({ ...account(), inviteToken: invite.token })));
      const statuses = responses.map((r) => r.status).sort();
      expect(statuses).toEqual([201, 201, 201, 403, 403, 403, 403, 403, 403, 403]);
      expect(await usesOf(invite.id)).toBe(3);
    } finally {
      await setMode(admin, 'open');
    }
  });

  it('open: no token needed, and a token given anyway is not spent', async () => {
    const invite = await signupInvite(admin, { maxUses: 1 });
    await registered(await register({ ...account(), inviteToken: invite.token }));
    expect(await usesOf(invite.id)).toBe(0);
  });
});
