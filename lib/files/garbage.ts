/**
 * Removes file bytes nobody may read any more. Rows are the truth: deleting an attachment row (a deleted
 * message, room or user, an abandoned or expired upload) queues its objects in storage_garbage by trigger,
 * in the same transaction. This sweeper, running on every instance, claims queued keys with SKIP LOCKED (so
 * instances share the work and never delete twice), removes the objects, then the queue rows: a crash in
 * between only means the object is removed again later (deleting a missing object is fine).
 */
import { readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { deleteExpiredUploads } from '../data/attachments';
import { getDb } from '../db';
import type { Logger } from '../logger';
import type { Storage } from '../storage/storage';

/** An upload still 'uploading' after this long is a crashed or abandoned one. */
const UPLOADING_EXPIRES_MS = 6 * 60 * 60 * 1000;
/** Temporary files of uploads this old belong to a process that died mid-upload. */
const TEMP_FILES_EXPIRE_MS = 6 * 60 * 60 * 1000;
const SWEEP_BATCH = 100;

export interface SweepResult {
  /** Upload rows deleted because no message took them in time (or they never finished). */
  expiredUploads: number;
  /** Objects removed from storage. */
  removedObjects: number;
  /** Objects whose removal failed (left queued for the next sweep). */
  failedObjects: number;
}

/** One full sweep: expire unsent uploads, then empty the garbage queue in batches. */
export async function sweepStorage(options: { storage: Storage; unattachedHours: number; now?: Date; log?: Logger }): Promise<SweepResult> {
  const now = options.now ?? new Date();
  let expiredUploads = 0;
  for (;;) {
    const deleted = await deleteExpiredUploads({
      unsentBefore: new Date(now.getTime() - options.unattachedHours * 3_600_000),
      uploadingBefore: new Date(now.getTime() - Math.max(UPLOADING_EXPIRES_MS, options.unattachedHours * 3_600_000)),
    });
    expiredUploads += deleted;
    if (deleted < 500) break;
  }
  let removedObjects = 0;
  let failedObjects = 0;
  for (;;) {
    const batch = await removeQueuedBatch(options.storage, options.log);
    removedObjects += batch.removed;
    failedObjects += batch.failed;
    if (batch.claimed < SWEEP_BATCH || batch.removed === 0) break;
  }
  return { expiredUploads, removedObjects, failedObjects };
}

async function removeQueuedBatch(storage: Storage, log?: Logger): Promise<{ claimed: number; removed: number; failed: number }> {
  return getDb().$transaction(
    async (tx) => {
      const claimed = await tx.$queryRaw<{ key: string }[]>`
        SELECT key FROM storage_garbage ORDER BY queued_at LIMIT ${SWEEP_BATCH} FOR UPDATE SKIP LOCKED`;
      const outcomes = await Promise.allSettled(claimed.map(({ key }) => storage.delete(key)));
      const removed = claimed.filter((_, i) => outcomes[i]!.status === 'fulfilled').map(({ key }) => key);
      const failures = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
      if (failures.length > 0) log?.warn({ err: failures[0]!.reason, count: failures.length }, 'could not remove some stored files; will retry');
      if (removed.length > 0) await tx.$executeRaw`DELETE FROM storage_garbage WHERE key = ANY (${removed}::text[])`;
      return { claimed: claimed.length, removed: removed.length, failed: failures.length };
    },
    // Removing a hundred objects from a slow S3 can take a while; the claimed rows stay locked meanwhile.
    { timeout: 120_000 },
  );
}

/** Deletes temporary upload files left by a process that died mid-upload. */
export async function removeStaleTempFiles(tempDir: string, now = Date.now()): Promise<number> {
  let removed = 0;
  let entries: string[];
  try {
    entries = await readdir(tempDir);
  } catch {
    return 0; // nothing uploaded yet
  }
  for (const entry of entries) {
    const full = path.join(tempDir, entry);
    try {
      const info = await stat(full);
      if (now - info.mtimeMs > TEMP_FILES_EXPIRE_MS) {
        await rm(full, { recursive: true, force: true });
        removed += 1;
      }
    } catch {
      /* removed meanwhile */
    }
  }
  return removed;
}

const globalForGarbage = globalThis as unknown as { parleyGarbageCollector?: GarbageCollector };

/**
 * Asks this process's collector (if it runs one) to sweep soon: after a message or room delete, so the
 * bytes go within seconds rather than at the next interval. Through globalThis because route handlers run
 * in Next's bundles, apart from server.ts's module instances.
 */
export function pokeGarbageCollector(): void {
  globalForGarbage.parleyGarbageCollector?.poke();
}

export interface GarbageCollector {
  /** Ask for a sweep soon (after a delete), coalescing bursts. */
  poke(): void;
  stop(): Promise<void>;
}

/**
 * Sweeps every `intervalMs` (and soon after a poke) until stopped. Errors are logged, never thrown: a
 * database or storage outage only delays removal.
 */
export function startGarbageCollector(options: {
  storage: Storage;
  unattachedHours: number;
  tempDirs: string[];
  log: Logger;
  intervalMs?: number;
}): GarbageCollector {
  const intervalMs = options.intervalMs ?? 60_000;
  let running: Promise<void> | null = null;
  let stopped = false;
  let soon: NodeJS.Timeout | null = null;

  const sweep = () => {
    if (running || stopped) return;
    running = (async () => {
      try {
        const result = await sweepStorage(options);
        for (const dir of options.tempDirs) await removeStaleTempFiles(dir);
        if (result.expiredUploads + result.removedObjects > 0) options.log.info(result, 'removed files nobody can read any more');
      } catch (error) {
        options.log.warn({ err: error }, 'file garbage collection failed; will retry');
      } finally {
        running = null;
      }
    })();
  };
  const timer = setInterval(sweep, intervalMs);
  timer.unref();
  setImmediate(sweep);

  const collector: GarbageCollector = {
    poke() {
      if (soon || stopped) return;
      soon = setTimeout(() => {
        soon = null;
        sweep();
      }, 1_000);
      soon.unref();
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      if (soon) clearTimeout(soon);
      if (globalForGarbage.parleyGarbageCollector === collector) delete globalForGarbage.parleyGarbageCollector;
      await running;
    },
  };
  globalForGarbage.parleyGarbageCollector = collector;
  return collector;
}
