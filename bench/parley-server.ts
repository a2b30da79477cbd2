/**
 * Parley's realtime server as server.ts runs it, minus Next.js and minus openDatabase: the orchestrator
 * (bench/run.ts) starts a throwaway PostgreSQL and passes its URL in BENCH_DATABASE_URL. Every message
 * goes through the authenticated room namespace, zod validation, the rate limiter (set high so it
 * never rejects) and createMessage (persisted with its seq). As in server.ts, REALTIME_ADAPTER=postgres
 * (the default) puts the PostgreSQL adapter under it (lib/realtime/adapter.ts), so every broadcast is
 * also a NOTIFY; run.ts sets REALTIME_ADAPTER=memory for `parley-mem` and redis (with REDIS_URL and
 * REDIS_PREFIX) for `parley-redis` and `parley2-redis` (lib/realtime/adapter-redis.ts: XADDs instead).
 *
 * The adapter's NOTIFYs (XADDs) and received notifications (stream entries) come from the metrics /api/metrics serves
 * (lib/metrics.ts); the orchestrator reads them and triggers GC
 * (node --expose-gc) over IPC (bench/shared.ts answerServerCommands). Tells the orchestrator its port.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { configureDatabase, disconnectDb, getDb } from '../lib/db';
import { getEnv } from '../lib/env';
import { getLogger } from '../lib/logger';
import { getMetrics } from '../lib/metrics';
import { clusterAdapterConfig, createClusterAdapter } from '../lib/realtime/adapter-select';
import { clearRealtimeServer } from '../lib/realtime/notify';
import { createRealtimeServer } from '../lib/realtime/server';
import { answerServerCommands, exitWithParent } from './shared';

/** The adapter's NOTIFYs and notifications, as /api/metrics reports them (lib/metrics.ts). */
async function adapterCounters(): Promise<{ notifySent: number; notifyHeartbeat: number; notifyReceived: number }> {
  const metrics = getMetrics();
  const sent = (await metrics.adapterNotifies.get()).values;
  const byKind = (kind: string) => sent.filter((v) => v.labels.kind === kind).reduce((sum, v) => sum + v.value, 0);
  const received = (await metrics.adapterNotifications.get()).values.reduce((sum, v) => sum + v.value, 0);
  return { notifySent: byKind('heartbeat') + byKind('event'), notifyHeartbeat: byKind('heartbeat'), notifyReceived: received };
}

async function main(): Promise<void> {
  const url = process.env.BENCH_DATABASE_URL;
  if (!url) throw new Error('BENCH_DATABASE_URL is not set (bench/run.ts sets it)');
  configureDatabase(url);
  const env = getEnv();
  const log = getLogger();
  const limit = Number(process.env.BENCH_MESSAGE_LIMIT ?? 1_000_000);

  const httpServer = createServer();
  const adapterConfig = clusterAdapterConfig(env, url);
  const adapter = adapterConfig ? createClusterAdapter(adapterConfig, log) : undefined;
  const io = createRealtimeServer(httpServer, { env, log, adapter, messageLimits: { perSecond: limit, burst: limit } });
  // Open the pool and let Prisma prepare before the first client arrives.
  await getDb().$queryRaw`SELECT 1`;
  // And hear the other instance before the orchestrator counts on it (as /api/ready would say).
  while (adapter && !adapter.listening()) await new Promise((resolve) => setTimeout(resolve, 20));

  // Why connections end (a lost tab's server side) and how long the loop stalled (a GC pause misses pongs).
  const closeReasons: Record<string, number> = {};
  io.engine.on('connection', (conn: { once(event: 'close', listener: (reason: string) => void): void }) => {
    conn.once('close', (reason) => (closeReasons[reason] = (closeReasons[reason] ?? 0) + 1));
  });
  const loopDelay = monitorEventLoopDelay({ resolution: 20 });
  loopDelay.enable();
  answerServerCommands(async () => {
    const loopStallMaxMs = Math.round(loopDelay.max / 1e6);
    loopDelay.reset();
    return {
      ...(await adapterCounters()),
      connections: io.engine.clientsCount,
      roomNamespaces: [...io._nsps.keys()].filter((name) => name.startsWith('/r/')).length,
      closeReasons: { ...closeReasons },
      loopStallMaxMs,
    };
  });

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

  // bench/storm.ts: a fixed port (a restarted server must be where the tabs reconnect), and `drop` closes
  // every connection's transport as a crash or a lost network would (the clients reconnect by themselves).
  process.on('message', (m: { type?: string }) => {
    if (m?.type !== 'drop') return;
    for (const conn of Object.values((io.engine as unknown as { clients: Record<string, { close(): void }> }).clients)) conn.close();
    process.send?.({ type: 'dropped' });
  });
  await new Promise<void>((resolve) => httpServer.listen(Number(process.env.BENCH_PORT ?? 0), '127.0.0.1', resolve));
  const { port } = httpServer.address() as AddressInfo;
  process.send?.({ type: 'ready', port });
}

main().catch((error: unknown) => {
  console.error('parley-server: failed to start:', error);
  process.exit(1);
});
