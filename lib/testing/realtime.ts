/** Integration-test helpers: the realtime server on a bare HTTP server (no Next) and real clients. */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { encode } from 'next-auth/jwt';
import { io as connect, Manager, type Socket } from 'socket.io-client';
import { createSession } from '../data/sessions';
import { registerUser } from '../data/registration';
import { databaseUrl, getDb } from '../db';
import { getEnv } from '../env';
import { refuseCrossOriginStateChange } from '../http/origin-guard';
import { createFilesHandler, handleExpectContinue } from '../files/http';
import { createFileServices } from '../files/services';
import type { FileServices } from '../files/upload';
import { getLogger, type Logger } from '../logger';
import type { Ack } from '../errors';
import type { ConnectGate } from '../realtime/connect-gate';
import type { RoomReady } from '../realtime/events';
import type { Receipt } from '../schemas/room';
import { createClusterAdapter } from '../realtime/adapter-select';
import type { ClusterAdapterHandle, ClusterAdapterKind } from '../realtime/cluster-adapter';
import { clearRealtimeServer, setRealtimeServer } from '../realtime/notify';
import { createRealtimeServer, type ParleyServer, type RealtimeDeps } from '../realtime/server';
import type { ChatMessage, MessageReplay } from '../schemas/message';
import type { PublicUser } from '../schemas/user';

export interface TestRealtime {
  url: string;
  port: number;
  io: ParleyServer;
  /** The cross-instance adapter, when started with `clusterAdapter` (or `postgresAdapter`). */
  adapter?: ClusterAdapterHandle;
  /** Makes this instance the one REST handlers (notify.ts) talk to, as if the request landed here. */
  handleRequestsHere(): void;
  close(): Promise<void>;
  crash(): Promise<void>;
}

export async function startTestRealtime(
  options: {
    messageLimits?: { perSecond: number; burst: number };
    port?: number;
    presenceGraceMs?: number;
    typingTtlMs?: number;
    sessionSweepMs?: number;
    /** The server's logger (default: the process's, silent in tests). */
    log?: Logger;
    /** Cross-instance broadcast through the PostgreSQL adapter (as server.ts runs by default): `clusterAdapter: 'postgres'`. */
    postgresAdapter?: boolean;
    /** Cross-instance broadcast through this adapter (the Redis one on this test file's own stream, lib/testing/redis.ts). */
    clusterAdapter?: ClusterAdapterKind;
    bus?: RealtimeDeps['bus'];
    /** The queue for connect-time database work (default: the server's own); a test can fill it to hold connects in line. */
    connectGate?: RealtimeDeps['connectGate'];
    /** Call timings (ring time, reconnect grace, heartbeat, sweep); default: the server's. */
    calls?: RealtimeDeps['calls'];
    /** What the file routes (uploads, downloads) run on; default: the process's storage, no scanner. */
    files?: Partial<Omit<FileServices, 'env' | 'log'>>;
  } = {},
): Promise<TestRealtime> {
  const env = getEnv();
  // The byte-stream file routes on the same origin as the sockets, as server.ts serves them.
  const handleFiles = createFilesHandler(createFileServices(env, options.log ?? getLogger(), options.files));
  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    // As server.ts: the cross-origin and content-type rule first, for every route.
    if (refuseCrossOriginStateChange(req, res)) return;
    if (!handleFiles(req, res)) res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"code":"NOT_FOUND","message":"No such route."}}');
  };
  const httpServer = createServer(onRequest);
  handleExpectContinue(httpServer, onRequest);
  const adapterKind = options.clusterAdapter ?? (options.postgresAdapter ? 'postgres' : undefined);
  // Imported here: lib/testing/redis.ts needs vitest's inject, and the bench imports this module outside vitest.
  const adapterConfig = adapterKind ? (await import('./redis')).testAdapterConfig(adapterKind, databaseUrl()) : undefined;
  const adapter = adapterConfig ? createClusterAdapter(adapterConfig, getLogger()) : undefined;
  const io = createRealtimeServer(httpServer, {
    env,
    log: options.log ?? getLogger(),
    // Generous by default so tests that send fast are not about rate limits.
    messageLimits: options.messageLimits ?? { perSecond: 10_000, burst: 10_000 },
    presenceGraceMs: options.presenceGraceMs ?? 150,
    typingTtlMs: options.typingTtlMs,
    sessionSweepMs: options.sessionSweepMs,
    adapter,
    bus: options.bus,
    calls: options.calls,
    connectGate: options.connectGate,
  });
  await new Promise<void>((resolve) => httpServer.listen(options.port ?? 0, '127.0.0.1', resolve));
  // With the adapter, ready means hearing the other instances (what /api/ready waits for), not a guess.
  if (adapter) await eventually(() => adapter.listening(), 10_000);
  const { port } = httpServer.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    io,
    adapter,
    handleRequestsHere: () => setRealtimeServer(io),
    close: () =>
      new Promise<void>((resolve) => {
        clearRealtimeServer(io);
        void io.close(() => resolve());
      }).then(() => adapter?.close()),
    crash: () =>
      new Promise<void>((resolve) => {
        // Like a killed process: connections drop with no goodbye, nothing more is acked.
        clearRealtimeServer(io);
        for (const socket of io.of('/').sockets.values()) socket.conn.transport.close?.();
        httpServer.closeAllConnections();
        io.engine.close();
        httpServer.close(() => resolve());
      }),
  };
}

let counter = 0;
export function uniqueName(prefix = 'u'): string {
  counter += 1;
  return `${prefix}${Date.now().toString(36)}${counter}${Math.random().toString(36).slice(2, 6)}`.slice(0, 32);
}

/** Adds `count` members who never connect to a room (rows only: no sign-up, no bcrypt), for large rooms. */
export async function addFillerMembers(roomId: string, count: number): Promise<void> {
  const users = Array.from({ length: count }, () => {
    const username = uniqueName('fill');
    return { id: randomUUID(), username, displayName: `Filler ${username}`, passwordHash: 'x' };
  });
  await getDb().user.createMany({ data: users });
  await getDb().membership.createMany({ data: users.map((u) => ({ roomId, userId: u.id })) });
}

export async function createTestUser(overrides: { username?: string; password?: string } = {}): Promise<PublicUser & { password: string }> {
  const password = overrides.password ?? 'correct horse battery';
  const username = overrides.username ?? uniqueName();
  const user = await registerUser({
    data: { username, displayName: `Test ${username}`, password, confirmPassword: password },
    ip: `10.${Math.floor(Math.random() * 255)}.${Math.floor(Math.random() * 255)}.1`,
  });
  return { ...user, password };
}

/**
 * Signs a user in as Auth.js would: a session row (lib/data/sessions.ts) and the cookie carrying its id.
 * `maxAgeSeconds` shortens the token's own lifetime; `sessionId` reuses an existing session.
 */
export async function signInAs(
  user: PublicUser,
  options: { maxAgeSeconds?: number; sessionId?: string } = {},
): Promise<{ cookie: string; token: string; sessionId: string }> {
  const sessionId = options.sessionId ?? (await createSession({ userId: user.id, ip: '127.0.0.1', userAgent: 'parley-tests' }));
  const token = await encode({
    token: { sub: user.id, name: user.displayName, username: user.username, sid: sessionId },
    secret: getEnv().AUTH_SECRET,
    salt: 'authjs.session-token',
    ...(options.maxAgeSeconds ? { maxAge: options.maxAgeSeconds } : {}),
  });
  return { cookie: `authjs.session-token=${token}`, token, sessionId };
}

/** A session cookie exactly as Auth.js would set it after sign-in (a fresh session each call). */
export async function sessionCookie(user: PublicUser, options: { maxAgeSeconds?: number } = {}): Promise<string> {
  return (await signInAs(user, options)).cookie;
}

export interface ConnectOptions {
  cookie?: string;
  origin?: string;
  namespace?: string;
  auth?: Record<string, unknown>;
}

/** A real socket.io-client over WebSocket, sending the headers a browser would. */
export function connectClient(base: string, options: ConnectOptions = {}): Socket {
  const headers: Record<string, string> = {};
  if (options.cookie) headers.cookie = options.cookie;
  if (options.origin) headers.origin = options.origin;
  return connect(`${base}${options.namespace ?? '/'}`, {
    transports: ['websocket'],
    extraHeaders: headers,
    auth: options.auth,
    reconnection: false,
    forceNew: true,
  });
}

/** Resolves on `connect`, rejects with the `connect_error` (message and data) otherwise. */
export function waitForConnect(socket: Socket): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', (error) => reject(error));
  });
}

/**
 * Opens a room namespace as `user`, resolving once `room:ready` and `message:replay` have arrived.
 * `lastSeq` and `lastRev` go into the handshake's `auth` when given.
 */
export async function openRoom(
  base: string,
  user: PublicUser,
  roomId: string,
  options: { lastSeq?: number; lastRev?: number; cookie?: string } = {},
): Promise<{ socket: Socket; ready: RoomReady; replay: ReplayPayload }> {
  const auth: Record<string, number> = {};
  if (options.lastSeq !== undefined) auth.lastSeq = options.lastSeq;
  if (options.lastRev !== undefined) auth.lastRev = options.lastRev;
  const socket = connectClient(base, {
    cookie: options.cookie ?? (await sessionCookie(user)),
    namespace: `/r/${roomId}`,
    auth,
  });
  const ready = new Promise<RoomReady>((resolve) => socket.once('room:ready', resolve));
  const replay = new Promise<ReplayPayload>((resolve) => socket.once('message:replay', resolve));
  await waitForConnect(socket);
  return { socket, ready: await ready, replay: await replay };
}

export type ReplayPayload = MessageReplay;

export async function send(socket: Socket, body: string, clientId: string = randomUUID()): Promise<Ack<ChatMessage>> {
  return (await socket.timeout(10_000).emitWithAck('message:send', { clientId, body })) as Ack<ChatMessage>;
}

/** Collects every payload of `event` on `socket` from now on. */
export function collect<T>(socket: Socket, event: string): T[] {
  const items: T[] = [];
  socket.on(event, (payload: T) => items.push(payload));
  return items;
}

/** Takes a connect gate's only place (a gate of 1) until the returned function is called: connects wait in line behind it. */
export function holdConnectGate(gate: ConnectGate): () => void {
  let release = () => undefined as void;
  void gate(() => new Promise<void>((resolve) => (release = resolve)));
  return () => release();
}

/** Every receipt a room socket hears, in order: `receipts:updated` batches flattened. */
export function collectReceipts(socket: Socket): Receipt[] {
  const items: Receipt[] = [];
  socket.on('receipts:updated', (payload: { receipts: Receipt[] }) => items.push(...payload.receipts));
  return items;
}

/**
 * Waits until every instance counts all of them (each heard the others' heartbeat, or with Redis sees their
 * subscriptions): cross-instance lookups (online lists, presence, "is anyone left in the room") only wait
 * for instances they know of.
 */
export async function waitForCluster(instances: TestRealtime[], timeoutMs = 25_000): Promise<void> {
  const adapters = instances.map((i) => i.io.of('/').adapter as unknown as { uid: string; nodesMap?: Map<string, number>; serverCount(): Promise<number> });
  if (adapters.every((a) => a.nodesMap)) {
    // Other test files' instances share the database, and so the channel: look for these ones by uid.
    await eventually(() => adapters.every((a) => adapters.every((b) => a === b || a.nodesMap!.has(b.uid))), timeoutMs);
    return;
  }
  // Redis: this file's instances have a channel of their own (lib/testing/redis.ts), so the count is theirs.
  await eventuallyAsync(async () => (await Promise.all(adapters.map((a) => a.serverCount()))).every((n) => n === instances.length), timeoutMs);
}

/** Polls until `predicate` holds (or fails after `timeoutMs`). */
export async function eventually(predicate: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Like `eventually`, for a condition that needs a query to check. */
export async function eventuallyAsync(predicate: () => Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * A Request as a signed-in browser would send it to a route handler: as `who` (a fresh session each
 * time), with a given session `{ cookie }`, or anonymous (null). Same-origin, JSON, as the app's pages send it.
 */
export async function apiRequest(who: PublicUser | { cookie: string } | null, method: string, path: string, body?: unknown): Promise<Request> {
  const headers: Record<string, string> = { 'x-parley-client-ip': '10.20.30.40' };
  if (who) headers.cookie = 'cookie' in who ? who.cookie : await sessionCookie(who);
  if (body !== undefined) headers['content-type'] = 'application/json';
  return new Request(`http://localhost${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
}

/** A main-namespace ("/") socket for `user` (or a given session cookie), resolved once the server said `session:ready`. */
export async function openSession(base: string, user: PublicUser, options: { cookie?: string } = {}): Promise<Socket> {
  const socket = connectClient(base, { cookie: options.cookie ?? (await sessionCookie(user)) });
  const ready = new Promise<void>((resolve) => socket.once('session:ready', () => resolve()));
  await waitForConnect(socket);
  await ready;
  return socket;
}

/**
 * A browser tab: one connection (its own Manager, as a tab has) with the main namespace up (`session:ready`),
 * never reconnecting, so its room sockets share that one connection as the browser client's do.
 */
export async function openTab(base: string, user: PublicUser): Promise<{ manager: Manager; main: Socket }> {
  const manager = new Manager(base, { transports: ['websocket'], extraHeaders: { cookie: await sessionCookie(user) }, reconnection: false });
  const main = manager.socket('/');
  await new Promise<void>((resolve, reject) => {
    main.once('session:ready', () => resolve());
    main.once('connect_error', reject);
  });
  return { manager, main };
}

/** The second argument Next passes to a `[roomId]` route handler. */
export function roomParams(roomId: string): { params: Promise<{ roomId: string }> } {
  return { params: Promise.resolve({ roomId }) };
}
