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
  /** Starts the LISTEN watchdog for the server the adapter was given to. */
  watch(io: { of(name: string): { adapter: unknown } }): void;
  close(): Promise<void>;
}

/** The adapter's private LISTEN client manager (node_modules/@socket.io/postgres-adapter/dist/util.js). */
interface PubSubInternals {
  client?: pg.PoolClient;
  initClient(): Promise<void>;
}

export const LISTEN_WATCHDOG_MS = 5_000;
const LISTEN_STUCK_MS = 12_000;

/**
 * Heartbeats tell each instance how many peers to expect answers from (fetchSockets, serverSideEmit).
 * Every namespace heartbeats, so with many open rooms a 5 s default is a steady NOTIFY load; 10 s halves
 * it, and a dead peer is forgotten after 25 s (requests meanwhile give up after 2 s, see rooms.ts).
 */
export const ADAPTER_HEARTBEAT_MS = 10_000;
export const ADAPTER_HEARTBEAT_TIMEOUT_MS = 25_000;
export const ADAPTER_REQUEST_TIMEOUT_MS = 2_000;

export function createPostgresAdapter(databaseUrl: string, log: Logger): PostgresAdapterHandle {
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: 10,
    connectionTimeoutMillis: 5_000,
    // A NOTIFY is fire-and-forget: no need to wait for its transaction to reach disk. Set as a startup
    // parameter: a query issued on 'connect' would race the adapter's own LISTEN on that client.
    options: '-c synchronous_commit=off',
  });
  const adapterLog = log.child({ component: 'adapter' });
  const metrics = getMetrics();
  pool.on('connect', (client) => {
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
  let watchdog: ReturnType<typeof setInterval> | undefined;
  return {
    adapter,
    pool,
    watch(io) {
      /**
       * The adapter re-LISTENs after its connection ends, but we saw it stay deaf after PostgreSQL
       * restarts: its new LISTEN never completed, and it only retries on an 'end'. So: probe the LISTEN
       * connection; a dead one is destroyed (the adapter reconnects on its 'end'); none for too long
       * means a reconnect that never finished, and we start another.
       */
      let missingSince: number | undefined;
      watchdog = setInterval(() => {
        const pubsub = (io.of('/').adapter as { client?: PubSubInternals }).client;
        if (!pubsub) return;
        const listener = pubsub.client;
        if (!listener) {
          missingSince ??= Date.now();
          if (Date.now() - missingSince > LISTEN_STUCK_MS) {
            missingSince = undefined;
            adapterLog.warn('adapter LISTEN connection missing; reconnecting');
            void pubsub.initClient();
          }
          return;
        }
        missingSince = undefined;
        const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('probe timed out')), 3_000).unref());
        Promise.race([listener.query<{ channel: string }>('SELECT pg_listening_channels() AS channel'), timeout])
          .then((result) => {
            if (!result.rows.some((row) => row.channel === 'socket.io#/')) throw new Error('not listening');
          })
          .catch((error: unknown) => {
            if (pubsub.client !== listener) return; // replaced meanwhile
            metrics.adapterErrors.inc();
            adapterLog.warn({ err: error instanceof Error ? error.message : String(error) }, 'adapter LISTEN connection is dead; reconnecting');
            // Replace it ourselves: a connection that is already closed emits no second 'end'.
            listener.removeAllListeners('end');
            (listener as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
            pubsub.client = undefined;
            void pubsub.initClient();
          });
      }, LISTEN_WATCHDOG_MS);
      watchdog.unref();
    },
    async close() {
      clearInterval(watchdog);
      metrics.sources.pools.delete('adapter');
      await pool.end();
    },
  };
}
