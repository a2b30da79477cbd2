import { describe, expect, it } from 'vitest';
import type { RoomMember } from '../schemas/room';
import { mergeReceipt, mergeReceipts, seenBy, tickState } from './receipts';

const member = (id: string, displayName: string): RoomMember => ({ user: { id, username: id, displayName }, role: 'member', joinedAt: '', mutedUntil: null });
const members = [member('me', 'Me'), member('b', 'Bob'), member('a', 'Alice'), member('c', 'Carol')];

describe('receipts', () => {
  it('only move forward; read implies delivered', () => {
    let r = mergeReceipts({}, [{ userId: 'a', lastReadSeq: 3, lastDeliveredSeq: 5 }]);
    r = mergeReceipt(r, { userId: 'a', lastReadSeq: 2, lastDeliveredSeq: 4 });
    expect(r.a).toEqual({ userId: 'a', lastReadSeq: 3, lastDeliveredSeq: 5 });
    const same = mergeReceipt(r, { userId: 'a', lastReadSeq: 3, lastDeliveredSeq: 5 });
    expect(same).toBe(r);
    r = mergeReceipt(r, { userId: 'a', lastReadSeq: 7, lastDeliveredSeq: 0 });
    expect(r.a).toEqual({ userId: 'a', lastReadSeq: 7, lastDeliveredSeq: 7 });
  });

  it('seen by: other members who read up to the seq, by name', () => {
    const receipts = mergeReceipts({}, [
      { userId: 'me', lastReadSeq: 9, lastDeliveredSeq: 9 },
      { userId: 'b', lastReadSeq: 5, lastDeliveredSeq: 5 },
      { userId: 'a', lastReadSeq: 4, lastDeliveredSeq: 6 },
      { userId: 'gone', lastReadSeq: 9, lastDeliveredSeq: 9 },
    ]);
    expect(seenBy(receipts, members, 4, 'me').map((u) => u.displayName)).toEqual(['Alice', 'Bob']);
    expect(seenBy(receipts, members, 5, 'me').map((u) => u.displayName)).toEqual(['Bob']);
    expect(seenBy(receipts, members, 6, 'me')).toEqual([]);
  });

  it('ticks: sent, delivered, read', () => {
    expect(tickState(undefined, 3)).toBe('sent');
    expect(tickState({ userId: 'b', lastReadSeq: 1, lastDeliveredSeq: 2 }, 3)).toBe('sent');
    expect(tickState({ userId: 'b', lastReadSeq: 1, lastDeliveredSeq: 3 }, 3)).toBe('delivered');
    expect(tickState({ userId: 'b', lastReadSeq: 4, lastDeliveredSeq: 4 }, 3)).toBe('read');
  });
});
