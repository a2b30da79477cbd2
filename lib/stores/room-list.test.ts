import { describe, expect, it } from 'vitest';
import type { RoomSummary } from '../schemas/room';
import { advanceRoom, applyListed, normalizeRoomList, removeRoom, roomTitle, setMembership, upsertRoom } from './room-list';
import { unreadCount } from './unread';

function room(id: string, name: string, overrides: Partial<RoomSummary> = {}): RoomSummary {
  return {
    id,
    name,
    description: '',
    kind: 'public',
    ownerId: 'owner',
    memberCount: 1,
    createdAt: new Date(0).toISOString(),
    isMember: false,
    role: null,
    lastSeq: null,
    lastReadSeq: null,
    peer: null,
    ...overrides,
  };
}

describe('room list', () => {
  it('sorts by name, case-insensitively, and drops deleted rooms', () => {
    const list = normalizeRoomList(
      { mine: [room('b', 'beta', { isMember: true }), room('a', 'Alpha', { isMember: true })], others: [room('c', 'gamma')] },
      new Set(['c']),
    );
    expect(list.mine.map((r) => r.name)).toEqual(['Alpha', 'beta']);
    expect(list.others).toEqual([]);
  });

  it('upsert places a room by membership and replaces an older copy', () => {
    let list = normalizeRoomList({ mine: [], others: [room('a', 'Alpha')] });
    list = upsertRoom(list, room('a', 'Alpha', { isMember: true, memberCount: 2 }));
    expect(list.others).toEqual([]);
    expect(list.mine).toHaveLength(1);
    expect(list.mine[0]!.memberCount).toBe(2);
  });

  it('a listing broadcast does not move a room I am in out of "mine"', () => {
    let list = normalizeRoomList({ mine: [room('a', 'Alpha', { isMember: true, role: 'owner', lastSeq: 4 })], others: [] });
    list = applyListed(list, room('a', 'Alpha renamed', { memberCount: 5 }));
    expect(list.mine[0]).toMatchObject({ name: 'Alpha renamed', isMember: true, role: 'owner', lastSeq: 4, memberCount: 5 });
    list = applyListed(list, room('b', 'Beta'));
    expect(list.others.map((r) => r.id)).toEqual(['b']);
  });

  it('membership changes move the room and adjust the count', () => {
    let list = normalizeRoomList({ mine: [], others: [room('a', 'Alpha', { kind: 'private', memberCount: 3 })] });
    list = setMembership(list, 'a', true);
    expect(list.mine[0]).toMatchObject({ id: 'a', isMember: true, role: 'member', memberCount: 4 });
    expect(setMembership(list, 'a', true)).toBe(list);
    list = setMembership(list, 'a', false);
    expect(list.others[0]).toMatchObject({ id: 'a', isMember: false, role: null, memberCount: 3 });
  });

  it('remove drops the room from either list', () => {
    const list = normalizeRoomList({ mine: [room('a', 'A', { isMember: true })], others: [room('b', 'B')] });
    expect(removeRoom(removeRoom(list, 'a'), 'b')).toEqual({ mine: [], others: [] });
    expect(removeRoom(list, 'zzz')).toBe(list);
  });

  it('direct rooms are called by the peer, sort by that name, and are never listed to others', () => {
    const peer = { id: 'p', username: 'zed', displayName: 'Beatrice' };
    const dm = room('d', '', { kind: 'direct', isMember: true, peer });
    expect(roomTitle(dm)).toBe('Beatrice');
    const list = normalizeRoomList({ mine: [room('c', 'Charlie', { isMember: true }), dm, room('a', 'alpha', { isMember: true })], others: [] });
    expect(list.mine.map(roomTitle)).toEqual(['alpha', 'Beatrice', 'Charlie']);
    expect(upsertRoom(list, { ...dm, isMember: false }).others).toEqual([]);
  });

  it('room:activity is a position, not a count: a re-broadcast message is not unread twice', () => {
    let list = normalizeRoomList({ mine: [room('a', 'A', { isMember: true, lastSeq: 3, lastReadSeq: 3 })], others: [] });
    list = advanceRoom(list, 'a', { lastSeq: 4 });
    expect(advanceRoom(list, 'a', { lastSeq: 4 })).toBe(list); // the same message again (a retried send)
    expect(unreadCount(list.mine[0]!)).toBe(1);
  });

  it('unread positions only move forward: events, answers and refetches', () => {
    let list = normalizeRoomList({ mine: [room('a', 'A', { isMember: true, lastSeq: 3, lastReadSeq: 1 })], others: [] });
    list = advanceRoom(list, 'a', { lastSeq: 5 });
    expect(list.mine[0]).toMatchObject({ lastSeq: 5, lastReadSeq: 1 });
    expect(advanceRoom(list, 'a', { lastSeq: 4 })).toBe(list);
    list = advanceRoom(list, 'a', { lastReadSeq: 6 }); // read past what we knew existed
    expect(list.mine[0]).toMatchObject({ lastSeq: 6, lastReadSeq: 6 });
    expect(advanceRoom(list, 'zzz', { lastSeq: 9 })).toBe(list);
    // An older answer (room:ready, a refetch) does not move them back.
    list = upsertRoom(list, room('a', 'A', { isMember: true, lastSeq: 4, lastReadSeq: 2, memberCount: 7 }));
    expect(list.mine[0]).toMatchObject({ lastSeq: 6, lastReadSeq: 6, memberCount: 7 });
    list = normalizeRoomList({ mine: [room('a', 'A', { isMember: true, lastSeq: 8, lastReadSeq: 2 })], others: [] }, new Set(), list);
    expect(list.mine[0]).toMatchObject({ lastSeq: 8, lastReadSeq: 6 });
    // Leaving forgets them.
    list = setMembership(list, 'a', false);
    expect(list.others[0]).toMatchObject({ lastSeq: null, lastReadSeq: null });
  });
});
