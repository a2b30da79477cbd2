/**
 * Ending a pg pool before stopping the database under it. pg-pool's `end()` resolves as soon as it has
 * asked its connections to close, not once they have: a database stopped right after (server.ts's
 * shutdown, the embedded server) cuts them off mid-goodbye, and each logs "terminating connection due to
 * administrator command". `endPool` waits for the goodbyes too.
 */
import type pg from 'pg';

const openClients = new WeakMap<pg.Pool, Set<pg.PoolClient>>();

/** Call on a new pool: remembers each of its connections until it has ended. */
export function trackPoolConnections(pool: pg.Pool): void {
  const clients = new Set<pg.PoolClient>();
  openClients.set(pool, clients);
  pool.on('connect', (client) => {
    clients.add(client);
    client.once('end', () => clients.delete(client));
  });
}

/** Ends the pool and waits (at most `timeoutMs`) until every connection it had has closed. */
export async function endPool(pool: pg.Pool, timeoutMs = 2_000): Promise<void> {
  await pool.end();
  const closing = [...(openClients.get(pool) ?? [])].map((client) => new Promise<void>((resolve) => client.once('end', () => resolve())));
  if (closing.length === 0) return;
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([Promise.all(closing), new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
  clearTimeout(timer);
}
