import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getDb } from '@/lib/db';
import type { Ack } from '@/lib/errors';
import type { HistoryPage } from '@/lib/schemas/message';
import type { RoomDirectoryPage, RoomList, RoomSummary } from '@/lib/schemas/room';
import type { PublicUser } from '@/lib/schemas/user';
import {
  apiRequest,
  collect,
  connectClient,
  createTestUser,
  eventually,
  openRoom,
  roomParams,
  openSession,
  send,
  sessionCookie,
  startTestRealtime,
  uniqueName,
  waitForConnect,
  type TestRealtime,
} from '@/lib/testing/realtime';
import * as roomRoute from '../rooms/[roomId]/route';
import * as joinRoute from '../rooms/[roomId]/join/route';
import * as leaveRoute from '../rooms/[roomId]/leave/route';
import * as membersRoute from '../rooms/[roomId]/members/route';
import * as messagesRoute from '../rooms/[roomId]/messages/route';
import * as directoryRoute from '../rooms/directory/route';
import * as roomsRoute from '../rooms/route';
import * as usersRoute from '../users/route';
import * as direct from './route';

type User = Awaited<ReturnType<typeof createTestUser>>;

let server: TestRealtime;
beforeAll(async () => {
  server = await startTestRealtime();
});
afterAll(async () => {
  await server.close();
});

async function start(user: User, peerId: string): Promise<Response> {
  return direct.POST(await apiRequest(user, 'POST', '/api/direct', { userId: peerId }));
}

describe('direct messages', () => {
  it('finds people by username or display name, never myself', async () => {
    const me = await createTestUser();
    const name = uniqueName('findme');
    const target = await createTestUser({ username: name });
    const byUsername = await usersRoute.GET(await apiRequest(me, 'GET', `/api/users?q=${name.slice(0, 8).toUpperCase()}`));
    expect(((await byUsername.json()) as { users: PublicUser[] }).users.map((u) => u.id)).toContain(target.id);
    const byDisplay = await usersRoute.GET(await apiRequest(me, 'GET', `/api/users?q=${encodeURIComponent(`test ${name}`)}`));
    expect(((await byDisplay.json()) as { users: PublicUser[] }).users).toEqual([{ id: target.id, username: name, displayName: `Test ${name}`, avatar: null }]);
    const self = await usersRoute.GET(await apiRequest(me, 'GET', `/api/users?q=${me.username}`));
    expect(((await self.json()) as { users: PublicUser[] }).users).toEqual([]);
    expect((await usersRoute.GET(await apiRequest(me, 'GET', '/api/users?q='))).status).toBe(422);
    // LIKE wildcards match only themselves.
    for (const wildcard of ['%', '_', '%25']) {
      const response = await usersRoute.GET(await apiRequest(me, 'GET', `/api/users?q=${wildcard}`));
      expect(((await response.json()) as { users: PublicUser[] }).users).toEqual([]);
    }
    expect((await usersRoute.GET(await apiRequest(null, 'GET', '/api/users?q=a'))).status).toBe(401);
  });

  it('one conversation per pair, whoever starts it, even when both start at once; appears live for both', async () => {
    const [ann, ben] = await Promise.all([createTestUser(), createTestUser()]);
    const annMain = await openSession(server.url, ann);
    const benMain = await openSession(server.url, ben);
    const annJoined = collect<{ room: RoomSummary }>(annMain, 'room:joined');
    const benJoined = collect<{ room: RoomSummary }>(benMain, 'room:joined');

    const [fromAnn, fromBen] = await Promise.all([start(ann, ben.id), start(ben, ann.id)]);
    const statuses = [fromAnn.status, fromBen.status].sort();
    expect(statuses).toEqual([200, 201]);
    const annRoom = ((await fromAnn.json()) as { room: RoomSummary }).room;
    const benRoom = ((await fromBen.json()) as { room: RoomSummary }).room;
    expect(annRoom.id).toBe(benRoom.id);
    expect(annRoom).toMatchObject({ kind: 'direct', name: '', isMember: true, memberCount: 2, peer: { id: ben.id } });
    expect(benRoom.peer?.id).toBe(ann.id);
    expect(await getDb().room.count({ where: { members: { some: { userId: ann.id } }, kind: 'direct' } })).toBe(1);

    await eventually(() => annJoined.length === 1 && benJoined.length === 1);
    expect(annJoined[0]?.room).toMatchObject({ id: annRoom.id, peer: { id: ben.id } });
    expect(benJoined[0]?.room).toMatchObject({ id: annRoom.id, peer: { id: ann.id } });

    const shouted = await start(ann, ben.id.toUpperCase()); // the same user, however the id is written
    expect(((await shouted.json()) as { room: RoomSummary }).room.id).toBe(annRoom.id);
    const again = await start(ann, ben.id);
    expect(again.status).toBe(200);
    expect(((await again.json()) as { room: RoomSummary }).room.id).toBe(annRoom.id);
    expect((await start(ann, ann.id)).status).toBe(422);
    expect((await start(ann, '00000000-0000-4000-8000-000000000000')).status).toBe(404);
    annMain.close();
    benMain.close();
  });

  it('nobody else can reach it: namespace, history, room, members, join, listing, receipts', async () => {
    const [ann, ben, eve] = await Promise.all([createTestUser(), createTestUser(), createTestUser()]);
    const room = ((await (await start(ann, ben.id)).json()) as { room: RoomSummary }).room;
    const a = await openRoom(server.url, ann, room.id);
    await send(a.socket, 'just between us');

    const ns = connectClient(server.url, { cookie: await sessionCookie(eve), namespace: `/r/${room.id}` });
    await expect(waitForConnect(ns)).rejects.toMatchObject({ data: { code: 'NOT_FOUND' } });
    ns.close();

    const history = await messagesRoute.GET(await apiRequest(eve, 'GET', `/api/rooms/${room.id}/messages`), roomParams(room.id));
    expect(history.status).toBe(404);
    expect(await history.text()).not.toContain('just between us');
    expect((await roomRoute.GET(await apiRequest(eve, 'GET', `/api/rooms/${room.id}`), roomParams(room.id))).status).toBe(404);
    expect((await membersRoute.GET(await apiRequest(eve, 'GET', `/api/rooms/${room.id}/members`), roomParams(room.id))).status).toBe(404);
    expect((await joinRoute.POST(await apiRequest(eve, 'POST', `/api/rooms/${room.id}/join`, {}), roomParams(room.id))).status).toBe(404);
    expect((await leaveRoute.POST(await apiRequest(eve, 'POST', `/api/rooms/${room.id}/leave`), roomParams(room.id))).status).toBe(404);
    const list = (await (await roomsRoute.GET(await apiRequest(eve, 'GET', '/api/rooms'))).json()) as RoomList;
    expect(list.mine.some((r) => r.id === room.id)).toBe(false);
    const found = (await (await directoryRoute.GET(await apiRequest(eve, 'GET', '/api/rooms/directory?limit=50'))).json()) as RoomDirectoryPage;
    expect(found.rooms.every((r) => r.kind !== 'direct')).toBe(true);

    const eveMain = await openSession(server.url, eve);
    const ack = (await eveMain.timeout(5000).emitWithAck('delivery:ack', { roomId: room.id, seq: 1 })) as Ack<unknown>;
    expect(ack).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    eveMain.close();

    // The members themselves: history is there; the conversation cannot be left or deleted.
    const own = (await (await messagesRoute.GET(await apiRequest(ben, 'GET', `/api/rooms/${room.id}/messages`), roomParams(room.id))).json()) as HistoryPage;
    expect(own.messages.map((m) => m.body)).toEqual(['just between us']);
    expect((await leaveRoute.POST(await apiRequest(ben, 'POST', `/api/rooms/${room.id}/leave`), roomParams(room.id))).status).toBe(409);
    expect((await roomRoute.DELETE(await apiRequest(ann, 'DELETE', `/api/rooms/${room.id}`), roomParams(room.id))).status).toBe(409);
    a.socket.close();
  });
});

describe('starting direct conversations is limited', () => {
  it('new conversations spend an hourly budget; reopening an existing one is free', async () => {
    const alice = await createTestUser();
    const peers = await Promise.all(Array.from({ length: 32 }, () => createTestUser()));
    const statuses = await Promise.all(
      peers.map(async (peer) => (await direct.POST(await apiRequest(alice, 'POST', '/api/direct', { userId: peer.id }))).status),
    );
    expect(statuses.filter((s) => s === 201)).toHaveLength(30);
    expect(statuses.filter((s) => s === 429)).toHaveLength(2);
    const opened = peers[statuses.indexOf(201)]!;
    expect((await direct.POST(await apiRequest(alice, 'POST', '/api/direct', { userId: opened.id }))).status).toBe(200);
  });
});
