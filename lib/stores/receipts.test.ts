import { describe, expect, it } from 'vitest';
import type { RoomMember } from '../schemas/room';
import { mergeReceipt, mergeReceipts, readersByMessage, seenByLabel, tickState } from './receipts';

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

  const read = (entries: Record<string, number>) =>
    mergeReceipts(
      {},
      Object.entries(entries).map(([userId, lastReadSeq]) => ({ userId, lastReadSeq, lastDeliveredSeq: lastReadSeq })),
    );
  const names = (placed: Map<number, { displayName: string }[]>) =>
    Object.fromEntries([...placed].map(([seq, users]) => [seq, users.map((u) => u.displayName)]));

  it('readers: each on the newest loaded message at or before their position, exactly once; me and non-members left out', () => {
    // Loaded: 2, 3, 5, 8 (6 and 7 are not in the list: thread replies, or not loaded).
    const receipts = read({ me: 9, b: 5, a: 5, c: 7, gone: 9 });
    const placed = readersByMessage(receipts, members, [2, 3, 5, 8], 'me');
    expect(names(placed)).toEqual({ 5: ['Alice', 'Bob', 'Carol'] });
    const all = [...placed.values()].flat().map((u) => u.id);
    expect(all.sort()).toEqual(['a', 'b', 'c']);
  });

  it('readers: at the newest message when caught up; moving on moves them', () => {
    const before = readersByMessage(read({ a: 3, b: 8 }), members, [2, 3, 5, 8], 'me');
    expect(names(before)).toEqual({ 3: ['Alice'], 8: ['Bob'] });
    const after = readersByMessage(read({ a: 8, b: 8 }), members, [2, 3, 5, 8], 'me');
    expect(names(after)).toEqual({ 8: ['Alice', 'Bob'] });
  });

  it('readers: behind everything loaded, or past it while newer messages are not loaded, are not shown', () => {
    const receipts = read({ a: 1, b: 12, c: 4 });
    expect(names(readersByMessage(receipts, members, [2, 3, 5, 8], 'me'))).toEqual({ 3: ['Carol'], 8: ['Bob'] });
    expect(names(readersByMessage(receipts, members, [2, 3, 5, 8], 'me', { hasNewer: true }))).toEqual({ 3: ['Carol'] });
    expect(readersByMessage(receipts, members, [], 'me').size).toBe(0);
    // No receipt yet: position 0, older than everything.
    expect(names(readersByMessage({}, members, [1, 2], 'me'))).toEqual({});
  });

  it('seen-by label: names, then "and N others"', () => {
    expect(seenByLabel(['Alice'])).toBe('Seen by Alice');
    expect(seenByLabel(['Alice', 'Bob'])).toBe('Seen by Alice and Bob');
    expect(seenByLabel(['Alice', 'Bob', 'Carol'])).toBe('Seen by Alice, Bob and Carol');
    expect(seenByLabel(['Alice', 'Bob', 'Carol', 'Dan'])).toBe('Seen by Alice, Bob and 2 others');
    expect(seenByLabel(['Alice', 'Bob', 'Carol', 'Dan', 'Eve'])).toBe('Seen by Alice, Bob and 3 others');
  });

  it('ticks: sent, delivered, read', () => {
    expect(tickState(undefined, 3)).toBe('sent');
    expect(tickState({ userId: 'b', lastReadSeq: 1, lastDeliveredSeq: 2 }, 3)).toBe('sent');
    expect(tickState({ userId: 'b', lastReadSeq: 1, lastDeliveredSeq: 3 }, 3)).toBe('delivered');
    expect(tickState({ userId: 'b', lastReadSeq: 4, lastDeliveredSeq: 4 }, 3)).toBe('read');
  });
});
