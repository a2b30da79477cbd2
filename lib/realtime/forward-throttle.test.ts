import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createForwardThrottle } from './forward-throttle';

describe('forward throttle', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('sends the first value at once, then the highest waiting once per interval, per key', () => {
    const sent: [string, number][] = [];
    const t = createForwardThrottle((key, value) => sent.push([key, value]), 1_000);
    t.push('a', 3);
    t.push('b', 1);
    t.push('a', 4);
    t.push('a', 6);
    t.push('a', 5);
    expect(sent).toEqual([
      ['a', 3],
      ['b', 1],
    ]);
    vi.advanceTimersByTime(1_000);
    expect(sent).toEqual([
      ['a', 3],
      ['b', 1],
      ['a', 6],
    ]);
    t.push('a', 6); // not forward
    t.push('a', 2);
    vi.advanceTimersByTime(5_000);
    expect(sent).toHaveLength(3);
    t.push('a', 7); // interval over: at once
    expect(sent.at(-1)).toEqual(['a', 7]);
  });

  it('spreads a first report over the given delay, and still sends only the highest waiting', () => {
    const sent: [string, number][] = [];
    const t = createForwardThrottle((key, value) => sent.push([key, value]), 1_000, () => 300);
    t.push('a', 1);
    t.push('a', 2);
    expect(sent).toEqual([]);
    vi.advanceTimersByTime(299);
    expect(sent).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(sent).toEqual([['a', 2]]);
    t.push('a', 3); // within the interval: at its end, not sooner
    vi.advanceTimersByTime(999);
    expect(sent).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(sent.at(-1)).toEqual(['a', 3]);
  });

  it('reset forgets what was sent', () => {
    const sent: number[] = [];
    const t = createForwardThrottle((_, value) => sent.push(value), 1_000);
    t.push('a', 3);
    t.reset();
    t.push('a', 3);
    expect(sent).toEqual([3, 3]);
    t.dispose();
  });
});
