/**
 * The group-commit writer on its own (no database): which writes share a batch, how many batches run at once,
 * and that a lane's writes are never overtaken.
 */
import { describe, expect, it } from 'vitest';
import { createGroupCommit, type PendingWrite } from './group-commit';

interface Write {
  lane: string;
  n: number;
}

/** A writer whose batches end only when the test says so; `batches` records each batch's writes as started. */
function controlledWriter(options: { concurrency?: number; lanes?: boolean; maxBatch?: number }) {
  const batches: Write[][] = [];
  const finishers: (() => void)[] = [];
  const started: (() => void)[] = [];
  const writer = createGroupCommit<Write, number>({
    maxBatch: options.maxBatch ?? 100,
    windowMs: 0,
    concurrency: options.concurrency,
    lane: options.lanes ? (input) => input.lane : undefined,
    writeBatch: (batch: PendingWrite<Write, number>[]) => {
      batches.push(batch.map((p) => p.input));
      started.splice(0).forEach((wake) => wake());
      return new Promise<void>((resolve) => {
        finishers.push(() => {
          batch.forEach((p) => p.resolve(p.input.n));
          resolve();
        });
      });
    },
  });
  return {
    write: (lane: string, n: number) => writer.write({ lane, n }),
    batches,
    /** Resolves once `count` batches have started. */
    async started(count: number): Promise<void> {
      while (batches.length < count) await new Promise<void>((wake) => started.push(wake));
    },
    finish(index: number) {
      finishers[index]!();
    },
  };
}

/** Lets the writer run every turn it has pending (a write's pump is a setImmediate away; a batch's end, a microtask). */
async function writerTurns(): Promise<void> {
  await new Promise((r) => setImmediate(r));
  await new Promise((r) => setImmediate(r));
}

describe('createGroupCommit', () => {
  it('puts writes made in one turn of the event loop into one batch', async () => {
    const w = controlledWriter({});
    const all = Promise.all([w.write('a', 1), w.write('b', 2), w.write('a', 3)]);
    await w.started(1);
    w.finish(0);
    expect(await all).toEqual([1, 2, 3]);
    expect(w.batches).toEqual([[{ lane: 'a', n: 1 }, { lane: 'b', n: 2 }, { lane: 'a', n: 3 }]]);
  });

  it('with one batch at a time, a stuck batch holds every later write', async () => {
    const w = controlledWriter({});
    const first = w.write('a', 1);
    await w.started(1);
    const second = w.write('b', 2);
    let secondDone = false;
    void second.then(() => (secondDone = true));
    await writerTurns(); // with one slot, nothing may start
    expect(w.batches).toHaveLength(1);
    expect(secondDone).toBe(false);
    w.finish(0);
    await w.started(2);
    w.finish(1);
    expect([await first, await second]).toEqual([1, 2]);
  });

  it('with lanes, a stuck batch holds only its own lanes: other lanes go ahead, and its lane keeps its order', async () => {
    const w = controlledWriter({ concurrency: 4, lanes: true });
    const a1 = w.write('a', 1);
    await w.started(1);
    // 'a' is being written: a2 must wait for it, b1 must not.
    const a2 = w.write('a', 2);
    const b1 = w.write('b', 3);
    await w.started(2);
    expect(w.batches[1]).toEqual([{ lane: 'b', n: 3 }]);
    w.finish(1);
    expect(await b1).toBe(3);
    expect(w.batches).toHaveLength(2); // a2 still waits behind a1
    w.finish(0);
    await w.started(3);
    expect(w.batches[2]).toEqual([{ lane: 'a', n: 2 }]);
    w.finish(2);
    expect([await a1, await a2]).toEqual([1, 2]);
  });

  it('starts a free lane’s write made in a later turn, while the queue holds only a stuck lane’s', async () => {
    const w = controlledWriter({ concurrency: 4, lanes: true });
    const a1 = w.write('a', 1);
    await w.started(1);
    const a2 = w.write('a', 2); // queued behind a1, in its own turn
    await writerTurns();
    const b1 = w.write('b', 3);
    await w.started(2);
    expect(w.batches[1]).toEqual([{ lane: 'b', n: 3 }]);
    w.finish(1);
    w.finish(0);
    await w.started(3);
    w.finish(2);
    expect(await Promise.all([a1, a2, b1])).toEqual([1, 2, 3]);
  });

  it('never runs more batches than its concurrency', async () => {
    const w = controlledWriter({ concurrency: 2, lanes: true });
    const writes = [w.write('a', 1)];
    await w.started(1);
    writes.push(w.write('b', 2));
    await w.started(2);
    writes.push(w.write('c', 3));
    await writerTurns();
    expect(w.batches).toHaveLength(2);
    w.finish(0);
    await w.started(3);
    expect(w.batches[2]).toEqual([{ lane: 'c', n: 3 }]);
    w.finish(1);
    w.finish(2);
    expect(await Promise.all(writes)).toEqual([1, 2, 3]);
  });

  it('rejects the writes of a batch that fails, and goes on with the next', async () => {
    let calls = 0;
    const writer = createGroupCommit<number, number>({
      maxBatch: 10,
      windowMs: 0,
      writeBatch: async (batch) => {
        calls += 1;
        if (calls === 1) throw new Error('database gone');
        batch.forEach((p) => p.resolve(p.input * 10));
      },
    });
    await expect(writer.write(1)).rejects.toThrow('database gone');
    expect(await writer.write(2)).toBe(20);
  });
});
