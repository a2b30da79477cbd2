/**
 * Bans (docs/protocol.md §4.13 "Ban"): a banned user cannot get back in by any path — opening the
 * namespace of a public room, POST …/join with or without a private room's password, an invitation link,
 * being added — each answered 403 FORBIDDEN "You are banned from this room.", until unbanned; then every
 * path works again.
 */
import { describe, expect, it, vi } from 'vitest';
import type { ChatMessage } from '../schemas/message';
import type { PublicUser } from '../schemas/user';
import {
  acceptInvite,
  addMembers,
  api,
  ban,
  castRoom,
  connectOutcome,
  createInvite,
  errorCode,
  expectStatus,
  historyOf,
  joinAs,
  membersOf,
  people,
  person,
  ROOM_PASSWORD,
  unban,
  type Answer,
  type CreatedInvite,
  type ErrorBody,
  type Person,
  serveThisFile,
} from '../testing/community';
import { connectClient } from '../testing/realtime';

vi.stubEnv('RATE_LIMIT_ROOMS_PER_HOUR', '100000');

const server = serveThisFile();

const BANNED = 'You are banned from this room.';

function expectBanned(answer: Answer<unknown>, what: string): void {
  expect(answer.status, `${what}: ${answer.text}`).toBe(403);
  expect((answer.body as ErrorBody).error, what).toMatchObject({ code: 'FORBIDDEN', message: BANNED });
}

/** Being added: 403 FORBIDDEN, said to whoever adds, with the issue on the banned person's index. */
function expectAddRefused(answer: Answer<unknown>, what: string, index = 0): void {
  expect(answer.status, `${what}: ${answer.text}`).toBe(403);
  expect((answer.body as ErrorBody).error, what).toMatchObject({ code: 'FORBIDDEN', message: 'Some of those people are banned from this room.' });
  expect((answer.body as ErrorBody).error.issues?.map((i) => i.path), what).toEqual([`userIds.${index}`]);
}

/** The namespace refusal: code FORBIDDEN and the ban's message. */
async function namespaceRefusal(who: Person, roomId: string): Promise<{ code?: string; message: string } | 'ok'> {
  const socket = connectClient(server.url, { cookie: who.cookie, namespace: `/r/${roomId}` });
  try {
    return await new Promise((resolve) => {
      socket.once('connect', () => resolve('ok'));
      socket.once('connect_error', (error: Error & { data?: { code?: string } }) => resolve({ code: error.data?.code, message: error.message }));
    });
  } finally {
    socket.close();
  }
}

describe('a banned user cannot get back in by any path', () => {
  it('public room: namespace, POST join, an invitation, being added — all 403 until unbanned; then each works', async () => {
    const c = await castRoom({ moderators: 1, members: 2 });
    const [target, friend] = c.members as [Person, Person];
    const moderator = c.moderators[0]!;
    const invite = expectStatus(await createInvite(moderator, c.room.id, { maxUses: null }), 201, 'invite') as CreatedInvite;
    const answer = expectStatus(await ban(moderator, c.room.id, target, 'flooding'), 200, 'ban') as { ban: { user: PublicUser; reason: string } };
    expect(answer.ban).toMatchObject({ user: { id: target.user.id }, reason: 'flooding' });

    expect(await namespaceRefusal(target, c.room.id)).toEqual({ code: 'FORBIDDEN', message: BANNED });
    expectBanned(await joinAs(target, c.room.id), 'POST join');
    expectBanned(await acceptInvite(target, invite.token), 'invitation accept');
    // Being added by a member (anyone may add people to a public room): refused, and nobody of that request is added.
    const newcomer = await person('newcomer');
    const added = await addMembers(friend, c.room.id, [newcomer, target]);
    expectAddRefused(added, 'POST members', 1);
    expect((await membersOf(c.owner, c.room.id)).map((m) => m.user.id)).not.toContain(newcomer.user.id);
    expect((await membersOf(c.owner, c.room.id)).map((m) => m.user.id)).not.toContain(target.user.id);
    // No side door: the room's content stays closed to them.
    expect((await api(target, 'GET', `/api/rooms/${c.room.id}/messages`)).status).toBe(403);

    // Unbanned: a line in the room, and each path works again.
    expect((await unban(moderator, c.room.id, target)).status).toBe(204);
    expect((await historyOf(c.owner, c.room.id)).map((m: ChatMessage) => m.event?.type).filter(Boolean)).toEqual(
      expect.arrayContaining(['banned', 'unbanned']),
    );
    expect(await connectOutcome(server.url, target, `/r/${c.room.id}`)).toBe('ok'); // joins the public room
    expect((await api(target, 'POST', `/api/rooms/${c.room.id}/leave`)).status).toBe(200);
    expect((await joinAs(target, c.room.id)).status).toBe(200);
    expect((await api(target, 'POST', `/api/rooms/${c.room.id}/leave`)).status).toBe(200);
    expect(expectStatus(await acceptInvite(target, invite.token), 200, 'accept after unban')).toMatchObject({ joined: true });
    expect((await api(target, 'POST', `/api/rooms/${c.room.id}/leave`)).status).toBe(200);
    expect(expectStatus(await addMembers(friend, c.room.id, [target]), 200, 'add after unban')).toMatchObject({ added: [{ id: target.user.id }] });
  });

  it('private room: POST join with the right password, without one, an invitation, being added by a moderator — all 403', async () => {
    const c = await castRoom({ kind: 'private', moderators: 1, members: 1 });
    const target = c.members[0]!;
    const moderator = c.moderators[0]!;
    const invite = expectStatus(await createInvite(moderator, c.room.id), 201, 'invite') as CreatedInvite;
    expectStatus(await ban(moderator, c.room.id, target), 200, 'ban');

    expectBanned(await joinAs(target, c.room.id, ROOM_PASSWORD), 'join with the password');
    expectBanned(await joinAs(target, c.room.id), 'join without a password');
    expectBanned(await acceptInvite(target, invite.token), 'invitation accept');
    expectAddRefused(await addMembers(moderator, c.room.id, [target]), 'added by a moderator');
    expectAddRefused(await addMembers(c.owner, c.room.id, [target]), 'added by the owner');
    expect((await namespaceRefusal(target, c.room.id) as { code?: string }).code).toBe('FORBIDDEN');

    expect((await unban(c.owner, c.room.id, target)).status).toBe(204);
    expect((await joinAs(target, c.room.id, ROOM_PASSWORD)).status).toBe(200);
  });

  it('someone who never was a member can be banned, and then cannot join', async () => {
    const c = await castRoom({ moderators: 1 });
    const stranger = await person('stranger');
    expectStatus(await ban(c.moderators[0]!, c.room.id, stranger, 'known spammer'), 200, 'ban a non-member');
    expectBanned(await joinAs(stranger, c.room.id), 'join');
    expect(await namespaceRefusal(stranger, c.room.id)).toEqual({ code: 'FORBIDDEN', message: BANNED });
  });

  it('bans are listed newest first (moderators and up); banning twice updates the reason', async () => {
    const c = await castRoom({ moderators: 1, members: 1 });
    const [first, second] = await people(2, 'banned');
    const moderator = c.moderators[0]!;
    expectStatus(await ban(moderator, c.room.id, first!, 'one'), 200, 'ban first');
    expectStatus(await ban(moderator, c.room.id, second!, 'two'), 200, 'ban second');
    expectStatus(await ban(c.owner, c.room.id, first!, 'one, again'), 200, 'ban first again');
    type BanView = { user: PublicUser; by: PublicUser | null; reason: string; createdAt: string };
    const { bans } = expectStatus(await api<{ bans: BanView[] }>(moderator, 'GET', `/api/rooms/${c.room.id}/bans`), 200, 'list bans');
    expect(new Map(bans.map((b) => [b.user.id, b.reason]))).toEqual(new Map([[first!.user.id, 'one, again'], [second!.user.id, 'two']]));
    // Newest first by createdAt (a second ban updates the reason; whether it also moves the ban up is not said).
    expect([...bans].sort((x, y) => Date.parse(y.createdAt) - Date.parse(x.createdAt)).map((b) => b.user.id)).toEqual(bans.map((b) => b.user.id));
    expect(bans).toHaveLength(2);
    const listedByMember = await api(c.members[0]!, 'GET', `/api/rooms/${c.room.id}/bans`);
    expect([listedByMember.status, errorCode(listedByMember)]).toEqual([403, 'FORBIDDEN']);
  });
});
