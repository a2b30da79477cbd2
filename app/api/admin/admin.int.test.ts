/**
 * Instance administration over HTTP (docs/protocol.md §4.15): only instance admins reach /api/admin/*;
 * disabling ends every session at once (open sockets close), a reset password is shown once and ends
 * every session, admins cannot act on each other, the rooms list never shows conversations, the audit
 * log filters and pages, and every act is audited. Its own database: the first account is the admin.
 */
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { createRoom, startDirect } from '@/lib/data/rooms';
import { authenticate } from '@/lib/data/users';
import { getDb } from '@/lib/db';
import type { AdminRoomsPage, AdminUsersPage, AdminUserView, AuditPage } from '@/lib/schemas/admin';
import type { CreatedInvite, InviteView } from '@/lib/schemas/moderation';
import { createInvite } from '@/lib/data/invites';
import { createOwnDatabase, type OwnDatabase } from '@/lib/testing/own-database';
import {
  apiRequest,
  createTestUser,
  eventually,
  openSession,
  signInAs,
  startTestRealtime,
  uniqueName,
  type TestRealtime,
} from '@/lib/testing/realtime';
import * as rooms from '@/app/api/rooms/route';
import * as oneInvite from '@/app/api/invites/[token]/route';
import * as audit from './audit/route';
import * as invites from './invites/route';
import * as adminRooms from './rooms/route';
import * as settings from './settings/route';
import * as disabled from './users/[userId]/disabled/route';
import * as password from './users/[userId]/password/route';
import * as users from './users/route';

vi.stubEnv('RATE_LIMIT_SIGNUPS_PER_IP', '100000');
vi.stubEnv('ADMIN_USERNAMES', 'named-admin');

type User = Awaited<ReturnType<typeof createTestUser>>;
type Who = User | { cookie: string } | null;

let db: OwnDatabase;
let rt: TestRealtime;
let admin: User;
let namedAdmin: User;
beforeAll(async () => {
  db = await createOwnDatabase(inject('databaseUrl'), 'admin');
  rt = await startTestRealtime({ sessionSweepMs: 60_000 });
  rt.handleRequestsHere();
  admin = await createTestUser(); // the first account: the instance's administrator
  namedAdmin = await createTestUser({ username: 'named-admin' });
});
afterAll(async () => {
  await rt?.close();
  await db?.drop();
});

const userParams = (userId: string) => ({ params: Promise.resolve({ userId }) });

async function call(who: Who, method: string, path: string, body?: unknown): Promise<Response> {
  const request = await apiRequest(who, method, path, body);
  const url = new URL(path, 'http://localhost');
  const [, , , area, userId, act] = url.pathname.split('/'); // /api/admin/<area>/<userId>/<act>
  if (area === 'users' && act === 'disabled') return method === 'PUT' ? disabled.PUT(request, userParams(userId!)) : disabled.DELETE(request, userParams(userId!));
  if (area === 'users' && act === 'password') return password.POST(request, userParams(userId!));
  if (area === 'users') return users.GET(request);
  if (area === 'rooms') return adminRooms.GET(request);
  if (area === 'audit') return audit.GET(request);
  if (area === 'settings') return method === 'PATCH' ? settings.PATCH(request) : settings.GET(request);
  if (area === 'invites') return method === 'POST' ? invites.POST(request) : invites.GET(request);
  throw new Error(`no route for ${method} ${path}`);
}

async function ok<T>(response: Response, status = 200): Promise<T> {
  const body: unknown = await response.json();
  expect(response.status, JSON.stringify(body)).toBe(status);
  return body as T;
}

async function errorOf(response: Response): Promise<{ status: number; code: string; message: string }> {
  const { error } = (await response.json()) as { error: { code: string; message: string } };
  return { status: response.status, code: error.code, message: error.message };
}

async function listRoomsStatus(cookie: string): Promise<number> {
  return (await rooms.GET(await apiRequest({ cookie }, 'GET', '/api/rooms'))).status;
}

/** A signed-in tab of `user`: a main-namespace socket, with what the server did to it. */
async function openTab(user: User) {
  const session = await signInAs(user);
  const socket = await openSession(rt.url, user, { cookie: session.cookie });
  const seen = { ended: false, closed: '' };
  socket.on('session:ended', () => (seen.ended = true));
  socket.on('disconnect', (reason) => (seen.closed = reason));
  return { ...session, socket, seen };
}

describe('who may use /api/admin', () => {
  it('a person who is not an instance admin gets 403 on every admin route; no session is 401', async () => {
    const person = await createTestUser();
    const other = await createTestUser();
    const routes: [string, string, unknown?][] = [
      ['GET', '/api/admin/users'],
      ['GET', '/api/admin/users?q=x&limit=5'],
      ['PUT', `/api/admin/users/${other.id}/disabled`],
      ['DELETE', `/api/admin/users/${other.id}/disabled`],
      ['POST', `/api/admin/users/${other.id}/password`],
      ['GET', '/api/admin/rooms'],
      ['GET', '/api/admin/audit?kind=admin.'],
      ['GET', '/api/admin/settings'],
      ['PATCH', '/api/admin/settings', { registrationMode: 'closed' }],
      ['GET', '/api/admin/invites'],
      ['POST', '/api/admin/invites', {}],
    ];
    for (const [method, path, body] of routes) {
      expect(await errorOf(await call(person, method, path, body)), `${method} ${path}`).toMatchObject({ status: 403, code: 'FORBIDDEN' });
      expect((await call(null, method, path, body)).status, `${method} ${path} signed out`).toBe(401);
    }
    // Nothing happened on the way.
    const row = await getDb().user.findUniqueOrThrow({ where: { id: other.id } });
    expect(row.disabledAt).toBeNull();
    expect(await getDb().auditEvent.count({ where: { kind: { startsWith: 'admin.' }, actorId: person.id } })).toBe(0);
    expect((await ok<{ registrationMode: string }>(await call(admin, 'GET', '/api/admin/settings'))).registrationMode).toBe('open');
  });

  it('the first account and names in ADMIN_USERNAMES are admins, and the list says so', async () => {
    for (const who of [admin, namedAdmin]) expect((await call(who, 'GET', '/api/admin/settings')).status).toBe(200);
    const { users: listed } = await ok<AdminUsersPage>(await call(admin, 'GET', '/api/admin/users?limit=100'));
    const byId = new Map(listed.map((u) => [u.id, u]));
    expect(byId.get(admin.id)?.isAdmin).toBe(true);
    expect(byId.get(namedAdmin.id)?.isAdmin).toBe(true);
    expect([...byId.values()].filter((u) => u.isAdmin)).toHaveLength(2);
  });
});

describe('people', () => {
  it('lists newest first with search by username or display name, pages with the cursor, counts open sessions', async () => {
    const tag = uniqueName('find').replace(/[^a-z0-9]/g, '');
    const made: User[] = [];
    for (let i = 0; i < 5; i++) made.push(await createTestUser({ username: `${tag}-${i}` }));
    await signInAs(made[4]!);
    await signInAs(made[4]!);
    const expired = await signInAs(made[4]!);
    await getDb().session.update({ where: { id: expired.sessionId }, data: { expiresAt: new Date(Date.now() - 1_000) } });

    const seen: AdminUserView[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = `/api/admin/users?q=${tag}&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const page: AdminUsersPage = await ok<AdminUsersPage>(await call(admin, 'GET', query));
      seen.push(...page.users);
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen.map((u) => u.username)).toEqual(made.map((u) => u.username).reverse());
    expect(seen[0]).toMatchObject({ id: made[4]!.id, sessions: 2, isAdmin: false, disabledAt: null, deletedAt: null, avatar: null });
    expect(seen[0]!.createdAt).toEqual(expect.any(String));

    // Display names, any case; LIKE wildcards match only themselves; an empty q is everyone.
    const byName = await ok<AdminUsersPage>(await call(admin, 'GET', `/api/admin/users?q=${encodeURIComponent(`TEST ${tag}-3`)}`));
    expect(byName.users.map((u) => u.id)).toEqual([made[3]!.id]);
    expect((await ok<AdminUsersPage>(await call(admin, 'GET', '/api/admin/users?q=%25'))).users).toEqual([]);
    expect((await ok<AdminUsersPage>(await call(admin, 'GET', '/api/admin/users?q=&cursor='))).users.length).toBeGreaterThan(5);

    for (const bad of ['limit=0', 'limit=101', 'cursor=nonsense', 'sort=name', `q=${'x'.repeat(65)}`]) {
      expect((await call(admin, 'GET', `/api/admin/users?${bad}`)).status, bad).toBe(422);
    }
  });

  it('disabling ends every session at once — REST refused, open sockets closed — and sign-in is refused until enabled', async () => {
    const bob = await createTestUser();
    const tab = await openTab(bob);
    const phone = await signInAs(bob);
    expect(await listRoomsStatus(phone.cookie)).toBe(200);

    const { user } = await ok<{ user: AdminUserView }>(await call(admin, 'PUT', `/api/admin/users/${bob.id}/disabled`));
    expect(user).toMatchObject({ id: bob.id, sessions: 0, disabledAt: expect.any(String) });
    await eventually(() => tab.seen.closed !== '', 2_000);
    expect(tab.seen).toEqual({ ended: true, closed: 'io server disconnect' });
    expect(await listRoomsStatus(phone.cookie)).toBe(401);
    expect(await listRoomsStatus(tab.cookie)).toBe(401);
    await expect(authenticate({ username: bob.username, password: bob.password, ip: '10.1.1.1' })).rejects.toMatchObject({ code: 'UNAUTHORIZED' });

    // Twice changes nothing (the first time stays).
    const again = await ok<{ user: AdminUserView }>(await call(admin, 'PUT', `/api/admin/users/${bob.id}/disabled`, {}));
    expect(again.user.disabledAt).toBe(user.disabledAt);

    const enabled = await ok<{ user: AdminUserView }>(await call(admin, 'DELETE', `/api/admin/users/${bob.id}/disabled`));
    expect(enabled.user.disabledAt).toBeNull();
    await expect(authenticate({ username: bob.username, password: bob.password, ip: '10.1.1.1' })).resolves.toMatchObject({ id: bob.id });

    const events = await getDb().auditEvent.findMany({ where: { actorId: admin.id, kind: { startsWith: 'admin.user_' } }, orderBy: { id: 'asc' } });
    expect(events.slice(-3).map((e) => [e.kind, e.details])).toEqual([
      ['admin.user_disabled', { userId: bob.id, endedSessions: 2 }],
      ['admin.user_disabled', { userId: bob.id, endedSessions: 0 }],
      ['admin.user_enabled', { userId: bob.id }],
    ]);
    expect(events.at(-1)?.ip).toBe('10.20.30.40');
  });

  it('a reset gives a new random password once, ends every session, and the old password stops working', async () => {
    const carol = await createTestUser();
    const tab = await openTab(carol);
    const response = await call(admin, 'POST', `/api/admin/users/${carol.id}/password`);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const { password: fresh } = await ok<{ password: string }>(response);
    expect(fresh).toMatch(/^[A-Za-z0-9]{16}$/);
    await eventually(() => tab.seen.closed !== '', 2_000);
    expect(tab.seen.ended).toBe(true);
    expect(await listRoomsStatus(tab.cookie)).toBe(401);
    await expect(authenticate({ username: carol.username, password: carol.password, ip: '10.1.1.2' })).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    await expect(authenticate({ username: carol.username, password: fresh, ip: '10.1.1.2' })).resolves.toMatchObject({ id: carol.id });

    const event = await getDb().auditEvent.findFirstOrThrow({ where: { kind: 'admin.password_reset', actorId: admin.id }, orderBy: { id: 'desc' } });
    expect(event.details).toEqual({ userId: carol.id, endedSessions: 1 });
    expect(JSON.stringify({ ...event, id: String(event.id) })).not.toContain(fresh);
    // Another reset: another password.
    const second = await ok<{ password: string }>(await call(admin, 'POST', `/api/admin/users/${carol.id}/password`, {}));
    expect(second.password).not.toBe(fresh);
  });

  it('admins cannot disable or reset another admin, nor disable themselves; unknown people are 404', async () => {
    const refusals: [User, string, string][] = [
      [admin, 'PUT', `/api/admin/users/${namedAdmin.id}/disabled`],
      [namedAdmin, 'PUT', `/api/admin/users/${admin.id}/disabled`],
      [admin, 'PUT', `/api/admin/users/${admin.id}/disabled`],
      [admin, 'POST', `/api/admin/users/${namedAdmin.id}/password`],
      [namedAdmin, 'POST', `/api/admin/users/${admin.id}/password`],
    ];
    for (const [who, method, path] of refusals) {
      expect(await errorOf(await call(who, method, path)), `${who.username} ${method} ${path}`).toMatchObject({ status: 403, code: 'FORBIDDEN' });
    }
    expect(await getDb().user.count({ where: { id: { in: [admin.id, namedAdmin.id] }, disabledAt: { not: null } } })).toBe(0);
    await expect(authenticate({ username: namedAdmin.username, password: namedAdmin.password, ip: '10.1.1.3' })).resolves.toMatchObject({
      id: namedAdmin.id,
    });

    const nobody = crypto.randomUUID();
    expect((await call(admin, 'PUT', `/api/admin/users/${nobody}/disabled`)).status).toBe(404);
    expect((await call(admin, 'POST', `/api/admin/users/${nobody}/password`)).status).toBe(404);
    expect((await call(admin, 'PUT', '/api/admin/users/not-a-user/disabled')).status).toBe(404);
    const someone = await createTestUser();
    expect((await call(admin, 'PUT', `/api/admin/users/${someone.id}/disabled`, { reason: 'x' })).status).toBe(422);
  });
});

describe('rooms', () => {
  it('lists public and private rooms newest first — never direct or group conversations — with search and paging', async () => {
    const owner = await createTestUser();
    const other = await createTestUser();
    const tag = uniqueName('adm');
    const made = [];
    for (const kind of ['public', 'private', 'public'] as const) {
      made.push(
        await createRoom({
          ownerId: owner.id,
          data: kind === 'private' ? { kind, name: `${tag} ${made.length}`, description: '', password: 'letmein1' } : { kind, name: `${tag} ${made.length}`, description: '' },
          ip: null,
        }),
      );
    }
    const direct = await startDirect({ userId: owner.id, peerId: other.id });
    // A group conversation named like the rooms (groups have no name; this one would match if listed).
    const group = await getDb().room.create({ data: { id: `G${Date.now().toString(36).slice(-9).padStart(9, '0')}`, name: tag, kind: 'group', ownerId: owner.id } });

    const everything = await ok<AdminRoomsPage>(await call(admin, 'GET', '/api/admin/rooms?limit=100'));
    expect(everything.rooms.map((r) => r.id)).not.toContain(direct.room.id);
    expect(everything.rooms.map((r) => r.id)).not.toContain(group.id);
    expect(new Set(everything.rooms.map((r) => r.kind))).toEqual(new Set(['public', 'private']));

    const first = await ok<AdminRoomsPage>(await call(admin, 'GET', `/api/admin/rooms?q=${encodeURIComponent(tag.toUpperCase())}&limit=2`));
    expect(first.rooms.map((r) => r.name)).toEqual([`${tag} 2`, `${tag} 1`]);
    expect(first.rooms[1]).toMatchObject({ kind: 'private', owner: { id: owner.id, username: owner.username }, memberCount: 1, archivedAt: null, lastSeq: 0 });
    const second = await ok<AdminRoomsPage>(await call(admin, 'GET', `/api/admin/rooms?q=${encodeURIComponent(tag)}&limit=2&cursor=${first.nextCursor}`));
    expect(second.rooms.map((r) => r.name)).toEqual([`${tag} 0`]);
    expect(second.nextCursor).toBeNull();
  });
});

describe('the audit log', () => {
  it('filters by exact kind or a prefix, by actor and by time; pages newest first by id', async () => {
    const actor = await createTestUser();
    const marks: Date[] = [];
    // Five acts by the admin: three disables, then (a few milliseconds later) two enables.
    const subjects = await Promise.all(Array.from({ length: 3 }, () => createTestUser()));
    marks.push(new Date());
    for (const subject of subjects) {
      await ok(await call(admin, 'PUT', `/api/admin/users/${subject.id}/disabled`));
    }
    await eventually(() => Date.now() > marks[0]!.getTime() + 5, 1_000);
    const middle = new Date();
    await eventually(() => Date.now() > middle.getTime() + 5, 1_000);
    for (const subject of subjects.slice(0, 2)) {
      await ok(await call(admin, 'DELETE', `/api/admin/users/${subject.id}/disabled`));
    }
    const exact = await ok<AuditPage>(await call(admin, 'GET', `/api/admin/audit?kind=admin.user_enabled&actorId=${admin.id}&from=${marks[0]!.toISOString()}`));
    expect(exact.events.map((e) => e.details)).toEqual([{ userId: subjects[1]!.id }, { userId: subjects[0]!.id }]);
    expect(exact.events[0]).toMatchObject({ kind: 'admin.user_enabled', actor: { id: admin.id, username: admin.username }, ip: '10.20.30.40' });
    expect(Number(exact.events[0]!.id)).toBeGreaterThan(Number(exact.events[1]!.id));

    const prefix = await ok<AuditPage>(await call(admin, 'GET', `/api/admin/audit?kind=admin.user_&actorId=${admin.id}&from=${marks[0]!.toISOString()}`));
    expect(prefix.events).toEqual([]); // "admin.user_" is neither a kind nor a prefix ending in "."
    const byPrefix = await ok<AuditPage>(await call(admin, 'GET', `/api/admin/audit?kind=admin.&actorId=${admin.id}&from=${marks[0]!.toISOString()}`));
    expect(byPrefix.events.map((e) => e.kind)).toEqual(['admin.user_enabled', 'admin.user_enabled', 'admin.user_disabled', 'admin.user_disabled', 'admin.user_disabled']);

    const before = await ok<AuditPage>(await call(admin, 'GET', `/api/admin/audit?actorId=${admin.id}&from=${marks[0]!.toISOString()}&to=${middle.toISOString()}`));
    expect(before.events.map((e) => e.kind)).toEqual(['admin.user_disabled', 'admin.user_disabled', 'admin.user_disabled']);
    const after = await ok<AuditPage>(await call(admin, 'GET', `/api/admin/audit?actorId=${admin.id}&from=${middle.toISOString()}`));
    expect(after.events.map((e) => e.kind)).toEqual(['admin.user_enabled', 'admin.user_enabled']);

    // Paging: two at a time through the five, no repeats, no gaps, then null.
    const ids: string[] = [];
    let cursor: string | null = null;
    do {
      const next: AuditPage = await ok<AuditPage>(
        await call(admin, 'GET', `/api/admin/audit?kind=admin.&actorId=${admin.id}&from=${marks[0]!.toISOString()}&limit=2${cursor ? `&cursor=${cursor}` : ''}`),
      );
      ids.push(...next.events.map((e) => e.id));
      cursor = next.nextCursor;
    } while (cursor);
    expect(ids).toEqual(byPrefix.events.map((e) => e.id));

    // Someone else's events are not in the actor's; login events have no actor when the name is unknown.
    await expect(authenticate({ username: 'nobody-by-that-name', password: 'whatever it is', ip: '10.3.3.3' })).rejects.toThrow();
    const failed = await ok<AuditPage>(await call(admin, 'GET', '/api/admin/audit?kind=login.failed&limit=1'));
    expect(failed.events[0]).toMatchObject({ actor: null, ip: '10.3.3.3', details: { username: 'nobody-by-that-name' } });
    const theirs = await ok<AuditPage>(await call(admin, 'GET', `/api/admin/audit?actorId=${actor.id}`));
    expect(theirs.events.map((e) => e.kind)).toEqual(['user.registered']);

    for (const bad of ['limit=0', 'limit=101', 'kind=Room', 'kind=a..b', 'actorId=me', 'from=yesterday', 'cursor=abc', 'cursor=-1', 'page=2', `from=${middle.toISOString()}&to=${marks[0]!.toISOString()}`]) {
      expect((await call(admin, 'GET', `/api/admin/audit?${bad}`)).status, bad).toBe(422);
    }
  });
});

describe('settings', () => {
  it('reads and changes the registration mode; a change is audited once', async () => {
    expect(await ok(await call(admin, 'GET', '/api/admin/settings'))).toEqual({ registrationMode: 'open' });
    try {
      expect(await ok(await call(admin, 'PATCH', '/api/admin/settings', { registrationMode: 'invite' }))).toEqual({ registrationMode: 'invite' });
      expect(await ok(await call(namedAdmin, 'PATCH', '/api/admin/settings', { registrationMode: 'invite' }))).toEqual({ registrationMode: 'invite' });
      expect(await ok(await call(admin, 'GET', '/api/admin/settings'))).toEqual({ registrationMode: 'invite' });
      for (const body of [{ registrationMode: 'sometimes' }, {}, { registrationMode: 'open', extra: 1 }]) {
        expect((await call(admin, 'PATCH', '/api/admin/settings', body)).status).toBe(422);
      }
      const events = await ok<AuditPage>(await call(admin, 'GET', '/api/admin/audit?kind=admin.settings_changed'));
      expect(events.events.map((e) => [e.actor?.id, e.details])).toEqual([[admin.id, { registrationMode: 'invite', previous: { registrationMode: 'open' } }]]);
    } finally {
      await ok(await call(admin, 'PATCH', '/api/admin/settings', { registrationMode: 'open' }));
    }
  });
});

describe('sign-up invitations', () => {
  it('are made (token shown once), listed without tokens (room invitations apart) and revoked by instance admins', async () => {
    const created = await ok<CreatedInvite>(await call(admin, 'POST', '/api/admin/invites', { expiresInSeconds: 3600, maxUses: 2 }), 201);
    expect(created.token).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(created.invite).toMatchObject({ roomId: null, maxUses: 2, uses: 0, status: 'active', createdBy: { id: admin.id } });
    const defaults = await ok<CreatedInvite>(await call(namedAdmin, 'POST', '/api/admin/invites'), 201);
    expect(defaults.invite).toMatchObject({ maxUses: null, expiresAt: expect.any(String) });
    const owner = await createTestUser();
    const room = await createRoom({ ownerId: owner.id, data: { kind: 'public', name: uniqueName('inv'), description: '' }, ip: null });
    const roomInvite = await createInvite({ userId: owner.id, roomId: room.id, options: { expiresInSeconds: null, maxUses: null }, ip: null });

    const listed = await ok<{ invites: InviteView[] }>(await call(admin, 'GET', '/api/admin/invites'));
    expect(listed.invites.map((i) => i.id).slice(0, 2)).toEqual([defaults.invite.id, created.invite.id]);
    expect(listed.invites.map((i) => i.id)).not.toContain(roomInvite.invite.id);
    expect(JSON.stringify(listed)).not.toContain(created.token);
    expect((await call(admin, 'GET', '/api/admin/invites?all=1')).status).toBe(422);
    expect((await call(admin, 'POST', '/api/admin/invites', { maxUses: 0 })).status).toBe(422);

    // Only instance admins revoke a sign-up invitation (not a room owner, however senior in their room).
    const revoke = async (who: Who, id: string) => oneInvite.DELETE(await apiRequest(who, 'DELETE', `/api/invites/${id}`), { params: Promise.resolve({ token: id }) });
    expect((await revoke(owner, created.invite.id)).status).toBe(403);
    expect((await revoke(admin, created.invite.id)).status).toBe(204);
    const after = await ok<{ invites: InviteView[] }>(await call(admin, 'GET', '/api/admin/invites'));
    expect(after.invites.find((i) => i.id === created.invite.id)).toMatchObject({ status: 'revoked', revokedAt: expect.any(String) });
    const kinds = await ok<AuditPage>(await call(admin, 'GET', `/api/admin/audit?kind=invite.&actorId=${admin.id}`));
    expect(kinds.events.map((e) => e.kind)).toEqual(['invite.revoked', 'invite.created']);
  });
});
