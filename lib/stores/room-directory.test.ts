import { describe, expect, it } from 'vitest';
import { roomSummary } from '../testing/room-fixtures';
import { appendDirectoryPage, withoutJoined } from './room-directory';

const room = (id: string) => roomSummary(id);

describe('room directory pages', () => {
  it('appends the next page in order, keeping the first copy of a room that comes twice', () => {
    const shown = [room('a'), room('b')];
    const next = appendDirectoryPage(shown, [{ ...room('b'), memberCount: 9 }, room('c')]);
    expect(next.map((r) => r.id)).toEqual(['a', 'b', 'c']);
    expect(next[1]!.memberCount).toBe(1);
    expect(appendDirectoryPage([], [room('x')]).map((r) => r.id)).toEqual(['x']);
  });

  it('hides rooms I have joined since', () => {
    expect(withoutJoined([room('a'), room('b'), room('c')], [{ id: 'b' }]).map((r) => r.id)).toEqual(['a', 'c']);
    expect(withoutJoined([room('a')], [])).toEqual([room('a')]);
  });
});
