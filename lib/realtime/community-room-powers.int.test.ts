/**
 * The room-level rows of the §4.13 role table (docs/protocol.md), one role at a time — member, moderator,
 * admin, owner: settings, transfer, archive, delete, invitations, adding people to public and private
 * rooms, the ban list, deleting anyone's message, leaving — and the @room policy "owner" (owner and admins).
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import type { ChatMessage } from '../schemas/message';
import type { RoomMember, RoomSettings, RoomSummary } from '../schemas/room';
import {
  addMembers,
  api,
  archive,
  castRoom,
  codeOf,
  createInvite,
  deleteRoom,
  emitAck,
  expectEvent,
  expectStatus,
  historyOf,
  leave,
  membersOf,
  openMain,
  openRoomSocket,
  patchRoom,
  person,
  restore,
  sendMessage,
  transfer,
  type Answer,
  type Cast,
  type Person,
  serveThisFile,
} from '../testing/community';

vi.stubEnv('RATE_LIMIT_ROOMS_PER_HOUR', '100000');
vi.stubEnv('MAX_ROOMS_PER_USER', '100000');

const server = serveThisFile();

type Role = 'member' | 'moderator' | 'admin' | 'owner';
const ROLES: Role[] = ['member', 'moderator', 'admin', 'owner'];

function whoIs(c: Cast, role: Role): Person {
  if (role === 'owner') return c.owner;
  if (role === 'admin') return c.admins[0]!;
  if (role === 'moderator') return c.moderators[0]!;
  return c.members[0]!;
}

/** Runs `act` as each role, in order (owner last), and compares the statuses with the table's. */
async function byRole(c: Cast, act: (who: Person, role: Role) => Promise<Answer<unknown>>, expected: Record<Role, number>): Promise<void> {
  const got: Record<string, string> = {};
  const want: Record<string, string> = {};
  for (const role of ROLES) {
    const answer = await act(whoIs(c, role), role);
    got[role] = answer.status === expected[role] ? String(answer.status) : `${answer.status} ${answer.text.slice(0, 120)}`;
    want[role] = String(expected[role]);
  }
  expect(got).toEqual(want);
}

describe('the §4.13 table, room-level rows', () => {
  it('change settings: admins and the owner', async () => {
    const c = await castRoom({ admins: 1, moderators: 1, members: 1 });
    await byRole(c, (who, role) => patchRoom(who, c.room.id, { topic: `topic by ${role}` }), { member: 403, moderator: 403, admin: 200, owner: 200 });
    const lines = (await historyOf(c.owner, c.room.id)).filter((m) => m.event?.type === 'topic_changed');
    expect(lines.map((m) => [m.author.id, m.event])).toEqual([
      [c.admins[0]!.user.id, { type: 'topic_changed', topic: 'topic by admin' }],
      [c.owner.user.id, { type: 'topic_changed', topic: 'topic by owner' }],
    ]);
  });

  it('transfer ownership: the owner only, to a member; the old owner becomes admin, and every member hears room:updated', async () => {
    const c = await castRoom({ admins: 1, moderators: 1, members: 2 });
    const heir = c.members[1]!;
    const tab = await openMain(server.url, c.members[0]!);
    const updated = expectEvent<{ room: RoomSettings }>(tab, 'room:updated', (p) => p.room.id === c.room.id && p.room.ownerId === heir.user.id, 'room:updated (owner)');
    await byRole(c, (who) => transfer(who, c.room.id, heir), { member: 403, moderator: 403, admin: 403, owner: 200 });
    expect((await updated.within(2_000)).room.ownerId).toBe(heir.user.id);
    const roles = new Map((await membersOf(heir, c.room.id)).map((m: RoomMember) => [m.user.id, m.role]));
    expect([roles.get(heir.user.id), roles.get(c.owner.user.id)]).toEqual(['owner', 'admin']);
    const line = (await historyOf(heir, c.room.id)).find((m) => m.event?.type === 'ownership_transferred');
    expect(line).toMatchObject({ author: { id: c.owner.user.id }, event: { type: 'ownership_transferred', to: { id: heir.user.id } } });
    // The old owner, now an admin, may leave; the new one must transfer first.
    expect((await leave(heir, c.room.id)).status).toBe(409);
    expect((await leave(c.owner, c.room.id)).status).toBe(200);
    // Transferring to yourself: 409 (§3).
    expect((await transfer(heir, c.room.id, heir)).status).toBe(409);
    tab.close();
  });

  it('archive and restore: admins and the owner', async () => {
    const c = await castRoom({ admins: 1, moderators: 1, members: 1 });
    await byRole(
      c,
      async (who) => {
        const answer = await archive(who, c.room.id);
        if (answer.status === 200) expectStatus(await restore(who, c.room.id), 200, 'restore');
        return answer;
      },
      { member: 403, moderator: 403, admin: 200, owner: 200 },
    );
  });

  it('delete the room: the owner only', async () => {
    const c = await castRoom({ admins: 1, moderators: 1, members: 1 });
    await byRole(c, (who) => deleteRoom(who, c.room.id), { member: 403, moderator: 403, admin: 403, owner: 204 });
    expect((await api(c.members[0]!, 'GET', `/api/rooms/${c.room.id}`)).status).toBe(404);
  });

  it('invitation links: moderators and up create and list them', async () => {
    const c = await castRoom({ admins: 1, moderators: 1, members: 1 });
    await byRole(c, (who) => createInvite(who, c.room.id), { member: 403, moderator: 201, admin: 201, owner: 201 });
    await byRole(c, (who) => api(who, 'GET', `/api/rooms/${c.room.id}/invites`), { member: 403, moderator: 200, admin: 200, owner: 200 });
  });

  it('the ban list: moderators and up', async () => {
    const c = await castRoom({ admins: 1, moderators: 1, members: 1 });
    await byRole(c, (who) => api(who, 'GET', `/api/rooms/${c.room.id}/bans`), { member: 403, moderator: 200, admin: 200, owner: 200 });
  });

  for (const kind of ['public', 'private'] as const) {
    it(`add people directly to a ${kind} room: ${kind === 'public' ? 'any member' : 'moderators and up'}; each hears room:joined`, async () => {
      const c = await castRoom({ kind, admins: 1, moderators: 1, members: 1 });
      const results: Record<Role, number> = { member: 0, moderator: 0, admin: 0, owner: 0 };
      for (const role of ROLES) {
        const newcomer = await person(`added by ${role}`);
        const tab = await openMain(server.url, newcomer);
        const joined = expectEvent<{ room: RoomSummary }>(tab, 'room:joined', (p) => p.room.id === c.room.id, `room:joined (added by ${role})`);
        const answer = await addMembers(whoIs(c, role), c.room.id, [newcomer]);
        results[role] = answer.status;
        if (answer.status === 200) {
          expect((answer.body as { added: { id: string }[] }).added.map((u) => u.id)).toEqual([newcomer.user.id]);
          expect((await joined.within(2_000)).room).toMatchObject({ id: c.room.id, isMember: true, role: 'member' });
        }
        tab.close();
      }
      expect(results).toEqual(kind === 'public' ? { member: 200, moderator: 200, admin: 200, owner: 200 } : { member: 403, moderator: 200, admin: 200, owner: 200 });
    });
  }

  it('delete anyone’s message (and system lines): moderators and up; a line cannot be edited', async () => {
    const c = await castRoom({ moderators: 1, members: 2 });
    const [m1, m2] = c.members as [Person, Person];
    const moderator = c.moderators[0]!;
    const s1 = await openRoomSocket(server.url, m1, c.room.id);
    const sMod = await openRoomSocket(server.url, moderator, c.room.id);
    const byModerator = await sendMessage(sMod, 'the moderator’s');
    const byMember = await sendMessage(await openRoomSocket(server.url, m2, c.room.id), 'the other member’s');
    if (!byModerator.ok || !byMember.ok) throw new Error('could not send');
    expect(codeOf(await emitAck(s1, 'message:delete', { seq: byModerator.data.seq }))).toBe('FORBIDDEN');
    expect(codeOf(await emitAck(s1, 'message:delete', { seq: byMember.data.seq }))).toBe('FORBIDDEN');
    expect(codeOf(await emitAck(sMod, 'message:delete', { seq: byMember.data.seq }))).toBe('ok');
    // A system line: the owner's topic change.
    expectStatus(await patchRoom(c.owner, c.room.id, { topic: 'a line to delete' }), 200, 'topic');
    const line = (await historyOf(m1, c.room.id)).find((m: ChatMessage) => m.event?.type === 'topic_changed')!;
    expect(codeOf(await emitAck(s1, 'message:delete', { seq: line.seq }))).toBe('FORBIDDEN');
    const ownerSocket = await openRoomSocket(server.url, c.owner, c.room.id);
    expect(codeOf(await emitAck(ownerSocket, 'message:edit', { seq: line.seq, clientId: randomUUID(), body: 'rewritten' }))).toBe('FORBIDDEN');
    expect(codeOf(await emitAck(sMod, 'message:delete', { seq: line.seq }))).toBe('ok');
    for (const s of [s1, sMod, ownerSocket]) s.close();
  });

  it('roomMentions "owner": the owner and admins mention everyone; moderators and members do not', async () => {
    const c = await castRoom({ admins: 1, moderators: 1, members: 1 });
    expectStatus(await patchRoom(c.owner, c.room.id, { roomMentions: 'owner' }), 200, 'policy');
    const result: Record<string, boolean> = {};
    for (const role of ROLES) {
      const socket = await openRoomSocket(server.url, whoIs(c, role), c.room.id);
      const ack = await sendMessage(socket, `@room from the ${role}`);
      result[role] = ack.ok && ack.data.mentionsRoom;
      socket.close();
    }
    expect(result).toEqual({ member: false, moderator: false, admin: true, owner: true });
  });
});
