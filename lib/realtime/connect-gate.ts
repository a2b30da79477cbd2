/**
 * The database work of opening connections — the session check, a tab's groups, a room's admission and
 * its replay — goes through one bounded queue per instance. In a reconnect storm (a deploy: every tab at
 * once) thousands of connects would otherwise each take pool connections at once: the pool's own queue
 * then times them out (5 s, lib/db.ts), the clients retry, and live traffic waits behind them. With at
 * most CONNECT_CONCURRENCY connect steps in flight (each takes at most four connections of the pool's
 * 20), sends and receipts always find a connection, and connects wait in line instead of failing
 * (bench/storm.ts). A step whose client left while it waited is skipped.
 */
import pLimit, { type LimitFunction } from 'p-limit';

/**
 * Connect steps running at once: enough to keep the database busy, with room left in the pool. In the
 * storm bench (10,000 tabs, 2 cores) 4 left the server half idle waiting on round trips (72 s until every
 * tab was back); 8 brought it to 41 s with sends still acked in < 0.5 s (p99).
 */
export const CONNECT_CONCURRENCY = 8;

export type ConnectGate = LimitFunction;

export function createConnectGate(concurrency = CONNECT_CONCURRENCY): ConnectGate {
  return pLimit(concurrency);
}
