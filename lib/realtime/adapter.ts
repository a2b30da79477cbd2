/**
 * Cross-instance broadcast: @socket.io/postgres-adapter over LISTEN/NOTIFY. It needs its own pg.Pool
 * (Prisma cannot LISTEN) and its attachments table (migration 20261121120000_socket_io_attachments:
 * without it, payloads over 8 kB and binary ones are dropped silently). Its LISTEN connection is
 * managed by adapter-listen.ts, which says why.
 */
import { createAdapter } from '@socket.io/postgres-adapter';
import pg from 'pg';
import type { Logger } from '../logger';
import { getMetrics } from '../metrics';
import { createListenConnection } from './adapter-listen';
import { ADAPTER_HEARTBEAT_MS, ADAPTER_HEARTBEAT_TIMEOUT_MS, type ClusterAdapterHandle } from './cluster-adapter';
import { registerBroadcastCheck } from './readiness';
import { endPool, trackPoolConnections } from '../postgres/pool-end';

/** The PostgreSQL implementation of the cluster adapter contract (cluster-adapter.ts). */
export interface PostgresAdapterHandle extends ClusterAdapterHandle {
  readonly kind: 'postgres';
  pool: pg.Pool;
}

/** socket.io-adapter MessageType 1 (INITIAL_HEARTBEAT) and 2 (HEARTBEAT), read off the NOTIFY payload. */
function notifyKind(values: unknown[] | undefined): 'heartbeat' | 'event' {
  const payload = typeof values?.[1] === 'string' ? values[1] : '';
  return /"type":[12][,}]/.test(payload) ? 'heartbeat' : 'event';
}

/** What we use of the adapter's private PubSubClient (util.js, version 0.5.0) for publishing. */
interface PubSubPublisher {
  opts: { errorHandler(error: unknown): void };
  publish(message: unknown): Promise<void>;
}

const publishesRejecting = new WeakSet<PubSubPublisher>();

/**
 * The adapter's publish reports a failed NOTIFY to `errorHandler` and then resolves as if it had gone
 * out, so nothing that awaits it can retry (the room bus must: outbox.ts). Each call gets its own
 * `errorHandler` (the adapter's own one still runs) and rejects with the error it saw. Every caller
 * inside socket.io-adapter already catches a rejected publish.
 */
function rejectFailedPublishes(pubsub: PubSubPublisher): void {
  if (publishesRejecting.has(pubsub)) return;
  publishesRejecting.add(pubsub);
  const publish = pubsub.publish;
  pubsub.publish = async function publishOrReject(message: unknown): Promise<void> {
    let failure: { error: unknown } | undefined;
    const opts = {
      ...pubsub.opts,
      errorHandler(error: unknown) {
        failure = { error };
        pubsub.opts.errorHandler(error);
      },
    };
    await publish.call(Object.create(pubsub, { opts: { value: opts } }) as PubSubPublisher, message);
    if (failure) throw failure.error;
  };
}

export function createPostgresAdapter(databaseUrl: string, log: Logger): PostgresAdapterHandle {
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: 10,
    connectionTimeoutMillis: 5_000,
    // A NOTIFY is fire-and-forget: no need to wait for its transaction to reach disk.
    options: '-c synchronous_commit=off',
  });
  const adapterLog = log.child({ component: 'adapter' });
  const metrics = getMetrics();
  // An 'error' with no listener is thrown: a pooled connection lost while no query or idle listener
  // is attached (a restarting PostgreSQL) must not crash the process. Queries report it themselves.
  pool.on('connect', (client) => client.on('error', () => undefined));
  trackPoolConnections(pool);
  pool.on('error', (error) => adapterLog.warn({ err: error.message }, 'adapter pool: idle connection lost'));
  metrics.sources.pools.set('adapter', pool);

  const listen = createListenConnection(
    { connectionString: databaseUrl, connectionTimeoutMillis: 5_000, keepAlive: true },
    { log: adapterLog, onError: () => metrics.adapterErrors.inc(), onNotification: () => metrics.adapterNotifications.inc() },
  );
  // The adapter publishes with pool.query() (counted here) and LISTENs on what pool.connect() gives it: that is ours.
  const query = (text: unknown, values?: unknown[]) => {
    if (typeof text === 'string' && text.startsWith('SELECT pg_notify')) metrics.adapterNotifies.inc({ kind: notifyKind(values) });
    return pool.query(text as string, values);
  };
  const adapterPool = { query, connect: listen.connect } as unknown as pg.Pool;
  const createNamespaceAdapter = createAdapter(adapterPool, {
    heartbeatInterval: ADAPTER_HEARTBEAT_MS,
    heartbeatTimeout: ADAPTER_HEARTBEAT_TIMEOUT_MS,
    errorHandler: (error: Error) => {
      metrics.adapterErrors.inc();
      adapterLog.error({ err: error.message }, 'adapter error');
    },
  });

  // A function, not an arrow: Socket.IO calls it with `new`.
  const adapter = function (nsp: { name: string }) {
    const created = createNamespaceAdapter(nsp);
    const pubsub = (created as unknown as { client: unknown }).client;
    listen.adopt(pubsub);
    rejectFailedPublishes(pubsub as PubSubPublisher);
    return created;
  } as ReturnType<typeof createAdapter>;

  const unregister = registerBroadcastCheck(listen.listening);
  return {
    kind: 'postgres',
    adapter,
    pool,
    listening: listen.listening,
    onListeningAgain: listen.onListeningAgain,
    watch(io) {
      listen.adopt((io.of('/').adapter as { client?: unknown }).client);
      listen.watch();
    },
    async close() {
      unregister();
      metrics.sources.pools.delete('adapter');
      await Promise.all([listen.close(), endPool(pool)]);
    },
  };
}
