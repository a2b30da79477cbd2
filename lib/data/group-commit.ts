/**
 * Group commit: callers queue one write each and await its own outcome; a writer stores whatever queued
 * meanwhile in one statement, one batch at a time (or a few: `concurrency`). A commit costs PostgreSQL
 * about as much for a few hundred rows as for one (the WAL flush dominates), and the writer holds a
 * pooled connection per batch in flight instead of one per caller — so a burst of small writes neither
 * floods the pool nor waits on a queue of flushes. Used by the message writer (messages.ts) and the
 * read/delivery positions (receipts.ts).
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
  /**
   * Batches in flight at once (default 1). More than one lets writes go on while a batch waits on something
   * only its own rows need: another transaction's lock on one room, say.
   */
  concurrency?: number;
  /**
   * With concurrency: the lane of a write (a room, say). A lane's writes are stored in the order they were
   * made, and never by two batches at once — a batch takes no write of a lane that is being written.
   */
  lane?: (input: Input) => string;
  /** Stores the batch and settles every item in it; a rejection rejects the items not yet settled. */
  writeBatch(batch: PendingWrite<Input, Output>[]): Promise<void>;
}

export function createGroupCommit<Input, Output>(options: GroupCommitOptions<Input, Output>): { write(input: Input): Promise<Output> } {
  const concurrency = options.concurrency ?? 1;
  const { lane } = options;
  let queue: PendingWrite<Input, Output>[] = [];
  let inFlight = 0;
  const busyLanes = new Set<string>(); // a lane is in at most one batch at a time (takeBatch)
  let lastStart = -Infinity;
  let windowTimer: ReturnType<typeof setTimeout> | undefined;
  let pumpScheduled = false;

  /** The next batch: the oldest writes whose lane is not being written, in order, up to maxBatch. */
  function takeBatch(): PendingWrite<Input, Output>[] {
    if (!lane) {
      const batch = queue.slice(0, options.maxBatch);
      queue = queue.slice(batch.length);
      return batch;
    }
    const batch: PendingWrite<Input, Output>[] = [];
    const rest: PendingWrite<Input, Output>[] = [];
    for (const pending of queue) {
      if (batch.length < options.maxBatch && !busyLanes.has(lane(pending.input))) batch.push(pending);
      else rest.push(pending);
    }
    queue = rest;
    return batch;
  }

  /** Starts batches while there is something to write, a free slot, and the window since the last start has passed. */
  function pump(): void {
    while (queue.length > 0 && inFlight < concurrency) {
      const wait = lastStart + options.windowMs - performance.now();
      if (wait > 0 && queue.length < options.maxBatch) {
        windowTimer ??= setTimeout(() => {
          windowTimer = undefined;
          pump();
        }, wait);
        return;
      }
      const batch = takeBatch();
      if (batch.length === 0) return; // every queued write's lane is being written: the first batch to end pumps again
      lastStart = performance.now();
      inFlight += 1;
      const lanes = lane ? [...new Set(batch.map((pending) => lane(pending.input)))] : [];
      for (const key of lanes) busyLanes.add(key);
      // Whatever goes wrong, its callers hear of it and the writer goes on (a stuck writer loses every write).
      // Settling twice is a no-op for a promise, so rejecting the whole batch after a partial success is safe.
      void options
        .writeBatch(batch)
        .catch((error: unknown) => batch.forEach((pending) => pending.reject(error)))
        .finally(() => {
          inFlight -= 1;
          for (const key of lanes) busyLanes.delete(key);
          pump();
        });
    }
  }

  return {
    write(input: Input): Promise<Output> {
      return new Promise((resolve, reject) => {
        queue.push({ input, resolve, reject });
        // setImmediate: writes read from sockets in the same turn of the event loop share the batch. Every
        // turn with a write pumps, not only the first write into an empty queue: the queue may hold only
        // writes of a lane that is being written, and this one may be free to go.
        if (!pumpScheduled) {
          pumpScheduled = true;
          setImmediate(() => {
            pumpScheduled = false;
            pump();
          });
        }
      });
    },
  };
}
