import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Receipt } from '../schemas/room';
import { createReceiptFanout } from './receipts-fanout';

const r = (userId: string, lastReadSeq: number, lastDeliveredSeq: number): Receipt => ({ userId, lastReadSeq, lastDeliveredSeq });

describe('receipts fan-out', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  function setup() {
    const sent: [string, Receipt[]][] = [];
    const fanout = createReceiptFanout({ intervalMs: 500, emit: (roomId, receipts) => sent.push([roomId, receipts]) });
    return { sent, fanout };
  }

  it('sends a quiet room’s first move at once, then gathers the rest of the interval into one batch', () => {
    const { sent, fanout } = setup();
    fanout.add('a', r('u1', 0, 3));
    expect(sent).toEqual([['a', [r('u1', 0, 3)]]]);

    fanout.add('a', r('u2', 0, 3));
    fanout.add('a', r('u1', 2, 4));
    fanout.add('a', r('u1', 1, 4)); // older read position (another instance's, say): never lowers
    fanout.add('b', r('u3', 5, 5)); // another room is not held back by this one
    expect(sent).toEqual([['a', [r('u1', 0, 3)]], ['b', [r('u3', 5, 5)]]]);

    vi.advanceTimersByTime(499);
    expect(sent).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(sent[2]).toEqual(['a', [r('u2', 0, 3), r('u1', 2, 4)]]);
  });

  it('keeps batching while moves keep coming, and is immediate again after a quiet interval', () => {
    const { sent, fanout } = setup();
    fanout.add('a', r('u1', 0, 1));
    vi.advanceTimersByTime(400);
    fanout.add('a', r('u1', 0, 2));
    vi.advanceTimersByTime(100); // first batch
    fanout.add('a', r('u1', 0, 3));
    expect(sent.map(([, rs]) => rs.map((x) => x.lastDeliveredSeq))).toEqual([[1], [2]]);
    vi.advanceTimersByTime(500); // second batch
    expect(sent.map(([, rs]) => rs.map((x) => x.lastDeliveredSeq))).toEqual([[1], [2], [3]]);
    vi.advanceTimersByTime(500); // nothing gathered: the room goes quiet
    expect(sent).toHaveLength(3);
    fanout.add('a', r('u1', 0, 4));
    expect(sent).toHaveLength(4);
  });
});

describe('receipts fan-out when the server closes', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('drops what is gathering and sends nothing more', () => {
    const sent: string[] = [];
    const fanout = createReceiptFanout({ intervalMs: 500, emit: (roomId) => sent.push(roomId) });
    fanout.add('a', r('u1', 0, 1));
    fanout.add('a', r('u2', 0, 1)); // gathering
    fanout.close();
    vi.advanceTimersByTime(2_000);
    expect(sent).toEqual(['a']);
  });
});
