/**
 * Group commit: callers queue one write each and await its own outcome; a single writer stores whatever
 * queued meanwhile in one statement, one batch at a time. A commit costs PostgreSQL about as much for a
 * few hundred rows as for one (the WAL flush dominates), and one writer holds one pooled connection
 * instead of one per caller — so a burst of small writes neither floods the pool nor waits on a queue
 * of flushes. Used by the message writer (messages.ts) and the read/delivery positions (receipts.ts).
 */

export interface PendingWrite<Input, Output> {
  input: Input;
  resolve(result: Output): void;
  reject(error: unknown): void;
}

export interface GroupCommitOptions<Input, Output> {
  /** Items per batch: big enough to absorb a burst, small enough to keep one statement short. */
  maxBatch: number;
  /** Under load, a batch starts at most every `windowMs`; a lone write never waits. */
  windowMs: number;
  /** Stores the batch and settles every item in it; a rejection rejects the items not yet settled. */
  writeBatch(batch: PendingWrite<Input, Output>[]): Promise<void>;
}

export function createGroupCommit<Input, Output>(options: GroupCommitOptions<Input, Output>): { write(input: Input): Promise<Output> } {
  let queue: PendingWrite<Input, Output>[] = [];
  let writing = false;

  async function drain(): Promise<void> {
    writing = true;
    let lastStart = -Infinity;
    while (queue.length > 0) {
      const wait = lastStart + options.windowMs - performance.now();
      if (wait > 0 && queue.length < options.maxBatch) await new Promise((r) => setTimeout(r, wait));
      lastStart = performance.now();
      const batch = queue.slice(0, options.maxBatch);
      queue = queue.slice(batch.length);
      // Whatever goes wrong, its callers hear of it and the writer goes on (a stuck writer loses every write).
      // Settling twice is a no-op for a promise, so rejecting the whole batch after a partial success is safe.
      await options.writeBatch(batch).catch((error: unknown) => batch.forEach((pending) => pending.reject(error)));
    }
    writing = false;
  }

  return {
    write(input: Input): Promise<Output> {
      return new Promise((resolve, reject) => {
        queue.push({ input, resolve, reject });
        // setImmediate: writes read from sockets in the same turn of the event loop share the batch.
        if (!writing && queue.length === 1) setImmediate(() => void drain());
      });
    },
  };
}
