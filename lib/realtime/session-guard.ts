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
  /** Sessions seen ending here, oldest first; bounded, as only connections identified before can need it. */
  const ended = new Map<string, number>();

  /**
   * Every open socket of this instance, every namespace. No index by session is kept: it would cost every
   * tab a map entry, a set and a disconnect listener, to speed up what happens rarely (a sign-out) or
   * every few seconds (the sweep), where a pass over the sockets takes a millisecond or two.
   */
  function* openSockets(): Generator<AnySocket> {
    for (const nsp of io._nsps.values()) yield* nsp.sockets.values() as Iterable<AnySocket>;
  }

  function endHere(sessionIds: string[]): void {
    if (sessionIds.length === 0) return;
    const ending = new Set(sessionIds);
    for (const sessionId of sessionIds) {
      ended.set(sessionId, Date.now());
      if (ended.size > ENDED_MEMORY) ended.delete(ended.keys().next().value as string);
    }
    const sockets = [...openSockets()].filter((socket) => socket.data.sessionId !== undefined && ending.has(socket.data.sessionId));
    // The main namespace hears why first, so the page can say "signed out" instead of reconnecting.
    for (const socket of sockets) if (socket.nsp.name === '/') (socket as unknown as Socket).emit('session:ended', { reason: 'revoked' });
    const counts = new Map<string, number>();
    for (const socket of sockets) {
      counts.set(socket.data.sessionId!, (counts.get(socket.data.sessionId!) ?? 0) + 1);
      // close = true: every namespace on the connection gets a server disconnect, then the connection closes.
      socket.disconnect(true);
    }
    for (const [sessionId, count] of counts) log.info({ sessionId, sockets: count }, 'closed the sockets of an ended session');
  }

  if (deps.clustered) io.on('session:ended', (sessionIds) => endHere(sessionIds));

  const guard: SessionGuard = {
    hasEnded: (sessionId) => ended.has(sessionId),

    end(sessionIds) {
      if (sessionIds.length === 0) return;
      endHere(sessionIds);
      if (deps.clustered) io.serverSideEmit('session:ended', sessionIds);
    },

    async sweep() {
      const open = new Set<string>();
      for (const socket of openSockets()) if (socket.data.sessionId !== undefined) open.add(socket.data.sessionId);
      if (open.size === 0) return;
      try {
        endHere(await endedSessions([...open]));
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
