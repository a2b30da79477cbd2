/**
 * Parley's one process: configuration, the database (embedded by default), Next.js, Socket.IO, and a
 * graceful shutdown. Everything else lives in lib/.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import path from 'node:path';
import next from 'next';
import { CLIENT_IP_HEADER, resolveClientIp } from './lib/client-ip';
import { configureDatabase, disconnectDb, getDbPool } from './lib/db';
import { EnvError, getEnv, type Env } from './lib/env';
import { startGarbageCollector } from './lib/files/garbage';
import { createFilesHandler, handleExpectContinue } from './lib/files/http';
import { createFileServices } from './lib/files/services';
import { uploadTempDir } from './lib/files/upload';
import { refuseCrossOriginStateChange } from './lib/http/origin-guard';
import { setForwardedHeaders } from './lib/http/public-origin';
import { getLogger } from './lib/logger';
import { getMetrics } from './lib/metrics';
import { closePasswordPool, passwordPoolStats, startPasswordPool } from './lib/password';
import { applySecurityHeaders } from './lib/security-headers';
import { openDatabase } from './lib/postgres/database';
import { clusterAdapterConfig, createClusterAdapter } from './lib/realtime/adapter-select';
import { createRealtimeServer } from './lib/realtime/server';
import { closeStorage } from './lib/storage';
import { onSupervisorExit } from './lib/supervision';

const SHUTDOWN_GRACE_MS = 5_000;

function loadEnv(): Env {
  try {
    return getEnv();
  } catch (error) {
    if (error instanceof EnvError) {
      console.error(`parley: ${error.message}`);
      process.exit(1);
    }
    throw error;
  }
}

async function main(): Promise<void> {
  const env = loadEnv();
  const log = getLogger();
  const startedAt = Date.now();
  if (env.authSecretSource === 'generated-file') {
    log.warn(`AUTH_SECRET is not set: using a generated secret kept in ${env.DATA_DIR}/auth-secret (development only)`);
  }

  // Listen for a stop from the first moment: a signal during start-up must not kill the process with the
  // embedded PostgreSQL already running. What has started by then is stopped in order (see shutdown).
  let stopReason: string | undefined;
  let stopRunning: (reason: string) => void = () => undefined; // set once the server runs
  const requestStop = (reason: string) => {
    if (stopReason) return;
    stopReason = reason;
    log.info({ signal: reason }, 'shutting down');
    stopRunning(reason);
  };
  process.on('SIGTERM', () => requestStop('SIGTERM'));
  process.on('SIGINT', () => requestStop('SIGINT'));
  onSupervisorExit(() => requestStop('supervisor exited')); // started by scripts/start.ts or cluster.ts

  const database = await openDatabase(env, log);
  // If Node dies without running shutdown (an uncaught error), still stop the embedded server.
  let databaseClosed = false;
  process.on('exit', () => {
    const pid = database.embedded?.pid;
    if (pid && !databaseClosed) {
      try {
        process.kill(pid, 'SIGINT');
      } catch {
        /* already gone */
      }
    }
  });
  const closeDatabase = async () => {
    await database.close();
    databaseClosed = true;
  };
  if (stopReason) {
    await closeDatabase();
    log.info({ signal: stopReason }, 'shutdown complete');
    process.exit(0);
  }
  configureDatabase(database.url);
  getMetrics().sources.pools.set('app', getDbPool());
  // Started here, as source, where the worker script is found beside lib/password.ts; Next's bundles share it.
  startPasswordPool();
  getMetrics().sources.passwordPool = passwordPoolStats;

  const dev = env.NODE_ENV !== 'production';
  const app = next({ dev, hostname: env.HOST, port: env.PORT });
  await app.prepare();
  const handle = app.getRequestHandler();
  const nextUpgrade = app.getUpgradeHandler();

  const fileServices = createFileServices(env, log);
  await fileServices.storage.check().catch((error: unknown) => {
    // Not fatal: the chat works without files, and storage may come back; uploads answer 503 meanwhile.
    log.error({ err: error, driver: fileServices.storage.driver }, 'file storage is not usable');
  });
  if (env.UPLOAD_SCAN === 'clamav') {
    await fileServices.scanner.check().catch((error: unknown) => {
      log.error({ err: error }, 'the virus scanner (clamd) does not answer: uploads are refused until it does');
    });
  }
  const handleFiles = createFilesHandler(fileServices);
  const garbage = startGarbageCollector({
    storage: fileServices.storage,
    unattachedHours: env.UPLOAD_UNATTACHED_HOURS,
    // Uploads being received, and the local backend's half-written objects (only a crash leaves either).
    tempDirs: [uploadTempDir(env), path.resolve(env.DATA_DIR, 'files', '.tmp')],
    log,
  });

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    req.headers[CLIENT_IP_HEADER] = resolveClientIp(req, env.TRUST_PROXY);
    // The public origin (PUBLIC_URL, the trusted proxy's, or this connection's), never a client's say-so.
    const forwarded = setForwardedHeaders(req, { publicUrl: env.PUBLIC_URL, trustProxy: env.TRUST_PROXY });
    applySecurityHeaders(req, res, { dev, https: forwarded.proto === 'https' });
    const started = process.hrtime.bigint();
    const pathname = (req.url ?? '/').split('?')[0] ?? '/';
    if (!pathname.startsWith('/_next/') && pathname !== '/favicon.svg') {
      res.once('finish', () => {
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        log.info({ method: req.method, path: pathname, status: res.statusCode, ms: Math.round(ms * 10) / 10 }, 'request');
      });
    }
    // Cross-origin state changes are refused here, for every route, before Next sees them.
    if (refuseCrossOriginStateChange(req, res)) return;
    // Uploads and downloads are byte streams served here; everything else is Next's.
    if (handleFiles(req, res)) return;
    void handle(req, res);
  };
  const httpServer = createServer(onRequest);
  handleExpectContinue(httpServer, onRequest);
  const adapterConfig = clusterAdapterConfig(env, database.url);
  const adapter = adapterConfig ? createClusterAdapter(adapterConfig, log) : undefined;
  const io = createRealtimeServer(httpServer, { env, log, adapter });
  // Socket.IO answers its own upgrades; everything else (dev HMR at /_next/hmr) goes to Next.
  httpServer.on('upgrade', (req, socket, head) => {
    if (req.url?.startsWith('/socket.io/')) return;
    void nextUpgrade(req, socket, head);
  });

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(env.PORT, env.HOST, resolve);
  });
  const address = httpServer.address();
  const port = typeof address === 'object' && address ? address.port : env.PORT;
  const shownHost = env.HOST === '0.0.0.0' || env.HOST === '::' ? 'localhost' : env.HOST;
  log.info({ port, mode: dev ? 'development' : 'production', ms: Date.now() - startedAt }, 'Parley is ready');
  console.log(`\n  Parley is running at ${env.PUBLIC_URL ?? `http://${shownHost}:${port}`}\n`);

  async function shutdown(signal: string): Promise<void> {
    const force = setTimeout(() => {
      log.error('shutdown took too long; exiting');
      process.exit(1);
    }, SHUTDOWN_GRACE_MS + 3_000);
    force.unref();
    try {
      // Stop accepting, close every socket (io.close also closes the HTTP server), drop idle keep-alives:
      // now, and each one a request in flight leaves behind (Node would keep it open for keepAliveTimeout).
      const closed = new Promise<void>((resolve) => void io.close(() => resolve()));
      httpServer.closeIdleConnections();
      const sweep = setInterval(() => httpServer.closeIdleConnections(), 50);
      const grace = setTimeout(() => httpServer.closeAllConnections(), SHUTDOWN_GRACE_MS);
      await closed;
      clearInterval(sweep);
      clearTimeout(grace);
      await app.close();
      await garbage.stop();
      await closeStorage();
      await closePasswordPool(); // after the last request: its queued hashes finish first
      await adapter?.close();
      await disconnectDb();
      await closeDatabase();
      log.info({ signal }, 'shutdown complete');
      process.exit(0);
    } catch (error) {
      log.error({ err: error }, 'shutdown failed');
      process.exit(1);
    }
  }
  stopRunning = (reason) => void shutdown(reason);
  if (stopReason) stopRunning(stopReason);
}

main().catch((error: unknown) => {
  console.error('parley: failed to start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
