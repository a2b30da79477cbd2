/**
 * The LISTEN connection of @socket.io/postgres-adapter 0.5.0, managed by us. Its PubSubClient
 * (node_modules/@socket.io/postgres-adapter/dist/util.js) handles a PostgreSQL restart badly:
 *
 * - It LISTENs again only 1–3 s (at random) after its connection ended, and waits as long again after
 *   each failed attempt, while Prisma and the publishing pool are back at once. A NOTIFY is delivered
 *   only to sessions listening when it commits, so whatever the other instances broadcast meanwhile
 *   never reaches this instance's clients — also after /api/ready said 200 again.
 * - Its reconnection is not one at a time: a LISTEN that fails schedules a retry and so does the 'end'
 *   of that connection, and an 'end' clears `client` whichever connection it comes from. It can end up
 *   with two connections listening, and every broadcast then arrives twice.
 * - It never releases a dead connection to its pool: a slot leaks per restart (publishing starves once
 *   they are all gone) and pool.end() waits for them forever, so shutdown hangs.
 * - A LISTEN for a namespace created later is sent on whatever connection it has, errors swallowed.
 *
 * So the adapter gets its connection from `connect()` below instead of `pool.connect()`: a dedicated
 * one, and the previous one is discarded first (its listeners removed, so it can neither deliver nor
 * report an 'end'). Its `initClient` runs one at a time and only while not listening, retries come
 * within 250 ms–1 s, and a watchdog checks that the connection answers and listens to every channel.
 */
import pg from 'pg';
import type { Logger } from '../logger';

/** What we use of the adapter's private PubSubClient (util.js, version 0.5.0). */
interface PubSubInternals {
  client?: ListenClient;
  channels: Set<string>;
  initClient(): Promise<void>;
  scheduleReconnection(): void;
}

/** The adapter calls release() on its connection when its last namespace closes (shutdown). */
type ListenClient = pg.Client & { release(): void };

const LISTEN_WATCHDOG_MS = 5_000;
const PROBE_TIMEOUT_MS = 3_000;
const RETRY_MIN_MS = 250;
const RETRY_MAX_MS = 1_000;

export interface ListenConnection {
  /** Stands in for the adapter's `pool.connect()`. */
  connect(): Promise<ListenClient>;
  /** Takes over the adapter's PubSubClient (the `client` of any adapter it created). */
  adopt(pubsub: unknown): void;
  /** Starts the watchdog. */
  watch(): void;
  /** Listening to every channel now, as far as we know: broadcasts from other instances arrive. */
  listening(): boolean;
  /** Called each time the connection listens again after being down (not at start-up). */
  onListeningAgain(listener: () => void): void;
  close(): Promise<void>;
}

export function createListenConnection(config: pg.ClientConfig, deps: { log: Logger; onError(): void; onNotification(): void }): ListenConnection {
  const { log } = deps;
  let pubsub: PubSubInternals | undefined;
  let latest: ListenClient | undefined;
  let initializing: Promise<void> | undefined;
  let retryDelay = RETRY_MIN_MS;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let watchdog: ReturnType<typeof setInterval> | undefined;
  let missingChannels = false;
  let downSince: number | undefined;
  let closed = false;
  /** Connections made: the first is the adapter's own at start-up (before we wrap its initClient). */
  let connections = 0;
  const listeningAgain = new Set<() => void>();

  function discard(client: ListenClient | undefined): Promise<void> {
    if (!client) return Promise.resolve();
    client.removeAllListeners('notification');
    client.removeAllListeners('end');
    if (latest === client) latest = undefined;
    if (pubsub?.client === client) pubsub.client = undefined;
    return client.end().catch(() => undefined);
  }

  async function connect(): Promise<ListenClient> {
    void discard(latest);
    if (closed) throw new Error('adapter closed');
    connections += 1;
    const client: ListenClient = Object.assign(new pg.Client(config), { release: () => close() });
    client.on('notification', deps.onNotification);
    client.on('error', (error) => {
      deps.onError();
      log.warn({ err: error.message }, 'adapter LISTEN connection lost; reconnecting');
    });
    latest = client;
    missingChannels = false;
    await client.connect(); // a failure reaches the adapter's initClient, which schedules a retry
    return client;
  }

  /** Checks that the connection answers and listens to every channel the adapter has; repairs either. */
  async function check(): Promise<void> {
    if (!pubsub || closed) return;
    const client = pubsub.client;
    if (!client) return void pubsub.initClient(); // no-op while one is under way
    try {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('probe timed out')), PROBE_TIMEOUT_MS);
      });
      const probe = client.query<{ channel: string }>('SELECT pg_listening_channels() AS channel');
      const { rows } = await Promise.race([probe, timeout]).finally(() => clearTimeout(timer));
      const listened = new Set(rows.map((row) => row.channel));
      const missing = [...pubsub.channels].filter((channel) => !listened.has(channel));
      missingChannels = missing.length > 0;
      if (!missingChannels) return;
      deps.onError();
      log.warn({ channels: missing }, 'adapter was not listening to every channel; listening again');
      for (const channel of missing) await client.query(`LISTEN ${client.escapeIdentifier(channel)}`);
      missingChannels = false;
    } catch (error) {
      if (pubsub.client !== client || closed) return; // replaced or closed meanwhile
      deps.onError();
      log.warn({ err: error instanceof Error ? error.message : String(error) }, 'adapter LISTEN connection is dead; replacing it');
      void discard(client);
      void pubsub.initClient();
    }
  }
  /** Resolves once the connections have closed, so the database can be stopped right after. */
  async function close(): Promise<void> {
    closed = true;
    clearInterval(watchdog);
    clearTimeout(retryTimer);
    await Promise.all([discard(latest), discard(pubsub?.client)]);
  }

  return {
    connect,
    adopt(candidate) {
      if (pubsub || !candidate) return;
      const adopted = candidate as PubSubInternals;
      pubsub = adopted;
      const initClient = adopted.initClient.bind(adopted);
      adopted.initClient = () => {
        if (closed || adopted.client) return Promise.resolve();
        downSince ??= Date.now();
        initializing ??= initClient().finally(() => {
          initializing = undefined;
          if (!adopted.client || downSince === undefined) return;
          log.info({ ms: Date.now() - downSince }, 'adapter listening again');
          if (connections > 1) for (const listener of listeningAgain) listener();
          downSince = undefined;
          retryDelay = RETRY_MIN_MS;
        });
        return initializing;
      };
      adopted.scheduleReconnection = () => {
        clearTimeout(retryTimer);
        retryTimer = setTimeout(() => void adopted.initClient(), retryDelay);
        retryDelay = Math.min(retryDelay * 2, RETRY_MAX_MS);
      };
    },
    watch() {
      clearInterval(watchdog);
      watchdog = setInterval(() => void check(), LISTEN_WATCHDOG_MS);
      watchdog.unref();
    },
    listening: () => Boolean(pubsub?.client) && !missingChannels && !closed,
    onListeningAgain: (listener) => void listeningAgain.add(listener),
    close,
  };
}
