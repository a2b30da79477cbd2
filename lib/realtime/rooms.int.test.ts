import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRoom, joinRoom } from '../data/rooms';
import { getDb } from '../db';
import type { ChatMessage } from '../schemas/message';
import {
  collect,
  connectClient,
  createTestUser,
  eventually,
  openRoom,
  openSession,
  send,
  sessionCookie,
  startTestRealtime,
  uniqueName,
  waitForConnect,
  type TestRealtime,
} from '../testing/realtime';

let server: TestRealtime;
beforeAll(async () => {
  server = await startTestRealtime();
});
afterAll(async () => {
  await server.close();
});

async function publicRoom(ownerId: string) {
  return createRoom({ ownerId, data: { kind: 'public', name: uniqueName('room'), description: '' }, ip: null });
}

async function storedCount(roomId: string): Promise<number> {
  return getDb().message.count({ where: { roomId } });
}

describe('room namespace: the message path', () => {
  it('acks the stored message and broadcasts it to everyone else in the room', async () => {
    const [alice, bob] = await Promise.all([createTestUser(), createTestUser()]);
    const room = await publicRoom(alice.id);
    const a = await openRoom(server.url, alice, room.id);
    const aliceOtherTab = await openRoom(server.url, alice, room.id);
    const b = await openRoom(server.url, bob, room.id); // public: joins on first connect
    const seenByBob = collect<ChatMessage>(b.socket, 'message:new');
    const seenByAliceOtherTab = collect<ChatMessage>(aliceOtherTab.socket, 'message:new');
    const seenBySendingSocket = collect<ChatMessage>(a.socket, 'message:new');

    const clientId = randomUUID();
    const ack = await send(a.socket, '  hello, Bob  ', clientId);
    expect(ack).toEqual({
      ok: true,
      data: expect.objectContaining({ roomId: room.id, seq: 1, clientId, body: 'hello, Bob', author: { id: alice.id, username: alice.username, displayName: alice.displayName, avatar: null } }),
    });
    await eventually(() => seenByBob.length === 1 && seenByAliceOtherTab.length === 1);
    expect(seenByBob[0]).toEqual(ack.ok ? ack.data : undefined);
    expect(seenByAliceOtherTab[0]).toEqual(seenByBob[0]);
    // The sending socket has the message in its ack: no second copy.
    await new Promise((r) => setTimeout(r, 100));
    expect(seenBySendingSocket).toEqual([]);
    [a, aliceOtherTab, b].forEach(({ socket }) => socket.close());
  });

  it('a retried clientId yields one message and the original ack', async () => {
    const alice = await createTestUser();
    const room = await publicRoom(alice.id);
    const { socket } = await openRoom(server.url, alice, room.id);
    const observer = await openRoom(server.url, await createTestUser(), room.id);
    const broadcasts = collect<ChatMessage>(observer.socket, 'message:new');
    const clientId = randomUUID();
    const [first, second, third] = await Promise.all([send(socket, 'once', clientId), send(socket, 'once', clientId), send(socket, 'once', clientId)]);
    expect(first.ok && second.ok && third.ok).toBe(true);
    const ids = new Set([first, second, third].map((a) => (a.ok ? a.data.id : '')));
    expect(ids.size).toBe(1);
    expect(await storedCount(room.id)).toBe(1);
    await eventually(() => broadcasts.length >= 1);
    await new Promise((r) => setTimeout(r, 100)); // time for a second copy to show up, were there one
    expect(broadcasts).toHaveLength(1);
    // The same clientId in another room, or from another author, is a different message.
    const later = await send(socket, 'once more', clientId);
    expect(later.ok && later.data.seq).toBe(1);
    socket.close();
    observer.socket.close();
  });

  it('assigns strictly increasing seqs with no gaps under concurrent senders', async () => {
    const users = await Promise.all([createTestUser(), createTestUser(), createTestUser(), createTestUser()]);
    const room = await publicRoom(users[0]!.id);
    const sockets = await Promise.all(users.map((u) => openRoom(server.url, u, room.id)));
    const watcher = await openRoom(server.url, await createTestUser(), room.id);
    const observer = collect<ChatMessage>(watcher.socket, 'message:new');
    const perSender = 25;
    const acks = await Promise.all(
      sockets.flatMap(({ socket }, s) => Array.from({ length: perSender }, (_, i) => send(socket, `s${s} m${i}`))),
    );
    expect(acks.every((a) => a.ok)).toBe(true);
    const seqs = acks.map((a) => (a.ok ? a.data.seq : -1)).sort((x, y) => x - y);
    expect(seqs).toEqual(Array.from({ length: users.length * perSender }, (_, i) => i + 1));
    await eventually(() => observer.length === 100);
    const rows = await getDb().message.findMany({ where: { roomId: room.id }, orderBy: { seq: 'asc' }, select: { seq: true } });
    expect(rows.map((r) => r.seq)).toEqual(seqs);
    expect((await getDb().room.findUniqueOrThrow({ where: { id: room.id } })).lastSeq).toBe(100);
    [...sockets, watcher].forEach(({ socket }) => socket.close());
  });

  it('a client that misses 50 messages receives exactly those 50, in order, on reconnect', async () => {
    const [alice, bob] = await Promise.all([createTestUser(), createTestUser()]);
    const room = await publicRoom(alice.id);
    const a = await openRoom(server.url, alice, room.id);
    const b = await openRoom(server.url, bob, room.id);
    await send(a.socket, 'before the gap');
    await eventually(() => true);
    const bobHas = 1;
    b.socket.close();
    for (let i = 0; i < 50; i += 1) expect((await send(a.socket, `missed ${i}`)).ok).toBe(true);

    const again = await openRoom(server.url, bob, room.id, { lastSeq: bobHas });
    expect(again.replay.truncated).toBe(false);
    expect(again.replay.messages.map((m) => m.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i + 2));
    expect(again.replay.messages.map((m) => m.body)).toEqual(Array.from({ length: 50 }, (_, i) => `missed ${i}`));
    expect(again.replay.lastSeq).toBe(51);

    // Up to date: nothing to replay.
    const current = await openRoom(server.url, bob, room.id, { lastSeq: 51 });
    expect(current.replay.messages).toEqual([]);
    a.socket.close();
    again.socket.close();
    current.socket.close();
  });

  it('beyond the replay bound the client is told to reload instead', async () => {
    const alice = await createTestUser();
    const room = await publicRoom(alice.id);
    await getDb().room.update({ where: { id: room.id }, data: { lastSeq: 900 } }); // as if 900 were sent
    const { replay, socket } = await openRoom(server.url, alice, room.id, { lastSeq: 10 });
    expect(replay).toEqual({ messages: [], changes: [], lastRev: 0, truncated: true, lastSeq: 900 });
    socket.close();
  });

  it('rejects oversized, empty, malformed and unknown-field payloads with clear acks and stores nothing', async () => {
    const alice = await createTestUser();
    const room = await publicRoom(alice.id);
    const { socket } = await openRoom(server.url, alice, room.id);
    const ask = (payload: unknown) => socket.timeout(5000).emitWithAck('message:send', payload) as Promise<{ ok: boolean; error?: { code: string; message: string; issues?: { path: string; message: string }[] } }>;

    const tooLong = await ask({ clientId: randomUUID(), body: 'x'.repeat(2001) });
    expect(tooLong.error).toMatchObject({ code: 'INVALID_PAYLOAD', issues: [{ path: 'body', message: 'A message can be at most 2000 characters.' }] });
    const exactly = await ask({ clientId: randomUUID(), body: '😀'.repeat(2000) }); // 2000 characters, 4000 UTF-16 units
    expect(exactly.ok).toBe(true);
    const empty = await ask({ clientId: randomUUID(), body: '   \n ' });
    expect(empty.error).toMatchObject({ code: 'INVALID_PAYLOAD', issues: [{ path: 'body', message: 'The message is empty.' }] });
    const badId = await ask({ clientId: 'not-a-uuid', body: 'hi' });
    expect(badId.error?.issues?.[0]).toMatchObject({ path: 'clientId' });
    const extra = await ask({ clientId: randomUUID(), body: 'hi', authorId: 'someone-else' });
    expect(extra.error?.code).toBe('INVALID_PAYLOAD');
    for (const junk of ['a string', 42, null, [1, 2], { body: 'no id' }]) {
      expect((await ask(junk)).error?.code).toBe('INVALID_PAYLOAD');
    }
    expect(await storedCount(room.id)).toBe(1);
    socket.close();
  });

  it('a flood gets RATE_LIMITED acks, not a crash, and the socket keeps working', async () => {
    const limited = await startTestRealtime({ messageLimits: { perSecond: 2, burst: 3 } });
    const alice = await createTestUser();
    const room = await publicRoom(alice.id);
    const { socket } = await openRoom(limited.url, alice, room.id);
    const acks = await Promise.all(Array.from({ length: 20 }, (_, i) => send(socket, `flood ${i}`)));
    const accepted = acks.filter((a) => a.ok).length;
    expect(accepted).toBe(5); // 2 per second + a burst of 3
    const refused = acks.find((a) => !a.ok);
    expect(refused).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED', message: expect.stringMatching(/sending too fast/) } });
    expect(await storedCount(room.id)).toBe(5);
    expect(socket.connected).toBe(true);
    socket.close();
    await limited.close();
  });
});

describe('room namespace: access', () => {
  it('refuses a non-member on a private room’s namespace and admits them after the password', async () => {
    const [owner, stranger] = await Promise.all([createTestUser(), createTestUser()]);
    const room = await createRoom({ ownerId: owner.id, data: { kind: 'private', name: uniqueName('priv'), description: '', password: 'open sesame' }, ip: null });
    const denied = connectClient(server.url, { cookie: await sessionCookie(stranger), namespace: `/r/${room.id}` });
    await expect(waitForConnect(denied)).rejects.toMatchObject({ message: 'Enter the room password to join first.', data: { code: 'FORBIDDEN' } });
    denied.close();

    await joinRoom({ roomId: room.id, userId: stranger.id, password: 'open sesame', ip: null });
    const admitted = await openRoom(server.url, stranger, room.id);
    expect(admitted.ready.room).toMatchObject({ id: room.id, isMember: true, role: 'member', kind: 'private' });
    admitted.socket.close();
  });

  it('refuses an unknown room, and a connection without a session', async () => {
    const user = await createTestUser();
    const missing = connectClient(server.url, { cookie: await sessionCookie(user), namespace: '/r/AAAAAAAAAA' });
    await expect(waitForConnect(missing)).rejects.toMatchObject({ data: { code: 'NOT_FOUND' } });
    missing.close();
    const room = await publicRoom(user.id);
    const anonymous = connectClient(server.url, { namespace: `/r/${room.id}` });
    await expect(waitForConnect(anonymous)).rejects.toMatchObject({ data: { code: 'UNAUTHORIZED' } });
    anonymous.close();
    const badAuth = connectClient(server.url, { cookie: await sessionCookie(user), namespace: `/r/${room.id}`, auth: { lastSeq: 'yesterday' } });
    await expect(waitForConnect(badAuth)).rejects.toMatchObject({ data: { code: 'INVALID_PAYLOAD' } });
    badAuth.close();
  });

  it('identity comes from the session: a spoofed author in the payload is refused', async () => {
    const [alice, mallory] = await Promise.all([createTestUser(), createTestUser()]);
    const room = await publicRoom(alice.id);
    const m = await openRoom(server.url, mallory, room.id);
    const ack = (await m.socket.timeout(5000).emitWithAck('message:send', { clientId: randomUUID(), body: 'hi', author: { id: alice.id } })) as { ok: boolean };
    expect(ack.ok).toBe(false);
    const ok = await send(m.socket, 'hi');
    expect(ok.ok && ok.data.author.id).toBe(mallory.id);
    m.socket.close();
  });
});

describe('room namespace: presence and notices', () => {
  it('announces joins to everyone present and keeps a user online until their last tab closes', async () => {
    const [alice, bob] = await Promise.all([createTestUser(), createTestUser()]);
    const room = await publicRoom(alice.id);
    const aliceTab = await openSession(server.url, alice); // a browser tab: main namespace + the room's
    const a = await openRoom(server.url, alice, room.id);
    expect(a.ready.online.map((u) => u.id)).toEqual([alice.id]);
    const joined = collect<{ user: { id: string } }>(a.socket, 'member:joined');
    const online = collect<{ user: { id: string } }>(a.socket, 'presence:online');
    const offline = collect<{ userId: string }>(a.socket, 'presence:offline');

    const bobMain = await openSession(server.url, bob);
    const bobTab1 = await openRoom(server.url, bob, room.id);
    const bobTab2 = await openRoom(server.url, bob, room.id);
    expect(bobTab2.ready.online.map((u) => u.id).sort()).toEqual([alice.id, bob.id].sort());
    await eventually(() => joined.length === 1 && online.length >= 1);
    expect(joined[0]?.user.id).toBe(bob.id); // the first connect joined the room; the second tab did not re-join

    bobTab1.socket.close();
    await new Promise((r) => setTimeout(r, 200));
    expect(offline).toEqual([]); // one tab is still open
    bobTab2.socket.close();
    await eventually(() => offline.length === 1);
    expect(offline[0]).toEqual({ userId: bob.id });
    [a.socket, aliceTab, bobMain].forEach((s) => s.close());
  });
});
