/**
 * peers.ts: a lone instance publishes nothing across instances but its heartbeats; a peer that appears
 * (at start, or after being forgotten) is caught up, so every message still reaches its clients once.
 * A database of this file's own: NOTIFY channels are per database, so no other file's instance is a peer.
 */
import pg from 'pg';
import { MessageType } from 'socket.io-adapter';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { createRoom, joinRoom } from '../data/rooms';
import { getMetrics } from '../metrics';
import type { ChatMessage, MessageReplay } from '../schemas/message';
import { createOwnDatabase, type OwnDatabase } from '../testing/own-database';
import {
  collect,
  connectClient,
  createTestUser,
  eventually,
  openRoom,
  send,
  sessionCookie,
  startTestRealtime,
  uniqueName,
  waitForCluster,
  waitForConnect,
  type TestRealtime,
} from '../testing/realtime';
import type { PublicUser } from '../schemas/user';
import type { ParleyServer } from './server';

/** A replay read but held back before it is sent (the last test); open otherwise. */
const replayGate = vi.hoisted(() => ({ wait: Promise.resolve() }));
vi.mock('../data/messages', async (importOriginal) => {
  const original = await importOriginal<typeof import('../data/messages')>();
  return {
    ...original,
    getReplay: async (...args: Parameters<typeof original.getReplay>) => {
      const replay = await original.getReplay(...args);
      await replayGate.wait;
      return replay;
    },
  };
});

interface AdapterInternals {
  uid: string;
  nodesMap: Map<string, number>;
  onMessage(message: { uid?: string }, offset?: string): void;
  publish(message: { type: MessageType }): void;
  _opts: { heartbeatInterval: number; heartbeatTimeout: number };
  heartbeatTimer?: ReturnType<typeof setTimeout>;
}

function adapterOf(io: ParleyServer): AdapterInternals {
  return io.of('/').adapter as unknown as AdapterInternals;
}

/** Counts the NOTIFYs on the main namespace's channel, by sender uid and message type. */
async function listenToChannel(url: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const seen: { uid: string; type: number }[] = [];
  client.on('notification', (n) => {
    const { uid, type } = JSON.parse(n.payload ?? '{}') as { uid: string; type: number };
    seen.push({ uid, type });
  });
  await client.query('LISTEN "socket.io#/"');
  return {
    /** Non-heartbeat NOTIFYs `uid` sent. */
    events: (uid: string) => seen.filter((s) => s.uid === uid && ![MessageType.INITIAL_HEARTBEAT, MessageType.HEARTBEAT].includes(s.type)).length,
    heartbeats: (uid: string) => seen.filter((s) => s.uid === uid && [MessageType.INITIAL_HEARTBEAT, MessageType.HEARTBEAT].includes(s.type)).length,
    close: () => client.end(),
  };
}

/**
 * Holds every message from a uid the adapter does not know until release(): this instance goes on
 * skipping publishes while the other is already up with clients (the race peers.ts closes).
 */
function holdNewcomers(io: ParleyServer): () => void {
  const adapter = adapterOf(io);
  const onMessage = adapter.onMessage.bind(adapter);
  const held: [{ uid?: string }, string | undefined][] = [];
  let holding = true;
  adapter.onMessage = (message, offset) => {
    const uid = message.uid;
    if (holding && uid !== undefined && uid !== adapter.uid && !adapter.nodesMap.has(uid)) held.push([message, offset]);
    else onMessage(message, offset);
  };
  return () => {
    holding = false;
    adapter.onMessage = onMessage;
    for (const [message, offset] of held.splice(0)) onMessage(message, offset);
  };
}

/** Heartbeat timings of a running adapter (its options are fixed at creation); a new interval starts with a heartbeat now. */
function setHeartbeat(io: ParleyServer, timings: { intervalMs?: number; timeoutMs?: number }): void {
  const adapter = adapterOf(io);
  if (timings.timeoutMs !== undefined) adapter._opts.heartbeatTimeout = timings.timeoutMs;
  if (timings.intervalMs === undefined) return;
  clearTimeout(adapter.heartbeatTimer);
  adapter.heartbeatTimer = undefined;
  adapter._opts.heartbeatInterval = timings.intervalMs;
  adapter.publish({ type: MessageType.HEARTBEAT });
}

async function skippedPublishes(): Promise<number> {
  const { values } = await getMetrics().adapterPublishesSkipped.get();
  return values.reduce((sum, v) => sum + v.value, 0);
}

/** A room socket whose every message:new and replay is recorded from the first packet on. */
async function watchRoom(base: string, user: PublicUser, roomId: string) {
  const socket: Socket = connectClient(base, { cookie: await sessionCookie(user), namespace: `/r/${roomId}` });
  const live = collect<ChatMessage>(socket, 'message:new');
  const replays = collect<MessageReplay>(socket, 'message:replay');
  await waitForConnect(socket);
  await eventually(() => replays.length === 1, 10_000);
  const replay = replays[0]!;
  return {
    socket,
    live,
    replay,
    /** Every seq after the replay's start up to `last` arrived (replay, then live), none twice. */
    complete(last: number): boolean {
      const seqs = [...replay.messages, ...live].map((m) => m.seq);
      expect(seqs.length).toBe(new Set(seqs).size);
      const start = replay.messages.length > 0 ? replay.messages[0]!.seq - 1 : replay.lastSeq;
      const have = new Set(seqs);
      for (let seq = start + 1; seq <= last; seq += 1) if (!have.has(seq)) return false;
      return true;
    },
  };
}

function uidOf(instance: TestRealtime): string {
  return adapterOf(instance.io).uid;
}

let db: OwnDatabase;
let channel: Awaited<ReturnType<typeof listenToChannel>>;
const instances: TestRealtime[] = [];
let a: TestRealtime;

beforeAll(async () => {
  db = await createOwnDatabase(inject('databaseUrl'), 'peers');
  channel = await listenToChannel(db.url);
  a = await startTestRealtime({ postgresAdapter: true });
  instances.push(a);
});
afterAll(async () => {
  for (const instance of instances) await instance.close().catch(() => undefined);
  await channel?.close();
  await db?.drop();
});

async function roomOf(owner: PublicUser, members: PublicUser[]) {
  const room = await createRoom({ ownerId: owner.id, data: { kind: 'public', name: uniqueName('p'), description: '' }, ip: null });
  for (const member of members) await joinRoom({ roomId: room.id, userId: member.id, ip: null });
  return room;
}

describe('publishes across instances only while another instance is known', () => {
  it('a lone instance sends no NOTIFY but heartbeats, and its clients get everything', async () => {
    const [alice, bob] = await Promise.all([createTestUser(), createTestUser()]);
    const room = await roomOf(alice, [bob]);
    const skippedBefore = await skippedPublishes();
    const onA = await openRoom(a.url, alice, room.id);
    const bobRoom = await watchRoom(a.url, bob, room.id);
    const bobMain = connectClient(a.url, { cookie: await sessionCookie(bob) });
    const activity = collect<{ roomId: string; lastSeq: number }>(bobMain, 'room:activity');
    await new Promise<void>((resolve) => bobMain.once('session:ready', () => resolve()));

    let last = 0;
    for (let i = 0; i < 20; i += 1) {
      const ack = await send(onA.socket, `alone ${i}`);
      if (!ack.ok) throw new Error(ack.error.message);
      last = ack.data.seq;
    }
    await eventually(() => bobRoom.complete(last) && activity.some((x) => x.lastSeq === last), 10_000);
    expect(bobRoom.live.map((m) => m.seq)).toEqual(Array.from({ length: 20 }, (_, i) => last - 19 + i));

    // Heartbeats went out (peers can find this instance); nothing else did, though there was plenty.
    expect(channel.heartbeats(uidOf(a))).toBeGreaterThan(0);
    expect(channel.events(uidOf(a))).toBe(0);
    expect((await skippedPublishes()) - skippedBefore).toBeGreaterThanOrEqual(20);
    for (const socket of [onA.socket, bobRoom.socket, bobMain]) socket.close();
  });

  it('a second instance starting while the first sends: its client gets every message once', async () => {
    const [alice, bob] = await Promise.all([createTestUser(), createTestUser()]);
    const room = await roomOf(alice, [bob]);
    const onA = await openRoom(a.url, alice, room.id);
    const release = holdNewcomers(a.io);
    const acked: number[] = [];
    let stop = false;
    const sender = (async () => {
      for (let i = 0; !stop; i += 1) {
        const ack = await send(onA.socket, `during start-up ${i}`);
        if (!ack.ok) throw new Error(ack.error.message);
        acked.push(ack.data.seq);
      }
    })();
    await eventually(() => acked.length >= 5);

    const b = await startTestRealtime({ postgresAdapter: true });
    instances.push(b);
    const bobMain = connectClient(b.url, { cookie: await sessionCookie(bob) });
    const activity = collect<{ roomId: string; lastSeq: number }>(bobMain, 'room:activity');
    const bobRoom = await watchRoom(b.url, bob, room.id);
    // Stored after the new client's replay was read, while the first instance does not know the second.
    const admittedAt = acked.length;
    await eventually(() => acked.length >= admittedAt + 10, 10_000);
    stop = true;
    await sender;
    expect(adapterOf(a.io).nodesMap.has(uidOf(b))).toBe(false); // the race: every one of those publishes was skipped

    release();
    await waitForCluster([a, b]);
    const last = acked.at(-1)!;
    await eventually(() => bobRoom.complete(last), 10_000);
    const liveSeqs = bobRoom.live.map((m) => m.seq);
    expect(liveSeqs).toEqual([...new Set(liveSeqs)].sort((x, y) => x - y));
    expect(liveSeqs.at(-1)).toBe(last);
    // The catch-up carries unread activity to the new instance's tabs of the room's members too.
    await eventually(() => activity.some((x) => x.roomId === room.id && x.lastSeq === last), 10_000);
    for (const socket of [onA.socket, bobRoom.socket, bobMain]) socket.close();
  });

  it('an instance forgotten by the other (heartbeat timeout) is caught up when it is heard again', async () => {
    const b = instances[1]!;
    await waitForCluster([a, b]);
    const [alice, bob] = await Promise.all([createTestUser(), createTestUser()]);
    const room = await roomOf(alice, [bob]);
    const onA = await openRoom(a.url, alice, room.id);
    const bobRoom = await watchRoom(b.url, bob, room.id);

    // b goes quiet; a forgets it after 300 ms (the production timeout is 25 s).
    setHeartbeat(b.io, { intervalMs: 60_000 });
    setHeartbeat(a.io, { timeoutMs: 300 });
    await eventually(() => !adapterOf(a.io).nodesMap.has(uidOf(b)), 5_000);
    const eventsBefore = channel.events(uidOf(a));
    let last = 0;
    for (let i = 0; i < 10; i += 1) {
      const ack = await send(onA.socket, `while forgotten ${i}`);
      if (!ack.ok) throw new Error(ack.error.message);
      last = ack.data.seq;
    }
    // a sent them to nobody (its own clients had them), and still did not know b afterwards.
    await new Promise((r) => setImmediate(r));
    expect(adapterOf(a.io).nodesMap.has(uidOf(b))).toBe(false);
    expect(channel.events(uidOf(a))).toBe(eventsBefore);

    // b is heard again (its heartbeats resume, more often than a's timeout).
    setHeartbeat(b.io, { intervalMs: 100 });
    await eventually(() => bobRoom.complete(last), 10_000);
    const liveSeqs = bobRoom.live.map((m) => m.seq);
    expect(liveSeqs).toEqual(Array.from({ length: 10 }, (_, i) => last - 9 + i));
    setHeartbeat(a.io, { timeoutMs: 25_000 });
    setHeartbeat(b.io, { intervalMs: 10_000 });
    for (const socket of [onA.socket, bobRoom.socket]) socket.close();
  });

  it('a room whose first replay was read before the catch-up but sent after it is caught up once admitted', async () => {
    const b = instances[1]!;
    await waitForCluster([a, b]);
    const [alice, bob] = await Promise.all([createTestUser(), createTestUser()]);
    const room = await roomOf(alice, [bob]);
    const onA = await openRoom(a.url, alice, room.id);
    const first = await send(onA.socket, 'before');
    if (!first.ok) throw new Error(first.error.message);

    // Bob opens the room on b (nobody had it open there): his replay is read now, sent only later.
    let openGate!: () => void;
    replayGate.wait = new Promise<void>((resolve) => (openGate = resolve));
    const roomSockets = () => b.io._nsps.get(`/r/${room.id}`)?.sockets.size ?? 0;
    const bobRoom = watchRoom(b.url, bob, room.id);
    await eventually(() => roomSockets() === 1, 5_000);
    await new Promise((r) => setTimeout(r, 200)); // its replay has been read
    setHeartbeat(b.io, { intervalMs: 60_000 });
    setHeartbeat(a.io, { timeoutMs: 300 });
    await eventually(() => !adapterOf(a.io).nodesMap.has(uidOf(b)), 5_000);
    const missed = await send(onA.socket, 'skipped while b was forgotten');
    if (!missed.ok) throw new Error(missed.error.message);
    await new Promise((r) => setImmediate(r));
    expect(adapterOf(a.io).nodesMap.has(uidOf(b))).toBe(false);

    // b is heard again and told to catch up while bob's replay is still held back.
    setHeartbeat(b.io, { intervalMs: 100 });
    await eventually(() => adapterOf(a.io).nodesMap.has(uidOf(b)), 5_000);
    await new Promise((r) => setTimeout(r, 300));
    openGate();
    replayGate.wait = Promise.resolve();
    const watched = await bobRoom;
    expect(watched.replay.lastSeq).toBe(first.data.seq);
    await eventually(() => watched.complete(missed.data.seq), 10_000);
    setHeartbeat(a.io, { timeoutMs: 25_000 });
    setHeartbeat(b.io, { intervalMs: 10_000 });
    for (const socket of [onA.socket, watched.socket]) socket.close();
  });
});
