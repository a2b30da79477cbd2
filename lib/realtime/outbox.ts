/**
 * The room bus's way out to the other instances. Items go out in the order they were pushed, those of
 * one turn of the event loop together (split to fit one NOTIFY), one publish in flight at a time, so a
 * peer applies them in the order they happened here.
 *
 * A publish that fails (PostgreSQL restarting, a pooled connection that died with it) is retried, in
 * order, with backoff, until it goes out: what happens in a room must reach every instance. Retrying is
 * bounded. Once a publish has failed, volatile items (typing) are dropped: late, they would be wrong. A
 * backlog older than `maxAgeMs`, or larger than `maxItems`/`maxBytes`, is dropped as a whole, and the
 * peers are told to resync from the database instead (`sendResync`, retried the same way, before
 * anything newer), so nothing is ever dropped without them knowing.
 */
import type { Logger } from '../logger';

export interface OutboxLimits {
  /** Oldest unpublished item kept; an older backlog is dropped for a resync. */
  maxAgeMs: number;
  maxItems: number;
  maxBytes: number;
}

export const DEFAULT_OUTBOX_LIMITS: OutboxLimits = { maxAgeMs: 60_000, maxItems: 10_000, maxBytes: 8 * 1024 * 1024 };

const RETRY_MIN_MS = 100;
const RETRY_MAX_MS = 2_000;

export interface Outbox<T> {
  push(item: T): void;
  /** Items not yet published (tests, metrics). */
  pending(): number;
}

interface Entry<T> {
  item: T;
  bytes: number;
  queuedAt: number;
}

export function createOutbox<T>(deps: {
  /** Publishes a batch; rejects if it did not go out. */
  send(items: T[]): Promise<void>;
  /** Tells the peers to resync from the database; rejects if it did not go out. */
  sendResync(): Promise<void>;
  isVolatile(item: T): boolean;
  /** JSON bytes per publish (at least one item per publish, whatever its size). */
  chunkBytes: number;
  limits?: Partial<OutboxLimits>;
  log: Logger;
  now?: () => number;
}): Outbox<T> {
  const limits = { ...DEFAULT_OUTBOX_LIMITS, ...deps.limits };
  const now = deps.now ?? Date.now;
  let queue: Entry<T>[] = [];
  let queuedBytes = 0;
  let flushing = false;
  let resyncOwed = false;
  let failures = 0;

  function dropAll(reason: string): void {
    deps.log.error({ reason, dropped: queue.length }, 'room actions could not be published in time; the other instances will resync');
    queue = [];
    queuedBytes = 0;
    resyncOwed = true;
  }

  /** The longest prefix of the queue that fits one publish (at least one item). */
  function nextChunk(): Entry<T>[] {
    let bytes = 0;
    let count = 0;
    while (count < queue.length) {
      bytes += queue[count]!.bytes;
      if (count > 0 && bytes > deps.chunkBytes) break;
      count += 1;
    }
    return queue.slice(0, count);
  }

  async function attempt(work: () => Promise<void>): Promise<boolean> {
    try {
      await work();
      if (failures > 0) deps.log.info({ failures }, 'room actions published again');
      failures = 0;
      return true;
    } catch (error) {
      failures += 1;
      if (failures === 1) deps.log.warn({ err: error }, 'room actions not published to other instances; retrying');
      queue = queue.filter((entry) => !deps.isVolatile(entry.item));
      queuedBytes = queue.reduce((sum, entry) => sum + entry.bytes, 0);
      if (queue.length > 0 && now() - queue[0]!.queuedAt > limits.maxAgeMs) dropAll('too old');
      const delay = Math.min(RETRY_MIN_MS * 2 ** (failures - 1), RETRY_MAX_MS);
      await new Promise((resolve) => setTimeout(resolve, delay).unref?.());
      return false;
    }
  }

  async function flush(): Promise<void> {
    try {
      while (resyncOwed || queue.length > 0) {
        if (resyncOwed) {
          if (await attempt(deps.sendResync)) resyncOwed = false;
          continue;
        }
        const chunk = nextChunk();
        const sent = await attempt(() => deps.send(chunk.map((entry) => entry.item)));
        // Unless the backlog was dropped meanwhile (then the chunk went with it).
        if (sent && queue[0] === chunk[0]) {
          queue = queue.slice(chunk.length);
          queuedBytes -= chunk.reduce((sum, entry) => sum + entry.bytes, 0);
        }
      }
    } finally {
      flushing = false;
    }
  }

  return {
    push(item) {
      const bytes = Buffer.byteLength(JSON.stringify(item)) + 1;
      queue.push({ item, bytes, queuedAt: now() });
      queuedBytes += bytes;
      if (queue.length > limits.maxItems || queuedBytes > limits.maxBytes) dropAll('backlog too large');
      if (flushing) return;
      flushing = true;
      // setImmediate: what this turn of the event loop produces travels together.
      setImmediate(() => void flush());
    },
    pending: () => queue.length,
  };
}
