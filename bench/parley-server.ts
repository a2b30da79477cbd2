/**
 * Parley's realtime server as server.ts runs it, minus Next.js and minus openDatabase: the orchestrator
 * (bench/run.ts) starts a throwaway PostgreSQL and passes its URL in BENCH_DATABASE_URL. Every message
 * goes through the authenticated room namespace, zod validation, the rate limiter (set high so it
 * never rejects) and createMessage (persisted with its seq). As in server.ts, REALTIME_ADAPTER=postgres
 * (the default) puts the PostgreSQL adapter under it (lib/realtime/adapter.ts), so every broadcast is
 * also a NOTIFY; run.ts sets REALTIME_ADAPTER=memory only for the `parley-mem` variant.
 *
 * Instrumented, without changing what runs: the adapter pool's `pg_notify` queries and the notifications
 * its LISTEN connection receives are counted; the orchestrator reads the counters and triggers GC
 * (node --expose-gc) over IPC (bench/shared.ts answerServerCommands). Tells the orchestrator its port.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { configureDatabase, disconnectDb, getDb } from '../lib/db';
import { getEnv } from '../lib/env';
import { getLogger } from '../lib/logger';
import { createPostgresAdapter, type PostgresAdapterHandle } from '../lib/realtime/adapter';
import { clearRealtimeServer } from '../lib/realtime/notify';
import { createRealtimeServer } from '../lib/realtime/server';
import { answerServerCommands, exitWithParent } from './shared';

const counters = { notifySent: 0, notifyHeartbeat: 0, notifyReceived: 0, adapterQueries: 0 };

/** Counts the adapter's queries on its pool: NOTIFYs (heartbeats apart) and the rest (attachments, clean-up). */
function instrument(handle: PostgresAdapterHandle): void {
  const pool = handle.pool;
  const query = pool.query.bind(pool) as (...args: unknown[]) => unknown;
  (pool as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
    counters.adapterQueries += 1;
    const [text, values] = args;
    if (typeof text === 'string' && text.startsWith('SELECT pg_notify')) {
      counters.notifySent += 1;
      // socket.io-adapter MessageType: 1 INITIAL_HEARTBEAT, 2 HEARTBEAT.
      const payload = Array.isArray(values) && typeof values[1] === 'string' ? values[1] : '';
      const type = /"type":(\d+)/.exec(payload)?.[1];
      if (type === '1' || type === '2') counters.notifyHeartbeat += 1;
    }
    return query(...args);
  };
  // Every client of the pool, the LISTEN one included (the others never get notifications).
  pool.on('connect', (client) => client.on('notification', () => (counters.notifyReceived += 1)));
}

async function main(): Promise<void> {
  const url = process.env.BENCH_DATABASE_URL;
  if (!url) throw new Error('BENCH_DATABASE_URL is not set (bench/run.ts sets it)');
  configureDatabase(url);
  const env = getEnv();
  const log = getLogger();
  const limit = Number(process.env.BENCH_MESSAGE_LIMIT ?? 1_000_000);

  const httpServer = createServer();
  const adapter = env.REALTIME_ADAPTER === 'postgres' ? createPostgresAdapter(url, log) : undefined;
  if (adapter) instrument(adapter);
  const io = createRealtimeServer(httpServer, { env, log, adapter, messageLimits: { perSecond: limit, burst: limit } });
  // Open the pool and let Prisma prepare before the first client arrives.
  await getDb().$queryRaw`SELECT 1`;

  answerServerCommands(() => ({
    ...counters,
    connections: io.engine.clientsCount,
    roomNamespaces: [...io._nsps.keys()].filter((name) => name.startsWith('/r/')).length,
  }));

  let closing: Promise<void> | undefined;
  const shutdown = () =>
    (closing ??= (async () => {
      clearRealtimeServer(io);
      await new Promise<void>((resolve) => void io.close(() => resolve()));
      await adapter?.close();
      await disconnectDb();
    })());
  exitWithParent(shutdown);
  process.on('SIGTERM', () => void shutdown().finally(() => process.exit(0)));

  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  const { port } = httpServer.address() as AddressInfo;
  process.send?.({ type: 'ready', port });
}

main().catch((error: unknown) => {
  console.error('parley-server: failed to start:', error);
  process.exit(1);
});
