import { describe, expect, it } from 'vitest';
import { assignableRoles, canModerate, isMutedNow, roomPowers } from './permissions';

const room = (kind: 'public' | 'private' | 'direct' | 'group', role: 'owner' | 'admin' | 'moderator' | 'member' | null, archivedAt: string | null = null) => ({
  kind,
  role,
  archivedAt,
});

describe('room powers (protocol §4.13 table)', () => {
  it('members of a public room may add people; of a private room, only moderators and up', () => {
    expect(roomPowers(room('public', 'member')).addPeople).toBe(true);
    expect(roomPowers(room('private', 'member')).addPeople).toBe(false);
    expect(roomPowers(room('private', 'moderator')).addPeople).toBe(true);
  });

  it('moderators moderate and invite; admins change settings and archive; only the owner transfers and deletes', () => {
    const mod = roomPowers(room('public', 'moderator'));
    expect([mod.moderate, mod.invite, mod.changeSettings, mod.archive, mod.revokeAnyInvite]).toEqual([true, true, false, false, false]);
    const admin = roomPowers(room('public', 'admin'));
    expect([admin.changeSettings, admin.archive, admin.revokeAnyInvite, admin.transfer, admin.deleteRoom]).toEqual([true, true, true, false, false]);
    const owner = roomPowers(room('public', 'owner'));
    expect([owner.transfer, owner.deleteRoom, owner.leave]).toEqual([true, true, false]);
    expect(roomPowers(room('public', 'member')).openSettings).toBe(false);
  });

  it('an archived room refuses writes but can be restored and deleted', () => {
    const owner = roomPowers(room('public', 'owner', '2026-11-30T10:00:00.000Z'));
    expect([owner.changeSettings, owner.moderate, owner.invite, owner.addPeople, owner.transfer]).toEqual([false, false, false, false, false]);
    expect([owner.archive, owner.deleteRoom]).toEqual([true, true]);
  });

  it('conversations have no roles: a group adds and leaves, a direct room does neither', () => {
    expect(roomPowers(room('group', 'member'))).toMatchObject({ addPeople: true, leave: true, openSettings: false, moderate: false });
    expect(roomPowers(room('direct', 'member'))).toMatchObject({ addPeople: false, leave: false });
    expect(roomPowers(room('public', null)).addPeople).toBe(false);
  });
});

describe('acting on a member', () => {
  it('nobody acts on an equal or higher role, nor on themselves', () => {
    expect(canModerate('moderator', 'member', false)).toBe(true);
    expect(canModerate('moderator', 'moderator', false)).toBe(false);
    expect(canModerate('admin', 'moderator', false)).toBe(true);
    expect(canModerate('owner', 'admin', false)).toBe(true);
    expect(canModerate('owner', 'member', true)).toBe(false);
    expect(canModerate('member', 'member', false)).toBe(false);
  });

  it('admins make moderators and members; only the owner makes (or unmakes) admins', () => {
    expect(assignableRoles('moderator', 'member', false)).toEqual([]);
    expect(assignableRoles('admin', 'member', false)).toEqual(['moderator']);
    expect(assignableRoles('admin', 'moderator', false)).toEqual(['member']);
    expect(assignableRoles('admin', 'admin', false)).toEqual([]);
    expect(assignableRoles('owner', 'admin', false)).toEqual(['moderator', 'member']);
    expect(assignableRoles('owner', 'member', false)).toEqual(['admin', 'moderator']);
  });

  it('a mute is over once its end has passed', () => {
    const now = Date.parse('2026-11-30T10:00:00.000Z');
    expect(isMutedNow('2026-11-30T10:00:01.000Z', now)).toBe(true);
    expect(isMutedNow('2026-11-30T09:59:59.000Z', now)).toBe(false);
    expect(isMutedNow(null, now)).toBe(false);
  });
});
