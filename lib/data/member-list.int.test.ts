/**
 * Member lists and their versions (member-list.ts, migration 20261202020000_room_members_rev): every change that
 * makes a list read differently moves its version, whichever path makes it; the most frequent membership writes
 * (read and delivery positions) do not; and a large room's list kept by this instance is never served stale.
 */
import { describe, expect, it } from 'vitest';
import { getDb } from '../db';
import { addFillerMembers, createTestUser, uniqueName } from '../testing/realtime';
import { updateDisplayName } from './account';
import { readMemberList } from './member-list';
import { kickMember, muteMember, setMemberRole, unmuteMember } from './moderation';
import { markDelivered, markRead } from './receipts';
import { createRoom, getRoomForUser, joinRoom, leaveRoom } from './rooms';

const listOf = (roomId: string, userId: string) => readMemberList({ roomId, userId });

describe('member list versions', () => {
  it('move with every change a member list shows, and only those', async () => {
    const [alice, bob, carol] = await Promise.all([createTestUser(), createTestUser(), createTestUser()]);
    const room = await createRoom({ ownerId: alice.id, data: { kind: 'public', name: uniqueName('revs'), description: '' }, ip: null });
    const revs: number[] = [(await listOf(room.id, alice.id)).rev];
    const moved = async (what: string) => {
      const { rev } = await listOf(room.id, alice.id);
      expect(rev, what).toBeGreaterThan(revs.at(-1)!);
      revs.push(rev);
    };
    const unmoved = async (what: string) => expect((await listOf(room.id, alice.id)).rev, what).toBe(revs.at(-1));

    await joinRoom({ roomId: room.id, userId: bob.id, ip: null });
    await moved('a join');
    await joinRoom({ roomId: room.id, userId: carol.id, ip: null });
    await moved('another join');
    await markRead({ roomId: room.id, userId: bob.id, seq: 0 });
    await markDelivered({ roomId: room.id, userId: carol.id, seq: 0 });
    await unmoved('read and delivery positions');
    await setMemberRole({ roomId: room.id, userId: alice.id, targetId: bob.id, role: 'moderator', ip: null });
    await moved('a role');
    await muteMember({ roomId: room.id, userId: alice.id, targetId: carol.id, durationSeconds: 600, reason: '', ip: null });
    await moved('a mute');
    await unmuteMember({ roomId: room.id, userId: alice.id, targetId: carol.id, ip: null });
    await moved('an unmute');
    await updateDisplayName({ userId: carol.id, displayName: 'Carol Renamed', ip: null });
    await moved('a member renaming themselves');
    await updateDisplayName({ userId: carol.id, displayName: 'Carol Renamed', ip: null });
    await unmoved('a rename to the same name');
    await kickMember({ roomId: room.id, userId: alice.id, targetId: carol.id, reason: '', ip: null });
    await moved('a removal');
    await leaveRoom({ roomId: room.id, userId: bob.id });
    await moved('a leave');
    await getDb().user.delete({ where: { id: (await createTestUser()).id } });
    await unmoved('someone else deleted');

    // The version read with the room (room:load, the room page) is the same as the one read on its own.
    const seen = await getRoomForUser({ roomId: room.id, userId: alice.id });
    expect((await readMemberList({ room: seen })).rev).toBe(revs.at(-1));
  });

  it('serves a large room from what this instance kept, but never a list older than the room’s', async () => {
    const [alice, bob] = await Promise.all([createTestUser(), createTestUser()]);
    const room = await createRoom({ ownerId: alice.id, data: { kind: 'public', name: uniqueName('big'), description: '' }, ip: null });
    await joinRoom({ roomId: room.id, userId: bob.id, ip: null });
    await addFillerMembers(room.id, 120);

    const first = await listOf(room.id, alice.id);
    expect(first.members).toHaveLength(122);
    const again = await listOf(room.id, bob.id);
    expect(again.rev).toBe(first.rev);
    expect(again.members).toBe(first.members); // kept, not read again

    // A rename by another path than the app's (a script's UPDATE) shows at once.
    await getDb().$executeRaw`UPDATE users SET display_name = 'Bob Who Renamed' WHERE id = ${bob.id}::uuid`;
    const renamed = await listOf(room.id, alice.id);
    expect(renamed.rev).toBeGreaterThan(first.rev);
    expect(renamed.members.find((m) => m.user.id === bob.id)?.user.displayName).toBe('Bob Who Renamed');

    // Rows added in bulk (no app code at all) show too.
    await addFillerMembers(room.id, 3);
    expect((await listOf(room.id, alice.id)).members).toHaveLength(125);
  });

  it('lets a mute end in a kept list when its time comes, with no change to the room', async () => {
    const [alice, bob] = await Promise.all([createTestUser(), createTestUser()]);
    const room = await createRoom({ ownerId: alice.id, data: { kind: 'public', name: uniqueName('mute'), description: '' }, ip: null });
    await joinRoom({ roomId: room.id, userId: bob.id, ip: null });
    await addFillerMembers(room.id, 110);
    await muteMember({ roomId: room.id, userId: alice.id, targetId: bob.id, durationSeconds: 1, reason: '', ip: null });
    const muted = await listOf(room.id, alice.id);
    expect(muted.members.find((m) => m.user.id === bob.id)?.mutedUntil).not.toBeNull();
    await expect
      .poll(async () => (await listOf(room.id, alice.id)).members.find((m) => m.user.id === bob.id)?.mutedUntil, { timeout: 10_000, interval: 200 })
      .toBeNull();
    expect((await listOf(room.id, alice.id)).rev).toBe(muted.rev);
  });
});
