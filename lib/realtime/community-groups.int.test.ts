/**
 * Group conversations (docs/protocol.md §4.14): 3 to 9 people with no name, no roles, settings, bans,
 * invitations or archiving (403), announced to each member (room:joined, their own view), growing to 9 at
 * most (409 beyond), left with a `left` line, deleted when the last one leaves — and for everyone else they
 * do not exist: 404 NOT_FOUND on every path.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { getDb } from '../db';
import type { ChatMessage } from '../schemas/message';
import type { RoomMember, RoomSummary } from '../schemas/room';
import type { PublicUser } from '../schemas/user';
import {
  addMembers,
  api,
  codeOf,
  connectOutcome,
  emitAck,
  expectEvent,
  expectStatus,
  historyOf,
  membersOf,
  openMain,
  openRoomSocket,
  people,
  person,
  startGroup,
  type Answer,
  type ErrorBody,
  type Person,
  serveThisFile,
} from '../testing/community';

// Each test starts groups; the new-conversation budget (§7) has tests of its own.
vi.stubEnv('RATE_LIMIT_DIRECTS_PER_HOUR', '100000');

const server = serveThisFile();

async function group(size: number): Promise<{ room: RoomSummary; members: Person[] }> {
  const members = await people(size, 'g');
  const answer = expectStatus(await startGroup(members[0]!, members.slice(1)), 201, 'start a group') as { room: RoomSummary };
  return { room: answer.room, members };
}

describe('group conversations', () => {
  it('3 to 9 people: 2 or 10 are refused (422), the starter’s view is a nameless group with the others as participants', async () => {
    const crowd = await people(10, 'c');
    const [starter, ...others] = crowd as [Person, ...Person[]];
    const tooSmall = await startGroup(starter, others.slice(0, 1));
    expect([tooSmall.status, (tooSmall.body as ErrorBody).error?.code]).toEqual([422, 'INVALID_PAYLOAD']);
    const tooBig = await startGroup(starter, others.slice(0, 9));
    expect([tooBig.status, (tooBig.body as ErrorBody).error?.code]).toEqual([422, 'INVALID_PAYLOAD']);
    const withSelf = await startGroup(starter, [starter, others[0]!]);
    expect(withSelf.status, withSelf.text).toBe(422);
    const unknown = await startGroup(starter, [others[0]!, randomUUID()]);
    expect(unknown.status, unknown.text).toBe(404);

    const biggest = expectStatus(await startGroup(starter, others.slice(0, 8)), 201, 'nine people') as { room: RoomSummary };
    expect(biggest.room).toMatchObject({ kind: 'group', name: '', isMember: true, role: 'member', memberCount: 9, peer: null });
    expect(biggest.room.participants?.map((p) => p.id).sort()).toEqual(others.slice(0, 8).map((p) => p.user.id).sort());
    // Always a new group, even with the same people.
    const again = expectStatus(await startGroup(starter, others.slice(0, 2)), 201, 'three people') as { room: RoomSummary };
    const third = expectStatus(await startGroup(starter, others.slice(0, 2)), 201, 'the same three') as { room: RoomSummary };
    expect(third.room.id).not.toBe(again.room.id);
    // Nobody has a role above member in a conversation.
    expect((await membersOf(starter, again.room.id)).map((m: RoomMember) => m.role)).toEqual(['member', 'member', 'member']);
  });

  it('a started group is announced to every member’s tabs as room:joined, each with their own view; outsiders hear nothing', async () => {
    const members = await people(4, 'a');
    const outsider = await person('outsider');
    const tabs = await Promise.all(members.map((m) => openMain(server.url, m)));
    const outsiderTab = await openMain(server.url, outsider);
    const heardByOutsider: [string, unknown][] = [];
    outsiderTab.onAny((event: string, payload: unknown) => heardByOutsider.push([event, payload]));
    const joined = tabs.map((t, i) => expectEvent<{ room: RoomSummary }>(t, 'room:joined', (p) => p.room.kind === 'group', `room:joined for ${members[i]!.label}`));

    const { room } = expectStatus(await startGroup(members[0]!, members.slice(1)), 201, 'start') as { room: RoomSummary };
    for (const [i, expectation] of joined.entries()) {
      const view = (await expectation.within(2_000)).room;
      expect(view).toMatchObject({ id: room.id, kind: 'group', isMember: true, role: 'member', memberCount: 4 });
      // Their own view: the others, never themselves.
      expect(view.participants?.map((p: PublicUser) => p.id).sort()).toEqual(members.filter((_, k) => k !== i).map((m) => m.user.id).sort());
    }
    expect(heardByOutsider.filter(([, p]) => JSON.stringify(p).includes(room.id))).toEqual([]);
    for (const t of [...tabs, outsiderTab]) t.close();
  });

  it('any member adds people up to 9; the 10th is refused with 409 and nobody of that request is added', async () => {
    const { room, members } = await group(3);
    const newcomers = await people(7, 'n');
    const newcomerTab = await openMain(server.url, newcomers[0]!);
    const roomSocket = await openRoomSocket(server.url, members[1]!, room.id);
    const announced = expectEvent<{ room: RoomSummary }>(newcomerTab, 'room:joined', (p) => p.room.id === room.id, 'room:joined for the added');
    const heard = expectEvent<{ user: PublicUser }>(roomSocket, 'member:joined', (p) => p.user.id === newcomers[0]!.user.id, 'member:joined');

    // Not the starter: any member may add.
    const added = expectStatus(await addMembers(members[1]!, room.id, newcomers.slice(0, 5)), 200, 'add five') as { added: PublicUser[] };
    expect(added.added.map((u) => u.id).sort()).toEqual(newcomers.slice(0, 5).map((p) => p.user.id).sort());
    expect((await announced.within(2_000)).room).toMatchObject({ kind: 'group', isMember: true, memberCount: 8 });
    await heard.within(2_000);
    // 8 now: two more would be 10 — refused whole.
    const overCap = await addMembers(members[2]!, room.id, newcomers.slice(5, 7));
    expect([overCap.status, (overCap.body as ErrorBody).error?.code], overCap.text).toEqual([409, 'CONFLICT']);
    expect((overCap.body as ErrorBody).error.issues?.[0]?.path).toMatch(/^userIds\.\d$/);
    expect(await membersOf(members[0]!, room.id)).toHaveLength(8);
    // People already in are skipped; the 9th fits.
    const ninth = expectStatus(await addMembers(members[0]!, room.id, [members[1]!, newcomers[5]!]), 200, 'the ninth') as { added: PublicUser[] };
    expect(ninth.added.map((u) => u.id)).toEqual([newcomers[5]!.user.id]);
    const tenth = await addMembers(members[0]!, room.id, [newcomers[6]!]);
    expect([tenth.status, (tenth.body as ErrorBody).error?.issues?.[0]?.path]).toEqual([409, 'userIds.0']);
    expect(await membersOf(members[0]!, room.id)).toHaveLength(9);
    newcomerTab.close();
    roomSocket.close();
  });

  it('leaving leaves a `left` line; the last one out deletes the group', async () => {
    const { room, members } = await group(3);
    const [first, second, third] = members as [Person, Person, Person];
    const socket = await openRoomSocket(server.url, first, room.id);
    const line = expectEvent<ChatMessage>(socket, 'message:new', (m) => m.event?.type === 'left', 'the left line');
    expect((await api(third, 'POST', `/api/rooms/${room.id}/leave`)).status).toBe(200);
    expect(await line.within(2_000)).toMatchObject({ body: '', author: { id: third.user.id }, event: { type: 'left' } });
    expect((await historyOf(first, room.id)).filter((m) => m.event?.type === 'left').map((m) => m.author.id)).toEqual([third.user.id]);
    // Gone for them: the group does not exist for non-members.
    expect((await api(third, 'GET', `/api/rooms/${room.id}`)).status).toBe(404);
    socket.close();

    expect((await api(second, 'POST', `/api/rooms/${room.id}/leave`)).status).toBe(200);
    expect((await api(first, 'POST', `/api/rooms/${room.id}/leave`)).status).toBe(200);
    // Everyone gets 404 for a group they are not in, deleted or not: only the database can tell it is gone.
    expect(await getDb().room.findUnique({ where: { id: room.id } })).toBeNull();
  });

  it('outsiders get 404 on every path; members get 403 on every §4.13 route but adding people', async () => {
    const { room, members } = await group(3);
    const [a, b] = members as [Person, Person];
    const outsider = await person('outsider');
    const id = room.id;
    const target = b.user.id;
    type Call = [method: string, path: string, body?: unknown];
    /** The §4.13 routes: not for conversations (members: 403), except adding people. */
    const moderation: Call[] = [
      ['PATCH', `/api/rooms/${id}`, { topic: 'x' }],
      ['PUT', `/api/rooms/${id}/archive`],
      ['DELETE', `/api/rooms/${id}/archive`],
      ['POST', `/api/rooms/${id}/transfer`, { userId: target }],
      ['DELETE', `/api/rooms/${id}/members/${target}`],
      ['PUT', `/api/rooms/${id}/members/${target}/role`, { role: 'moderator' }],
      ['PUT', `/api/rooms/${id}/members/${target}/mute`, { durationSeconds: 60 }],
      ['DELETE', `/api/rooms/${id}/members/${target}/mute`],
      ['GET', `/api/rooms/${id}/bans`],
      ['PUT', `/api/rooms/${id}/bans/${target}`],
      ['DELETE', `/api/rooms/${id}/bans/${target}`],
      ['GET', `/api/rooms/${id}/invites`],
      ['POST', `/api/rooms/${id}/invites`, {}],
    ];
    const paths: Call[] = [
      ['GET', `/api/rooms/${id}`],
      ['GET', `/api/rooms/${id}/members`],
      ['GET', `/api/rooms/${id}/messages`],
      ['GET', `/api/rooms/${id}/files`],
      ['PUT', `/api/rooms/${id}/notifications`, { level: 'all' }],
      ['POST', `/api/rooms/${id}/join`, {}],
      ['POST', `/api/rooms/${id}/leave`],
      ['DELETE', `/api/rooms/${id}`],
      ['POST', `/api/rooms/${id}/members`, { userIds: [outsider.user.id] }],
      ...moderation,
    ];
    const wrong: string[] = [];
    for (const [method, path, body] of paths) {
      const answer: Answer<unknown> = await api(outsider, method, path, body);
      if (answer.status !== 404) wrong.push(`outsider ${method} ${path}: ${answer.status} ${answer.text.slice(0, 120)}`);
      if (answer.text.includes(a.user.id)) wrong.push(`outsider ${method} ${path}: names a member`);
    }
    expect(await connectOutcome(server.url, outsider, `/r/${id}`)).toBe('NOT_FOUND');
    const outsiderTab = await openMain(server.url, outsider);
    expect(codeOf(await emitAck(outsiderTab, 'delivery:ack', { roomId: id, seq: 1 }))).toBe('NOT_FOUND');
    expect(codeOf(await emitAck(outsiderTab, 'call:start', { roomId: id, kind: 'audio' }))).toBe('NOT_FOUND');
    outsiderTab.close();
    const directory = expectStatus(await api<{ rooms: RoomSummary[] }>(outsider, 'GET', '/api/rooms/directory?limit=50'), 200, 'directory');
    expect(directory.rooms.map((r) => r.kind)).not.toContain('group');

    // Members: the §4.13 routes are not for conversations (403), adding people is (tested above).
    for (const [method, path, body] of moderation) {
      const answer = await api(a, method, path, body);
      if (answer.status !== 403) wrong.push(`member ${method} ${path}: ${answer.status} ${answer.text.slice(0, 120)}`);
    }
    expect(wrong).toEqual([]);
    expect((await membersOf(a, id)).map((m) => m.role)).toEqual(['member', 'member', 'member']);
  });
});
