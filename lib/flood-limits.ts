/**
 * Flood guards: per-user (or per-socket) budgets kept in memory, per instance — a steady rate plus a burst
 * allowance, so a quick flurry passes and a loop gets RATE_LIMITED. In memory because they guard the
 * instance's time, not a secret: a shared counter would cost a database round trip per event, and a user
 * with clients on two instances getting the budget twice is harmless. Limits that guard secrets (sign-ins,
 * room passwords) live in PostgreSQL (./rate-limit.ts).
 */
import { BurstyRateLimiter, RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { AppError } from './errors';
import { formatWait, retryAfterSeconds } from './rate-limit';

export interface FloodBudget {
  /** Unique per budget; prefixes its keys. */
  name: string;
  /** Sustained rate. */
  perSecond: number;
  /** Extra allowance on top, refilled over 20 s; at least 1 (the burst limiter cannot hold 0 points). */
  burst: number;
}

export function createFloodLimiter(budget: FloodBudget): BurstyRateLimiter {
  return new BurstyRateLimiter(
    new RateLimiterMemory({ keyPrefix: budget.name, points: budget.perSecond, duration: 1 }),
    new RateLimiterMemory({ keyPrefix: `${budget.name}_burst`, points: Math.max(1, budget.burst), duration: 20 }),
  );
}

/** Spends one point of `limiter` for `key`, or refuses with RATE_LIMITED (and when to retry). */
export async function consumeOrRefuse(limiter: BurstyRateLimiter, key: string, what: string): Promise<void> {
  try {
    await limiter.consume(key);
  } catch (rejection) {
    if (!(rejection instanceof RateLimiterRes)) throw rejection;
    const retryAfter = retryAfterSeconds(rejection);
    throw new AppError('RATE_LIMITED', `You are ${what} too fast. Wait ${formatWait(retryAfter)}.`, { retryAfter });
  }
}
