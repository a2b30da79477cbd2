/**
 * The message lifecycle across two instances (PostgreSQL adapter): edits, deletes, reactions, thread
 * replies and quote-replies reach every member live on both instances as `message:updated` / `message:new`;
 * a member offline during all of it reconnects with `lastSeq` + `lastRev` and ends with exactly the
 * database's state; retries apply once; concurrent edits end with the one that committed later; refusals
 * change nothing; an outsider hears none of it. Clients here keep messages by seq and, of two copies, the
 * one with the higher rev (docs/protocol.md §4.7).
 */
import { randomUUID } from 'node:crypto';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as roomsRoute from '@/app/api/rooms/route';
import * as roomRoute from '@/app/api/rooms/[roomId]/route';
import * as messagesRoute from '@/app/api/rooms/[roomId]/messages/route';
import * as notificationsRoute from '@/app/api/rooms/[roomId]/notifications/route';
import { editMessage } from '../data/message-changes';
import { createMessage } from '../data/messages';
import { createRoom, joinRoom, startDirect } from '../data/rooms';
import { getDb } from '../db';
import type { Ack } from '../errors';
import type { ChatMessage, HistoryPage, MessageReplay } from '../schemas/message';
import type { RoomList, RoomSummary } from '../schemas/room';
import type { PublicUser } from '../schemas/user';
import type { RoomActivity, ThreadRead } from './events';
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
  waitForCluster,
  type TestRealtime,
} from '../testing/realtime';

let a: TestRealtime;
let b: TestRealtime;
/** Every room the tests below use: the outsider must never hear of any of them. */
const testRoomIds = new Set<string>();
/** Everything the outsider's sockets (main and their own room's, on both instances) received. */
const heardByOutsider: { where: string; event: string; payload: string }[] = [];
let outsider: { user: PublicUser; roomId: string; sockets: Socket[] };

beforeAll(async () => {
  [a, b] = await Promise.all([startTestRealtime({ postgresAdapter: true }), startTestRealtime({ postgresAdapter: true })]);
  await waitForCluster([a, b]);
  a.handleRequestsHere();
  // A user of the same server, member of a room of their own and of none of the tests' rooms.
  const user = await createTestUser();
  const own = await createRoom({ ownerId: user.id, data: { kind: 'public', name: uniqueName('own'), description: '' }, ip: null });
  const sockets: Socket[] = [];
  for (const [where, instance] of [['A', a], ['B', b]] as const) {
    const main = await openSession(instance.url, user);
    const inRoom = (await openRoom(instance.url, user, own.id)).socket;
    for (const [name, socket] of [[`${where} /`, main], [`${where} /r`, inRoom]] as const) {
      socket.onAny((event: string, payload: unknown) => heardByOutsider.push({ where: name, event, payload: JSON.stringify(payload) }));
      sockets.push(socket);
    }
  }
  outsider = { user, roomId: own.id, sockets };
}, 60_000);

afterAll(async () => {
  outsider?.sockets.forEach((s) => s.close());
  await Promise.all([a?.close(), b?.close()]);
});

// ── Helpers ──

async function publicRoom(owner: PublicUser, ...members: PublicUser[]): Promise<RoomSummary> {
  const room = await createRoom({ ownerId: owner.id, data: { kind: 'public', name: uniqueName('life'), description: '' }, ip: null });
  for (const member of members) await joinRoom({ roomId: room.id, userId: member.id, ip: null });
  testRoomIds.add(room.id);
  return room;
}

async function call<T = ChatMessage>(socket: Socket, event: string, payload: unknown): Promise<Ack<T>> {
  return (await socket.timeout(15_000).emitWithAck(event, payload)) as Ack<T>;
}

function ok<T>(ack: Ack<T>): T {
  if (!ack.ok) throw new Error(`expected ok, got ${ack.error.code}: ${ack.error.message}`);
  return ack.data;
}

const codeOf = (ack: Ack<unknown>): string => (ack.ok ? 'ok' : ack.error.code);

/** A user as the wire shows them. */
const pub = (user: PublicUser): PublicUser => ({ id: user.id, username: user.username, displayName: user.displayName, avatar: user.avatar ?? null });

const edit = (socket: Socket, seq: number, body: string, clientId: string = randomUUID()) => call(socket, 'message:edit', { seq, clientId, body });
const react = (socket: Socket, seq: number, emoji: string, add = true) => call(socket, add ? 'reaction:add' : 'reaction:remove', { seq, emoji });
const remove = (socket: Socket, seq: number) => call(socket, 'message:delete', { seq });
const sendWith = (socket: Socket, payload: Record<string, unknown>) => call(socket, 'message:send', { clientId: randomUUID(), ...payload });

/**
 * What a client holds: messages by seq; of two copies, the higher rev (an equal rev is the same state).
 * Follows `message:new` and `message:updated` of the sockets it is given, and applies replays and acks.
 */
class Mirror {
  readonly bySeq = new Map<number, ChatMessage>();
  readonly updates: ChatMessage[] = [];
  readonly news: ChatMessage[] = [];

  constructor(...sockets: Socket[]) {
    for (const socket of sockets) {
      socket.on('message:new', (m: ChatMessage) => {
        this.news.push(m);
        this.put(m);
      });
      socket.on('message:updated', (m: ChatMessage) => {
        this.updates.push(m);
        this.put(m);
      });
    }
  }

  put = (message: ChatMessage): void => {
    const held = this.bySeq.get(message.seq);
    if (!held || message.rev > held.rev) this.bySeq.set(message.seq, message);
  };

  replay(replay: MessageReplay): this {
    replay.messages.forEach(this.put);
    replay.changes.forEach(this.put);
    return this;
  }

  get(seq: number): ChatMessage | undefined {
    return this.bySeq.get(seq);
  }

  list(): ChatMessage[] {
    return [...this.bySeq.values()].sort((x, y) => x.seq - y.seq);
  }

  /** How many `message:updated` of this seq at this rev arrived. */
  updatesOf(seq: number, rev: number): number {
    return this.updates.filter((m) => m.seq === seq && m.rev === rev).length;
  }
}

type RouteHandler = (request: Request, context: { params: Promise<{ roomId: string }> }) => Promise<Response>;

async function rest<T>(handler: RouteHandler, who: PublicUser, method: string, path: string, roomId: string, body?: unknown): Promise<{ status: number; body: T }> {
  const response = await handler(await apiRequest(who, method, path, body), roomParams(roomId));
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : null) as T };
}

async function history(who: PublicUser, roomId: string, query: string): Promise<{ status: number; body: HistoryPage }> {
  return rest<HistoryPage>(messagesRoute.GET, who, 'GET', `/api/rooms/${roomId}/messages?${query}`, roomId);
}

/** Every message of the room as the server has it now, read over REST (ascending `after=` pages). */
async function roomState(who: PublicUser, roomId: string): Promise<ChatMessage[]> {
  const all: ChatMessage[] = [];
  for (let after = 0; ; ) {
    const { status, body } = await history(who, roomId, `after=${after}&limit=100`);
    expect(status).toBe(200);
    all.push(...body.messages);
    if (!body.hasMore) return all;
    after = body.messages.at(-1)!.seq;
  }
}

async function myRooms(who: PublicUser): Promise<RoomSummary[]> {
  const response = await roomsRoute.GET(await apiRequest(who, 'GET', '/api/rooms'));
  expect(response.status).toBe(200);
  return ((await response.json()) as RoomList).mine;
}

async function lastRevOf(roomId: string): Promise<number> {
  const rows = await getDb().$queryRaw<{ last_rev: number }[]>`SELECT last_rev FROM rooms WHERE id = ${roomId}`;
  return rows[0]!.last_rev;
}

/** What the database keeps of a message: its body, previous versions and reactions (rows). */
async function storedRows(messageId: string): Promise<{ body: string; edits: number; reactions: number }> {
  const id = BigInt(messageId);
  const [row] = await getDb().$queryRaw<{ body: string; edits: number; reactions: number }[]>`
    SELECT m.body,
           (SELECT count(*)::int FROM message_edits e WHERE e.message_id = m.id) AS edits,
           (SELECT count(*)::int FROM message_reactions r WHERE r.message_id = m.id) AS reactions
    FROM messages m WHERE m.id = ${id}`;
  return row!;
}

/** A quote-reply's `replyTo` is the quoted message as it was when the copy was read: compare what it names. */
function quoteNamesOnly(messages: ChatMessage[]): unknown[] {
  return messages.map((m) => ({ ...m, replyTo: m.replyTo && { seq: m.replyTo.seq, author: m.replyTo.author } }));
}

// ── The tests ──

describe('message lifecycle across two instances', () => {
  it('edit, react, thread reply, quote-reply and delete reach the other instance live; an offline member catches up to exactly the database', async () => {
    const [alice, bob, carol] = await Promise.all([createTestUser(), createTestUser(), createTestUser()]);
    const room = await publicRoom(alice, bob, carol);
    const aliceOnA = await openRoom(a.url, alice, room.id, { lastSeq: 0, lastRev: 0 });
    const bobOnB = await openRoom(b.url, bob, room.id, { lastSeq: 0, lastRev: 0 });
    const aliceSees = new Mirror(aliceOnA.socket);
    const bobSees = new Mirror(bobOnB.socket);

    const first = ok(await send(aliceOnA.socket, 'first message'));
    const second = ok(await send(bobOnB.socket, 'second message, soon a thread'));
    const third = ok(await send(aliceOnA.socket, 'third message, to be quoted and then deleted'));
    [first, third].forEach(aliceSees.put);
    bobSees.put(second);
    ok(await react(bobOnB.socket, first.seq, '👀'));

    // Carol looks once, then is away during everything that follows.
    const carolBefore = await openRoom(a.url, carol, room.id, { lastSeq: 0, lastRev: 0 });
    const carolSees = new Mirror().replay(carolBefore.replay);
    expect(carolBefore.replay).toMatchObject({ truncated: false, lastSeq: 3, lastRev: 1, changes: [] });
    expect(carolSees.get(first.seq)).toMatchObject({ rev: 1, reactions: [{ emoji: '👀', count: 1, userIds: [bob.id] }] });
    const carolHas = { lastSeq: carolBefore.replay.lastSeq, lastRev: carolBefore.replay.lastRev };
    carolBefore.socket.close();
    await eventually(() => bobSees.get(first.seq)?.rev === 1 && aliceSees.get(first.seq)?.rev === 1, 10_000);

    // Edit: everyone sees the new body with editedAt, the editor's own socket too.
    const edited = ok(await edit(aliceOnA.socket, first.seq, 'first message (fixed)'));
    expect(edited).toMatchObject({ seq: first.seq, body: 'first message (fixed)', rev: 2, createdAt: first.createdAt });
    expect(edited.editedAt).not.toBeNull();
    await eventually(() => bobSees.get(first.seq)?.rev === 2 && aliceSees.get(first.seq)?.rev === 2, 10_000);
    expect(bobSees.get(first.seq)).toEqual(edited);
    expect(aliceSees.updatesOf(first.seq, 2)).toBe(1);

    // Reactions, counted per emoji, reactors earliest first.
    ok(await react(bobOnB.socket, first.seq, '👍'));
    const reacted = ok(await react(aliceOnA.socket, first.seq, '👍'));
    expect(reacted.reactions).toEqual([
      { emoji: '👀', count: 1, userIds: [bob.id] },
      { emoji: '👍', count: 2, userIds: [bob.id, alice.id] },
    ]);
    await eventually(() => bobSees.get(first.seq)?.rev === reacted.rev, 10_000);
    expect(bobSees.get(first.seq)).toEqual(reacted);

    // A thread reply: a message of the room (next seq) under its root, and the root's summary changes.
    const reply = ok(await sendWith(bobOnB.socket, { body: 'in the thread', threadRootSeq: second.seq }));
    bobSees.put(reply);
    expect(reply).toMatchObject({ seq: 4, threadRootSeq: second.seq, alsoInRoom: false, thread: null });
    await eventually(() => aliceSees.get(reply.seq) !== undefined && aliceSees.get(second.seq)?.thread !== null, 10_000);
    expect(aliceSees.get(reply.seq)).toEqual(reply);
    expect(aliceSees.get(second.seq)!.thread).toEqual({ replyCount: 1, lastReplySeq: 4, lastReplyAt: expect.any(String), participants: [pub(bob)] });
    // A reply naming a reply goes to that reply's root; "also send to room".
    const replyToReply = ok(await sendWith(aliceOnA.socket, { body: 'me too', threadRootSeq: reply.seq, alsoInRoom: true }));
    aliceSees.put(replyToReply);
    expect(replyToReply).toMatchObject({ seq: 5, threadRootSeq: second.seq, alsoInRoom: true });
    await eventually(() => bobSees.get(second.seq)?.thread?.replyCount === 2, 10_000);
    expect(bobSees.get(second.seq)!.thread).toMatchObject({ replyCount: 2, lastReplySeq: 5, participants: [pub(alice), pub(bob)] });
    expect(bobSees.get(replyToReply.seq)).toEqual(replyToReply);

    // A quote-reply carries the quoted author and the start of its body.
    const quote = ok(await sendWith(bobOnB.socket, { body: 'quoting you', replyToSeq: third.seq }));
    bobSees.put(quote);
    expect(quote.replyTo).toEqual({ seq: third.seq, author: pub(alice), snippet: third.body, deleted: false, attachments: [], call: null });
    await eventually(() => aliceSees.get(quote.seq) !== undefined, 10_000);
    expect(aliceSees.get(quote.seq)).toEqual(quote);

    // Give the third message an earlier version and a reaction, then delete it: a tombstone everywhere,
    // and nothing of it left in the database.
    ok(await edit(aliceOnA.socket, third.seq, 'third message, edited before its deletion'));
    ok(await react(bobOnB.socket, third.seq, '🎉'));
    expect(await storedRows(third.id)).toEqual({ body: 'third message, edited before its deletion', edits: 1, reactions: 1 });
    const tombstone = ok(await remove(aliceOnA.socket, third.seq));
    expect(tombstone).toMatchObject({ seq: third.seq, body: '', reactions: [], mentions: [], mentionsRoom: false });
    expect(tombstone.deletedAt).not.toBeNull();
    await eventually(() => bobSees.get(third.seq)?.deletedAt != null && aliceSees.get(third.seq)?.deletedAt != null, 10_000);
    expect(bobSees.get(third.seq)).toEqual(tombstone);
    expect(await storedRows(third.id)).toEqual({ body: '', edits: 0, reactions: 0 });

    const lastChange = ok(await react(bobOnB.socket, first.seq, '👀', false));
    await eventually(() => aliceSees.get(first.seq)?.rev === lastChange.rev, 10_000);
    expect(lastChange.rev).toBe(await lastRevOf(room.id));

    // Carol comes back (to the other instance) with what she held.
    const carolBack = await openRoom(b.url, carol, room.id, carolHas);
    const { replay } = carolBack;
    expect(replay.truncated).toBe(false);
    expect(replay.lastSeq).toBe(6);
    expect(replay.lastRev).toBe(lastChange.rev);
    expect(replay.messages.map((m) => m.seq)).toEqual([4, 5, 6]); // new since her lastSeq, current state
    expect(replay.changes.map((m) => m.seq)).toEqual([second.seq, third.seq, first.seq]); // ascending by rev
    expect(replay.changes.map((m) => m.rev)).toEqual([...replay.changes.map((m) => m.rev)].sort((x, y) => x - y));
    carolSees.replay(replay);

    const database = await roomState(carol, room.id);
    expect(database.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5, 6]); // thread replies included: seqs stay contiguous
    expect(carolSees.list()).toEqual(database);
    expect(carolSees.get(quote.seq)!.replyTo).toEqual({ seq: third.seq, author: pub(alice), snippet: '', deleted: true, attachments: [], call: null });
    // Those who stayed hold the same, but for the quote they read before its target was deleted.
    expect(quoteNamesOnly(aliceSees.list())).toEqual(quoteNamesOnly(database));
    expect(quoteNamesOnly(bobSees.list())).toEqual(quoteNamesOnly(database));
    [aliceOnA, bobOnB, carolBack].forEach((c) => c.socket.close());
  }, 90_000);

  it('a retried edit or reaction applies once, also after a later edit; an edit to the same text takes no rev', async () => {
    const [alice, bob] = await Promise.all([createTestUser(), createTestUser()]);
    const room = await publicRoom(alice, bob);
    const aliceOnA = await openRoom(a.url, alice, room.id);
    const bobOnB = await openRoom(b.url, bob, room.id);
    const bobSees = new Mirror(bobOnB.socket);
    const message = ok(await send(aliceOnA.socket, 'helo'));

    const firstEdit = randomUUID();
    const v1 = ok(await edit(aliceOnA.socket, message.seq, 'hello', firstEdit));
    expect(v1.rev).toBe(1);
    expect(ok(await edit(aliceOnA.socket, message.seq, 'hello', firstEdit))).toEqual(v1); // the retry: nothing new
    const sameText = randomUUID();
    expect(ok(await edit(aliceOnA.socket, message.seq, 'hello', sameText))).toEqual(v1); // same text, new clientId: nothing either
    const v2 = ok(await edit(aliceOnA.socket, message.seq, 'hello, world'));
    expect(v2.rev).toBe(2);
    // The first edit retried after the second (its ack was lost): it must not bring "hello" back.
    expect(ok(await edit(aliceOnA.socket, message.seq, 'hello', firstEdit))).toEqual(v2);
    expect(await lastRevOf(room.id)).toBe(2);
    expect((await storedRows(message.id)).edits).toBe(3); // the two edits, and the key of the one that changed nothing

    const reacted = ok(await react(bobOnB.socket, message.seq, '🎉'));
    expect(reacted.rev).toBe(3);
    expect(ok(await react(bobOnB.socket, message.seq, '🎉'))).toEqual(reacted);
    const unreacted = ok(await react(bobOnB.socket, message.seq, '🎉', false));
    expect(ok(await react(bobOnB.socket, message.seq, '🎉', false))).toEqual(unreacted);
    expect(unreacted).toMatchObject({ rev: 4, reactions: [] });
    expect(await lastRevOf(room.id)).toBe(4);
    expect((await storedRows(message.id)).reactions).toBe(0);

    // Bob heard each rev once. Reactions went out from B, edits from A (in order): a last edit from A
    // arrives after anything A sent before it.
    const last = ok(await edit(aliceOnA.socket, message.seq, 'hello, world!'));
    await eventually(() => bobSees.get(message.seq)?.rev === last.rev, 10_000);
    expect(bobSees.updates.map((m) => m.rev).sort((x, y) => x - y)).toEqual([1, 2, 3, 4, 5]);
    // The edit that changed nothing, retried now (its ack was lost): it must not bring "hello" back either.
    expect(ok(await edit(aliceOnA.socket, message.seq, 'hello', sameText))).toEqual(last);
    expect(await lastRevOf(room.id)).toBe(last.rev);
    [aliceOnA, bobOnB].forEach((c) => c.socket.close());
  });

  it('a retry of a change whose first attempt was never broadcast (its instance died) brings it to everyone', async () => {
    const [alice, bob] = await Promise.all([createTestUser(), createTestUser()]);
    const room = await publicRoom(alice, bob);
    const aliceOnA = await openRoom(a.url, alice, room.id);
    const bobOnB = await openRoom(b.url, bob, room.id);
    const bobSees = new Mirror(bobOnB.socket);
    const message = ok(await send(aliceOnA.socket, 'draft'));
    await eventually(() => bobSees.get(message.seq) !== undefined, 10_000);
    // Committed by an instance that died before broadcasting: straight through the data layer.
    const clientId = randomUUID();
    const { message: applied } = await editMessage({ roomId: room.id, userId: alice.id, seq: message.seq, clientId, body: 'final' });
    expect(bobSees.get(message.seq)?.body).toBe('draft');
    // The client got no ack, so it retries on the instance it reconnected to: a no-op that is sent out again.
    expect(ok(await edit(aliceOnA.socket, message.seq, 'final', clientId))).toEqual(applied);
    await eventually(() => bobSees.get(message.seq)?.body === 'final', 10_000);
    expect(bobSees.updates.map((m) => m.rev)).toEqual([applied.rev]);
    [aliceOnA, bobOnB].forEach((c) => c.socket.close());
  });

  it('two concurrent edits through two instances end with the later one, on both instances and in the database', async () => {
    const [alice, bob, carol] = await Promise.all([createTestUser(), createTestUser(), createTestUser()]);
    const room = await publicRoom(alice, bob, carol);
    const aliceOnA = await openRoom(a.url, alice, room.id);
    const aliceOnB = await openRoom(b.url, alice, room.id);
    const bobOnA = await openRoom(a.url, bob, room.id);
    const carolOnB = await openRoom(b.url, carol, room.id);
    const watchers = [new Mirror(aliceOnA.socket), new Mirror(aliceOnB.socket), new Mirror(bobOnA.socket), new Mirror(carolOnB.socket)];
    const message = ok(await send(aliceOnA.socket, 'draft'));
    watchers.forEach((w) => w.put(message));

    for (let round = 1; round <= 5; round += 1) {
      const [viaA, viaB] = (await Promise.all([edit(aliceOnA.socket, message.seq, `A ${round}`), edit(aliceOnB.socket, message.seq, `B ${round}`)])).map(ok);
      expect(viaA!.rev).not.toBe(viaB!.rev);
      const later = viaA!.rev > viaB!.rev ? viaA! : viaB!;
      expect(later.rev).toBe(await lastRevOf(room.id)); // the later commit took the later rev
      await eventually(() => watchers.every((w) => w.get(message.seq)?.rev === later.rev), 10_000);
      const [stored] = (await history(bob, room.id, `around=${message.seq}&limit=1`)).body.messages;
      expect(stored).toEqual(later);
      for (const w of watchers) expect(w.get(message.seq)).toEqual(later);
    }
    [aliceOnA, aliceOnB, bobOnA, carolOnB].forEach((c) => c.socket.close());
  }, 60_000);

  it('refusals change nothing: deleted, unknown, not yours, not an emoji, too many emoji', async () => {
    const [owner, alice, bob] = await Promise.all([createTestUser(), createTestUser(), createTestUser()]);
    const room = await publicRoom(owner, alice, bob);
    const ownerOnA = await openRoom(a.url, owner, room.id);
    const aliceOnB = await openRoom(b.url, alice, room.id);
    const bobOnA = await openRoom(a.url, bob, room.id);
    const kept = ok(await send(aliceOnB.socket, 'alice keeps this one'));
    const gone = ok(await send(aliceOnB.socket, 'alice deletes this one'));
    ok(await remove(aliceOnB.socket, gone.seq));
    const bobs = ok(await send(bobOnA.socket, 'bob wrote this'));

    const snapshot = async () => ({ messages: await roomState(owner, room.id), lastRev: await lastRevOf(room.id) });
    const before = await snapshot();
    const refusals: [string, Promise<Ack<ChatMessage>>, string][] = [
      ['edit after delete', edit(aliceOnB.socket, gone.seq, 'back from the dead'), 'CONFLICT'],
      ['react to a deleted message', react(bobOnA.socket, gone.seq, '👍'), 'CONFLICT'],
      ['thread reply to a deleted root', sendWith(bobOnA.socket, { body: 'hello?', threadRootSeq: gone.seq }), 'CONFLICT'],
      ['quote a deleted message', sendWith(bobOnA.socket, { body: 'hello?', replyToSeq: gone.seq }), 'CONFLICT'],
      ['thread reply to a seq that does not exist', sendWith(bobOnA.socket, { body: 'hello?', threadRootSeq: 999 }), 'NOT_FOUND'],
      ['quote a seq that does not exist', sendWith(bobOnA.socket, { body: 'hello?', replyToSeq: 999 }), 'NOT_FOUND'],
      ['edit a seq that does not exist', edit(aliceOnB.socket, 999, 'nothing there'), 'NOT_FOUND'],
      ['delete a seq that does not exist', remove(ownerOnA.socket, 999), 'NOT_FOUND'],
      ['react to a seq that does not exist', react(bobOnA.socket, 999, '👍'), 'NOT_FOUND'],
      ['edit someone else’s message', edit(bobOnA.socket, kept.seq, 'my words now'), 'FORBIDDEN'],
      ['the owner edits someone else’s message', edit(ownerOnA.socket, kept.seq, 'my words now'), 'FORBIDDEN'],
      ['a member deletes someone else’s message', remove(bobOnA.socket, kept.seq), 'FORBIDDEN'],
      ['react with a word', react(bobOnA.socket, kept.seq, 'hi'), 'INVALID_PAYLOAD'],
      ['react with two emoji', react(bobOnA.socket, kept.seq, '👍👍'), 'INVALID_PAYLOAD'],
      ['react with an emoji and text', react(bobOnA.socket, kept.seq, '👍 '), 'INVALID_PAYLOAD'],
      ['react with nothing', react(bobOnA.socket, kept.seq, ''), 'INVALID_PAYLOAD'],
      ['alsoInRoom without a thread', sendWith(bobOnA.socket, { body: 'hm', alsoInRoom: true }), 'INVALID_PAYLOAD'],
      ['an empty edit', edit(aliceOnB.socket, kept.seq, '   '), 'INVALID_PAYLOAD'],
      ['a seq as a string', call(aliceOnB.socket, 'message:edit', { seq: String(kept.seq), clientId: randomUUID(), body: 'x' }), 'INVALID_PAYLOAD'],
    ];
    const outcomes = await Promise.all(refusals.map(async ([what, ack]) => `${what}: ${codeOf(await ack)}`));
    expect(outcomes).toEqual(refusals.map(([what, , code]) => `${what}: ${code}`));
    // An unknown seq is reported on the field that named it.
    for (const field of ['threadRootSeq', 'replyToSeq']) {
      expect(await sendWith(bobOnA.socket, { body: 'x', [field]: 999 })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND', issues: [{ path: field }] } });
    }
    expect(await edit(aliceOnB.socket, 999, 'x')).toMatchObject({ ok: false, error: { code: 'NOT_FOUND', issues: [{ path: 'seq' }] } });
    expect(await snapshot()).toEqual(before);
    // Deleting a tombstone again is no change either (the author may; it acks the tombstone).
    expect(ok(await remove(aliceOnB.socket, gone.seq))).toEqual(before.messages.find((m) => m.seq === gone.seq));
    expect(await snapshot()).toEqual(before);

    // Single emoji of every form are reactions: skin tones, ZWJ sequences, flags, keycaps.
    for (const emoji of ['👍🏽', '🏳️‍🌈', '👩‍💻', '🇫🇷', '1️⃣']) expect(codeOf(await react(bobOnA.socket, kept.seq, emoji)), emoji).toBe('ok');
    // At most 20 distinct emoji on a message: the 21st is refused, one already there is still welcome.
    const more = ['😀', '😃', '😄', '😁', '😆', '😅', '😂', '🤣', '😊', '😇', '🙂', '🙃', '😉', '😌', '😍'];
    for (const [i, emoji] of more.entries()) ok(await react(i % 2 ? ownerOnA.socket : aliceOnB.socket, kept.seq, emoji));
    const full = await snapshot();
    expect(full.messages.find((m) => m.seq === kept.seq)!.reactions).toHaveLength(20);
    const tooMany = await react(bobOnA.socket, kept.seq, '🥰');
    expect(codeOf(tooMany)).toBe('CONFLICT');
    expect(await snapshot()).toEqual(full);
    expect(codeOf(await react(bobOnA.socket, kept.seq, '😀'))).toBe('ok');

    // The owner deletes another member's message (recorded as a moderator's act); the author may not undo it.
    const deletedByOwner = ok(await remove(ownerOnA.socket, bobs.seq));
    expect(deletedByOwner).toMatchObject({ seq: bobs.seq, body: '' });
    const audit = await getDb().$queryRaw<{ n: number }[]>`
      SELECT count(*)::int AS n FROM audit_events WHERE kind = 'message.deleted_by_moderator' AND actor_id = ${owner.id}::uuid`;
    expect(audit[0]!.n).toBe(1);
    expect(codeOf(await edit(bobOnA.socket, bobs.seq, 'undo'))).toBe('CONFLICT');
    [ownerOnA, aliceOnB, bobOnA].forEach((c) => c.socket.close());
  }, 60_000);

  it('a quote-reply carries the first 200 code points of the quoted body', async () => {
    const alice = await createTestUser();
    const room = await publicRoom(alice);
    const aliceOnB = await openRoom(b.url, alice, room.id);
    const long = ok(await send(aliceOnB.socket, `${'😀'.repeat(150)}${'x'.repeat(150)}`));
    const quote = ok(await sendWith(aliceOnB.socket, { body: 'that', replyToSeq: long.seq }));
    expect(quote.replyTo).toEqual({ seq: long.seq, author: pub(alice), snippet: `${'😀'.repeat(150)}${'x'.repeat(50)}`, deleted: false, attachments: [], call: null });
    aliceOnB.socket.close();
  });

  it('in a direct room nobody deletes the other’s messages (there is no owner)', async () => {
    const [alice, bob] = await Promise.all([createTestUser(), createTestUser()]);
    const { room } = await startDirect({ userId: alice.id, peerId: bob.id });
    testRoomIds.add(room.id);
    const aliceOnA = await openRoom(a.url, alice, room.id);
    const bobOnB = await openRoom(b.url, bob, room.id);
    const bobSees = new Mirror(bobOnB.socket);
    const hers = ok(await send(aliceOnA.socket, 'mine to delete'));
    expect(codeOf(await remove(bobOnB.socket, hers.seq))).toBe('FORBIDDEN');
    const tombstone = ok(await remove(aliceOnA.socket, hers.seq));
    await eventually(() => bobSees.get(hers.seq)?.rev === tombstone.rev, 10_000);
    [aliceOnA, bobOnB].forEach((c) => c.socket.close());
  });

  it('reactions are rate-limited per user: 5 per second plus a burst of 30 per 20 s', async () => {
    const [alice, bob] = await Promise.all([createTestUser(), createTestUser()]);
    const room = await publicRoom(alice, bob);
    const aliceOnA = await openRoom(a.url, alice, room.id);
    const message = ok(await send(aliceOnA.socket, 'react to me'));
    // 60 toggles emitted in one tick: the limiter decides them all at once (it counts before any database
    // work). Those it lets through then queue on the room's lock, one transaction each, so on a busy machine
    // the last answers take seconds: their acks may wait up to 30 s, and each must still be a success.
    const toggle = (i: number) =>
      aliceOnA.socket.timeout(30_000).emitWithAck(i % 2 === 0 ? 'reaction:add' : 'reaction:remove', { seq: message.seq, emoji: '👍' }) as Promise<Ack<ChatMessage>>;
    const acks = await Promise.all(Array.from({ length: 60 }, (_, i) => toggle(i)));
    const limited = acks.filter((ack) => !ack.ok && ack.error.code === 'RATE_LIMITED');
    const admitted = acks.filter((ack) => ack.ok || ack.error.code !== 'RATE_LIMITED');
    // 5 + a burst of 30 (5 more should a second pass while they are counted).
    expect(admitted.length).toBeGreaterThanOrEqual(35);
    expect(admitted.length).toBeLessThanOrEqual(40);
    expect(admitted.map(codeOf).filter((code) => code !== 'ok'), 'a toggle the limiter let through failed').toEqual([]);
    expect(limited.length).toBe(60 - admitted.length);
    expect(limited[0]).toMatchObject({ error: { retryAfter: expect.any(Number) } });
    aliceOnA.socket.close();
  }, 60_000);
});

describe('catching up on changes', () => {
  it('the replay carries changes after lastRev (not without one), bounded at 500: beyond it, truncated', async () => {
    const [alice, bob] = await Promise.all([createTestUser(), createTestUser()]);
    const room = await publicRoom(alice, bob);
    for (let i = 0; i < 501; i += 1) await createMessage({ roomId: room.id, authorId: alice.id, clientId: randomUUID(), body: `m${i + 1}` });
    const fresh = await openRoom(b.url, bob, room.id, { lastSeq: 501, lastRev: 0 });
    expect(fresh.replay).toEqual({ messages: [], changes: [], truncated: false, lastSeq: 501, lastRev: 0 });
    fresh.socket.close();

    for (let seq = 1; seq <= 501; seq += 1) await editMessage({ roomId: room.id, userId: alice.id, seq, clientId: randomUUID(), body: `m${seq} edited` });
    const behind = await openRoom(a.url, bob, room.id, { lastSeq: 501, lastRev: 0 });
    expect(behind.replay).toEqual({ messages: [], changes: [], truncated: true, lastSeq: 501, lastRev: 501 });
    const atTheBound = await openRoom(b.url, bob, room.id, { lastSeq: 501, lastRev: 1 });
    expect(atTheBound.replay).toMatchObject({ messages: [], truncated: false, lastSeq: 501, lastRev: 501 });
    expect(atTheBound.replay.changes.map((m) => m.rev)).toEqual(Array.from({ length: 500 }, (_, i) => i + 2));
    const withoutRev = await openRoom(a.url, bob, room.id, { lastSeq: 499 });
    expect(withoutRev.replay).toMatchObject({ changes: [], truncated: false, lastSeq: 501, lastRev: 501 });
    expect(withoutRev.replay.messages.map((m) => [m.seq, m.body])).toEqual([
      [500, 'm500 edited'],
      [501, 'm501 edited'],
    ]);
    [behind, atTheBound, withoutRev].forEach((c) => c.socket.close());
  }, 120_000);

  it('changedAfter heals missed changes page by page; around centres a page; history keeps every seq', async () => {
    const [alice, bob] = await Promise.all([createTestUser(), createTestUser()]);
    const room = await publicRoom(alice, bob);
    const aliceOnA = await openRoom(a.url, alice, room.id);
    for (let i = 1; i <= 20; i += 1) ok(await send(aliceOnA.socket, `message ${i}`));
    const stale = new Mirror();
    (await roomState(bob, room.id)).forEach(stale.put);

    // Changes the stale copy misses: some messages twice, a thread reply (which also changes its root).
    for (const seq of [3, 7, 3, 12]) ok(await edit(aliceOnA.socket, seq, `message ${seq}, edited at ${randomUUID()}`));
    ok(await react(aliceOnA.socket, 7, '🔥'));
    ok(await sendWith(aliceOnA.socket, { body: 'a reply', threadRootSeq: 12 }));
    const lastRev = await lastRevOf(room.id);
    expect(lastRev).toBe(6);

    let watermark = 0;
    const pages: number[][] = [];
    for (;;) {
      const { status, body } = await history(bob, room.id, `changedAfter=${watermark}&limit=2`);
      expect(status).toBe(200);
      pages.push(body.messages.map((m) => m.rev));
      body.messages.forEach(stale.put);
      if (!body.hasMore) {
        watermark = Math.max(watermark, body.lastRev!);
        break;
      }
      watermark = body.messages.at(-1)!.rev;
    }
    expect(pages).toEqual([[3, 5], [6]]); // each changed message once, at its latest rev, ascending
    expect(watermark).toBe(lastRev);
    (await history(bob, room.id, 'after=20')).body.messages.forEach(stale.put); // the new reply (a gap by seq)
    expect(stale.list()).toEqual(await roomState(bob, room.id));
    expect((await history(bob, room.id, `changedAfter=${lastRev}`)).body).toEqual({ messages: [], hasMore: false, lastRev });

    // around=<seq>: the page centred on it, older (with it) and newer.
    const around = (await history(bob, room.id, 'around=10&limit=5')).body;
    expect(around.messages.map((m) => m.seq)).toEqual([8, 9, 10, 11, 12]);
    expect(around).toMatchObject({ hasMore: true, hasNewer: true });
    const atStart = (await history(bob, room.id, 'around=2&limit=5')).body;
    expect(atStart.messages.map((m) => m.seq)).toEqual([1, 2, 3, 4]);
    expect(atStart).toMatchObject({ hasMore: false, hasNewer: true });
    const atEnd = (await history(bob, room.id, 'around=21&limit=5')).body;
    expect(atEnd.messages.map((m) => m.seq)).toEqual([19, 20, 21]);
    expect(atEnd).toMatchObject({ hasMore: true, hasNewer: false });
    // The newest page holds the thread reply too (seqs stay contiguous).
    expect((await history(bob, room.id, 'limit=3')).body.messages.map((m) => [m.seq, m.threadRootSeq])).toEqual([
      [19, null],
      [20, null],
      [21, 12],
    ]);

    for (const query of ['changedAfter=1&before=3', 'changedAfter=1&author=bob', 'changedAfter=1&thread=12', 'around=3&thread=12', 'changedAfter=-1', 'around=x']) {
      expect((await history(bob, room.id, query)).status, query).toBe(422);
    }
    aliceOnA.socket.close();
  }, 60_000);

  it('threads: thread= pages replies with their root; thread:mark moves my position on my sockets only', async () => {
    const [alice, bob, carol] = await Promise.all([createTestUser(), createTestUser(), createTestUser()]);
    const room = await publicRoom(alice, bob, carol);
    const aliceOnA = await openRoom(a.url, alice, room.id);
    const bobOnB = await openRoom(b.url, bob, room.id);
    const root = ok(await send(aliceOnA.socket, 'thread root'));
    const replies: ChatMessage[] = [];
    for (let i = 1; i <= 7; i += 1) {
      replies.push(ok(await sendWith(i % 2 ? bobOnB.socket : aliceOnA.socket, { body: `reply ${i}`, threadRootSeq: root.seq })));
      if (i === 3) ok(await send(aliceOnA.socket, 'meanwhile in the room'));
    }

    const newest = (await history(carol, room.id, `thread=${root.seq}&limit=3`)).body;
    expect(newest.messages.map((m) => m.body)).toEqual(['reply 5', 'reply 6', 'reply 7']);
    expect(newest.hasMore).toBe(true);
    expect(newest.root).toMatchObject({ seq: root.seq, thread: { replyCount: 7, lastReplySeq: replies.at(-1)!.seq, participants: [pub(bob), pub(alice)] } });
    const older = (await history(carol, room.id, `thread=${root.seq}&before=${newest.messages[0]!.seq}&limit=10`)).body;
    expect(older.messages.map((m) => m.body)).toEqual(['reply 1', 'reply 2', 'reply 3', 'reply 4']);
    expect(older.hasMore).toBe(false);
    expect((await history(carol, room.id, `thread=${replies[0]!.seq}`)).status).toBe(404); // a reply roots no thread
    expect((await history(carol, room.id, 'thread=999')).status).toBe(404);

    // Carol reads the thread on A; her tab on B hears it, Bob does not.
    const carolOnA = await openRoom(a.url, carol, room.id);
    const carolOnB = await openRoom(b.url, carol, room.id);
    const carolHears = collect<ThreadRead>(carolOnB.socket, 'thread:read');
    const bobHears = collect<ThreadRead>(bobOnB.socket, 'thread:read');
    const mark = (seq: number, rootSeq = root.seq) => call<ThreadRead>(carolOnA.socket, 'thread:mark', { rootSeq, seq });
    expect(ok(await mark(replies[3]!.seq))).toEqual({ rootSeq: root.seq, lastReadSeq: replies[3]!.seq });
    expect(ok(await mark(replies[1]!.seq))).toEqual({ rootSeq: root.seq, lastReadSeq: replies[3]!.seq }); // forward only
    expect(ok(await mark(9_999))).toEqual({ rootSeq: root.seq, lastReadSeq: replies.at(-1)!.seq }); // clamped
    expect(codeOf(await mark(1, replies[0]!.seq))).toBe('NOT_FOUND');
    expect(codeOf(await mark(1, 9_999))).toBe('NOT_FOUND');
    await eventually(() => carolHears.length === 2, 10_000);
    expect(carolHears).toEqual([
      { rootSeq: root.seq, lastReadSeq: replies[3]!.seq },
      { rootSeq: root.seq, lastReadSeq: replies.at(-1)!.seq },
    ]);
    // A message Bob gets after those went out (same publisher, in order): none of them reached him.
    const bobSees = new Mirror(bobOnB.socket);
    const after = ok(await send(carolOnA.socket, 'done reading'));
    await eventually(() => bobSees.get(after.seq) !== undefined, 10_000);
    expect(bobHears).toEqual([]);
    const again = await openRoom(b.url, carol, room.id);
    expect(again.ready.threads).toEqual([{ rootSeq: root.seq, lastReadSeq: replies.at(-1)!.seq }]);
    [aliceOnA, bobOnB, carolOnA, carolOnB, again].forEach((c) => c.socket.close());
  }, 60_000);
});

describe('mentions and notification levels', () => {
  it('mentions resolve to members only, @room follows the owner’s policy, and unreadMentions counts until read', async () => {
    const [alice, bob, carol, dave] = await Promise.all([createTestUser(), createTestUser(), createTestUser(), createTestUser()]);
    const room = await publicRoom(alice, bob, carol); // dave exists but is not a member
    const bobOnA = await openRoom(a.url, bob, room.id);
    const aliceOnB = await openRoom(b.url, alice, room.id);
    const carolMain = await openSession(b.url, carol);
    const activity = collect<RoomActivity>(carolMain, 'room:activity');

    const named = ok(await send(bobOnA.socket, `hi @${carol.username}, @${dave.username} and \`@${alice.username}\`, mail bob@${alice.username}.example`));
    expect(named).toMatchObject({ mentions: [carol.id], mentionsRoom: false });
    const everyone = ok(await send(bobOnA.socket, '@room lunch?'));
    expect(everyone).toMatchObject({ mentions: [], mentionsRoom: true });
    await eventually(() => activity.length === 2, 10_000);
    expect(activity).toEqual([
      { roomId: room.id, lastSeq: named.seq, authorId: bob.id, threadRootSeq: null, mentions: [carol.id], mentionsRoom: false },
      { roomId: room.id, lastSeq: everyone.seq, authorId: bob.id, threadRootSeq: null, mentions: [], mentionsRoom: true },
    ]);

    // Only the owner sets who may mention everyone.
    const setPolicy = (who: PublicUser, roomMentions: string) => rest<{ room: RoomSummary }>(roomRoute.PATCH, who, 'PATCH', `/api/rooms/${room.id}`, room.id, { roomMentions });
    expect((await setPolicy(bob, 'owner')).status).toBe(403);
    expect((await setPolicy(alice, 'nobody')).status).toBe(422);
    const patched = await setPolicy(alice, 'owner');
    expect(patched.status).toBe(200);
    expect(patched.body.room).toMatchObject({ id: room.id, roomMentions: 'owner', role: 'owner' });
    expect(ok(await send(bobOnA.socket, '@here anyone?'))).toMatchObject({ mentionsRoom: false });
    const fromOwner = ok(await send(aliceOnB.socket, '@room from the owner'));
    expect(fromOwner).toMatchObject({ mentionsRoom: true });

    // A thread reply's activity names its thread; an edit resolves mentions again.
    const root = everyone.seq;
    const inThread = ok(await sendWith(aliceOnB.socket, { body: `@${carol.username} see above`, threadRootSeq: root }));
    await eventually(() => activity.some((x) => x.lastSeq === inThread.seq), 10_000);
    expect(activity.find((x) => x.lastSeq === inThread.seq)).toMatchObject({ threadRootSeq: root, mentions: [carol.id] });
    const reworded = ok(await edit(bobOnA.socket, named.seq, `hi @${alice.username} and @${dave.username}`));
    expect(reworded).toMatchObject({ mentions: [alice.id], mentionsRoom: false });
    const renamed = ok(await edit(bobOnA.socket, named.seq, `hi @${carol.username}`));
    expect(renamed.mentions).toEqual([carol.id]);

    // Carol's unread mentions: the message naming her, two @room that counted, the thread reply.
    const carolsView = async () => (await myRooms(carol)).find((r) => r.id === room.id)!;
    expect(await carolsView()).toMatchObject({ unreadMentions: 4, notify: 'mentions', roomMentions: 'owner' });
    ok(await remove(aliceOnB.socket, everyone.seq)); // a deleted message mentions no one
    expect((await carolsView()).unreadMentions).toBe(3);
    expect((await myRooms(alice)).find((r) => r.id === room.id)!.unreadMentions).toBe(0); // her own @room does not count
    const carolInRoom = await openRoom(a.url, carol, room.id);
    expect(carolInRoom.ready.room.unreadMentions).toBe(3);
    ok(await call<{ lastReadSeq: number }>(carolInRoom.socket, 'read:mark', { seq: named.seq }));
    expect((await carolsView()).unreadMentions).toBe(2);
    ok(await call<{ lastReadSeq: number }>(carolInRoom.socket, 'read:mark', { seq: inThread.seq }));
    expect((await carolsView()).unreadMentions).toBe(0);

    // Notification levels: mine only, members only; direct rooms notify for everything by default.
    const setLevel = (who: PublicUser, level: string) => rest<{ room: RoomSummary }>(notificationsRoute.PUT, who, 'PUT', `/api/rooms/${room.id}/notifications`, room.id, { level });
    const muted = await setLevel(carol, 'none');
    expect(muted).toMatchObject({ status: 200, body: { room: { id: room.id, notify: 'none' } } });
    expect((await carolsView()).notify).toBe('none');
    expect((await myRooms(bob)).find((r) => r.id === room.id)!.notify).toBe('mentions');
    expect((await setLevel(carol, 'loud')).status).toBe(422);
    expect((await setLevel(dave, 'all')).status).toBe(403);
    const { room: direct } = await startDirect({ userId: carol.id, peerId: dave.id });
    testRoomIds.add(direct.id);
    expect((await myRooms(dave)).find((r) => r.id === direct.id)!.notify).toBe('all');
    [bobOnA, aliceOnB, carolInRoom].forEach((c) => c.socket.close());
    carolMain.close();
  }, 60_000);
});

describe('an instance that could not hear the others', () => {
  it('resends the messages and changes it missed while its LISTEN connection was down, each once', async () => {
    const [alice, bob, carol] = await Promise.all([createTestUser(), createTestUser(), createTestUser()]);
    const room = await publicRoom(alice, bob, carol);
    const aliceOnA = await openRoom(a.url, alice, room.id);
    const carolOnA = await openRoom(a.url, carol, room.id);
    const bobOnB = await openRoom(b.url, bob, room.id, { lastSeq: 0, lastRev: 0 });
    const bobSees = new Mirror(bobOnB.socket);
    const first = ok(await send(aliceOnA.socket, 'before'));
    const second = ok(await send(aliceOnA.socket, 'before, too'));
    await eventually(() => bobSees.get(second.seq) !== undefined, 10_000);

    // Cut B's LISTEN connection and keep it from coming back until the changes are made: whatever A
    // broadcasts meanwhile never reaches B, so only B's resync from the database can bring it.
    const pubsub = (b.io.of('/').adapter as unknown as { client: { client?: { processID?: number }; initClient(): Promise<void> } }).client;
    const pid = pubsub.client?.processID;
    expect(pid).toBeGreaterThan(0);
    const reconnect = pubsub.initClient;
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    pubsub.initClient = () => held.then(() => reconnect.call(pubsub));
    try {
      await getDb().$queryRaw`SELECT pg_terminate_backend(${pid!}::int, 10000)`;
      await eventually(() => !b.adapter!.listening(), 10_000);
      ok(await edit(aliceOnA.socket, first.seq, 'before, edited while B was deaf'));
      ok(await react(carolOnA.socket, first.seq, '🙈'));
      ok(await remove(aliceOnA.socket, second.seq));
      ok(await send(aliceOnA.socket, 'new while B was deaf'));
      ok(await sendWith(carolOnA.socket, { body: 'a reply while B was deaf', threadRootSeq: first.seq }));
      ok(await react(aliceOnA.socket, first.seq, '🙉'));
      expect(bobSees.updates).toEqual([]);
    } finally {
      pubsub.initClient = reconnect;
      release();
    }
    await eventually(() => b.adapter!.listening(), 15_000);

    const database = await roomState(alice, room.id);
    const lastRev = await lastRevOf(room.id);
    await eventually(() => bobSees.list().length === database.length && bobSees.get(first.seq)?.rev === lastRev, 15_000);
    expect(bobSees.list()).toEqual(database);
    // Once each: a message by seq, a change by rev (superseded revs come as their message's current state).
    expect(bobSees.news.map((m) => m.seq)).toEqual([1, 2, 3, 4]);
    expect(new Set(bobSees.updates.map((m) => m.rev)).size).toBe(bobSees.updates.length);
    // Live again: the next change arrives as it happens, once.
    const later = ok(await react(carolOnA.socket, first.seq, '🙊'));
    await eventually(() => bobSees.get(first.seq)?.rev === later.rev, 10_000);
    expect(bobSees.updatesOf(first.seq, later.rev)).toBe(1);
    [aliceOnA, carolOnA, bobOnB].forEach((c) => c.socket.close());
  }, 60_000);
});

describe('outsiders', () => {
  it('hear nothing of rooms they are not in, on either instance — but do hear their own room', async () => {
    const [friend] = await Promise.all([createTestUser()]);
    await joinRoom({ roomId: outsider.roomId, userId: friend.id, ip: null });
    const friendOnA = await openRoom(a.url, friend, outsider.roomId);
    const message = ok(await send(friendOnA.socket, 'for the outsider'));
    ok(await edit(friendOnA.socket, message.seq, 'for the outsider, edited'));
    const heard = (where: string, event: string) => heardByOutsider.some((h) => h.where === where && h.event === event && h.payload.includes(outsider.roomId));
    await eventually(() => ['A /r', 'B /r'].every((w) => heard(w, 'message:new') && heard(w, 'message:updated')) && ['A /', 'B /'].every((w) => heard(w, 'room:activity')), 10_000);
    friendOnA.socket.close();

    expect(testRoomIds.size).toBeGreaterThan(5);
    const leaks = heardByOutsider.filter((h) => [...testRoomIds].some((id) => h.payload.includes(id)));
    expect(leaks).toEqual([]);
  });
});
