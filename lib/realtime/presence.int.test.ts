import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRoom, joinRoom, startDirect } from '../data/rooms';
import { getDb } from '../db';
import type { Ack } from '../errors';
import type { PresenceInfo } from '../schemas/user';
import {
  collect,
  collectReceipts,
  createTestUser,
  eventually,
  eventuallyAsync,
  openRoom,
  openSession,
  send,
  startTestRealtime,
  uniqueName,
  type TestRealtime,
} from '../testing/realtime';

let server: TestRealtime;
beforeAll(async () => {
  server = await startTestRealtime({ presenceGraceMs: 150, typingTtlMs: 300 });
});
afterAll(async () => {
  await server.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** What a watcher shows over time: statuses with repeats collapsed (the server may re-announce). */
const shown = (changes: PresenceInfo[]) => changes.map((c) => c.status).filter((s, i, all) => i === 0 || all[i - 1] !== s);
type Sock = Awaited<ReturnType<typeof openSession>>;
/** Presence is visible between people who share a room: give them one. */
async function shareRoom(...users: { id: string }[]) {
  const room = await createRoom({ ownerId: users[0]!.id, data: { kind: 'public', name: uniqueName('share'), description: '' }, ip: null });
  for (const u of users.slice(1)) await joinRoom({ roomId: room.id, userId: u.id, ip: null });
  return room;
}
async function watch(socket: Sock, userIds: string[]): Promise<PresenceInfo[]> {
  const ack = (await socket.timeout(5000).emitWithAck('presence:watch', { userIds })) as Ack<{ presence: PresenceInfo[] }>;
  if (!ack.ok) throw new Error(ack.error.message);
  return ack.data.presence;
}

describe('presence', () => {
  it('two tabs of one user: online, offline only when both close, last seen persisted', async () => {
    const [alice, bob] = await Promise.all([createTestUser(), createTestUser()]);
    await shareRoom(alice, bob);
    const watcher = await openSession(server.url, alice);
    expect(await watch(watcher, [bob.id])).toEqual([{ userId: bob.id, status: 'offline', lastSeenAt: null }]); // never connected yet
    const changes = collect<PresenceInfo>(watcher, 'presence:changed');

    const tab1 = await openSession(server.url, bob);
    const tab2 = await openSession(server.url, bob);
    await eventually(() => changes.length >= 1);
    await sleep(100);
    expect(shown(changes)).toEqual(['online']);
    expect(changes[0]).toEqual({ userId: bob.id, status: 'online', lastSeenAt: null });
    expect(await watch(watcher, [bob.id])).toEqual([{ userId: bob.id, status: 'online', lastSeenAt: null }]);

    tab1.close();
    await sleep(400); // past the grace period
    expect(shown(changes)).toEqual(['online']); // still online: one tab is open

    const before = Date.now();
    tab2.close();
    await eventually(() => shown(changes).length === 2);
    expect(shown(changes)).toEqual(['online', 'offline']);
    expect(changes.at(-1)).toMatchObject({ userId: bob.id, status: 'offline', lastSeenAt: expect.any(String) });
    const stored = await getDb().user.findUniqueOrThrow({ where: { id: bob.id } });
    expect(stored.lastSeenAt!.getTime()).toBeGreaterThanOrEqual(before - 5);
    expect(await watch(watcher, [bob.id])).toEqual([{ userId: bob.id, status: 'offline', lastSeenAt: stored.lastSeenAt!.toISOString() }]);
    watcher.close();
  });

  it('a reload within the grace period does not flap offline', async () => {
    const [alice, bob] = await Promise.all([createTestUser(), createTestUser()]);
    await shareRoom(alice, bob);
    const watcher = await openSession(server.url, alice);
    await watch(watcher, [bob.id]);
    const first = await openSession(server.url, bob);
    const changes = collect<PresenceInfo>(watcher, 'presence:changed');
    first.close();
    const reloaded = await openSession(server.url, bob); // back before the 150 ms grace ends
    await sleep(400);
    expect(changes.filter((c) => c.status === 'offline')).toEqual([]);
    reloaded.close();
    watcher.close();
  });

  it('away when every tab is away, online when any tab is active; bad statuses refused', async () => {
    const [alice, bob] = await Promise.all([createTestUser(), createTestUser()]);
    await shareRoom(alice, bob);
    const watcher = await openSession(server.url, alice);
    const tab1 = await openSession(server.url, bob);
    const tab2 = await openSession(server.url, bob);
    await watch(watcher, [bob.id]);
    const changes = collect<PresenceInfo>(watcher, 'presence:changed');
    await tab1.timeout(5000).emitWithAck('presence:set', { status: 'away' });
    await sleep(150);
    expect(changes.filter((c) => c.status !== 'online')).toEqual([]); // tab2 is still active
    await tab2.timeout(5000).emitWithAck('presence:set', { status: 'away' });
    await eventually(() => changes.at(-1)?.status === 'away');
    await tab1.timeout(5000).emitWithAck('presence:set', { status: 'online' });
    await eventually(() => changes.at(-1)?.status === 'online');
    expect(shown(changes).slice(-2)).toEqual(['away', 'online']);
    const bad = (await tab1.timeout(5000).emitWithAck('presence:set', { status: 'invisible' })) as Ack<unknown>;
    expect(bad).toMatchObject({ ok: false, error: { code: 'INVALID_PAYLOAD' } });
    const tooMany = (await watcher.timeout(5000).emitWithAck('presence:watch', { userIds: Array.from({ length: 501 }, () => bob.id) })) as Ack<unknown>;
    expect(tooMany).toMatchObject({ ok: false, error: { code: 'INVALID_PAYLOAD' } });
    [tab1, tab2, watcher].forEach((s) => s.close());
  });
});

describe('who may see whose presence', () => {
  it('only people who share a room or a direct conversation: others are left out and not watched', async () => {
    const [alice, bob, dave, stranger] = await Promise.all([createTestUser(), createTestUser(), createTestUser(), createTestUser()]);
    const room = await shareRoom(alice, bob);
    await startDirect({ userId: dave.id, peerId: alice.id });
    const unknown = '01a1fdb5-0000-7000-8000-000000000000';
    const [strangerTab, bobTab] = await Promise.all([openSession(server.url, stranger), openSession(server.url, bob)]);

    const watcher = await openSession(server.url, alice);
    const changes = collect<PresenceInfo>(watcher, 'presence:changed');
    const snapshot = await watch(watcher, [stranger.id, bob.id.toUpperCase(), unknown, alice.id, dave.id, stranger.id, bob.id]);
    expect(snapshot.map((p) => [p.userId, p.status])).toEqual([
      [bob.id, 'online'],
      [alice.id, 'online'],
      [dave.id, 'offline'],
    ]);

    // The stranger's comings and goings never reach Alice; Bob's and Dave's do.
    strangerTab.close();
    await sleep(400); // past the grace period: offline
    const strangerBack = await openSession(server.url, stranger);
    const daveTab = await openSession(server.url, dave);
    await bobTab.timeout(5_000).emitWithAck('presence:set', { status: 'away' });
    await eventually(() => changes.some((c) => c.userId === dave.id) && changes.some((c) => c.userId === bob.id && c.status === 'away'));
    await sleep(200);
    expect(new Set(changes.map((c) => c.userId))).toEqual(new Set([bob.id, dave.id]));

    // room:ready.online lists members only: the stranger, online, is not there.
    const opened = await openRoom(server.url, alice, room.id);
    expect(opened.ready.online.map((u) => u.id).sort()).toEqual([alice.id, bob.id].sort());
    [watcher, strangerBack, bobTab, daveTab, opened.socket].forEach((s) => s.close());
  });
});

describe('typing', () => {
  it('shows and clears; expires on the server when a client goes silent without typing:stop', async () => {
    const [alice, bob] = await Promise.all([createTestUser(), createTestUser()]);
    const room = await createRoom({ ownerId: alice.id, data: { kind: 'public', name: uniqueName('typing'), description: '' }, ip: null });
    const a = await openRoom(server.url, alice, room.id);
    const b = await openRoom(server.url, bob, room.id);
    const seen = collect<{ user: { id: string }; typing: boolean }>(b.socket, 'typing:update');

    await a.socket.timeout(2000).emitWithAck('typing:start');
    await eventually(() => seen.length === 1);
    expect(seen[0]).toMatchObject({ user: { id: alice.id }, typing: true });
    await a.socket.timeout(2000).emitWithAck('typing:stop');
    await eventually(() => seen.length === 2);
    expect(seen[1]).toMatchObject({ user: { id: alice.id }, typing: false });

    // A flood of starts is throttled to one broadcast; then silence: the 300 ms TTL ends it.
    for (let i = 0; i < 20; i += 1) a.socket.emit('typing:start');
    await eventually(() => seen.length === 3);
    const late = await openRoom(server.url, bob, room.id);
    expect(late.ready.typing.map((u) => u.id)).toEqual([alice.id]);
    await eventually(() => seen.length === 4, 2000);
    expect(seen.slice(2).map((s) => s.typing)).toEqual([true, false]);
    [a.socket, b.socket, late.socket].forEach((s) => s.close());
  });
});

describe('connection metrics', () => {
  it('counts closed connections by reason: a tab that left, a session the server ended', async () => {
    const { getMetrics } = await import('../metrics');
    const { revokeAllSessions } = await import('../data/sessions');
    const { notifySessionsEnded } = await import('./notify');
    const closed = async (reason: string) => (await getMetrics().connectionsClosed.get()).values.find((v) => v.labels.reason === reason)?.value ?? 0;
    const user = await createTestUser();
    const [left, forced] = [await closed('transport close'), await closed('forced close')];
    const tab = await openSession(server.url, user);
    tab.close();
    await eventuallyAsync(async () => (await closed('transport close')) === left + 1);

    const other = await openSession(server.url, user);
    notifySessionsEnded(await revokeAllSessions({ userId: user.id }), server.io);
    await eventuallyAsync(async () => (await closed('forced close')) === forced + 1);
    other.close();
  });
});

describe('read receipts and unread counts', () => {
  it('read position moves forward only, is clamped to the room, and only members have one', async () => {
    const [alice, bob, outsider] = await Promise.all([createTestUser(), createTestUser(), createTestUser()]);
    const room = await createRoom({ ownerId: alice.id, data: { kind: 'private', name: uniqueName('reads'), description: '', password: 'pass1234' }, ip: null });
    await joinRoom({ roomId: room.id, userId: bob.id, password: 'pass1234', ip: null });
    const a = await openRoom(server.url, alice, room.id);
    const b = await openRoom(server.url, bob, room.id);
    for (let i = 0; i < 5; i += 1) await send(a.socket, `m${i}`);
    const receipts = collectReceipts(a.socket);
    const mark = (seq: unknown) => b.socket.timeout(5000).emitWithAck('read:mark', { seq }) as Promise<Ack<{ lastReadSeq: number }>>;

    expect(await mark(3)).toEqual({ ok: true, data: { lastReadSeq: 3 } });
    expect(await mark(2)).toEqual({ ok: true, data: { lastReadSeq: 3 } }); // never backwards
    expect(await mark(999)).toEqual({ ok: true, data: { lastReadSeq: 5 } }); // clamped to the last seq
    expect(await mark(-1)).toMatchObject({ ok: false, error: { code: 'INVALID_PAYLOAD' } });
    expect(await mark('5')).toMatchObject({ ok: false, error: { code: 'INVALID_PAYLOAD' } });
    await eventually(() => receipts.length === 2);
    expect(receipts.map((r) => [r.userId, r.lastReadSeq])).toEqual([[bob.id, 3], [bob.id, 5]]);

    // Alice's own messages count as read by her.
    const mine = await getDb().membership.findUniqueOrThrow({ where: { roomId_userId: { roomId: room.id, userId: alice.id } } });
    expect(mine.lastReadSeq).toBe(5);

    // An outsider cannot move anything (no namespace for them, and the data layer refuses too).
    const { markRead } = await import('../data/receipts');
    await expect(markRead({ roomId: room.id, userId: outsider.id, seq: 5 })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    a.socket.close();
    b.socket.close();
  });

  it('unread counts survive a reload; activity reaches members’ other tabs live', async () => {
    const [alice, bob] = await Promise.all([createTestUser(), createTestUser()]);
    const room = await createRoom({ ownerId: alice.id, data: { kind: 'public', name: uniqueName('unread'), description: '' }, ip: null });
    await joinRoom({ roomId: room.id, userId: bob.id, ip: null });
    const bobMain = await openSession(server.url, bob); // Bob is elsewhere in the app
    const activity = collect<{ roomId: string; lastSeq: number }>(bobMain, 'room:activity');
    const a = await openRoom(server.url, alice, room.id);
    for (let i = 0; i < 4; i += 1) await send(a.socket, `hello ${i}`);
    await eventually(() => activity.length === 4);
    expect(activity.at(-1)).toMatchObject({ roomId: room.id, lastSeq: 4 });

    const { listRoomsForUser } = await import('../data/rooms');
    const listed = (await listRoomsForUser({ userId: bob.id })).mine.find((r) => r.id === room.id)!;
    expect(listed.lastSeq! - listed.lastReadSeq!).toBe(4);

    const b = await openRoom(server.url, bob, room.id);
    const read = collect<{ roomId: string; lastReadSeq: number }>(bobMain, 'room:read');
    await b.socket.timeout(5000).emitWithAck('read:mark', { seq: 4 });
    await eventually(() => read.length === 1);
    expect(read[0]).toEqual({ roomId: room.id, lastReadSeq: 4 });
    const after = (await listRoomsForUser({ userId: bob.id })).mine.find((r) => r.id === room.id)!;
    expect(after.lastSeq! - after.lastReadSeq!).toBe(0);
    [a.socket, b.socket, bobMain].forEach((s) => s.close());
  });

  it('delivery acks move the delivered position and reach the room as receipts', async () => {
    const [alice, bob] = await Promise.all([createTestUser(), createTestUser()]);
    const room = await createRoom({ ownerId: alice.id, data: { kind: 'public', name: uniqueName('deliv'), description: '' }, ip: null });
    await joinRoom({ roomId: room.id, userId: bob.id, ip: null });
    const a = await openRoom(server.url, alice, room.id);
    await send(a.socket, 'ping');
    const receipts = collectReceipts(a.socket);
    const bobMain = await openSession(server.url, bob);
    const ack = (await bobMain.timeout(5000).emitWithAck('delivery:ack', { roomId: room.id, seq: 1 })) as Ack<{ lastDeliveredSeq: number }>;
    expect(ack).toEqual({ ok: true, data: { lastDeliveredSeq: 1 } });
    await eventually(() => receipts.length === 1);
    expect(receipts[0]).toEqual({ userId: bob.id, lastDeliveredSeq: 1, lastReadSeq: 0 });

    // The ack is optional: without one, the position moves all the same (and nothing is answered).
    await send(a.socket, 'pong');
    bobMain.emit('delivery:ack', { roomId: room.id, seq: 2 });
    await eventually(() => receipts.length === 2);
    expect(receipts[1]).toEqual({ userId: bob.id, lastDeliveredSeq: 2, lastReadSeq: 0 });
    a.socket.close();
    bobMain.close();
  });

  it('a burst of acks from a whole room reaches its open sockets as a few batches, not one event per member', async () => {
    const members = await Promise.all(Array.from({ length: 30 }, () => createTestUser()));
    const [alice, ...others] = members;
    const room = await createRoom({ ownerId: alice!.id, data: { kind: 'public', name: uniqueName('burst'), description: '' }, ip: null });
    for (const u of others) await joinRoom({ roomId: room.id, userId: u.id, ip: null });
    const a = await openRoom(server.url, alice!, room.id);
    await send(a.socket, 'to everyone');
    const batches = collect<{ receipts: unknown[] }>(a.socket, 'receipts:updated');
    const receipts = collectReceipts(a.socket);
    const mains = await Promise.all(others.map((u) => openSession(server.url, u)));
    const acks = await Promise.all(mains.map((m) => m.timeout(5000).emitWithAck('delivery:ack', { roomId: room.id, seq: 1 }) as Promise<Ack<{ lastDeliveredSeq: number }>>));
    expect(acks.every((ack) => ack.ok && ack.data.lastDeliveredSeq === 1)).toBe(true);

    await eventually(() => new Set(receipts.map((r) => r.userId)).size === others.length);
    expect(receipts.every((r) => r.lastDeliveredSeq === 1 && r.lastReadSeq === 0)).toBe(true);
    expect(receipts).toHaveLength(others.length); // each member once: nobody's move is sent twice
    // The first move goes at once, the rest gather (≤ 500 ms apart): a handful of events, not 29.
    expect(batches.length).toBeLessThanOrEqual(5);
    [a.socket, ...mains].forEach((s) => s.close());
  });
});
