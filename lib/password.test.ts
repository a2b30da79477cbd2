import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import bcrypt from 'bcryptjs';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { EnvError, parseEnv } from './env';
import { AppError } from './errors';
import { BCRYPT_COST, closePasswordPool, hashPassword, startPasswordPool, verifyAgainstDummy, verifyPassword } from './password';

afterAll(closePasswordPool);

// A hash is ~100 ms of CPU, several times that on a machine busy with other work: generous timeouts.
const SLOW = { timeout: 60_000 };

describe('password hashing', SLOW, () => {
  it('hashes with bcrypt at cost ≥ 11 and verifies', async () => {
    const hash = await hashPassword('correct horse');
    expect(hash).toMatch(/^\$2[aby]\$\d\d\$/);
    expect(bcrypt.getRounds(hash)).toBe(BCRYPT_COST);
    expect(BCRYPT_COST).toBeGreaterThanOrEqual(11);
    expect(hash).not.toContain('correct horse');
    await expect(verifyPassword('correct horse', hash)).resolves.toBe(true);
    await expect(verifyPassword('correct horsE', hash)).resolves.toBe(false);
  });

  it('salts every hash', async () => {
    expect(await hashPassword('same')).not.toBe(await hashPassword('same'));
  });

  it('the dummy comparison never succeeds', async () => {
    await expect(verifyAgainstDummy('anything')).resolves.toBe(false);
  });

  it('verifies hashes made on the main thread before the pool existed', async () => {
    const legacy = bcrypt.hashSync('stored before', BCRYPT_COST);
    await expect(verifyPassword('stored before', legacy)).resolves.toBe(true);
  });
});

describe('bcrypt reads 72 bytes: nothing longer is ever accepted', SLOW, () => {
  const ascii72 = 'seventy-two bytes exactly, '.repeat(3).slice(0, 72);
  const euro72 = '€'.repeat(24); // 3 bytes each

  it('refuses the 72-byte password plus any suffix', async () => {
    for (const password of [ascii72, euro72]) {
      expect(new TextEncoder().encode(password)).toHaveLength(72);
      const hash = await hashPassword(password);
      await expect(verifyPassword(password, hash)).resolves.toBe(true);
      // bcrypt alone says yes: it compares only the first 72 bytes
      expect(bcrypt.compareSync(password + 'x', hash)).toBe(true);
      for (const suffix of ['x', '€', ' and then some more text']) {
        await expect(verifyPassword(password + suffix, hash)).resolves.toBe(false);
      }
    }
  });

  it('the dummy comparison answers a long candidate the same way (no timing difference by username)', async () => {
    await expect(verifyAgainstDummy(ascii72 + 'x')).resolves.toBe(false);
  });

  it('never makes a hash that would accept suffixes', async () => {
    await expect(hashPassword(ascii72 + 'x')).rejects.toThrow(RangeError);
  });
});

describe('the worker pool', SLOW, () => {
  /** Counts ticks of a 5 ms interval on the main thread while `work` runs. */
  async function ticksWhile(work: () => Promise<unknown>): Promise<{ ticks: number; ms: number }> {
    let ticks = 0;
    const interval = setInterval(() => (ticks += 1), 5);
    const started = performance.now();
    try {
      await work();
    } finally {
      clearInterval(interval);
    }
    return { ticks, ms: performance.now() - started };
  }

  it('keeps the event loop free while hashes run (main-thread hashing does not)', async () => {
    const hashes = 6;
    await hashPassword('warm up'); // threads started
    const pooled = await ticksWhile(() => Promise.all(Array.from({ length: hashes }, (_, i) => hashPassword(`pooled ${i}`))));
    // The old way, as the baseline: bcryptjs's async API on the main thread (it yields only every ~100 ms).
    const mainThread = await ticksWhile(() => Promise.all(Array.from({ length: hashes }, (_, i) => bcrypt.hash(`main ${i}`, BCRYPT_COST))));

    // Ideal: one tick per 5 ms. Generous for a loaded 2-core machine: at least one per 50 ms on average.
    expect(pooled.ticks).toBeGreaterThanOrEqual(Math.floor(pooled.ms / 50));
    expect(mainThread.ticks).toBeLessThan(Math.floor(mainThread.ms / 50));
    expect(pooled.ticks / pooled.ms).toBeGreaterThan((3 * mainThread.ticks) / mainThread.ms);
  });

  it('refuses work beyond its queue with UNAVAILABLE instead of queueing without bound, then recovers', async () => {
    await closePasswordPool();
    const pool = startPasswordPool({ threads: 1, queue: 2 });
    try {
      await hashPassword('warm up'); // the thread is up: capacity is exactly 1 running + 2 queued
      const results = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => hashPassword(`burst ${i}`)));
      const refused = results.filter((r) => r.status === 'rejected').map((r) => r.reason as unknown);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
      expect(refused).toHaveLength(5);
      for (const error of refused) {
        expect(error).toBeInstanceOf(AppError);
        expect(error).toMatchObject({ code: 'UNAVAILABLE', extra: { retryAfter: 1 } });
      }
      expect(pool.stats).toMatchObject({ threads: 1, queueLimit: 2, queued: 0, refused: 5 });
      await expect(verifyPassword('burst 0', await hashPassword('burst 0'))).resolves.toBe(true);
      await expect(verifyAgainstDummy('burst 0')).resolves.toBe(false);
    } finally {
      await closePasswordPool();
    }
  });

  it('refuses with this copy’s AppError when another copy of the module started the pool (server.ts and Next’s bundles)', async () => {
    await closePasswordPool();
    vi.resetModules();
    const otherCopy = await import('./password'); // as server.ts's copy is to a route handler's
    const otherErrors = await import('./errors');
    expect(otherErrors.AppError).not.toBe(AppError);
    otherCopy.startPasswordPool({ threads: 1, queue: 1 });
    try {
      await hashPassword('warm up');
      const results = await Promise.allSettled(Array.from({ length: 6 }, (_, i) => hashPassword(`burst ${i}`)));
      const refused = results.filter((r) => r.status === 'rejected').map((r) => r.reason as unknown);
      expect(refused.length).toBeGreaterThan(0);
      for (const error of refused) expect(error).toBeInstanceOf(AppError); // so toHttpResponse answers 503, not 500
    } finally {
      await closePasswordPool();
    }
  });

  it('is shared through globalThis (Next’s copies of this module and server.ts use one pool) and can be closed', async () => {
    const pool = startPasswordPool();
    expect(startPasswordPool({ threads: 1 })).toBe(pool); // the pool that exists is the process's
    expect((globalThis as { parleyPasswordPool?: unknown }).parleyPasswordPool).toBe(pool);
    const before = pool.stats.completed;
    await hashPassword('counted');
    expect(pool.stats.completed).toBe(before + 1);
    await closePasswordPool();
    expect((globalThis as { parleyPasswordPool?: unknown }).parleyPasswordPool).toBeUndefined();
    await expect(hashPassword('after close')).resolves.toMatch(/^\$2/); // a new pool on demand
  });
});

describe('pool settings', () => {
  const dataDir = () => mkdtempSync(path.join(tmpdir(), 'parley-env-'));

  it('PASSWORD_HASH_THREADS and PASSWORD_HASH_QUEUE are optional positive integers', () => {
    const defaults = parseEnv({ DATA_DIR: dataDir() });
    expect(defaults.PASSWORD_HASH_THREADS).toBeUndefined(); // one per core
    expect(defaults.PASSWORD_HASH_QUEUE).toBeUndefined(); // 16 per thread
    expect(parseEnv({ DATA_DIR: dataDir(), PASSWORD_HASH_THREADS: '3', PASSWORD_HASH_QUEUE: '40' })).toMatchObject({
      PASSWORD_HASH_THREADS: 3,
      PASSWORD_HASH_QUEUE: 40,
    });
    for (const bad of [{ PASSWORD_HASH_THREADS: '0' }, { PASSWORD_HASH_QUEUE: '0' }, { PASSWORD_HASH_THREADS: 'many' }]) {
      expect(() => parseEnv({ DATA_DIR: dataDir(), ...bad })).toThrow(EnvError);
    }
  });
});
