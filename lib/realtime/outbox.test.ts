import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createOutbox } from './outbox';

interface Item {
  n: number;
  volatile?: boolean;
  pad?: string;
}

/** A peer on the other end: what it received, in order; fails while `down`. */
function peer() {
  const state = { down: false, received: [] as (number | 'resync')[], batches: [] as number[][], calls: 0 };
  const fail = () => {
    state.calls += 1;
    return state.down ? Promise.reject(new Error('Connection terminated')) : undefined;
  };
  return {
    state,
    send: async (items: Item[]) => {
      await fail();
      state.batches.push(items.map((i) => i.n));
      state.received.push(...items.map((i) => i.n));
    },
    sendResync: async () => {
      await fail();
      state.received.push('resync');
    },
  };
}

function outboxTo(p: ReturnType<typeof peer>, limits = {}) {
  return createOutbox<Item>({ ...p, isVolatile: (i) => i.volatile === true, chunkBytes: 200, limits, log: pino({ level: 'silent' }) });
}

describe('room bus outbox', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('sends what one tick produced together, in order, split to fit a publish', async () => {
    const p = peer();
    const outbox = outboxTo(p);
    for (let n = 1; n <= 3; n += 1) outbox.push({ n });
    outbox.push({ n: 4, pad: 'x'.repeat(300) }); // alone over the budget: still goes, on its own
    outbox.push({ n: 5 });
    await vi.advanceTimersByTimeAsync(0);
    expect(p.state.batches).toEqual([[1, 2, 3], [4], [5]]);
    expect(outbox.pending()).toBe(0);
  });

  it('retries a failed publish, in order, until it goes out; volatile items are dropped', async () => {
    const p = peer();
    const outbox = outboxTo(p);
    p.state.down = true;
    outbox.push({ n: 1 });
    outbox.push({ n: 2, volatile: true });
    await vi.advanceTimersByTimeAsync(0);
    outbox.push({ n: 3 });
    outbox.push({ n: 4, volatile: true }); // pushed during the outage: dropped at the next failure
    await vi.advanceTimersByTimeAsync(1_000);
    expect(p.state.calls).toBeGreaterThan(2);
    expect(p.state.received).toEqual([]);
    p.state.down = false;
    outbox.push({ n: 5 });
    await vi.advanceTimersByTimeAsync(5_000);
    expect(p.state.received).toEqual([1, 3, 5]);
    expect(outbox.pending()).toBe(0);
  });

  it('drops a backlog older than its limit and has the peers resync before anything newer', async () => {
    const p = peer();
    const outbox = outboxTo(p, { maxAgeMs: 1_000 });
    p.state.down = true;
    outbox.push({ n: 1 });
    await vi.advanceTimersByTimeAsync(1_500);
    outbox.push({ n: 2 });
    await vi.advanceTimersByTimeAsync(2_000);
    expect(outbox.pending()).toBeLessThanOrEqual(1);
    p.state.down = false;
    await vi.advanceTimersByTimeAsync(5_000);
    expect(p.state.received[0]).toBe('resync');
    expect(p.state.received).not.toContain(1);
    expect(outbox.pending()).toBe(0);
  });

  it('drops a backlog larger than its limits', async () => {
    const p = peer();
    const outbox = outboxTo(p, { maxItems: 3 });
    p.state.down = true;
    for (let n = 1; n <= 4; n += 1) outbox.push({ n });
    expect(outbox.pending()).toBe(0);
    outbox.push({ n: 5 });
    p.state.down = false;
    await vi.advanceTimersByTimeAsync(5_000);
    expect(p.state.received).toEqual(['resync', 5]);
  });
});
