import { describe, expect, it } from 'vitest';
import { jumpTarget, roomIdFromPath } from './room-links';

describe('room links', () => {
  it('names the room of a room page only', () => {
    expect(roomIdFromPath('/rooms/VoJdIjl6lM')).toBe('VoJdIjl6lM');
    expect(roomIdFromPath('/rooms/VoJdIjl6lM/')).toBe('VoJdIjl6lM');
    expect(roomIdFromPath('/rooms')).toBeUndefined();
    expect(roomIdFromPath('/rooms/')).toBeUndefined();
    expect(roomIdFromPath('/rooms/VoJdIjl6lM/files')).toBeUndefined();
    expect(roomIdFromPath('/settings')).toBeUndefined();
  });

  it('opens at `seq`, else the older `m`, and ignores anything that is not a seq', () => {
    const from = (query: Record<string, string | string[]>) => jumpTarget((name) => query[name]);
    expect(from({ seq: '42' })).toBe(42);
    expect(from({ m: '7' })).toBe(7);
    expect(from({ seq: '42', m: '7' })).toBe(42);
    expect(from({ seq: 'x', m: '7' })).toBe(7);
    expect(from({})).toBeUndefined();
    for (const bad of ['0', '-1', '01', '1.5', ' 1', '2147483648', '99999999999', '']) expect(from({ seq: bad })).toBeUndefined();
    expect(from({ seq: '2147483647' })).toBe(2_147_483_647);
    expect(from({ seq: ['3', '4'] })).toBeUndefined();
  });
});
