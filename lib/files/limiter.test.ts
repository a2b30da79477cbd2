import { describe, expect, it } from 'vitest';
import { createLimiter } from './limiter';

/** A task that runs until the test lets it finish. */
function gate<T>(value: T): { task: () => Promise<T>; started: Promise<void>; open: () => void; fail: (e: Error) => void } {
  let markStarted!: () => void;
  const started = new Promise<void>((resolve) => (markStarted = resolve));
  let open!: () => void;
  let fail!: (e: Error) => void;
  const done = new Promise<T>((resolve, reject) => {
    open = () => resolve(value);
    fail = reject;
  });
  return {
    task: () => {
      markStarted();
      return done;
    },
    started,
    open,
    fail,
  };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('createLimiter', () => {
  it('runs at most `concurrency` tasks, then the waiting ones in arrival order, and passes results through', async () => {
    const limit = createLimiter(2);
    const gates = Array.from({ length: 5 }, (_, i) => gate(i));
    const order: number[] = [];
    const results = gates.map((g, i) =>
      limit(async () => {
        order.push(i);
        return g.task();
      }),
    );
    await settle();
    expect(order).toEqual([0, 1]);
    gates[1]!.open();
    await gates[2]!.started;
    await settle();
    expect(order).toEqual([0, 1, 2]);
    gates[0]!.open();
    gates[2]!.open();
    await gates[4]!.started;
    expect(order).toEqual([0, 1, 2, 3, 4]);
    gates[3]!.open();
    gates[4]!.open();
    expect(await Promise.all(results)).toEqual([0, 1, 2, 3, 4]);
  });

  it('a failing task frees its slot and its caller gets the error', async () => {
    const limit = createLimiter(1);
    const first = gate('a');
    const failing = limit(first.task);
    const next = limit(async () => 'b');
    first.fail(new Error('boom'));
    await expect(failing).rejects.toThrow('boom');
    expect(await next).toBe('b');
    expect(await limit(async () => 'c')).toBe('c');
  });

  it('refuses a concurrency that is not a positive integer', () => {
    expect(() => createLimiter(0)).toThrow(RangeError);
    expect(() => createLimiter(1.5)).toThrow(RangeError);
  });
});
