/**
 * Cross-instance broadcast: @socket.io/postgres-adapter over LISTEN/NOTIFY. It needs its own pg.Pool
 * (Prisma cannot LISTEN) and its attachments table (migration 20261121120000_socket_io_attachments:
 * without it, payloads over 8 kB and binary ones are dropped silently).
 */
import { createAdapter } from '@socket.io/postgres-adapter';
import pg from 'pg';
import type { Logger } from '../logger';
import { getMetrics } from '../metrics';

export interface PostgresAdapterHandle {
  adapter: ReturnType<typeof createAdapter>;
  pool: pg.Pool;
  close(): Promise<void>;
}

/**
 * Heartbeats tell each instance how many peers to expect answers from (fetchSockets, serverSideEmit).
 * Every namespace heartbeats, so with many open rooms a 5 s default is a steady NOTIFY load; 10 s halves
 * it, and a dead peer is forgotten after 25 s (requests meanwhile give up after 2 s, see rooms.ts).
 */
export const ADAPTER_HEARTBEAT_MS = 10_000;
export const ADAPTER_HEARTBEAT_TIMEOUT_MS = 25_000;
export const ADAPTER_REQUEST_TIMEOUT_MS = 2_000;

export function createPostgresAdapter(databaseUrl: string, log: Logger): PostgresAdapterHandle {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 10, connectionTimeoutMillis: 5_000 });
  const adapterLog = log.child({ component: 'adapter' });
  const metrics = getMetrics();
  pool.on('connect', (client) => {
    // A NOTIFY is fire-and-forget: no need to wait for its transaction to reach disk.
    client.query('SET synchronous_commit = off').catch(() => undefined);
    // The adapter's LISTEN client has no 'error' listener of its own: a restarting PostgreSQL would
    // otherwise crash the process. It reconnects on 'end'.
    client.on('error', (error) => {
      metrics.adapterErrors.inc();
      adapterLog.warn({ err: error.message }, 'adapter connection lost; reconnecting');
    });
  });
  pool.on('error', (error) => adapterLog.warn({ err: error.message }, 'adapter pool: idle connection lost'));
  metrics.sources.pools.set('adapter', pool);

  const adapter = createAdapter(pool, {
    heartbeatInterval: ADAPTER_HEARTBEAT_MS,
    heartbeatTimeout: ADAPTER_HEARTBEAT_TIMEOUT_MS,
    errorHandler: (error: Error) => {
      metrics.adapterErrors.inc();
      adapterLog.error({ err: error.message }, 'adapter error');
    },
  });
  return {
    adapter,
    pool,
    async close() {
      metrics.sources.pools.delete('adapter');
      await pool.end();
    },
  };
}
