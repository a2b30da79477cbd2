/**
 * Parley's realtime server as server.ts runs it, minus Next.js and minus openDatabase: the orchestrator
 * (bench/run.ts) starts a throwaway PostgreSQL and passes its URL in BENCH_DATABASE_URL. Every message
 * goes through the authenticated room namespace, zod validation, the rate limiter (set high so it
 * never rejects) and createMessage (persisted with its seq). Tells the orchestrator its port over IPC.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { configureDatabase, disconnectDb, getDb } from '../lib/db';
import { getEnv } from '../lib/env';
import { getLogger } from '../lib/logger';
import { clearRealtimeServer } from '../lib/realtime/notify';
import { createRealtimeServer } from '../lib/realtime/server';
import { exitWithParent } from './shared';

async function main(): Promise<void> {
  const url = process.env.BENCH_DATABASE_URL;
  if (!url) throw new Error('BENCH_DATABASE_URL is not set (bench/run.ts sets it)');
  configureDatabase(url);
  const env = getEnv();
  const log = getLogger();
  const limit = Number(process.env.BENCH_MESSAGE_LIMIT ?? 1_000_000);

  const httpServer = createServer();
  const io = createRealtimeServer(httpServer, { env, log, messageLimits: { perSecond: limit, burst: limit } });
  // Open the pool and let Prisma prepare before the first client arrives.
  await getDb().$queryRaw`SELECT 1`;

  let closing: Promise<void> | undefined;
  const shutdown = () =>
    (closing ??= (async () => {
      clearRealtimeServer(io);
      await new Promise<void>((resolve) => void io.close(() => resolve()));
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
