/**
 * Two instances in one process, each with its own Socket.IO server and cross-instance adapter — once with
 * the PostgreSQL adapter (own pool, LISTEN/NOTIFY), once with the Redis one (this file's own stream):
 * everything that works on one instance must work across them, on either.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import * as roomRoute from '@/app/api/rooms/[roomId]/route';
import * as joinRoute from '@/app/api/rooms/[roomId]/join/route';
import { createMessage } from '../data/messages';
import { createRoom, joinRoom, leaveRoom } from '../data/rooms';
import { getDb } from '../db';
import type { Ack } from '../errors';
import type { ChatMessage } from '../schemas/message';
import type { PresenceInfo } from '../schemas/user';
import type { RedisAdapterHandle } from './adapter-redis';
import type { ClusterAdapterKind } from './cluster-adapter';
import { notifyMemberLeft } from './notify';
import { ADAPTER_KINDS, adapterMissing, adapterTitle, killRedisConnections } from '../testing/redis';
import {
  apiRequest,
  collect,
  collectReceipts,
  createTestUser,
  eventually,
  openRoom,
  roomParams,
  openSession,
  send,
  startTestRealtime,
  uniqueName,
  waitForCluster,
  type TestRealtime,
} from '../testing/realtime';

async function publicRoom(ownerId: string) {
  return createRoom({ ownerId, data: { kind: 'public', name: uniqueName('x'), description: '' }, ip: null });
}

/** Cuts B off from what A publishes, as a restart of PostgreSQL or Redis would. */
async function cutReceiving(kind: ClusterAdapterKind, b: TestRealtime): Promise<void> {
  if (kind === 'postgres') {
    const listener = (b.io.of('/').adapter as unknown as { client: { client?: { processID?: number } } }).client.client;
    expect(listener?.processID).toBeGreaterThan(0);
    await getDb().$queryRaw`SELECT pg_terminate_backend(${listener!.processID!}::int)`;
    return;
  }
  const handle = b.adapter as RedisAdapterHandle;
  // Its stream reader and its subscriber (not its publishing connection).
  const killed =
    (await killRedisConnections(inject('redisUrl'), `${handle.clientName}:read`)) +
    (await killRedisConnections(inject('redisUrl'), `${handle.clientName}:subscribe`));
  expect(killed).toBe(2);
}

for (const kind of ADAPTER_KINDS) describe.skipIf(adapterMissing(kind) !== null)(`across two instances (${adapterTitle(kind)})`, () => {
  let a: TestRealtime;
  let b: TestRealtime;
  beforeAll(async () => {
    [a, b] = await Promise.all([
      startTestRealtime({ clusterAdapter: kind, presenceGraceMs: 150, typingTtlMs: 2_000 }),
      startTestRealtime({ clusterAdapter: kind, presenceGraceMs: 150, typingTtlMs: 2_000 }),
    ]);
    await waitForCluster([a, b]);
  });
  afterAll(async () => {
    await Promise.all([a.close(), b.close()]);
  });

  it('messages, unread activity, typing and receipts reach clients on the other instance', async () => {
    const [alice, bob] = await Promise.all([createTestUser(), createTestUser()]);
    const room = await publicRoom(alice.id);
    await joinRoom({ roomId: room.id, userId: bob.id, ip: null });
    const onA = await openRoom(a.url, alice, room.id);
    const onB = await openRoom(b.url, bob, room.id);
    const bobMain = await openSession(b.url, bob);
    const messages = collect<ChatMessage>(onB.socket, 'message:new');
    const activity = collect<{ roomId: string; lastSeq: number }>(bobMain, 'room:activity');
    const typing = collect<{ typing: boolean }>(onB.socket, 'typing:update');
    const receipts = collectReceipts(onA.socket);

    const ack = await send(onA.socket, 'across the wire');
    expect(ack.ok).toBe(true);
    await eventually(() => messages.length === 1 && activity.length === 1);
    expect(messages[0]?.body).toBe('across the wire');
    expect(activity[0]).toMatchObject({ roomId: room.id, lastSeq: 1 });

    // A broadcast over 8 kB: through the attachments table with PostgreSQL, not the NOTIFY payload.
    const attachmentsBefore = await getDb().socketIoAttachment.count();
    const big = '😀'.repeat(2000); // 8,000 bytes of body alone
    await send(onA.socket, big);
    await eventually(() => messages.length === 2);
    expect(messages[1]?.body).toBe(big);
    if (kind === 'postgres') expect(await getDb().socketIoAttachment.count()).toBeGreaterThan(attachmentsBefore);

    onA.socket.emit('typing:start');
    await eventually(() => typing.length === 1);
    await onB.socket.timeout(5000).emitWithAck('read:mark', { seq: 2 });
    await eventually(() => receipts.some((r) => r.userId === bob.id && r.lastReadSeq === 2));
    [onA.socket, onB.socket, bobMain].forEach((s) => s.close());
  });

  it('a burst of messages from one instance arrives on the other complete and in seq order', async () => {
    const users = await Promise.all(Array.from({ length: 4 }, () => createTestUser()));
    const room = await publicRoom(users[0]!.id);
    for (const u of users.slice(1)) await joinRoom({ roomId: room.id, userId: u.id, ip: null });
    const senders = await Promise.all(users.slice(0, 3).map((u) => openRoom(a.url, u, room.id)));
    const reader = await openRoom(b.url, users[3]!, room.id);
    const received = collect<ChatMessage>(reader.socket, 'message:new');

    // 3 × 60 sends without waiting: the writer batches them, the bus publishes several per NOTIFY.
    const acks = await Promise.all(senders.flatMap((s, i) => Array.from({ length: 60 }, (_, k) => send(s.socket, `${i}/${k}`))));
    expect(acks.every((ack) => ack.ok)).toBe(true);
    await eventually(() => received.length === 180, 10_000);
    expect(received.map((m) => m.seq)).toEqual(Array.from({ length: 180 }, (_, i) => i + 1));
    [...senders, reader].forEach((s) => s.socket.close());
  });

  it('an instance that could not hear the others for a moment resends what it missed once it listens again', async () => {
    const [alice, bob] = await Promise.all([createTestUser(), createTestUser()]);
    const room = await publicRoom(alice.id);
    await joinRoom({ roomId: room.id, userId: bob.id, ip: null });
    const onA = await openRoom(a.url, alice, room.id);
    const onB = await openRoom(b.url, bob, room.id);
    const received = collect<ChatMessage>(onB.socket, 'message:new');
    expect((await send(onA.socket, 'before')).ok).toBe(true);
    await eventually(() => received.length === 1);

    // Cut B's receiving connection(s) and send while B cannot hear.
    await cutReceiving(kind, b);
    const during = await Promise.all([1, 2, 3].map((i) => send(onA.socket, `while B was deaf ${i}`)));
    expect(during.every((ack) => ack.ok)).toBe(true);

    await eventually(() => received.length === 4, 10_000);
    expect(received.map((m) => m.seq)).toEqual([1, 2, 3, 4]);
    await new Promise((r) => setTimeout(r, 300));
    expect(received).toHaveLength(4); // once each
    [onA.socket, onB.socket].forEach((s) => s.close());
  });

  it('a retried send stored by an instance that died before broadcasting it reaches every member live', async () => {
    const [alice, bob, carol] = await Promise.all([createTestUser(), createTestUser(), createTestUser()]);
    const room = await publicRoom(alice.id);
    for (const u of [bob, carol]) await joinRoom({ roomId: room.id, userId: u.id, ip: null });
    const aliceOnA = await openRoom(a.url, alice, room.id);
    const aliceOtherTabOnB = await openRoom(b.url, alice, room.id);
    const bobOnA = await openRoom(a.url, bob, room.id);
    const carolOnB = await openRoom(b.url, carol, room.id);
    const carolMain = await openSession(b.url, carol);
    const live = [aliceOnA, aliceOtherTabOnB, bobOnA, carolOnB].map((c) => collect<ChatMessage>(c.socket, 'message:new'));
    const activity = collect<{ roomId: string; lastSeq: number }>(carolMain, 'room:activity');

    // Stored and committed, then the instance died before broadcasting it (nothing was sent).
    const clientId = randomUUID();
    const { message: original } = await createMessage({ roomId: room.id, authorId: alice.id, clientId, body: 'stored, never broadcast' });
    await new Promise((r) => setTimeout(r, 200));
    expect(live.map((l) => l.length)).toEqual([0, 0, 0, 0]);

    // Alice's client retries the same clientId on a live instance: the original comes back in the ack…
    const retry = await send(aliceOnA.socket, 'the retry’s body is ignored', clientId);
    expect(retry).toEqual({ ok: true, data: original });
    // …and every other socket in the room, on both instances, gets it live, once.
    await eventually(() => live.slice(1).every((l) => l.length === 1) && activity.length > 0);
    expect((await send(aliceOnA.socket, 'a second retry', clientId)).ok).toBe(true);
    await new Promise((r) => setTimeout(r, 300)); // time for a duplicate
    expect(live.map((l) => l.map((m) => m.seq))).toEqual([[], [1], [1], [1]]);
    expect(live[2]![0]).toEqual(original);
    expect(new Set(activity.map((x) => `${x.roomId}:${x.lastSeq}`))).toEqual(new Set([`${room.id}:1`]));
    [aliceOnA, aliceOtherTabOnB, bobOnA, carolOnB].forEach((c) => c.socket.close());
    carolMain.close();
  });

  it('room presence counts a user’s tabs on every instance: offline only when the last one closes', async () => {
    const [alice, bob] = await Promise.all([createTestUser(), createTestUser()]);
    const room = await publicRoom(alice.id);
    const aliceOnA = await openRoom(a.url, alice, room.id);
    const online = collect<{ user: { id: string } }>(aliceOnA.socket, 'presence:online');
    const offline = collect<{ userId: string }>(aliceOnA.socket, 'presence:offline');
    const bobOnB = await openRoom(b.url, bob, room.id);
    const bobOnA = await openRoom(a.url, bob, room.id);
    await eventually(() => online.filter((p) => p.user.id === bob.id).length === 2);

    bobOnA.socket.close(); // Bob still has the room open on B
    await new Promise((r) => setTimeout(r, 500));
    expect(offline).toEqual([]);
    bobOnB.socket.close();
    await eventually(() => offline.some((p) => p.userId === bob.id));
    aliceOnA.socket.close();
  });

  it('presence and the online list see users connected to the other instance', async () => {
    const [alice, bob] = await Promise.all([createTestUser(), createTestUser()]);
    const room = await publicRoom(alice.id);
    await joinRoom({ roomId: room.id, userId: bob.id, ip: null }); // presence is seen between members of a room
    const watcher = await openSession(a.url, alice);
    const changes = collect<PresenceInfo>(watcher, 'presence:changed');
    await watcher.timeout(5000).emitWithAck('presence:watch', { userIds: [bob.id] });
    const bobMain = await openSession(b.url, bob);
    await eventually(() => changes.some((c) => c.status === 'online'));
    const snapshot = (await watcher.timeout(5000).emitWithAck('presence:watch', { userIds: [bob.id] })) as Ack<{ presence: PresenceInfo[] }>;
    expect(snapshot.ok && snapshot.data.presence[0]?.status).toBe('online');

    const bobInRoom = await openRoom(b.url, bob, room.id);
    const aliceInRoom = await openRoom(a.url, alice, room.id);
    expect(aliceInRoom.ready.online.map((u) => u.id).sort()).toEqual([alice.id, bob.id].sort());

    bobMain.close();
    bobInRoom.socket.close();
    await eventually(() => changes.some((c) => c.status === 'offline'));
    [watcher, aliceInRoom.socket].forEach((s) => s.close());
  });

  it('a watch of someone ends at once when the last room shared with them does, on every instance', async () => {
    const [alice, bob] = await Promise.all([createTestUser(), createTestUser()]);
    const [shared, alsoShared] = [await publicRoom(alice.id), await publicRoom(alice.id)];
    for (const room of [shared, alsoShared]) await joinRoom({ roomId: room.id, userId: bob.id, ip: null });
    const watcher = await openSession(a.url, alice);
    const bobTab = await openSession(b.url, bob);
    const changes = collect<PresenceInfo>(watcher, 'presence:changed');
    const watch = async () =>
      ((await watcher.timeout(5000).emitWithAck('presence:watch', { userIds: [bob.id] })) as Ack<{ presence: PresenceInfo[] }>);
    expect(await watch()).toEqual({ ok: true, data: { presence: [{ userId: bob.id, status: 'online', lastSeenAt: null }] } });
    const setStatus = (status: 'online' | 'away') => bobTab.timeout(5000).emitWithAck('presence:set', { status });

    await setStatus('away');
    await eventually(() => changes.some((c) => c.status === 'away'));
    a.handleRequestsHere();
    await leaveRoom({ roomId: shared.id, userId: bob.id }); // one shared room left: still watched
    notifyMemberLeft(shared.id, bob);
    await setStatus('online');
    await eventually(() => changes.at(-1)?.status === 'online');

    await leaveRoom({ roomId: alsoShared.id, userId: bob.id }); // none left
    notifyMemberLeft(alsoShared.id, bob);
    const before = changes.length;
    await setStatus('away');
    await setStatus('online');
    bobTab.close();
    await new Promise((r) => setTimeout(r, 600)); // past the grace period: his offline would have come
    expect(changes.slice(before)).toEqual([]);
    expect(await watch()).toEqual({ ok: true, data: { presence: [] } });
    watcher.close();
  });

  it('join notices and room deletion reach sockets on an instance that did not handle the request', async () => {
    const [owner, member, newcomer] = await Promise.all([createTestUser(), createTestUser(), createTestUser()]);
    const room = await publicRoom(owner.id);
    const memberOnB = await openRoom(b.url, member, room.id); // only instance B has this room's namespace
    const joined = collect<{ user: { id: string } }>(memberOnB.socket, 'member:joined');

    a.handleRequestsHere(); // the REST requests land on instance A
    expect((await joinRoute.POST(await apiRequest(newcomer, 'POST', `/api/rooms/${room.id}/join`, {}), roomParams(room.id))).status).toBe(200);
    await eventually(() => joined.some((j) => j.user.id === newcomer.id));

    const deleted = new Promise<unknown>((resolve) => memberOnB.socket.once('room:deleted', resolve));
    const disconnected = new Promise<string>((resolve) => memberOnB.socket.once('disconnect', resolve));
    expect((await roomRoute.DELETE(await apiRequest(owner, 'DELETE', `/api/rooms/${room.id}`), roomParams(room.id))).status).toBe(204);
    expect(await deleted).toEqual({ roomId: room.id });
    expect(await disconnected).toBe('io server disconnect');
  });
});
