/**
 * Open sockets of a session that ended (sign-out, "sign out everywhere", a password change, a disabled or
 * deleted account) are closed on every instance: at once through `end()` — applied here and sent to the
 * other instances over the main namespace's adapter — and, as a safety net for whatever that misses
 * (a change made straight in the database, a NOTIFY lost in a restart, natural expiry), by a sweep that
 * asks the database every few seconds which of this instance's sessions no longer count.
 */
import type { Socket } from 'socket.io';
import { endedSessions } from '../data/sessions';
import type { Logger } from '../logger';
import type { ParleyServer } from './server';

/** How many ended sessions an instance remembers (a few hundred KiB at most). */
const ENDED_MEMORY = 10_000;

type AnySocket = Socket<never, never, never, Partial<{ sessionId: string }>>;

export interface SessionGuard {
  /** Remembers a socket admitted with this session (handshake middleware, every namespace). */
  track(socket: AnySocket, sessionId: string): void;
  /** These sessions ended: close their sockets here and on every other instance. */
  end(sessionIds: string[]): void;
  /**
   * Whether this instance saw the session end: a connection identified before (its identity is cached,
   * handshake.ts) must not open another namespace with it.
   */
  hasEnded(sessionId: string): boolean;
  /** One sweep now (tests; the timer runs it every `sweepIntervalMs`). */
  sweep(): Promise<void>;
  close(): void;
}

const globalForGuards = globalThis as unknown as { parleySessionGuards?: WeakMap<ParleyServer, SessionGuard> };
const guards = (globalForGuards.parleySessionGuards ??= new WeakMap());

/** The guard of a server (on globalThis: Next's route handlers run their own copy of this module). */
export function sessionGuardOf(io: ParleyServer): SessionGuard | undefined {
  return guards.get(io);
}

export function createSessionGuard(io: ParleyServer, deps: { log: Logger; sweepIntervalMs: number; clustered: boolean }): SessionGuard {
  const log = deps.log.child({ component: 'session-guard' });
  const socketsBySession = new Map<string, Set<AnySocket>>();
  /** Sessions seen ending here, oldest first; bounded, as only connections identified before can need it. */
  const ended = new Map<string, number>();

  function endHere(sessionIds: string[]): void {
    for (const sessionId of sessionIds) {
      ended.set(sessionId, Date.now());
      if (ended.size > ENDED_MEMORY) ended.delete(ended.keys().next().value as string);
      const sockets = socketsBySession.get(sessionId);
      if (!sockets) continue;
      socketsBySession.delete(sessionId);
      for (const socket of sockets) {
        // The main namespace hears why, so the page can say "signed out" instead of reconnecting.
        if (socket.nsp.name === '/') (socket as unknown as Socket).emit('session:ended', { reason: 'revoked' });
        // close = true: every namespace on the connection gets a server disconnect, then the connection closes.
        socket.disconnect(true);
      }
      log.info({ sessionId, sockets: sockets.size }, 'closed the sockets of an ended session');
    }
  }

  if (deps.clustered) io.on('session:ended', (sessionIds) => endHere(sessionIds));

  const guard: SessionGuard = {
    hasEnded: (sessionId) => ended.has(sessionId),

    track(socket, sessionId) {
      let sockets = socketsBySession.get(sessionId);
      if (!sockets) socketsBySession.set(sessionId, (sockets = new Set()));
      sockets.add(socket);
      socket.once('disconnect', () => {
        const current = socketsBySession.get(sessionId);
        if (!current) return;
        current.delete(socket);
        if (current.size === 0) socketsBySession.delete(sessionId);
      });
    },

    end(sessionIds) {
      if (sessionIds.length === 0) return;
      endHere(sessionIds);
      if (deps.clustered) io.serverSideEmit('session:ended', sessionIds);
    },

    async sweep() {
      if (socketsBySession.size === 0) return;
      try {
        endHere(await endedSessions([...socketsBySession.keys()]));
      } catch (error) {
        log.warn({ err: error }, 'session sweep failed; trying again at the next one');
      }
    },

    close() {
      clearInterval(timer);
    },
  };
  const timer = setInterval(() => void guard.sweep(), deps.sweepIntervalMs);
  timer.unref();
  guards.set(io, guard);
  return guard;
}
