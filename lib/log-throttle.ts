/**
 * At most one log line per kind per window, the next one carrying how many were left out meanwhile (as the
 * Linux kernel's printk_ratelimit does): a fuzzer or a broken client cannot flood the log, and the count
 * still shows how often it happened. Hand-written because no kept library throttles pino lines with such
 * counts, and rate-limiter-flexible (a dependency already) decides asynchronously and counts nothing it
 * refused; a log call must stay synchronous.
 */

export interface LogThrottle {
  /** `{ suppressed }` when a line of this kind may be written now (with how many were held back since the last one); `null` when not. */
  take(kind: string): { suppressed: number } | null;
}

export interface LogThrottleOptions {
  windowMs?: number;
  /** Kinds remembered at once; the oldest is forgotten beyond this (kinds may come from request data). */
  maxKinds?: number;
  now?: () => number;
}

export function createLogThrottle({ windowMs = 60_000, maxKinds = 500, now = Date.now }: LogThrottleOptions = {}): LogThrottle {
  const kinds = new Map<string, { loggedAt: number; suppressed: number }>();
  return {
    take(kind) {
      const time = now();
      const entry = kinds.get(kind);
      if (entry && time - entry.loggedAt < windowMs) {
        entry.suppressed += 1;
        return null;
      }
      kinds.delete(kind);
      if (kinds.size >= maxKinds) kinds.delete(kinds.keys().next().value as string);
      kinds.set(kind, { loggedAt: time, suppressed: 0 });
      return { suppressed: entry?.suppressed ?? 0 };
    },
  };
}
