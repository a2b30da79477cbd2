import { describe, expect, it } from 'vitest';
import type { RoomSummary } from '../schemas/room';
import { adjacentRoomId, advanceRoom, filterRooms, foldForMatch, normalizeRoomList, removeRoom, roomTitle, sidebarOrder, upsertRoom } from './room-list';
import { unreadCount } from './unread';
import { roomSummary } from '../testing/room-fixtures';

function room(id: string, name: string, overrides: Partial<RoomSummary> = {}): RoomSummary {
  return roomSummary(id, { name, ...overrides });
}

describe('room list', () => {
  it('sorts by name, case-insensitively, and drops deleted rooms', () => {
    const list = normalizeRoomList(
      { mine: [room('b', 'beta', { isMember: true }), room('a', 'Alpha', { isMember: true }), room('c', 'gamma', { isMember: true })] },
      new Set(['c']),
    );
    expect(list.mine.map((r) => r.name)).toEqual(['Alpha', 'beta']);
  });

  it('upsert adds or replaces a room I am in; a room I am not in is not listed, or leaves the list', () => {
    let list = normalizeRoomList({ mine: [] });
    list = upsertRoom(list, room('a', 'Alpha', { isMember: true, memberCount: 2 }));
    list = upsertRoom(list, room('a', 'Alpha', { isMember: true, memberCount: 3 }));
    expect(list.mine).toHaveLength(1);
    expect(list.mine[0]!.memberCount).toBe(3);
    expect(upsertRoom(list, room('b', 'Beta'))).toBe(list); // a non-member view of a room not listed
    expect(upsertRoom(list, room('a', 'Alpha')).mine).toEqual([]); // no longer a member
  });

  it('remove drops the room; removing an unknown room changes nothing', () => {
    const list = normalizeRoomList({ mine: [room('a', 'A', { isMember: true }), room('b', 'B', { isMember: true })] });
    expect(removeRoom(removeRoom(list, 'a'), 'b')).toEqual({ mine: [] });
    expect(removeRoom(list, 'zzz')).toBe(list);
  });

  it('direct rooms are called by the peer and sort by that name', () => {
    const peer = { id: 'p', username: 'zed', displayName: 'Beatrice' };
    const dm = room('d', '', { kind: 'direct', isMember: true, peer });
    expect(roomTitle(dm)).toBe('Beatrice');
    const list = normalizeRoomList({ mine: [room('c', 'Charlie', { isMember: true }), dm, room('a', 'alpha', { isMember: true })] });
    expect(list.mine.map(roomTitle)).toEqual(['alpha', 'Beatrice', 'Charlie']);
  });

  it('room:activity is a position, not a count: a re-broadcast message is not unread twice', () => {
    let list = normalizeRoomList({ mine: [room('a', 'A', { isMember: true, lastSeq: 3, lastReadSeq: 3 })] });
    list = advanceRoom(list, 'a', { lastSeq: 4 });
    expect(advanceRoom(list, 'a', { lastSeq: 4 })).toBe(list); // the same message again (a retried send)
    expect(unreadCount(list.mine[0]!)).toBe(1);
  });

  it('unread positions only move forward: events, answers and refetches', () => {
    let list = normalizeRoomList({ mine: [room('a', 'A', { isMember: true, lastSeq: 3, lastReadSeq: 1 })] });
    list = advanceRoom(list, 'a', { lastSeq: 5 });
    expect(list.mine[0]).toMatchObject({ lastSeq: 5, lastReadSeq: 1 });
    expect(advanceRoom(list, 'a', { lastSeq: 4 })).toBe(list);
    list = advanceRoom(list, 'a', { lastReadSeq: 6 }); // read past what we knew existed
    expect(list.mine[0]).toMatchObject({ lastSeq: 6, lastReadSeq: 6 });
    expect(advanceRoom(list, 'zzz', { lastSeq: 9 })).toBe(list);
    // An older answer (room:ready, a refetch) does not move them back.
    list = upsertRoom(list, room('a', 'A', { isMember: true, lastSeq: 4, lastReadSeq: 2, memberCount: 7 }));
    expect(list.mine[0]).toMatchObject({ lastSeq: 6, lastReadSeq: 6, memberCount: 7 });
    list = normalizeRoomList({ mine: [room('a', 'A', { isMember: true, lastSeq: 8, lastReadSeq: 2 })] }, new Set(), list);
    expect(list.mine[0]).toMatchObject({ lastSeq: 8, lastReadSeq: 6 });
    // Leaving and coming back starts from the server's answer.
    list = removeRoom(list, 'a');
    list = upsertRoom(list, room('a', 'A', { isMember: true, lastSeq: 8, lastReadSeq: 0 }));
    expect(list.mine[0]).toMatchObject({ lastSeq: 8, lastReadSeq: 0 });
  });

  it('a room already listed keeps my settings unless the answer is to changing them', () => {
    let list = normalizeRoomList({ mine: [room('a', 'A', { isMember: true, notify: 'all', roomMentions: 'owner' })] });
    list = upsertRoom(list, room('a', 'A', { isMember: true, notify: 'mentions', roomMentions: 'anyone', memberCount: 4 }));
    expect(list.mine[0]).toMatchObject({ notify: 'all', roomMentions: 'owner', memberCount: 4 });
    list = upsertRoom(list, room('a', 'A', { isMember: true, notify: 'none', roomMentions: 'anyone' }), { settings: 'take' });
    expect(list.mine[0]).toMatchObject({ notify: 'none', roomMentions: 'anyone' });
    list = normalizeRoomList({ mine: [room('a', 'A', { isMember: true, notify: 'mentions' })] }, new Set(), list); // a refetch
    expect(list.mine[0]!.notify).toBe('mentions');
  });
});

describe('sidebar filter and order', () => {
  const peer = (displayName: string, username: string) => ({ id: `u-${username}`, username, displayName, avatarUrl: null }) as unknown as RoomSummary['peer'];
  const general = room('g', 'General', { isMember: true });
  const cafe = room('c', 'Café talk', { isMember: true });
  const zoe = room('d', 'ignored', { isMember: true, kind: 'direct', peer: peer('Zoë Ångström', 'zoe') });

  it('folds accents and case', () => {
    expect(foldForMatch('Zoë ÅNGSTRÖM')).toBe('zoe angstrom');
  });

  it('matches every word, accents and case ignored, conversations by name or username', () => {
    const all = [general, cafe, zoe];
    expect(filterRooms(all, '').map((r) => r.id)).toEqual(['g', 'c', 'd']);
    expect(filterRooms(all, 'CAFE').map((r) => r.id)).toEqual(['c']);
    expect(filterRooms(all, 'angs zo').map((r) => r.id)).toEqual(['d']);
    expect(filterRooms(all, 'zoe').map((r) => r.id)).toEqual(['d']);
    expect(filterRooms(all, 'nothing')).toEqual([]);
  });

  it('orders rooms before conversations', () => {
    expect(sidebarOrder([zoe, general, cafe]).map((r) => r.id)).toEqual(['g', 'c', 'd']);
  });

  it('steps to the next or previous room, wrapping, skipping what is not eligible', () => {
    const order = [{ id: 'a' }, { id: 'b' }, { id: 'c' }, { id: 'd' }];
    expect(adjacentRoomId(order, 'b', 1)).toBe('c');
    expect(adjacentRoomId(order, 'b', -1)).toBe('a');
    expect(adjacentRoomId(order, 'd', 1)).toBe('a');
    expect(adjacentRoomId(order, 'a', -1)).toBe('d');
    expect(adjacentRoomId(order, undefined, 1)).toBe('a');
    expect(adjacentRoomId(order, undefined, -1)).toBe('d');
    expect(adjacentRoomId(order, 'a', 1, (r) => r.id === 'd')).toBe('d');
    expect(adjacentRoomId(order, 'a', -1, (r) => r.id === 'c')).toBe('c');
    expect(adjacentRoomId(order, 'a', 1, (r) => r.id === 'a')).toBeNull();
    expect(adjacentRoomId([], undefined, 1)).toBeNull();
  });
});
