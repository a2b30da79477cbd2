/**
 * Invitation links (docs/protocol.md §4.13 "Invitation links"): created by moderators and up, shown once,
 * previewed without a session (nothing of the room's content), accepted with a session — atomically, so
 * parallel accepts never pass maxUses — and one answer, 404 "This invitation is not valid (any more).",
 * for unknown, expired, used-up and revoked tokens alike.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { getDb } from '../db';
import type { RoomSummary } from '../schemas/room';
import {
  acceptInvite,
  api,
  castRoom,
  createInvite,
  errorCode,
  expectStatus,
  historyOf,
  membersOf,
  openRoomSocket,
  patchRoom,
  people,
  person,
  previewInvite,
  revokeInvite,
  sendMessage,
  type Answer,
  type CreatedInvite,
  type InviteView,
  type Person,
  serveThisFile,
} from '../testing/community';

vi.stubEnv('RATE_LIMIT_ROOMS_PER_HOUR', '100000');

const server = serveThisFile();

const NOT_VALID = { error: { code: 'NOT_FOUND', message: 'This invitation is not valid (any more).' } };

async function invitesOf(who: Person, roomId: string): Promise<InviteView[]> {
  return expectStatus(await api<{ invites: InviteView[] }>(who, 'GET', `/api/rooms/${roomId}/invites`), 200, 'list invites').invites;
}

function created(answer: Answer<unknown>): CreatedInvite {
  return expectStatus(answer, 201, 'create invite') as CreatedInvite;
}

describe('invitation links', () => {
  it('creating one answers the token once (32 characters), its path, and the invitation; listing never shows a token', async () => {
    const c = await castRoom({ moderators: 1 });
    const before = Date.now();
    const made = created(await createInvite(c.moderators[0]!, c.room.id, { expiresInSeconds: 300, maxUses: 1 }));
    expect(made.token).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(made.path).toBe(`/invite/${made.token}`);
    expect(made.invite).toMatchObject({ roomId: c.room.id, maxUses: 1, uses: 0, revokedAt: null, status: 'active' });
    const expiresIn = Date.parse(made.invite.expiresAt ?? '') - before;
    expect(expiresIn).toBeGreaterThanOrEqual(299_000);
    expect(expiresIn).toBeLessThanOrEqual(301_000 + (Date.now() - before));

    // Defaults: 7 days, unlimited; null: never expires.
    const defaults = created(await createInvite(c.owner, c.room.id, {}));
    expect(defaults.invite.maxUses).toBeNull();
    expect(Math.abs(Date.parse(defaults.invite.expiresAt ?? '') - Date.now() - 7 * 24 * 3600 * 1000)).toBeLessThan(60_000);
    const forever = created(await createInvite(c.owner, c.room.id, { expiresInSeconds: null }));
    expect(forever.invite.expiresAt).toBeNull();

    const listing = await api(c.owner, 'GET', `/api/rooms/${c.room.id}/invites`);
    expect(listing.status).toBe(200);
    for (const token of [made.token, defaults.token, forever.token]) expect(listing.text).not.toContain(token);
    const ids = (listing.body as { invites: InviteView[] }).invites.map((i) => i.id);
    expect(ids).toEqual([forever.invite.id, defaults.invite.id, made.invite.id]); // newest first
  });

  it('the preview needs no session and shows nothing of the room’s content', async () => {
    const c = await castRoom({ kind: 'private', moderators: 1 });
    const secret = `secret-${randomUUID()}`;
    const socket = await openRoomSocket(server.url, c.owner, c.room.id);
    expect((await sendMessage(socket, secret)).ok).toBe(true);
    socket.close();
    const made = created(await createInvite(c.moderators[0]!, c.room.id));

    const preview = await previewInvite(null, made.token);
    expect(preview.status, preview.text).toBe(200);
    expect(preview.body).toEqual({
      kind: 'room',
      room: { id: c.room.id, name: c.room.name, description: '', kind: 'private', memberCount: 2 },
      invitedBy: expect.objectContaining({ id: c.moderators[0]!.user.id }),
      expiresAt: made.invite.expiresAt,
    });
    expect(preview.text).not.toContain(secret);
  });

  it('accepting joins without a password and spends one use; already a member: joined false, no use spent', async () => {
    const c = await castRoom({ kind: 'private', moderators: 1, members: 1 });
    const made = created(await createInvite(c.moderators[0]!, c.room.id, { maxUses: 5 }));
    const guest = await person('guest');
    const accepted = expectStatus(await acceptInvite(guest, made.token), 200, 'accept') as { room: RoomSummary; joined: boolean };
    expect(accepted.joined).toBe(true);
    expect(accepted.room).toMatchObject({ id: c.room.id, isMember: true, role: 'member' });
    const again = expectStatus(await acceptInvite(c.members[0]!, made.token), 200, 'accept as a member') as { joined: boolean };
    expect(again.joined).toBe(false);
    expect((await invitesOf(c.owner, c.room.id)).find((i) => i.id === made.invite.id)?.uses).toBe(1);
    // The room hears of it: a joined_by_invite line by the guest.
    const line = (await historyOf(guest, c.room.id)).find((m) => m.event?.type === 'joined_by_invite');
    expect(line).toMatchObject({ author: { id: guest.user.id }, body: '' });
  });

  it('unknown, expired, used-up and revoked links all get the same 404, for the preview and the accept', async () => {
    const c = await castRoom({ moderators: 1 });
    const moderator = c.moderators[0]!;
    const [first, second] = await people(2, 'guest');

    const usedUp = created(await createInvite(moderator, c.room.id, { maxUses: 1 }));
    expect(expectStatus(await acceptInvite(first!, usedUp.token), 200, 'first use')).toMatchObject({ joined: true });

    // Expired: the shortest validity is 5 minutes and the API has no way to move time, so the row's
    // expires_at is moved into the past in the database (the server compares it with its clock).
    const expired = created(await createInvite(moderator, c.room.id, { expiresInSeconds: 300 }));
    await getDb().invite.update({ where: { id: expired.invite.id }, data: { expiresAt: new Date(Date.now() - 1_000) } });

    const revoked = created(await createInvite(moderator, c.room.id));
    expect((await revokeInvite(moderator, revoked.invite.id)).status).toBe(204);

    const unknown = randomBytes(24).toString('base64url');
    for (const [what, token] of [['unknown', unknown], ['expired', expired.token], ['used up', usedUp.token], ['revoked', revoked.token]] as const) {
      const preview = await previewInvite(null, token);
      expect({ what, status: preview.status, body: preview.body }).toEqual({ what, status: 404, body: NOT_VALID });
      const accept = await acceptInvite(second!, token);
      expect({ what, status: accept.status, body: accept.body }).toEqual({ what, status: 404, body: NOT_VALID });
    }
    expect((await membersOf(c.owner, c.room.id)).map((m) => m.user.id)).not.toContain(second!.user.id);
    const statuses = new Map((await invitesOf(moderator, c.room.id)).map((i) => [i.id, i.status]));
    expect([statuses.get(usedUp.invite.id), statuses.get(expired.invite.id), statuses.get(revoked.invite.id)]).toEqual(['used_up', 'expired', 'revoked']);
  });

  it('parallel accepts never pass maxUses: 8 people accept a 3-use link at once, exactly 3 join', async () => {
    const c = await castRoom({ moderators: 1 });
    const made = created(await createInvite(c.moderators[0]!, c.room.id, { maxUses: 3 }));
    const guests = await people(8, 'rush');
    const answers = await Promise.all(guests.map((g) => acceptInvite(g, made.token)));
    const joined = answers.filter((a) => a.status === 200 && (a.body as { joined: boolean }).joined);
    const refused = answers.filter((a) => a.status === 404);
    expect({ joined: joined.length, refused: refused.length, other: answers.length - joined.length - refused.length }).toEqual({ joined: 3, refused: 5, other: 0 });
    const members = (await membersOf(c.owner, c.room.id)).map((m) => m.user.id);
    expect(guests.filter((g) => members.includes(g.user.id))).toHaveLength(3);
    expect((await invitesOf(c.owner, c.room.id)).find((i) => i.id === made.invite.id)).toMatchObject({ uses: 3, status: 'used_up' });
  });

  it('who revokes: the creator and admins and up; a moderator cannot revoke an admin’s link', async () => {
    const c = await castRoom({ admins: 1, moderators: 2, members: 1 });
    const [mod1, mod2] = c.moderators as [Person, Person];
    const admin = c.admins[0]!;
    const byAdmin = created(await createInvite(admin, c.room.id));
    const byMod1 = created(await createInvite(mod1, c.room.id));
    const byMod2 = created(await createInvite(mod2, c.room.id));
    const byOwner = created(await createInvite(c.owner, c.room.id));

    const refusals = [await revokeInvite(mod1, byAdmin.invite.id), await revokeInvite(mod1, byMod2.invite.id), await revokeInvite(c.members[0]!, byMod1.invite.id)];
    expect(refusals.map((r) => [r.status, errorCode(r)])).toEqual([
      [403, 'FORBIDDEN'],
      [403, 'FORBIDDEN'],
      [403, 'FORBIDDEN'],
    ]);
    expect((await revokeInvite(mod1, byMod1.invite.id)).status).toBe(204); // their own
    expect((await revokeInvite(admin, byMod2.invite.id)).status).toBe(204); // anyone's
    expect((await revokeInvite(c.owner, byAdmin.invite.id)).status).toBe(204);
    expect((await revokeInvite(admin, byOwner.invite.id)).status).toBe(204);
    const statuses = (await invitesOf(c.owner, c.room.id)).map((i) => i.status);
    expect(statuses).toEqual(['revoked', 'revoked', 'revoked', 'revoked']);
    // Members cannot create or list them.
    const member = c.members[0]!;
    expect((await createInvite(member, c.room.id)).status).toBe(403);
    expect((await api(member, 'GET', `/api/rooms/${c.room.id}/invites`)).status).toBe(403);
  });

  it('a private room without a password is entered by invitation only, and is not in the directory', async () => {
    const c = await castRoom({ kind: 'private', admins: 1 });
    const answer = expectStatus(await patchRoom(c.admins[0]!, c.room.id, { password: null }), 200, 'remove the password') as { room: RoomSummary };
    expect(answer.room).toMatchObject({ kind: 'private', hasPassword: false });
    const guest = await person('guest');
    // Making a public room private without a password leaves it invitation-only too.
    const other = await castRoom({ admins: 1 });
    const turned = expectStatus(await patchRoom(other.admins[0]!, other.room.id, { kind: 'private' }), 200, 'make it private without a password') as { room: RoomSummary };
    expect(turned.room).toMatchObject({ kind: 'private', hasPassword: false });
    const directory = expectStatus(await api<{ rooms: RoomSummary[] }>(guest, 'GET', `/api/rooms/directory?q=${encodeURIComponent(c.room.name)}`), 200, 'directory');
    expect(directory.rooms.map((r) => r.id)).not.toContain(c.room.id);
    expect((await api(guest, 'POST', `/api/rooms/${c.room.id}/join`, { password: 'community room password' })).status).toBe(403);
    expect((await api(guest, 'POST', `/api/rooms/${c.room.id}/join`, {})).status).toBe(403);
    const made = created(await createInvite(c.owner, c.room.id));
    expect(expectStatus(await acceptInvite(guest, made.token), 200, 'accept')).toMatchObject({ joined: true });
  });
});
