/**
 * The browser's one Socket.IO connection manager. One `Manager` per tab multiplexes the main namespace
 * "/" (what concerns me across rooms) and one namespace per room being shown (`/r/<roomId>`). The
 * session cookie authenticates every handshake (same origin). Browser-only: call from effects.
 */
import { Manager, type Socket } from 'socket.io-client';
import { create } from 'zustand';
import type { Ack, ErrorCode } from '../errors';
import { realtimeTransports, type RealtimeTransportsSetting } from './engine-options';
import { createForwardThrottle, type ForwardThrottle } from './forward-throttle';
import { closeRoomSocket, keepRoomSocket } from './room-socket-close';
import type { ChatMessage, SendMessageInput } from '../schemas/message';
import { roomNamespace, showsDelivery, type RoomKind } from '../schemas/limits';
import type { RoomLoad } from '../schemas/room';
import type { PresenceInfo } from '../schemas/user';
import type {
  ClientToServerEvents,
  RoomClientToServerEvents,
  RoomServerToClientEvents,
  ServerToClientEvents,
} from './events';

export type MainSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
export type RoomSocket = Socket<RoomServerToClientEvents, RoomClientToServerEvents>;

/**
 * - connecting: first connection of this tab, not up yet
 * - connected
 * - reconnecting: was up, trying again (socket.io's backoff)
 * - offline: the browser says so, or several attempts in a row failed
 * - signed-out: the server refused the session; reconnecting will not help
 */
export type ConnectionStatus = 'connecting' | 'connected' | 'reconnecting' | 'offline' | 'signed-out';

/** After this many failed attempts in a row, call it offline rather than reconnecting. */
const OFFLINE_AFTER_ATTEMPTS = 3;
/** Retry delay for namespace connects the server refused for a transient reason. */
const REFUSED_RETRY_MS = 3_000;
/** Keep the manager briefly after the last user lets go: a remount or route change picks it up again. */
const RELEASE_GRACE_MS = 1_000;
export const SEND_TIMEOUT_MS = 10_000;
/** Acks for positions (read, delivered): small, retried by the next report, so a short timeout. */
const POSITION_TIMEOUT_MS = 5_000;
/** At most one `delivery:ack` per room per this interval (the highest seq waiting goes out). */
const DELIVERY_ACK_INTERVAL_MS = 1_000;
/** A room's first `delivery:ack` after a quiet spell waits up to this long (forward-throttle.ts says why). */
const DELIVERY_ACK_SPREAD_MS = 1_000;

export const useConnectionStore = create<{ status: ConnectionStatus }>(() => ({ status: 'connecting' }));

export function useConnectionStatus(): ConnectionStatus {
  return useConnectionStore((s) => s.status);
}

function setStatus(status: ConnectionStatus): void {
  if (useConnectionStore.getState().status !== status) useConnectionStore.setState({ status });
}

const browserOnline = () => typeof navigator === 'undefined' || navigator.onLine !== false;

/** The `{ code }` a refused namespace connect carries (lib/realtime/handshake.ts and room middleware). */
export function connectErrorCode(error: Error): ErrorCode | undefined {
  const data = (error as Error & { data?: { code?: unknown } }).data;
  return typeof data?.code === 'string' ? (data.code as ErrorCode) : undefined;
}

/** Refusals that retrying cannot fix. */
const FINAL_REFUSALS: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['UNAUTHORIZED', 'FORBIDDEN', 'NOT_FOUND']);

interface Realtime {
  /** Whose session the connection's handshake carried. */
  userId: string;
  manager: Manager;
  main: MainSocket;
  delivery: ForwardThrottle;
  users: number;
  releaseTimer?: ReturnType<typeof setTimeout>;
  dispose(): void;
}

let current: Realtime | null = null;

let transports = realtimeTransports('polling,websocket');

/**
 * The server's REALTIME_TRANSPORTS (a WebSocket-only server refuses polling), passed down by the signed-in
 * layout. Called while rendering, so it is in place before any effect opens the connection.
 */
export function setRealtimeTransports(setting: RealtimeTransportsSetting): void {
  transports = realtimeTransports(setting);
}

function createRealtime(userId: string): Realtime {
  // autoConnect off: every socket is connected explicitly, after its listeners and auth are in place.
  // closeOnBeforeunload: a closed or reloaded page says goodbye at once, so the others see it leave now
  // rather than after the server's ping timeout.
  const manager = new Manager(window.location.origin, { path: '/socket.io', transports, autoConnect: false, closeOnBeforeunload: true });
  const main = manager.socket('/') as MainSocket;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  setStatus('connecting');
  const delivery = createForwardThrottle((roomId, seq) => {
    // No ack: nothing here would use the answer, and the server is spared a write per report.
    if (main.connected) main.emit('delivery:ack', { roomId, seq });
  }, DELIVERY_ACK_INTERVAL_MS, () => Math.random() * DELIVERY_ACK_SPREAD_MS);

  main.on('connect', () => {
    delivery.reset(); // reports made while disconnected were dropped: let them be made again
    setStatus('connected');
  });
  // The server ended this session (signed out elsewhere, password changed, account disabled): it
  // disconnects every namespace right after, and reconnecting would only be refused.
  main.on('session:ended', () => setStatus('signed-out'));
  main.on('disconnect', (reason) => {
    if (reason === 'io client disconnect' || useConnectionStore.getState().status === 'signed-out') return;
    setStatus(browserOnline() ? 'reconnecting' : 'offline');
  });
  main.on('connect_error', (error) => {
    if (main.active) return; // a transport error: the manager retries by itself
    const code = connectErrorCode(error);
    if (code === 'UNAUTHORIZED') return setStatus('signed-out');
    // Refused by middleware for a passing reason (INTERNAL): the manager will not retry this namespace.
    clearTimeout(retryTimer);
    retryTimer = setTimeout(() => main.connect(), REFUSED_RETRY_MS);
  });
  const onAttempt = (attempt: number) => setStatus(!browserOnline() || attempt > OFFLINE_AFTER_ATTEMPTS ? 'offline' : 'reconnecting');
  manager.on('reconnect_attempt', onAttempt);

  // engine.io closes the transport on the browser's "offline" event; say so at once instead of after a ping timeout.
  const onOffline = () => setStatus('offline');
  const onOnline = () => {
    if (useConnectionStore.getState().status === 'offline') setStatus('reconnecting');
  };
  window.addEventListener('offline', onOffline);
  window.addEventListener('online', onOnline);
  main.connect();

  return {
    userId,
    manager,
    main,
    delivery,
    users: 0,
    dispose() {
      clearTimeout(retryTimer);
      delivery.dispose();
      window.removeEventListener('offline', onOffline);
      window.removeEventListener('online', onOnline);
      manager.off('reconnect_attempt', onAttempt);
      main.removeAllListeners();
      main.disconnect(); // the last active namespace: the manager closes the connection
      setStatus('connecting');
    },
  };
}

export interface RealtimeLease {
  main: MainSocket;
  /** Lets go of the connection; the last lease to go closes it (after a short grace period). */
  release(): void;
}

/**
 * Takes a share of the tab's connection, creating it on first use. The session cookie is read once, at
 * the connection's handshake: a different signed-in user gets a new connection.
 */
export function acquireRealtime(userId: string): RealtimeLease {
  if (current && current.userId !== userId) {
    clearTimeout(current.releaseTimer);
    current.dispose();
    current = null;
  }
  if (!current) current = createRealtime(userId);
  const realtime = current;
  clearTimeout(realtime.releaseTimer);
  realtime.users += 1;
  let released = false;
  return {
    main: realtime.main,
    release() {
      if (released) return;
      released = true;
      realtime.users -= 1;
      if (realtime.users > 0) return;
      realtime.releaseTimer = setTimeout(() => {
        if (realtime.users > 0 || current !== realtime) return;
        current = null;
        realtime.dispose();
      }, RELEASE_GRACE_MS);
    },
  };
}

/**
 * Messages up to `seq` in `room` reached this device (turns the sender's ✓ into ✓✓). Only where delivered
 * ticks are shown (showsDelivery): everywhere else a report would be a write for nobody. Throttled per room,
 * forward only; dropped while disconnected (the next report after reconnecting covers it).
 */
export function ackDelivery(room: { id: string; kind: RoomKind }, seq: number): void {
  if (seq > 0 && showsDelivery(room.kind)) current?.delivery.push(room.id, seq);
}

/** `presence:watch` (replaces the set). Null when not connected: send again on connect. */
export async function watchPresence(main: MainSocket, userIds: string[]): Promise<PresenceInfo[] | null> {
  if (!main.connected) return null;
  const ack = await main.timeout(POSITION_TIMEOUT_MS).emitWithAck('presence:watch', { userIds });
  if (!ack.ok) throw new Error(ack.error.message);
  return ack.data.presence;
}

/**
 * `room:load` on the tab's main socket (docs/protocol.md §5.1): a room of mine with its members and newest history, in
 * one answer on the connection the tab already has. null when the socket cannot answer now (not connected, no
 * answer in time): the caller reads the same over REST.
 */
export async function loadRoom(roomId: string, membersRev?: number, timeoutMs = POSITION_TIMEOUT_MS): Promise<Ack<RoomLoad> | null> {
  const main = current?.main;
  if (!main?.connected) return null;
  try {
    return await main.timeout(timeoutMs).emitWithAck('room:load', membersRev === undefined ? { roomId } : { roomId, membersRev });
  } catch {
    return null; // timed out, or disconnected while waiting
  }
}

/** `presence:set` for this tab; dropped when not connected (re-sent on connect by the caller). */
export function reportTabStatus(main: MainSocket, status: 'online' | 'away'): void {
  if (main.connected) main.emit('presence:set', { status }, () => undefined);
}

export type RoomEventHandlers = { [E in keyof RoomServerToClientEvents]?: RoomServerToClientEvents[E] };

export interface RoomConnectionOptions {
  /** The signed-in user (see acquireRealtime). */
  userId: string;
  /** Read on every (re)connect: the newest contiguous seq held, so the server replays what came after. */
  lastSeq(): number;
  /** Read on every (re)connect: the newest contiguous change (rev) held, so the server replays changes after it. */
  lastRev(): number;
  on: RoomEventHandlers;
  onConnect?(): void;
  onDisconnect?(reason: string): void;
  /** A refusal retrying cannot fix: FORBIDDEN (not a member), NOT_FOUND (deleted), UNAUTHORIZED. */
  onRefused?(error: { code: ErrorCode; message: string }): void;
}

export interface RoomConnection {
  readonly connected: boolean;
  /** `message:send` with an ack timeout; rejects on timeout or disconnect, and at once when not connected. */
  sendMessage(input: SendMessageInput, timeoutMs?: number): Promise<Ack<ChatMessage>>;
  /**
   * `typing:start` / `typing:stop`: skipped while not connected (which is fine), but not volatile: a
   * volatile emit is also dropped while the transport is busy sending something else, which on a loaded
   * machine lost the one `typing:start` a short word produces (and a `typing:stop`, leaving a stale indicator).
   */
  typing(start: boolean): void;
  /** `read:mark`; rejects on timeout or when not connected. */
  markRead(seq: number): Promise<Ack<{ lastReadSeq: number }>>;
  /** A change to a stored message (edit, delete, reaction) or `thread:mark`; rejects on timeout or when not connected. */
  request<E extends ChangeEvent>(event: E, payload: ChangePayload<E>, timeoutMs?: number): Promise<ChangeAck<E>>;
  close(): void;
}

export type ChangeEvent = 'message:edit' | 'message:delete' | 'reaction:add' | 'reaction:remove' | 'thread:mark';
export type ChangePayload<E extends ChangeEvent> = Parameters<RoomClientToServerEvents[E]>[0];
type ChangeAck<E extends ChangeEvent> = Parameters<Parameters<RoomClientToServerEvents[E]>[1]>[0];

/** Opens a room's namespace on the tab's connection. Close it when the room is no longer shown. */
export function openRoom(roomId: string, options: RoomConnectionOptions): RoomConnection {
  const lease = acquireRealtime(options.userId);
  const { manager } = current!;
  const auth = (cb: (data: object) => void) => cb({ lastSeq: options.lastSeq(), lastRev: options.lastRev() });
  const socket = manager.socket(roomNamespace(roomId), { auth }) as RoomSocket;
  // The manager keeps a namespace's socket across close/open: make sure this opening's auth is the one used
  // (a socket whose close was waiting for its connect goes on with the auth it was opened with).
  socket.auth = auth;
  keepRoomSocket(socket);
  let closed = false;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;

  for (const [event, handler] of Object.entries(options.on)) {
    if (handler) socket.on(event as keyof RoomServerToClientEvents, handler as never);
  }
  socket.on('connect', () => options.onConnect?.());
  socket.on('disconnect', (reason) => {
    // The session ended (the main namespace heard `session:ended` just before): a refusal, not a close.
    if (reason === 'io server disconnect' && useConnectionStore.getState().status === 'signed-out') {
      options.onDisconnect?.('session ended');
      return options.onRefused?.({ code: 'UNAUTHORIZED', message: 'Your session has ended.' });
    }
    options.onDisconnect?.(reason);
  });
  socket.on('connect_error', (error) => {
    if (socket.active) return; // transport trouble: the manager reconnects every namespace
    const code = connectErrorCode(error);
    if (code && FINAL_REFUSALS.has(code)) {
      options.onRefused?.({ code, message: error.message });
      return;
    }
    clearTimeout(retryTimer);
    retryTimer = setTimeout(() => !closed && socket.connect(), REFUSED_RETRY_MS);
  });
  if (!socket.active) socket.connect();

  return {
    get connected() {
      return !closed && socket.connected;
    },
    async sendMessage(input, timeoutMs = SEND_TIMEOUT_MS) {
      // Not connected: fail now rather than let socket.io buffer it; the caller resends after reconnect.
      if (closed || !socket.connected) throw new Error('not connected');
      return socket.timeout(timeoutMs).emitWithAck('message:send', input);
    },
    typing(start) {
      if (!closed && socket.connected) socket.emit(start ? 'typing:start' : 'typing:stop');
    },
    async markRead(seq) {
      if (closed || !socket.connected) throw new Error('not connected');
      return socket.timeout(POSITION_TIMEOUT_MS).emitWithAck('read:mark', { seq });
    },
    async request(event, payload, timeoutMs = SEND_TIMEOUT_MS) {
      if (closed || !socket.connected) throw new Error('not connected');
      // The typed emitWithAck cannot take an event union; the signatures above keep callers typed.
      const timed = socket.timeout(timeoutMs) as unknown as { emitWithAck(event: string, payload: unknown): Promise<unknown> };
      return timed.emitWithAck(event, payload) as Promise<ChangeAck<typeof event>>;
    },
    close() {
      if (closed) return;
      closed = true;
      clearTimeout(retryTimer);
      socket.removeAllListeners();
      closeRoomSocket(socket);
      lease.release();
    },
  };
}

/** The call events a tab sends, each answered with an ack (docs/protocol.md §4.12). */
export type CallRequestEvent = 'call:start' | 'call:accept' | 'call:decline' | 'call:hangup' | 'call:resume' | 'call:media' | 'call:signal';
export type CallRequestPayload<E extends CallRequestEvent> = Parameters<ClientToServerEvents[E]>[0];
export type CallRequestAck<E extends CallRequestEvent | 'call:list'> = Parameters<
  E extends 'call:list' ? Parameters<ClientToServerEvents[E]>[0] : Parameters<ClientToServerEvents[E]>[1]
>[0];

/** The calls store's way to the server: the tab's main socket. */
export interface CallRequests {
  readonly connected: boolean;
  /** Rejects on timeout or disconnect, and at once when not connected (nothing is buffered for later). */
  send<E extends CallRequestEvent>(event: E, payload: CallRequestPayload<E>, timeoutMs?: number): Promise<CallRequestAck<E>>;
  list(timeoutMs?: number): Promise<CallRequestAck<'call:list'>>;
}

export function callRequests(main: MainSocket): CallRequests {
  return {
    get connected() {
      return main.connected;
    },
    async send(event, payload, timeoutMs = SEND_TIMEOUT_MS) {
      if (!main.connected) throw new Error('not connected');
      // The typed emitWithAck cannot take an event union; the signatures above keep callers typed.
      const timed = main.timeout(timeoutMs) as unknown as { emitWithAck(event: string, payload: unknown): Promise<unknown> };
      return timed.emitWithAck(event, payload) as Promise<CallRequestAck<typeof event>>;
    },
    async list(timeoutMs = POSITION_TIMEOUT_MS) {
      if (!main.connected) throw new Error('not connected');
      return main.timeout(timeoutMs).emitWithAck('call:list');
    },
  };
}
