/**
 * Socket.IO handshake checks, run as middleware on every namespace: an allowed Origin, then a valid
 * next-auth session for a user that still exists. Refusals reach the client as `connect_error` with a
 * readable message and `data.code`.
 */
import type { Socket } from 'socket.io';
import { resolveClientIp } from '../client-ip';
import { getUserById } from '../data/users';
import type { Env } from '../env';
import { toAppError, type ErrorCode } from '../errors';
import type { Logger } from '../logger';
import { sessionUserFromHeaders } from '../session-token';
import type { SocketData } from './events';

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

export function createHandshakeMiddleware(deps: { env: Env; log: Logger }) {
  const { env, log } = deps;
  return async function handshake(socket: AnySocket, next: (err?: Error) => void): Promise<void> {
    const req = socket.request;
    const ip = resolveClientIp(req, env.TRUST_PROXY);
    try {
      if (!isAllowedOrigin(req.headers.origin, req.headers.host, env.ALLOWED_ORIGINS)) {
        log.warn({ ip, origin: req.headers.origin, nsp: socket.nsp.name }, 'socket refused: origin not allowed');
        return next(new HandshakeError('FORBIDDEN', `Origin ${req.headers.origin} is not allowed to connect.`));
      }
      const claimed = await sessionUserFromHeaders(req.headers, env.AUTH_SECRET);
      const user = claimed ? await getUserById(claimed.id) : null;
      if (!user) {
        log.info({ ip, nsp: socket.nsp.name }, 'socket refused: no valid session');
        return next(new HandshakeError('UNAUTHORIZED', 'Sign in to connect: no valid session was presented.'));
      }
      socket.data.user = user;
      socket.data.ip = ip;
      next();
    } catch (error) {
      const known = toAppError(error);
      if (!known) log.error({ err: error, ip }, 'socket handshake failed');
      next(new HandshakeError(known?.code ?? 'INTERNAL', known?.message ?? 'The server could not check your session. Try again shortly.'));
    }
  };
}
