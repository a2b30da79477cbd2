/**
 * createRealtimeServer(): the Socket.IO server on an existing HTTP server. server.ts calls it after Next
 * is ready; integration tests call it on a bare HTTP server (no Next) on port 0.
 */
import type { Server as HttpServer } from 'node:http';
import { Server, type Namespace } from 'socket.io';
import { Adapter } from 'socket.io-adapter';
import type { Env } from '../env';
import type { Logger } from '../logger';
import type { ClientToServerEvents, InterServerEvents, ServerToClientEvents, SocketData } from './events';
import { createHandshakeMiddleware, releaseUpgradeRequest } from './handshake';
import { createRoomLoadRateLimiter } from './handlers/room-load.handlers';
import { createCallActionRateLimiter, createSignalRateLimiter } from './handlers/call.handlers';
import { createCallService } from './calls';
import { getMetrics } from '../metrics';
import type { ClusterAdapterHandle } from './cluster-adapter';
import type { ConnectGate } from './connect-gate';
import { normalizeEmoji } from '../emoji/single-emoji';
import { createRoomBus, type RoomBusOptions } from './bus';
import { ENGINE_PING, MAX_SOCKET_PAYLOAD_BYTES, realtimeTransports } from './engine-options';
import { closeReceiptFanout, setRealtimeServer } from './notify';
import { registerMainNamespace } from './main-namespace';
import { publishOnlyToPeers, type Peers } from './peers';
import { preEncodingParser } from './pre-encoded';
import { createPresenceTracker } from './presence';
import { registerRoomNamespaces } from './rooms';
import { createSessionGuard } from './session-guard';

export type ParleyServer = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;

export interface RealtimeDeps {
  env: Env;
  log: Logger;
  /** Overrides of the per-user message limits (tests); default from env. */
  messageLimits?: { perSecond: number; burst: number };
  /** How long a user with no sockets left stays "online" (a reload must not flap). Default 4 s. */
  presenceGraceMs?: number;
  /** How long a typing:start lasts without a repeat. Default 5 s. */
  typingTtlMs?: number;
  /** How often open sockets' sessions are re-checked against the database. Default 15 s. */
  sessionSweepMs?: number;
  /** Cross-instance broadcast (cluster-adapter.ts: PostgreSQL or Redis). Without it, one instance only (in memory). */
  adapter?: ClusterAdapterHandle;
  /** The queue for connect-time database work (connect-gate.ts); tests pass one they can fill. Default: a new one. */
  connectGate?: ConnectGate;
  /** Call timings (tests shorten them): ring time, reconnect grace, heartbeat, sweep (lib/realtime/calls.ts). */
  calls?: { ringMs?: number; graceMs?: number; heartbeatMs?: number; sweepMs?: number };
  /** Room bus tuning (tests): bounds on unpublished actions, hole timeout. */
  bus?: Omit<RoomBusOptions, 'log'>;
}

/**
 * Socket.IO calls the adapter option with `new`: a plain function (not an arrow) returning the adapter.
 * The main namespace's publishes only go out while another instance is known (peers.ts).
 */
function mainNamespaceOnly(clusterAdapter: ClusterAdapterHandle['adapter'], onMain: (peers: Peers) => void, log: Logger) {
  return function adapterFor(nsp: Namespace): Adapter {
    if (nsp.name !== '/') return new Adapter(nsp);
    const adapter = clusterAdapter(nsp);
    onMain(publishOnlyToPeers(adapter, { log }));
    return adapter;
  };
}

export function createRealtimeServer(httpServer: HttpServer, deps: RealtimeDeps): ParleyServer {
  const log = deps.log.child({ component: 'realtime' });
  let peers: Peers | undefined;
  const io: ParleyServer = new Server(httpServer, {
    serveClient: false,
    // The stock parser, writing large values kept as JSON as they are (pre-encoded.ts says why).
    parser: preEncodingParser,
    maxHttpBufferSize: MAX_SOCKET_PAYLOAD_BYTES,
    transports: realtimeTransports(deps.env.REALTIME_TRANSPORTS),
    ...ENGINE_PING,
    // Room namespaces are closed when empty by our own clean-up (namespace-cleanup.ts says why).
    cleanupEmptyChildNamespaces: false,
    // Only the main namespace crosses instances through the adapter; room namespaces stay local and
    // reach the other instances through the room bus (bus.ts says why).
    ...(deps.adapter ? { adapter: mainNamespaceOnly(deps.adapter.adapter, (main) => (peers = main), log) } : {}),
    // Browsers on other configured origins need CORS for the polling transport (the Origin check still runs).
    ...(deps.env.ALLOWED_ORIGINS.length > 0 ? { cors: { origin: deps.env.ALLOWED_ORIGINS, credentials: true } } : {}),
  });
  const sessions = createSessionGuard(io, { log, sweepIntervalMs: deps.sessionSweepMs ?? 15_000, clustered: deps.adapter !== undefined });
  httpServer.once('close', () => sessions.close());
  const handshake = createHandshakeMiddleware({ env: deps.env, log, sessions, gate: deps.connectGate });
  io.use(handshake);
  io.engine.use(releaseUpgradeRequest);
  io.engine.on('connection', (conn: Parameters<typeof handshake.identify>[0]) => void handshake.identify(conn).catch(() => undefined));
  // The emoji table (reactions) takes ~50 ms to build: now, not inside the first reaction's handler.
  normalizeEmoji('👍');
  const bus = createRoomBus(io, { ...deps.bus, log });
  registerRoomNamespaces(io, {
    log,
    handshake,
    messageLimits: deps.messageLimits ?? { perSecond: deps.env.RATE_LIMIT_MESSAGES_PER_SECOND, burst: deps.env.RATE_LIMIT_MESSAGES_BURST },
    typingTtlMs: deps.typingTtlMs ?? 5_000,
  });
  const presence = createPresenceTracker(io, { log, graceMs: deps.presenceGraceMs ?? 4_000 });
  const calls = createCallService(io, { log, ...deps.calls });
  httpServer.once('close', () => calls.close());
  httpServer.once('close', () => closeReceiptFanout(io));
  const signalLimiter = createSignalRateLimiter();
  const actionLimiter = createCallActionRateLimiter();
  setRealtimeServer(io);
  deps.adapter?.watch(io);
  deps.adapter?.onListeningAgain(() => {
    void bus.resync();
    peers?.announce(); // peers forgotten meanwhile answer now, not at their next heartbeat
  });
  peers?.onCatchUp(() => void bus.resync());
  const metrics = getMetrics();
  metrics.sources.sockets = () => io.engine.clientsCount;
  metrics.sources.roomNamespaces = () => [...io._nsps.keys()].filter((name) => name.startsWith('/r/')).length;
  // Why tabs go: a rise in 'ping timeout' means an overloaded instance (or network), not users leaving.
  io.engine.on('connection', (conn: { once(event: 'close', listener: (reason: string) => void): void }) => {
    conn.once('close', (reason) => metrics.connectionsClosed.inc({ reason }));
  });

  registerMainNamespace(io, {
    log,
    env: deps.env,
    calls,
    presence,
    signalLimiter,
    actionLimiter,
    roomLoadLimiter: createRoomLoadRateLimiter(),
    gate: handshake.gate,
  });
  return io;
}
