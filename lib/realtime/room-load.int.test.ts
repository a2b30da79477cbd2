/**
 * `room:load` (docs/protocol.md §5.1): a room of mine read to be shown, on the main socket — the same answer as
 * `GET /api/rooms/:id` plus `GET …/messages` (how the browser switches rooms without a page render), members only,
 * answered exactly once, limited per user before the read.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as roomRoute from '@/app/api/rooms/[roomId]/route';
import * as messagesRoute from '@/app/api/rooms/[roomId]/messages/route';
import * as membersRoute from '@/app/api/rooms/[roomId]/members/route';
import { createRoom, joinRoom, startDirect } from '../data/rooms';
import type { Ack } from '../errors';
import type { HistoryPage } from '../schemas/message';
import { LARGE_ROOM_MEMBERS, type RoomLoad, type RoomMember, type RoomSummary } from '../schemas/room';
import { addFillerMembers, apiRequest, createTestUser, openRoom, openSession, roomParams, send, startTestRealtime, uniqueName, type TestRealtime } from '../testing/realtime';

let server: TestRealtime;
beforeAll(async () => {
  server = await startTestRealtime();
});
afterAll(async () => {
  await server.close();
});

type Socket = Awaited<ReturnType<typeof openSession>>;
const load = (socket: Socket, payload: unknown) => socket.timeout(5000).emitWithAck('room:load', payload) as Promise<Ack<RoomLoad>>;

describe('room:load', () => {
  it('answers a member with what the REST reads answer: the room as they see it, its members, the newest 50 messages', async () => {
    const [alice, bob] = await Promise.all([createTestUser(), createTestUser()]);
    const room = await createRoom({ ownerId: alice.id, data: { kind: 'private', name: uniqueName('load'), description: '', password: 'letmein' }, ip: null });
    await joinRoom({ roomId: room.id, userId: bob.id, password: 'letmein', ip: null });
    const aliceIn = await openRoom(server.url, alice, room.id);
    for (let i = 1; i <= 55; i += 1) expect((await send(aliceIn.socket, `message ${i} @${bob.username}`)).ok).toBe(true);

    const main = await openSession(server.url, bob);
    const answer = await load(main, { roomId: room.id });
    if (!answer.ok) throw new Error(answer.error.message);
    const { room: seen, members, history } = answer.data;

    const restRoom = (await (await roomRoute.GET(await apiRequest(bob, 'GET', `/api/rooms/${room.id}`), roomParams(room.id))).json()) as { room: RoomSummary; members: RoomMember[] };
    const restHistory = (await (await messagesRoute.GET(await apiRequest(bob, 'GET', `/api/rooms/${room.id}/messages`), roomParams(room.id))).json()) as HistoryPage;
    expect(seen).toEqual(restRoom.room);
    expect(members).toEqual(restRoom.members);
    expect(history).toEqual(restHistory);
    // Bob's own view: a member, 55 unread, every one mentioning him (counted up to what the summary counts).
    expect(seen).toMatchObject({ id: room.id, isMember: true, role: 'member', lastSeq: 55 });
    expect(seen.unreadMentions).toBeGreaterThan(0);
    expect(members!.map((m) => m.user.id)).toEqual([alice.id, bob.id]);
    expect(history.messages.map((m) => m.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i + 6));
    expect(history.hasMore).toBe(true);
    main.disconnect();
    aliceIn.socket.disconnect();
  });

  it('refuses whoever may not see the room, as the REST reads do, and bad payloads — each with one ack', async () => {
    const [alice, bob, carol] = await Promise.all([createTestUser(), createTestUser(), createTestUser()]);
    const open = await createRoom({ ownerId: alice.id, data: { kind: 'public', name: uniqueName('pub'), description: '' }, ip: null });
    const locked = await createRoom({ ownerId: alice.id, data: { kind: 'private', name: uniqueName('priv'), description: '', password: 'letmein' }, ip: null });
    const direct = await startDirect({ userId: alice.id, peerId: bob.id });
    const main = await openSession(server.url, carol);
    const answers: unknown[] = [];
    main.onAny((event: string) => answers.push(event));

    const refused = async (payload: unknown) => {
      const answer = await load(main, payload);
      if (answer.ok) throw new Error('expected a refusal');
      return answer.error;
    };
    expect(await refused({ roomId: open.id })).toMatchObject({ code: 'FORBIDDEN', message: 'Join the room first.' });
    expect(await refused({ roomId: locked.id })).toMatchObject({ code: 'FORBIDDEN', message: 'Enter the room password to join first.' });
    expect(await refused({ roomId: direct.room.id })).toMatchObject({ code: 'NOT_FOUND' }); // someone else's conversation does not exist
    expect(await refused({ roomId: 'ZZZZZZZZZZ' })).toMatchObject({ code: 'NOT_FOUND' });
    expect(await refused({ roomId: 'not a room' })).toMatchObject({ code: 'INVALID_PAYLOAD' });
    expect(await refused({ roomId: open.id, extra: 1 })).toMatchObject({ code: 'INVALID_PAYLOAD' });
    expect(await refused('room')).toMatchObject({ code: 'INVALID_PAYLOAD' });
    // Nothing was changed by asking: Carol is still in no room (opening a public room's namespace would join it).
    const restOpen = await roomRoute.GET(await apiRequest(carol, 'GET', `/api/rooms/${open.id}`), roomParams(open.id));
    expect(restOpen.status).toBe(403);
    expect(answers).toEqual([]); // acks only: no event was pushed
    main.disconnect();
  });

  it('leaves the member list out when the client holds it at the current version, and sends it again once it changed', async () => {
    const [alice, bob, carol] = await Promise.all([createTestUser(), createTestUser(), createTestUser()]);
    const room = await createRoom({ ownerId: alice.id, data: { kind: 'public', name: uniqueName('revs'), description: '' }, ip: null });
    await joinRoom({ roomId: room.id, userId: bob.id, ip: null });
    const main = await openSession(server.url, bob);
    const loaded = async (payload: unknown) => {
      const answer = await load(main, payload);
      if (!answer.ok) throw new Error(answer.error.message);
      return answer.data;
    };

    const first = await loaded({ roomId: room.id });
    expect(first.members!.map((m) => m.user.id)).toEqual([alice.id, bob.id]);
    expect(first.membersRev).toEqual(expect.any(Number));
    // Held at this version: left out, the rest of the answer as always.
    const same = await loaded({ roomId: room.id, membersRev: first.membersRev });
    expect(same).toMatchObject({ members: null, membersRev: first.membersRev, room: { id: room.id }, history: { messages: [] } });
    // An older (or made-up) version gets the list.
    expect((await loaded({ roomId: room.id, membersRev: first.membersRev + 1000 })).members).toHaveLength(2);

    await joinRoom({ roomId: room.id, userId: carol.id, ip: null });
    const changed = await loaded({ roomId: room.id, membersRev: first.membersRev });
    expect(changed.membersRev).toBeGreaterThan(first.membersRev);
    expect(changed.members!.map((m) => m.user.id)).toEqual([alice.id, bob.id, carol.id]);

    for (const membersRev of [-1, 1.5, '3', null, 2 ** 31]) {
      expect(await load(main, { roomId: room.id, membersRev })).toMatchObject({ ok: false, error: { code: 'INVALID_PAYLOAD' } });
    }
    main.disconnect();
  });

  it('sends a large room’s kept list exactly as the REST read has it, and the changed list after a change', async () => {
    const [alice, bob, carol] = await Promise.all([createTestUser(), createTestUser(), createTestUser()]);
    const room = await createRoom({ ownerId: alice.id, data: { kind: 'public', name: uniqueName('large'), description: '' }, ip: null });
    await addFillerMembers(room.id, LARGE_ROOM_MEMBERS);
    await joinRoom({ roomId: room.id, userId: bob.id, ip: null });
    const [aliceMain, bobMain] = await Promise.all([openSession(server.url, alice), openSession(server.url, bob)]);
    const restList = async () => {
      const response = await membersRoute.GET(await apiRequest(bob, 'GET', `/api/rooms/${room.id}/members`), roomParams(room.id));
      return ((await response.json()) as { members: RoomMember[] }).members;
    };
    const loadedList = async (socket: Socket) => {
      const answer = await load(socket, { roomId: room.id });
      if (!answer.ok) throw new Error(answer.error.message);
      return answer.data.members;
    };

    const listed = await restList();
    expect(listed).toHaveLength(LARGE_ROOM_MEMBERS + 2);
    // Two members' loads of the same kept list, and one again: each the whole list, as REST reads it.
    for (const socket of [bobMain, aliceMain, bobMain]) expect(await loadedList(socket)).toEqual(listed);

    await joinRoom({ roomId: room.id, userId: carol.id, ip: null });
    const grown = await restList();
    expect(grown.map((m) => m.user.id).at(-1)).toBe(carol.id);
    for (const socket of [bobMain, aliceMain]) expect(await loadedList(socket)).toEqual(grown);
    aliceMain.disconnect();
    bobMain.disconnect();
  });

  it('counts loads per user before reading, and says when to come back', async () => {
    const alice = await createTestUser();
    const room = await createRoom({ ownerId: alice.id, data: { kind: 'public', name: uniqueName('fast'), description: '' }, ip: null });
    const [tabA, tabB] = await Promise.all([openSession(server.url, alice), openSession(server.url, alice)]);
    // 5 a second plus a burst of 20 per user, across tabs: parallel loads cannot slip past it.
    const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => load(i % 2 ? tabA : tabB, { roomId: room.id })));
    expect(answers.filter((a) => a.ok)).toHaveLength(25);
    const limited = answers.filter((a) => !a.ok);
    expect(limited).toHaveLength(5);
    for (const a of limited) if (!a.ok) expect(a.error).toMatchObject({ code: 'RATE_LIMITED', retryAfter: expect.any(Number) });
    // The payload is checked first: a bad one is told so, not counted, even over the limit.
    expect(await load(tabA, { roomId: 7 })).toMatchObject({ ok: false, error: { code: 'INVALID_PAYLOAD' } });
    tabA.disconnect();
    tabB.disconnect();
  });
});
