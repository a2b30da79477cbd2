import { describe, expect, it } from 'vitest';
import { dayKey, dayLabel, firstUnreadSeq, prependShift, timelineRows } from './timeline-rows';
import type { TimelineItem } from './timeline';
import type { ChatMessage } from '../schemas/message';

// Local times on purpose: the labels follow the reader's time zone.
const now = new Date(2026, 10, 30, 10, 0); // Monday 30 November 2026, 10:00 local

describe('dayLabel', () => {
  it('says Today and Yesterday by calendar day, not by 24 h spans', () => {
    expect(dayLabel(new Date(2026, 10, 30, 0, 1), now)).toBe('Today');
    expect(dayLabel(new Date(2026, 10, 29, 23, 59), now)).toBe('Yesterday');
    expect(dayLabel(new Date(2026, 10, 29, 0, 0), new Date(2026, 10, 30, 23, 59))).toBe('Yesterday');
  });
  it('names weekday, day and month this year, and adds the year otherwise', () => {
    expect(dayLabel(new Date(2026, 10, 28, 12), now)).toBe('Saturday 28 November');
    expect(dayLabel(new Date(2026, 0, 5, 12), now)).toBe('Monday 5 January');
    expect(dayLabel(new Date(2025, 10, 28, 12), now)).toBe('Friday 28 November 2025');
  });
  it('keys days in local time', () => {
    expect(dayKey(new Date(2026, 0, 2, 23, 30))).toBe('2026-01-02');
  });
});

function message(seq: number, at: Date, author = 'u2'): TimelineItem {
  const m = { seq, createdAt: at.toISOString(), author: { id: author } } as unknown as ChatMessage;
  return { type: 'message', key: `seq-${seq}`, message: m };
}

describe('timelineRows', () => {
  const items = [message(1, new Date(2026, 10, 28, 9)), message(2, new Date(2026, 10, 28, 18)), message(3, new Date(2026, 10, 30, 8)), message(4, new Date(2026, 10, 30, 9))];
  it('puts a separator before each local day and the divider before the first unread', () => {
    const rows = timelineRows(items, 3, now);
    expect(rows.map((r) => r.key)).toEqual(['day-2026-11-28', 'seq-1', 'seq-2', 'day-2026-11-30', 'unread-divider', 'seq-3', 'seq-4']);
    expect(rows[3]).toMatchObject({ type: 'day', label: 'Today' });
  });
  it('has no divider when nothing was unread', () => {
    expect(timelineRows(items, null, now).some((r) => r.type === 'unread')).toBe(false);
  });
});

describe('firstUnreadSeq', () => {
  const msgs = [
    { seq: 5, author: { id: 'me' } },
    { seq: 6, author: { id: 'me' } },
    { seq: 7, author: { id: 'u2' } },
  ];
  it('is the first message after my read position that someone else wrote', () => {
    expect(firstUnreadSeq(msgs, 4, 7, 'me')).toBe(7);
  });
  it('is null when all is read', () => {
    expect(firstUnreadSeq(msgs, 7, 7, 'me')).toBeNull();
    expect(firstUnreadSeq([], null, null, 'me')).toBeNull();
  });
  it('is just past the read position when that is not held yet', () => {
    expect(firstUnreadSeq(msgs, 1, 7, 'me')).toBe(2);
  });
});

describe('prependShift', () => {
  it('measures how far the first held message moved', () => {
    const before = [{ key: 'day-a' }, { key: 'seq-5' }, { key: 'seq-6' }];
    const after = [{ key: 'day-a' }, { key: 'seq-3' }, { key: 'seq-4' }, { key: 'seq-5' }, { key: 'seq-6' }];
    expect(prependShift(before, after)).toBe(2);
    expect(prependShift(before, [{ key: 'seq-9' }])).toBeNull();
  });
});
