import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getDb } from '@/lib/db';
import type { RoomList, RoomSummary } from '@/lib/schemas/room';
import type { HistoryPage } from '@/lib/schemas/message';
import {
  apiRequest,
  collect,
  createTestUser,
  eventually,
  openRoom,
  openSession,
  roomParams,
  send,
  startTestRealtime,
  uniqueName,
  type TestRealtime,
} from '@/lib/testing/realtime';
import * as room from './[roomId]/route';
import * as join from './[roomId]/join/route';
import * as leave from './[roomId]/leave/route';
import * as messages from './[roomId]/messages/route';
import * as rooms from './route';

type User = Awaited<ReturnType<typeof createTestUser>>;

let server: TestRealtime;
beforeAll(async () => {
  server = await startTestRealtime();
});
afterAll(async () => {
  await server.close();
});

async function create(user: User, body: Record<string, unknown>): Promise<Response> {
  return rooms.POST(await apiRequest(user, 'POST', '/api/rooms', body));
}

async function createOk(user: User, body: Record<string, unknown>): Promise<RoomSummary> {
  const response = await create(user, body);
  expect(response.status).toBe(201);
  return ((await response.json()) as { room: RoomSummary }).room;
}

async function history(user: User, roomId: string, query = ''): Promise<Response> {
  return messages.GET(await apiRequest(user, 'GET', `/api/rooms/${roomId}/messages${query}`), roomParams(roomId));
}

describe('rooms API', () => {
  it('requires a session', async () => {
    const response = await rooms.GET(await apiRequest(null, 'GET', '/api/rooms'));
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: { code: 'UNAUTHORIZED', message: 'Sign in first.' } });
  });

  it('creates public and private rooms, with case-insensitive unique names, and audits creation', async () => {
    const owner = await createTestUser();
    const name = uniqueName('Room');
    const created = await createOk(owner, { kind: 'public', name, description: 'About things' });
    expect(created).toMatchObject({ name, description: 'About things', kind: 'public', isMember: true, role: 'owner', memberCount: 1, lastSeq: 0 });
    expect(created.id).toMatch(/^[A-Za-z0-9]{10}$/);

    const dup = await create(owner, { kind: 'public', name: name.toUpperCase() });
    expect(dup.status).toBe(409);
    expect(((await dup.json()) as { error: { issues: { path: string }[] } }).error.issues[0]?.path).toBe('name');

    const invalid = await create(owner, { kind: 'private', name: 'x', password: '123' });
    expect(invalid.status).toBe(422);
    const issues = ((await invalid.json()) as { error: { issues: { path: string }[] } }).error.issues.map((i) => i.path);
    expect(issues).toEqual(expect.arrayContaining(['name', 'password']));
    expect(await getDb().auditEvent.count({ where: { actorId: owner.id, kind: 'room.created' } })).toBe(1);
    const stored = await getDb().room.findUniqueOrThrow({ where: { id: created.id } });
    expect(stored.passwordHash).toBeNull();
  });

  it('lists every room I am in, and only those (other rooms are in the directory)', async () => {
    const [me, owner] = await Promise.all([createTestUser(), createTestUser()]);
    const joined = await createOk(owner, { kind: 'public', name: uniqueName('Joined') });
    const notJoined = await createOk(owner, { kind: 'private', name: uniqueName('Other'), password: 'letmein' });
    const own = await createOk(me, { kind: 'public', name: uniqueName('Own') });
    await join.POST(await apiRequest(me, 'POST', `/api/rooms/${joined.id}/join`, {}), roomParams(joined.id));

    const list = (await (await rooms.GET(await apiRequest(me, 'GET', '/api/rooms'))).json()) as RoomList;
    expect(Object.keys(list)).toEqual(['mine']);
    expect(list.mine.map((r) => r.id).sort()).toEqual([joined.id, own.id].sort());
    expect(list.mine.map((r) => r.id)).not.toContain(notJoined.id);
    expect(list.mine.find((r) => r.id === joined.id)).toMatchObject({ isMember: true, role: 'member', memberCount: 2, lastSeq: 0 });
  });

  it('a new room is announced to its creator only, a deleted one to its members only', async () => {
    const [owner, member, bystander] = await Promise.all([createTestUser(), createTestUser(), createTestUser()]);
    const [ownerMain, memberMain, bystanderMain] = await Promise.all([openSession(server.url, owner), openSession(server.url, member), openSession(server.url, bystander)]);
    const seenBy = (socket: typeof ownerMain) => ({
      listed: collect<unknown>(socket, 'room:listed'),
      membership: collect<{ roomId: string; isMember: boolean }>(socket, 'membership:changed'),
      deleted: collect<{ roomId: string }>(socket, 'room:deleted'),
    });
    const [o, m, b] = [seenBy(ownerMain), seenBy(memberMain), seenBy(bystanderMain)];

    const pub = await createOk(owner, { kind: 'public', name: uniqueName('Quiet') });
    await eventually(() => o.membership.some((e) => e.roomId === pub.id && e.isMember));
    await join.POST(await apiRequest(member, 'POST', `/api/rooms/${pub.id}/join`, {}), roomParams(pub.id));
    await eventually(() => m.membership.some((e) => e.roomId === pub.id));
    // A fence: the bystander's own room. Events to one socket arrive in order, so anything about `pub`
    // would have arrived before this.
    const fence = await createOk(bystander, { kind: 'public', name: uniqueName('Fence') });
    await eventually(() => b.membership.some((e) => e.roomId === fence.id));

    expect((await room.DELETE(await apiRequest(owner, 'DELETE', `/api/rooms/${pub.id}`), roomParams(pub.id))).status).toBe(204);
    await eventually(() => m.deleted.length === 1 && o.deleted.length === 1);
    expect((await room.DELETE(await apiRequest(bystander, 'DELETE', `/api/rooms/${fence.id}`), roomParams(fence.id))).status).toBe(204);
    await eventually(() => b.deleted.length === 1);

    expect(m.deleted).toEqual([{ roomId: pub.id }]);
    expect(b.deleted).toEqual([{ roomId: fence.id }]);
    expect([...o.listed, ...m.listed, ...b.listed]).toEqual([]);
    for (const socket of [ownerMain, memberMain, bystanderMain]) socket.close();
  });

  it('private rooms: wrong password refused and audited, attempts rate limited, right one admits', async () => {
    const [owner, guest] = await Promise.all([createTestUser(), createTestUser()]);
    const priv = await createOk(owner, { kind: 'private', name: uniqueName('Vault'), password: 'right password' });
    const attempt = async (password?: string) =>
      join.POST(await apiRequest(guest, 'POST', `/api/rooms/${priv.id}/join`, password === undefined ? {} : { password }), roomParams(priv.id));

    // Asking without a password is no guess: refused, but it costs no attempt.
    const none = await attempt();
    expect(none.status).toBe(403);
    expect(await none.json()).toEqual({ error: { code: 'FORBIDDEN', message: 'This room needs a password.' } });
    const wrong = await attempt('wrong');
    expect(wrong.status).toBe(403);
    expect(await wrong.json()).toEqual({ error: { code: 'FORBIDDEN', message: 'Wrong room password.' } });
    expect(await getDb().auditEvent.count({ where: { actorId: guest.id, kind: 'room.join_failed' } })).toBe(1);

    // History and the namespace stay closed.
    expect((await history(guest, priv.id)).status).toBe(403);

    for (let i = 0; i < 4; i += 1) expect((await attempt(`guess ${i}`)).status).toBe(403);
    const limited = await attempt('right password'); // even the right one, once the budget is spent
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(((await limited.json()) as { error: { message: string } }).error.message).toMatch(/Try again in/);

    // Another user is unaffected.
    const friend = await createTestUser();
    const ok = await join.POST(await apiRequest(friend, 'POST', `/api/rooms/${priv.id}/join`, { password: 'right password' }), roomParams(priv.id));
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { room: RoomSummary }).room).toMatchObject({ isMember: true, role: 'member', memberCount: 2 });
  });

  it('private rooms: parallel guesses each cost an attempt, so at most the budget is ever checked', async () => {
    const [owner, guest] = await Promise.all([createTestUser(), createTestUser()]);
    const priv = await createOk(owner, { kind: 'private', name: uniqueName('Safe'), password: 'the right one' });
    const guesses = Array.from({ length: 40 }, (_, i) => (i === 39 ? 'the right one' : `wrong guess ${i}`));
    const statuses = await Promise.all(
      guesses.map(async (password) =>
        (await join.POST(await apiRequest(guest, 'POST', `/api/rooms/${priv.id}/join`, { password }), roomParams(priv.id))).status,
      ),
    );
    // 5 attempts per user and room: 35 of 40 are refused before any password is checked.
    expect(statuses.filter((s) => s === 429)).toHaveLength(35);
    expect(await getDb().auditEvent.count({ where: { actorId: guest.id, kind: 'room.join_failed' } })).toBe(statuses.filter((s) => s === 403).length);
    const member = await getDb().membership.findUnique({ where: { roomId_userId: { roomId: priv.id, userId: guest.id } } });
    expect(member !== null).toBe(statuses.includes(200));
  });

  it('joining is idempotent under concurrency: many tabs joining at once all succeed, one membership', async () => {
    const [owner, guest] = await Promise.all([createTestUser(), createTestUser()]);
    const pub = await createOk(owner, { kind: 'public', name: uniqueName('Busy') });
    const responses = await Promise.all(
      Array.from({ length: 40 }, async () => join.POST(await apiRequest(guest, 'POST', `/api/rooms/${pub.id}/join`, {}), roomParams(pub.id))),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(40).fill(200));
    expect(await getDb().membership.count({ where: { roomId: pub.id, userId: guest.id } })).toBe(1);

    // And through the room namespace, which joins public rooms on first connect.
    const other = await createTestUser();
    const sockets = await Promise.all(Array.from({ length: 20 }, () => openRoom(server.url, other, pub.id)));
    for (const { socket } of sockets) socket.close();
    expect(await getDb().membership.count({ where: { roomId: pub.id, userId: other.id } })).toBe(1);
  });

  it('history: members only, cursor pages by seq, author and date filters, validated query', async () => {
    const [alice, bob, outsider] = await Promise.all([createTestUser(), createTestUser(), createTestUser()]);
    const pub = await createOk(alice, { kind: 'public', name: uniqueName('Hist') });
    const a = await openRoom(server.url, alice, pub.id);
    const b = await openRoom(server.url, bob, pub.id);
    for (let i = 1; i <= 30; i += 1) await send(i % 3 === 0 ? b.socket : a.socket, `m${i}`);

    expect((await history(outsider, pub.id)).status).toBe(403); // public, but not joined: no content

    const newest = (await (await history(alice, pub.id, '?limit=10')).json()) as HistoryPage;
    expect(newest.messages.map((m) => m.seq)).toEqual([21, 22, 23, 24, 25, 26, 27, 28, 29, 30]);
    expect(newest.hasMore).toBe(true);
    const older = (await (await history(alice, pub.id, '?limit=10&before=21')).json()) as HistoryPage;
    expect(older.messages.map((m) => m.seq)).toEqual([11, 12, 13, 14, 15, 16, 17, 18, 19, 20]);
    const oldest = (await (await history(alice, pub.id, '?limit=15&before=11')).json()) as HistoryPage;
    expect(oldest.messages.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(oldest.hasMore).toBe(false);
    const after = (await (await history(alice, pub.id, '?after=27')).json()) as HistoryPage;
    expect(after).toEqual({ messages: [expect.objectContaining({ seq: 28 }), expect.objectContaining({ seq: 29 }), expect.objectContaining({ seq: 30 })], hasMore: false, lastRev: 0 });

    const byBob = (await (await history(alice, pub.id, `?author=${bob.username.toUpperCase()}`)).json()) as HistoryPage;
    expect(byBob.messages.map((m) => m.seq)).toEqual([3, 6, 9, 12, 15, 18, 21, 24, 27, 30]);
    const future = new Date(Date.now() + 60_000).toISOString();
    const none = (await (await history(alice, pub.id, `?from=${encodeURIComponent(future)}`)).json()) as HistoryPage;
    expect(none.messages).toEqual([]);
    const past = new Date(Date.now() - 60_000).toISOString();
    const all = (await (await history(alice, pub.id, `?from=${encodeURIComponent(past)}&limit=100`)).json()) as HistoryPage;
    expect(all.messages).toHaveLength(30);

    for (const bad of ['?limit=101', '?limit=0', '?before=-1', '?before=1&after=2', '?from=yesterday', '?sort=asc']) {
      const response = await history(alice, pub.id, bad);
      expect(response.status, bad).toBe(422);
    }
    a.socket.close();
    b.socket.close();
  });

  it('leave: members leave (and see it live), owners cannot', async () => {
    const [owner, member] = await Promise.all([createTestUser(), createTestUser()]);
    const pub = await createOk(owner, { kind: 'public', name: uniqueName('Leave') });
    const o = await openRoom(server.url, owner, pub.id);
    const m = await openRoom(server.url, member, pub.id);
    const left = collect<{ user: { id: string } }>(o.socket, 'member:left');
    const memberDisconnected = new Promise<string>((resolve) => m.socket.once('disconnect', resolve));

    const ownerLeave = await leave.POST(await apiRequest(owner, 'POST', `/api/rooms/${pub.id}/leave`), roomParams(pub.id));
    expect(ownerLeave.status).toBe(409);
    const memberLeave = await leave.POST(await apiRequest(member, 'POST', `/api/rooms/${pub.id}/leave`), roomParams(pub.id));
    expect(memberLeave.status).toBe(200);
    expect(await memberDisconnected).toBe('io server disconnect');
    await eventually(() => left.length === 1);
    expect(left[0]?.user.id).toBe(member.id);
    expect(await getDb().membership.count({ where: { roomId: pub.id } })).toBe(1);
    o.socket.close();
  });

  it('delete: owner only; members see the room close live and are disconnected; audited', async () => {
    const [owner, member] = await Promise.all([createTestUser(), createTestUser()]);
    const pub = await createOk(owner, { kind: 'public', name: uniqueName('Doomed') });
    const m = await openRoom(server.url, member, pub.id);
    await send(m.socket, 'last words');

    const denied = await room.DELETE(await apiRequest(member, 'DELETE', `/api/rooms/${pub.id}`), roomParams(pub.id));
    expect(denied.status).toBe(403);
    expect(await getDb().room.count({ where: { id: pub.id } })).toBe(1);

    const closed = new Promise<unknown>((resolve) => m.socket.once('room:deleted', resolve));
    const disconnected = new Promise<string>((resolve) => m.socket.once('disconnect', resolve));
    const ok = await room.DELETE(await apiRequest(owner, 'DELETE', `/api/rooms/${pub.id}`), roomParams(pub.id));
    expect(ok.status).toBe(204);
    expect(await closed).toEqual({ roomId: pub.id });
    expect(await disconnected).toBe('io server disconnect');
    expect(await getDb().message.count({ where: { roomId: pub.id } })).toBe(0);
    expect(await getDb().auditEvent.count({ where: { actorId: owner.id, kind: 'room.deleted' } })).toBe(1);
    const gone = await room.GET(await apiRequest(owner, 'GET', `/api/rooms/${pub.id}`), roomParams(pub.id));
    expect(gone.status).toBe(404);
  });
});
