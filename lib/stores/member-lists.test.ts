import { describe, expect, it } from 'vitest';
import type { RoomMember } from '../schemas/room';
import { createMemberLists } from './member-lists';

const member = (id: string): RoomMember => ({ user: { id, username: id, displayName: id, avatar: null }, role: 'member', joinedAt: '2026-12-01T00:00:00.000Z', mutedUntil: null });

describe('member lists a tab holds', () => {
  it('keeps the latest list of each room, with its version', () => {
    const lists = createMemberLists(3);
    lists.remember('a', { rev: 1, members: [member('x')] });
    lists.remember('a', { rev: 2, members: [member('x'), member('y')] });
    expect(lists.get('a')).toEqual({ rev: 2, members: [member('x'), member('y')] });
    expect(lists.get('b')).toBeUndefined();
  });

  it('forgets the room opened longest ago beyond its capacity, counting a list sent again as recent', () => {
    const lists = createMemberLists(2);
    lists.remember('a', { rev: 1, members: [] });
    lists.remember('b', { rev: 1, members: [] });
    lists.remember('a', { rev: 1, members: [] }); // a is the most recent again
    lists.remember('c', { rev: 1, members: [] });
    expect(lists.get('a')).toBeDefined();
    expect(lists.get('b')).toBeUndefined();
    expect(lists.get('c')).toBeDefined();
  });

  it('forgets a room on request', () => {
    const lists = createMemberLists();
    lists.remember('a', { rev: 4, members: [] });
    lists.forget('a');
    expect(lists.get('a')).toBeUndefined();
  });
});
