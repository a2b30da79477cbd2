/**
 * Prometheus metrics (prom-client), one registry on globalThis shared by server.ts (which feeds it) and
 * the /api/metrics route (which serves it). Gauges read their sources at scrape time.
 */
import client from 'prom-client';
import type pg from 'pg';

interface MetricsState {
  registry: client.Registry;
  messagesAccepted: client.Counter;
  messagesRejected: client.Counter<'reason'>;
  messageHandling: client.Histogram;
  adapterErrors: client.Counter;
  adapterNotifies: client.Counter<'kind'>;
  adapterNotifications: client.Counter;
  adapterPublishesSkipped: client.Counter<'type'>;
  connectionsClosed: client.Counter<'reason'>;
  callsEnded: client.Counter<'outcome'>;
  callSignals: client.Counter;
  sources: {
    sockets?: () => number;
    roomNamespaces?: () => number;
    pools: Map<string, pg.Pool>;
    passwordPool?: () => { queued: number; completed: number; refused: number } | undefined;
  };
}

const globalForMetrics = globalThis as unknown as { parleyMetrics?: MetricsState };

function create(): MetricsState {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry, prefix: 'parley_' }); // incl. event-loop delay, heap, CPU
  const sources: MetricsState['sources'] = { pools: new Map() };

  new client.Gauge({
    name: 'parley_sockets_connected',
    help: 'Socket.IO connections (one per browser tab) on this instance.',
    registers: [registry],
    collect() {
      this.set(sources.sockets?.() ?? 0);
    },
  });
  new client.Gauge({
    name: 'parley_room_namespaces_active',
    help: 'Room namespaces (/r/<id>) with at least one socket on this instance.',
    registers: [registry],
    collect() {
      this.set(sources.roomNamespaces?.() ?? 0);
    },
  });
  new client.Gauge({
    name: 'parley_db_pool_connections',
    help: 'PostgreSQL pool connections by pool (app, adapter) and state.',
    labelNames: ['pool', 'state'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [name, pool] of sources.pools) {
        this.set({ pool: name, state: 'total' }, pool.totalCount);
        this.set({ pool: name, state: 'idle' }, pool.idleCount);
        this.set({ pool: name, state: 'waiting' }, pool.waitingCount);
      }
    },
  });
  new client.Gauge({
    name: 'parley_password_queue_length',
    help: 'Password hashes and checks waiting for a worker thread.',
    registers: [registry],
    collect() {
      this.set(sources.passwordPool?.()?.queued ?? 0);
    },
  });
  new client.Counter({
    name: 'parley_password_tasks_total',
    help: 'Password hashes and checks by outcome: completed (in a worker thread) or refused (queue full, answered UNAVAILABLE).',
    labelNames: ['outcome'],
    registers: [registry],
    collect() {
      const stats = sources.passwordPool?.();
      this.reset();
      this.inc({ outcome: 'completed' }, stats?.completed ?? 0);
      this.inc({ outcome: 'refused' }, stats?.refused ?? 0);
    },
  });

  return {
    registry,
    sources,
    messagesAccepted: new client.Counter({
      name: 'parley_messages_accepted_total',
      help: 'Messages stored and acknowledged (retried clientIds count once).',
      registers: [registry],
    }),
    messagesRejected: new client.Counter({
      name: 'parley_messages_rejected_total',
      help: 'message:send attempts refused, by error code.',
      labelNames: ['reason'],
      registers: [registry],
    }),
    messageHandling: new client.Histogram({
      name: 'parley_message_handling_seconds',
      help: 'message:send from arrival to ack and broadcast (validation, rate limit, insert).',
      buckets: [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    adapterErrors: new client.Counter({
      name: 'parley_adapter_errors_total',
      help: 'Errors of the PostgreSQL adapter (cross-instance broadcast).',
      registers: [registry],
    }),
    adapterNotifies: new client.Counter({
      name: 'parley_adapter_notify_total',
      help: 'NOTIFYs this instance sent to the others, by kind (heartbeat, or events and requests).',
      labelNames: ['kind'],
      registers: [registry],
    }),
    callsEnded: new client.Counter({
      name: 'parley_calls_ended_total',
      help: 'Calls ended, by outcome (counted by the instance that wrote the call entry).',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    callSignals: new client.Counter({
      name: 'parley_call_signals_total',
      help: 'call:signal offers, answers and ICE candidates relayed.',
      registers: [registry],
    }),
    adapterNotifications: new client.Counter({
      name: 'parley_adapter_notifications_received_total',
      help: 'Notifications this instance received from PostgreSQL (its own NOTIFYs included).',
      registers: [registry],
    }),
    connectionsClosed: new client.Counter({
      name: 'parley_connections_closed_total',
      help: "Socket.IO connections (tabs) closed, by Engine.IO's reason: 'transport close' (the client went or its network dropped), 'ping timeout' (no pong in time), 'forced close' (the server closed it), 'transport error', …",
      labelNames: ['reason'],
      registers: [registry],
    }),
    adapterPublishesSkipped: new client.Counter({
      name: 'parley_adapter_publishes_skipped_total',
      help: 'Cross-instance publishes not sent because no other instance was known (lib/realtime/peers.ts), by message type.',
      labelNames: ['type'],
      registers: [registry],
    }),
  };
}

export function getMetrics(): MetricsState {
  globalForMetrics.parleyMetrics ??= create();
  return globalForMetrics.parleyMetrics;
}
