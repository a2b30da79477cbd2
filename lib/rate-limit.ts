/**
 * Rate limits on anything guessable or costly (sign-ins, room passwords, room creation), with
 * rate-limiter-flexible. Counters live in PostgreSQL so every instance and a restart see the same
 * attempts. They fail closed: when the counter cannot be read the attempt is refused (UNAVAILABLE),
 * never checked. (An in-memory "insurance" limiter, counting from zero on each instance, let 10 of 200
 * parallel guesses past the limit while the pool was saturated.)
 *
 * RateLimiterPostgres rather than RateLimiterPrisma: its consume is one `INSERT … ON CONFLICT DO UPDATE`,
 * atomic under any concurrency. The Prisma store deletes an expired row and then upserts, and parallel
 * first attempts on a new key raced past the limit (36 of 200 parallel guesses were checked against a
 * limit of 20, lib/data/users.int.test.ts).
 */
import { RateLimiterPostgres, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { getDbPool } from './db';
import { AppError } from './errors';

export interface LimitPolicy {
  /** Unique per limiter; part of every stored key. */
  keyPrefix: string;
  /** Attempts allowed per window. */
  points: number;
  /** Window length in seconds. */
  duration: number;
  /** Once exhausted, refuse for this many seconds. */
  blockDuration: number;
}

const globalForLimits = globalThis as unknown as { parleyLimiters?: Map<string, RateLimiterAbstract> };

export function sharedLimiter(policy: LimitPolicy): RateLimiterAbstract {
  const limiters = (globalForLimits.parleyLimiters ??= new Map());
  let limiter = limiters.get(policy.keyPrefix);
  if (!limiter) {
    limiter = new RateLimiterPostgres({
      storeClient: getDbPool(),
      storeType: 'pool',
      tableName: 'rate_limit_counters', // created by a migration, not by the library
      tableCreated: true,
      ...policy,
    });
    limiters.set(policy.keyPrefix, limiter);
  }
  return limiter;
}

export function retryAfterSeconds(res: RateLimiterRes): number {
  return Math.max(1, Math.ceil(res.msBeforeNext / 1000));
}

/** Consumes one attempt; throws RATE_LIMITED (with seconds to wait) once the budget is spent. */
export async function consumeAttempt(limiter: RateLimiterAbstract, key: string, what: string): Promise<void> {
  try {
    await limiter.consume(key);
  } catch (rejection) {
    if (rejection instanceof RateLimiterRes) {
      const retryAfter = retryAfterSeconds(rejection);
      throw new AppError('RATE_LIMITED', `Too many ${what}. Try again in ${formatWait(retryAfter)}.`, { retryAfter });
    }
    throw rejection;
  }
}

export function formatWait(seconds: number): string {
  if (seconds < 60) return `${seconds} second${seconds === 1 ? '' : 's'}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minute${minutes === 1 ? '' : 's'}`;
}
