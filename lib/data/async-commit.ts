/**
 * A CTE body that makes the statement's own transaction commit asynchronously: `synchronous_commit` off
 * for this transaction only (set_config's third argument), so its commit does not wait for a WAL flush —
 * which a message send on the same disk would otherwise queue behind.
 *
 * Only for writes that may be forgotten if the *database* crashes (the last few hundred ms of them:
 * wal_writer_delay × 3 at most) and that the next use repairs on its own: read positions, session touches.
 * Never for messages, secrets or limits. A later synchronous commit flushes the WAL before it, so nothing
 * committed after such a write can survive a crash that loses it.
 *
 * Use it as `WITH async_commit AS ${ASYNC_COMMIT}, …` and join `async_commit` into a CTE the statement
 * reads: a SELECT CTE nobody reads is never run.
 */
import { Prisma } from '@/generated/prisma/client.ts';

export const ASYNC_COMMIT = Prisma.sql`(SELECT set_config('synchronous_commit', 'off', true))`;
