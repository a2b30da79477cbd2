/**
 * One Parley realtime instance as a real process, for reliability tests that kill it, its database or its
 * Redis: server.ts minus Next (the realtime server with the cross-instance adapter REALTIME_ADAPTER names,
 * plus /api/health and /api/ready). Started as `node --import tsx lib/testing/instance-main.ts` with
 * DATABASE_URL, PORT and AUTH_SECRET (and REDIS_URL, REDIS_PREFIX for redis); prints `READY <port>` when listening.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pingDatabase } from '../data/health';
import { configureDatabase, databaseUrl, disconnectDb } from '../db';
import { getEnv } from '../env';
import { getLogger } from '../logger';
import { clusterAdapterConfig, createClusterAdapter } from '../realtime/adapter-select';
import { createRealtimeServer } from '../realtime/server';

async function main(): Promise<void> {
  const env = getEnv();
  const log = getLogger();
  if (!env.DATABASE_URL) throw new Error('DATABASE_URL is required');
  configureDatabase(env.DATABASE_URL);
  const adapterConfig = clusterAdapterConfig(env, databaseUrl());
  if (!adapterConfig) throw new Error('REALTIME_ADAPTER=memory: these instances exist to be several');
  const adapter = createClusterAdapter(adapterConfig, log);
  const httpServer = createServer((req, res) => {
    if (req.url === '/api/health') return void res.end(JSON.stringify({ status: 'ok' }));
    if (req.url === '/api/ready') {
      // As app/api/ready/route.ts does.
      void pingDatabase().then((database) => {
        const listening = adapter.listening();
        const ok = database.ok && listening;
        res.statusCode = ok ? 200 : 503;
        res.end(JSON.stringify({ status: ok ? 'ready' : 'unavailable', database, broadcast: { listening } }));
      });
      return;
    }
    res.statusCode = 404;
    res.end();
  });
  const io = createRealtimeServer(httpServer, {
    env,
    log,
    adapter,
    messageLimits: { perSecond: 10_000, burst: 10_000 },
    presenceGraceMs: 300,
    // Test-only (read here, not in lib/env.ts, which describes the product): a shorter ring for failover tests.
    ...(process.env.TEST_CALL_RING_MS ? { calls: { ringMs: Number(process.env.TEST_CALL_RING_MS) } } : {}),
  });
  await new Promise<void>((resolve) => httpServer.listen(env.PORT, '127.0.0.1', resolve));
  console.log(`READY ${(httpServer.address() as AddressInfo).port}`);
  process.on('SIGTERM', () => {
    void io.close(() => void adapter.close().then(disconnectDb).finally(() => process.exit(0)));
  });
}

main().catch((error: unknown) => {
  console.error('instance failed to start:', error);
  process.exit(1);
});
