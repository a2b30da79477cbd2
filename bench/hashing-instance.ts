/**
 * (e) hashing: an instance hashing passwords at a fixed rate, as sign-ups, sign-ins and private rooms
 * make it do, with its event loop measured meanwhile. `pool` hashes through lib/password.ts as shipped
 * (worker threads, bounded queue); `main-thread` is the old way, the baseline: bcryptjs's async API on
 * the event loop (it yields only between ~100 ms slices of work).
 *
 * Open loop: hash k is due at start + k / rate whether or not earlier ones finished; a late timer starts
 * everything due at once and each latency is measured from the intended time. A tiny HTTP server answers
 * the prober (bench/hashing-prober.ts): another user's requests meanwhile.
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import bcrypt from 'bcryptjs';
import * as hdr from 'hdr-histogram-js';
import { AppError } from '../lib/errors';
import { BCRYPT_COST, closePasswordPool, startPasswordPool, hashPassword } from '../lib/password';
import { exitWithParent, type HashingMessage, type HashingPlan, type HashingResult } from './shared';

const send = (message: HashingMessage) => process.send?.(message);
const LOOP_RESOLUTION_MS = 1;

async function run(plan: HashingPlan): Promise<HashingResult> {
  const hash = plan.mode === 'pool' ? hashPassword : (password: string) => bcrypt.hash(password, BCRYPT_COST);
  if (plan.mode === 'pool') await hashPassword('warm up'); // the threads are up before the clock starts
  const latency = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: 3 });
  const loopDelay = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
  const interval = 1000 / plan.rate;
  const start = performance.now() + 20;
  const windowStart = start + plan.warmupMs;
  const windowEnd = windowStart + plan.durationMs;
  const lastK = Math.ceil((plan.warmupMs + plan.durationMs) / interval);
  const pending = new Map<number, number>(); // k → intended start, for the window's unfinished hashes
  let due = 0;
  let done = 0;
  let refused = 0;
  let finishedInWindow = 0;
  let drained: (() => void) | undefined;

  const startOne = (k: number, intended: number) => {
    const inWindow = intended >= windowStart && intended < windowEnd;
    if (inWindow) {
      due += 1;
      pending.set(k, intended);
    }
    hash(randomBytes(12).toString('base64url')).then(
      () => {
        const now = performance.now();
        if (now >= windowStart && now < windowEnd) finishedInWindow += 1;
        if (!inWindow) return;
        done += 1;
        pending.delete(k);
        latency.recordValue(Math.max(1, Math.round((now - intended) * 1000)));
        if (pending.size === 0) drained?.();
      },
      (error: unknown) => {
        if (!(error instanceof AppError && error.code === 'UNAVAILABLE')) throw error;
        if (!inWindow) return;
        refused += 1;
        pending.delete(k);
        if (pending.size === 0) drained?.();
      },
    );
  };

  let cpu0: NodeJS.CpuUsage | undefined;
  let cpuPct = NaN;
  let windowOpen = false;
  await new Promise<void>((resolve) => {
    let k = 0;
    const tick = () => {
      const now = performance.now();
      if (!windowOpen && now >= windowStart) {
        windowOpen = true;
        cpu0 = process.cpuUsage();
        loopDelay.enable();
        send({ type: 'window-start' });
      }
      for (let at = start + k * interval; k < lastK && at <= now; k += 1, at = start + k * interval) startOne(k, at);
      if (now >= windowEnd) return resolve();
      setTimeout(tick, Math.max(0, Math.min(start + k * interval, windowEnd) - performance.now()));
    };
    setTimeout(tick, Math.max(0, start - performance.now()));
  });
  loopDelay.disable();
  const cpu = process.cpuUsage(cpu0);
  cpuPct = Math.round(((cpu.user + cpu.system) / 1000 / (performance.now() - windowStart)) * 1000) / 10;
  send({ type: 'window-end' });

  // Drain: the window's hashes finish (or not: the old way falls ever further behind at a rate it cannot keep).
  if (pending.size > 0) {
    await new Promise<void>((resolve) => {
      drained = resolve;
      setTimeout(resolve, plan.drainMs);
    });
  }
  const now = performance.now();
  for (const intended of pending.values()) latency.recordValue(Math.max(1, Math.round((now - intended) * 1000)));
  const stats = plan.mode === 'pool' ? startPasswordPool().stats : undefined;
  const ms = (ns: number) => Math.max(0, Math.round((ns / 1e6 - LOOP_RESOLUTION_MS) * 100) / 100);
  const us = (v: number) => Math.round(v) / 1000;
  return {
    mode: plan.mode,
    rate: plan.rate,
    windowS: plan.durationMs / 1000,
    ...(stats ? { threads: stats.threads, queueLimit: stats.queueLimit } : {}),
    due,
    done,
    refused,
    unfinished: pending.size,
    finishedPerS: Math.round((finishedInWindow / (plan.durationMs / 1000)) * 10) / 10,
    hash: latency.totalCount
      ? {
          count: latency.totalCount,
          // A percentile is its bucket's upper edge: never above the exact maximum.
          p50: us(Math.min(latency.getValueAtPercentile(50), latency.maxValue)),
          p99: us(Math.min(latency.getValueAtPercentile(99), latency.maxValue)),
          p999: us(Math.min(latency.getValueAtPercentile(99.9), latency.maxValue)),
          max: us(latency.maxValue),
        }
      : { count: 0, p50: NaN, p99: NaN, p999: NaN, max: NaN },
    loopDelay: { p50: ms(loopDelay.percentile(50)), p99: ms(loopDelay.percentile(99)), p999: ms(loopDelay.percentile(99.9)), max: ms(loopDelay.max) },
    cpuPct,
  };
}

exitWithParent(() => closePasswordPool());
process.on('message', (m: HashingPlan) => {
  if (m?.type === 'plan') {
    // Exit once the answer is out: the old way may still be hashing its backlog, and the figures are taken.
    const answer = (message: HashingMessage) => process.send?.(message, () => process.exit(0));
    run(m).then(
      (result) => answer({ type: 'result', result }),
      (error: unknown) => answer({ type: 'fatal', error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
    );
  }
});
const probed = createServer((_req, res) => res.end('ok'));
probed.listen(0, '127.0.0.1', () => send({ type: 'ready', port: (probed.address() as AddressInfo).port }));
