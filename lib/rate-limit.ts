/**
 * Rate limits on anything guessable (logins, room passwords), with rate-limiter-flexible. Counters live in
 * PostgreSQL (RateLimiterPrisma) so every instance and a restart see the same attempts; an in-memory
 * insurance limiter keeps limiting if the database is briefly unreachable.
 */
import { RateLimiterMemory, RateLimiterPrisma, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { getDb } from './db';
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
    limiter = new RateLimiterPrisma({
      storeClient: getDb(),
      tableName: 'rateLimit',
      ...policy,
      insuranceLimiter: new RateLimiterMemory(policy),
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
