/**
 * Socket.IO handshake checks, run as middleware on every namespace: an allowed Origin, then a valid
 * next-auth session for a user that still exists. Decided once per connection (a tab's main namespace
 * and the room namespaces it opens share one), so a tab costs one JWT decryption and one user lookup.
 * Refusals reach the client as `connect_error` with a readable message and `data.code`.
 */
import { ServerResponse, type IncomingMessage } from 'node:http';
import type { Socket } from 'socket.io';
import { resolveClientIp } from '../client-ip';
import type { Env } from '../env';
import { toAppError, type ErrorCode } from '../errors';
import type { Logger } from '../logger';
import { sessionFromHeaders, toFetchHeaders } from '../session-token';
import type { PublicUser } from '../schemas/user';
import type { SocketData } from './events';
import { createConnectGate, type ConnectGate } from './connect-gate';
import type { SessionGuard } from './session-guard';

export class HandshakeError extends Error {
  readonly data: { code: ErrorCode };
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.data = { code };
  }
}

/**
 * Browsers always send Origin on a WebSocket or XHR handshake; it must be this server's own origin (as
 * addressed by the Host header) or one listed in ALLOWED_ORIGINS. Clients that send no Origin are not
 * browsers, so no other site can be riding on their cookies.
 */
export function isAllowedOrigin(origin: string | undefined, host: string | undefined, allowed: readonly string[]): boolean {
  if (origin === undefined) return true;
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return false;
  }
  if (allowed.includes(parsed.origin)) return true;
  return host !== undefined && parsed.host === host.toLowerCase();
}

type AnySocket = Socket<never, never, never, Partial<SocketData>>;

/**
 * Socket.IO builds a `handshake` record for every socket (the opening request's headers — emptied below —,
 * a date string, the query, the client's auth payload: ~200 B, two per tab) and keeps it for the socket's
 * life, though only admission reads it (here, and rooms.ts for the catch-up positions). Once a namespace
 * has admitted a socket, its record is swapped for this shared one: empty, and frozen, so that code
 * reading a handshake later gets nothing rather than something, and writing one throws.
 */
const RELEASED_HANDSHAKE: Socket['handshake'] = Object.freeze({
  headers: Object.freeze({}),
  time: '',
  address: '',
  xdomain: false,
  secure: false,
  issued: 0,
  url: '',
  query: Object.freeze({}),
  auth: Object.freeze({}),
});

/**
 * Engine.IO middleware (server.ts): a WebSocket upgrade's stand-in response lets go of its request.
 * Engine.IO keeps that response for the life of the TCP connection (a 'close' listener on the socket), and
 * with it the whole upgrade request — the request object, its stream state, its headers with the session
 * cookie: ~1 KiB a tab — though only middlewares setting response headers on an upgrade read it (Parley
 * has none; this one must stay the last). The handshake reads the opening request through the connection.
 */
export function releaseUpgradeRequest(_req: IncomingMessage, res: ServerResponse, next: (err?: Error) => void): void {
  if (!(res instanceof ServerResponse)) (res as { req?: unknown }).req = undefined;
  next();
}

/** Lets a socket's handshake record go (call once admitted, after its last read). */
export function releaseHandshake(socket: { readonly handshake: Socket['handshake'] }): void {
  (socket as { handshake: Socket['handshake'] }).handshake = RELEASED_HANDSHAKE;
}

/** The Engine.IO connection under a socket: one per browser tab, shared by all its namespaces. */
interface EngineConnection {
  request: IncomingMessage | null;
  readyState: string;
}

/** What the handshake needs of a connection's opening request. */
interface OpeningRequest {
  ip: string;
  origin: string | undefined;
  host: string | undefined;
  sessionHeaders: Headers;
}

/** Who is on a connection: decided once, for the main namespace and every room namespace it opens. */
interface ConnectionIdentity {
  ip: string;
  origin: string | undefined;
  originAllowed: boolean;
  /** The connection closed while it waited in line: nobody is there to answer (not a refusal to log). */
  closedMeanwhile?: true;
  /** null: no valid session (none, ended, revoked), or its user is gone or disabled. */
  user: PublicUser | null;
  sessionId: string | null;
  /** When the session ends (ms since the epoch): a namespace opened later is refused after it. */
  expiresAt: number;
}

export interface HandshakeMiddleware {
  (socket: AnySocket, next: (err?: Error) => void): Promise<void>;
  /** Starts identifying a new connection at once (Engine.IO 'connection'), before its first namespace asks. */
  identify(conn: EngineConnection): Promise<ConnectionIdentity>;
  /** The instance's queue for connect-time database work (connect-gate.ts); the session check goes through it too. */
  gate: ConnectGate;
}

export function createHandshakeMiddleware(deps: { env: Env; log: Logger; sessions: SessionGuard; gate?: ConnectGate }): HandshakeMiddleware {
  const { env, log } = deps;
  const openings = new WeakMap<EngineConnection, OpeningRequest>();
  /** A connection's identity: its promise while being decided, then the identity itself (a promise less per tab). */
  const identities = new WeakMap<EngineConnection, Promise<ConnectionIdentity> | ConnectionIdentity>();
  const gate = deps.gate ?? createConnectGate();

  /**
   * Reads what we need of the opening HTTP request, then lets the request go: Engine.IO would keep it
   * (headers, session cookie and all) for the life of the connection, a few KiB per tab that nothing
   * needs after the handshake. Socket.IO copes with a released request (its docs suggest it).
   * Called from Engine.IO's 'connection' event, after the handshake's response went out.
   */
  function openingRequestOf(conn: EngineConnection): OpeningRequest {
    let opening = openings.get(conn);
    if (!opening) {
      const req = conn.request;
      if (!req) throw new Error('the connection has no opening request');
      opening = {
        ip: resolveClientIp(req, env.TRUST_PROXY),
        origin: req.headers.origin,
        host: req.headers.host,
        sessionHeaders: toFetchHeaders({ cookie: req.headers.cookie, authorization: req.headers.authorization }),
      };
      openings.set(conn, opening);
      conn.request = null; // (the upgrade's stand-in response no longer holds it either: releaseUpgradeRequest)
    }
    return opening;
  }

  async function resolveIdentity(opening: OpeningRequest): Promise<ConnectionIdentity> {
    const { ip, origin, host } = opening;
    if (!isAllowedOrigin(origin, host, env.ALLOWED_ORIGINS)) return { ip, origin, originAllowed: false, user: null, sessionId: null, expiresAt: 0 };
    const session = await sessionFromHeaders(opening.sessionHeaders, env.AUTH_SECRET);
    return { ip, origin, originAllowed: true, user: session?.user ?? null, sessionId: session?.sessionId ?? null, expiresAt: session?.expiresAt ?? 0 };
  }

  function identify(conn: EngineConnection): Promise<ConnectionIdentity> {
    const known = identities.get(conn);
    if (known) return Promise.resolve(known);
    const opening = openingRequestOf(conn);
    // A connection that closed while it waited in line needs no answer (nobody asks for it again).
    const identity = gate(() =>
      conn.readyState === 'closed'
        ? { ip: opening.ip, origin: opening.origin, originAllowed: false, closedMeanwhile: true as const, user: null, sessionId: null, expiresAt: 0 }
        : resolveIdentity(opening),
    );
    identities.set(conn, identity);
    identity.then(
      (decided) => {
        openings.delete(conn); // the cookie is no longer needed
        identities.set(conn, decided);
      },
      () => identities.delete(conn), // a database error is no answer: the next namespace asks again
    );
    return identity;
  }

  async function handshake(socket: AnySocket, next: (err?: Error) => void): Promise<void> {
    let ip: string | undefined;
    try {
      const identity = await identify(socket.conn as unknown as EngineConnection);
      ip = identity.ip;
      if (identity.closedMeanwhile) return next(new HandshakeError('UNAVAILABLE', 'The connection closed before it was checked.'));
      if (!identity.originAllowed) {
        log.warn({ ip, origin: identity.origin, nsp: socket.nsp.name }, 'socket refused: origin not allowed');
        return next(new HandshakeError('FORBIDDEN', `Origin ${identity.origin} is not allowed to connect.`));
      }
      if (!identity.user || !identity.sessionId || Date.now() >= identity.expiresAt || deps.sessions.hasEnded(identity.sessionId)) {
        log.info({ ip, nsp: socket.nsp.name }, 'socket refused: no valid session');
        return next(new HandshakeError('UNAUTHORIZED', 'Sign in to connect: no valid session was presented.'));
      }
      socket.data.user = identity.user;
      socket.data.ip = ip;
      socket.data.sessionId = identity.sessionId;
      next();
    } catch (error) {
      const known = toAppError(error);
      if (!known) log.error({ err: error, ip }, 'socket handshake failed');
      next(new HandshakeError(known?.code ?? 'INTERNAL', known?.message ?? 'The server could not check your session. Try again shortly.'));
    }
  }
  return Object.assign(handshake, { identify, gate });
}
