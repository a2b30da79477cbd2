/**
 * Cross-instance broadcast over Redis Streams (REALTIME_ADAPTER=redis): @socket.io/redis-streams-adapter
 * 0.3 with the `redis` client its README installs. What it does, read off its dist/adapter.js and util.js
 * (0.3.1), and what we change so it keeps the PostgreSQL adapter's guarantees (adapter.ts):
 *
 * - Broadcasts go to one stream (XADD, trimmed to about `maxLen` entries); each instance reads it with a
 *   blocking XREAD on a connection of its own, from the last entry it read: after a short outage it resumes
 *   where it stopped. But serverSideEmit — how the room bus carries room events (bus.ts) — goes over
 *   PUB/SUB, where whatever is published while a subscriber is away is gone, and its publish is not even
 *   awaited (it "succeeds" with Redis down). So SERVER_SIDE_EMIT without an acknowledgement is XADDed to
 *   the stream here, like a broadcast: ordered with broadcasts, resumed after an outage, and a failed XADD
 *   rejects `publishAndReturnOffset`, which the room bus's outbox retries (outbox.ts). Requests that wait for
 *   answers (fetchSockets, serverSideEmit with an ack) stay on PUB/SUB: they time out anyway.
 * - The publishing client has no offline queue, so a publish while Redis is down fails at once (instead of
 *   waiting, unbounded, for Redis to come back); the clients the adapter duplicates to read the stream and to
 *   subscribe keep theirs, so their XREAD and SUBSCRIBE are sent again on reconnection.
 * - Peers are counted with PUBSUB NUMSUB on the namespace's channel (no heartbeats in 0.3): a killed peer
 *   drops out as soon as Redis sees its connection close. With Redis unreachable that count fails, which
 *   would reject serverSideEmit inside Socket.IO unhandled: we count only ourselves then.
 * - Its reading loop retries a failed XREAD at once, and it disconnects its clients only when its last
 *   namespace adapter closes: a closed or never-connected client would spin it. Here a closed handle parks
 *   the loop, and disconnecting twice is harmless.
 * - Receiving is "listening" while both duplicated connections are ready. After they were down, the room
 *   bus resyncs from the database (`onListeningAgain`), always: the XREAD resumes from its offset, but an
 *   entry trimmed away meanwhile (maxLen), or a Redis that restarted without persistence, loses what the
 *   others published before, and a resync is one query per open room — cheap next to a missed message.
 * - Nothing waits for Redis at start-up (as with PostgreSQL, whose pool connects lazily): the clients
 *   connect and retry in the background, /api/ready says 503 until receiving works.
 */
import { createAdapter } from '@socket.io/redis-streams-adapter';
import { createClient } from 'redis';
import type { Namespace } from 'socket.io';
import { MessageType, type Adapter, type ClusterMessage } from 'socket.io-adapter';
import type { Logger } from '../logger';
import { getMetrics } from '../metrics';
import { ADAPTER_HEARTBEAT_MS, ADAPTER_HEARTBEAT_TIMEOUT_MS, type ClusterAdapterHandle } from './cluster-adapter';
import { registerBroadcastCheck } from './readiness';

export interface RedisAdapterOptions {
  /** REDIS_URL. */
  url: string;
  /** REDIS_PREFIX: names this deployment's stream (`<prefix>:socket.io`) and PUB/SUB channels. */
  prefix: string;
  /** Entries kept in the stream (trimmed with `~`). */
  maxLen?: number;
  /** Tests: how long an XREAD blocks (default 5 s), and after how long one that has not come back means a dead connection. */
  timing?: { blockMs: number; readStallMs: number };
}

export interface RedisAdapterHandle extends ClusterAdapterHandle {
  readonly kind: 'redis';
  /** The stream's key (tests, operators). */
  readonly streamName: string;
  /** Its connections' CLIENT SETNAME, `<prefix>:<pid>-<n>:<role>` (role: publish, read, subscribe), as CLIENT LIST shows them. */
  readonly clientName: string;
}

/** Numbers the handles of this process, so that CLIENT LIST tells them apart. */
let handles = 0;

/**
 * The stream is a buffer for readers that fall behind for a moment (an XREAD fetches 100 entries), not an
 * archive: after an outage we resync from the database anyway. 10,000 entries of at most a few kB (the room
 * bus batches per tick) stay within tens of MB of Redis memory.
 */
export const STREAM_MAX_LEN = 10_000;
const BLOCK_MS = 5_000;
/** An XREAD that has not come back this long (its BLOCK ran out 10 s ago) is on a dead connection. */
const READ_STALL_MS = BLOCK_MS + 10_000;
const RETRY_MIN_MS = 250;
const RETRY_MAX_MS = 1_000;

type RedisClient = ReturnType<typeof createClient>;

/** Puts our own method on one client object (node-redis types its commands read-only). */
function replaceMethod<T extends object, K extends keyof T>(target: T, key: K, method: T[K]): void {
  Object.defineProperty(target, key, { value: method, configurable: true, writable: true });
}

/** What we use of the adapter instance beyond socket.io-adapter's ClusterAdapter (0.3.1). */
interface StreamsAdapterInternals {
  doPublish(message: ClusterMessage): Promise<string>;
  encode(message: ClusterMessage): Record<string, string>;
  serverCount(): Promise<number>;
  close(): void;
}

/** The adapter's "ephemeral" messages minus the room bus's: SERVER_SIDE_EMIT without an acknowledgement goes to the stream. */
function belongsInStream(message: ClusterMessage): boolean {
  return message.type === MessageType.SERVER_SIDE_EMIT && (message.data as { requestId?: string }).requestId === undefined;
}

export function createRedisAdapter(options: RedisAdapterOptions, log: Logger): RedisAdapterHandle {
  const adapterLog = log.child({ component: 'adapter' });
  const metrics = getMetrics();
  const streamName = `${options.prefix}:socket.io`;
  handles += 1;
  const clientName = `${options.prefix}:${process.pid}-${handles}`;
  const maxLen = options.maxLen ?? STREAM_MAX_LEN;
  const { blockMs, readStallMs } = options.timing ?? { blockMs: BLOCK_MS, readStallMs: READ_STALL_MS };
  let closed = false;
  const listeningAgain = new Set<() => void>();
  /** The connections the adapter duplicated: [0] reads the stream, [1] subscribes (adapter.js creates them in that order). */
  const receivers: RedisClient[] = [];
  let reader: RedisClient | undefined;
  let readInFlightSince: number | undefined;
  let downSince: number | undefined;
  let watchdog: ReturnType<typeof setInterval> | undefined;
  const created: StreamsAdapterInternals[] = [];

  const clientOptions = (role: string, disableOfflineQueue: boolean) => ({
    url: options.url,
    name: `${clientName}:${role}`,
    disableOfflineQueue,
    socket: {
      connectTimeout: 5_000,
      // Always retry (node-redis gives up on a socket timeout by default), within 250 ms–1 s like adapter-listen.ts.
      reconnectStrategy: (retries: number) => Math.min(RETRY_MIN_MS * 2 ** retries, RETRY_MAX_MS),
    },
  });

  const receiving = () => !closed && receivers.length > 0 && receivers.every((client) => client.isReady);

  function markDown(): void {
    if (closed || downSince !== undefined) return;
    downSince = Date.now();
    metrics.adapterErrors.inc();
    adapterLog.warn('adapter lost its Redis connection; reconnecting');
  }

  function markMaybeUp(): void {
    if (downSince === undefined || !receiving()) return;
    adapterLog.info({ ms: Date.now() - downSince }, 'adapter listening again');
    downSince = undefined;
    for (const listener of listeningAgain) listener();
  }

  const publisher: RedisClient = createClient(clientOptions('publish', true));
  // An 'error' with no listener is thrown; the failing command reports it to its caller anyway.
  publisher.on('error', (error: Error) => adapterLog.debug({ err: error.message }, 'adapter publishing connection error'));
  const xAdd = publisher.xAdd.bind(publisher);
  replaceMethod(publisher, 'xAdd', ((...args: Parameters<typeof xAdd>) => {
    metrics.adapterNotifies.inc({ kind: 'event' });
    return xAdd(...args);
  }) as typeof publisher.xAdd);
  // The adapter drops the promise of its PUB/SUB publishes: one rejected (Redis down) must not go unhandled.
  const publish = publisher.publish.bind(publisher);
  replaceMethod(publisher, 'publish', ((...args: Parameters<typeof publish>) => {
    const sent = publish(...args);
    sent.catch(() => metrics.adapterErrors.inc());
    return sent;
  }) as typeof publisher.publish);
  replaceMethod(publisher, 'duplicate', (() => {
    const role = receivers.length === 0 ? 'read' : 'subscribe';
    const client: RedisClient = createClient(clientOptions(role, false));
    receivers.push(client);
    client.on('error', (error: Error) => {
      if (!client.isReady) markDown();
      adapterLog.debug({ err: error.message, role }, 'adapter receiving connection error');
    });
    client.on('ready', markMaybeUp);
    const connect = client.connect.bind(client);
    replaceMethod(client, 'connect', (() => (closed ? new Promise(() => undefined) : connect())) as typeof client.connect);
    // The adapter disconnects on shutdown, maybe after we did: once is enough.
    replaceMethod(client, 'disconnect', (() => {
      if (client.isOpen) client.destroy();
      return Promise.resolve();
    }) as typeof client.disconnect);
    const xRead = client.xRead.bind(client);
    replaceMethod(client, 'xRead', ((...args: Parameters<typeof xRead>) => {
      if (closed) return new Promise(() => undefined); // parks the adapter's loop, which would retry at once
      reader = client;
      readInFlightSince = Date.now();
      return xRead(...args).then((reply) => {
        readInFlightSince = undefined;
        const entries = Array.isArray(reply) ? (reply[0] as { messages?: unknown[] } | undefined)?.messages?.length ?? 0 : 0;
        if (entries > 0) metrics.adapterNotifications.inc(entries);
        return reply;
      });
    }) as typeof client.xRead);
    return client;
  }) as typeof publisher.duplicate);
  publisher.connect().catch(() => undefined); // retries until closed; commands fail fast meanwhile

  const createNamespaceAdapter = createAdapter(publisher, {
    streamName,
    channelPrefix: `${options.prefix}:socket.io`,
    sessionKeyPrefix: `${options.prefix}:sio:session:`,
    maxLen,
    blockTimeInMs: blockMs,
    // Unused by 0.3 (it counts peers by subscription); so that a version that heartbeats again does so at our pace.
    heartbeatInterval: ADAPTER_HEARTBEAT_MS,
    heartbeatTimeout: ADAPTER_HEARTBEAT_TIMEOUT_MS,
  });

  // A function, not an arrow: Socket.IO calls it with `new`.
  const adapter = function (nsp: Namespace): Adapter {
    const instance = createNamespaceAdapter(nsp);
    const internals = instance as unknown as StreamsAdapterInternals;
    const doPublish = internals.doPublish.bind(instance);
    internals.doPublish = (message) => {
      if (!belongsInStream(message)) return doPublish(message);
      return publisher.xAdd(streamName, '*', internals.encode(message), { TRIM: { strategy: 'MAXLEN', strategyModifier: '~', threshold: maxLen } });
    };
    const serverCount = internals.serverCount.bind(instance);
    internals.serverCount = () => serverCount().catch(() => 1);
    created.push(internals);
    return instance;
  } as ClusterAdapterHandle['adapter'];

  /** An XREAD that never comes back: the connection died without a word (no FIN or RST). Reconnect it. */
  function checkReader(): void {
    const client = reader;
    if (closed || !client?.isReady || readInFlightSince === undefined || Date.now() - readInFlightSince < readStallMs) return;
    metrics.adapterErrors.inc();
    adapterLog.warn('adapter stream reader stopped answering; reconnecting it');
    markDown();
    readInFlightSince = undefined;
    // destroy() rejects the XREAD; the adapter's loop sends the next one after connect() has reopened the client.
    client.destroy();
    void client.connect().catch(() => undefined);
  }

  const unregister = registerBroadcastCheck(receiving);
  return {
    kind: 'redis',
    streamName,
    clientName,
    adapter,
    listening: receiving,
    onListeningAgain: (listener) => void listeningAgain.add(listener),
    watch() {
      clearInterval(watchdog);
      watchdog = setInterval(checkReader, readStallMs / 3);
      watchdog.unref();
    },
    async close() {
      if (closed) return;
      closed = true;
      unregister();
      clearInterval(watchdog);
      // Stops the adapter's reading loop (it aborts once its last namespace adapter has closed).
      for (const instance of created) instance.close();
      for (const client of receivers) if (client.isOpen) client.destroy();
      if (publisher.isOpen) await publisher.close().catch(() => undefined);
    },
  };
}
