/**
 * The main namespace ("/"): one socket per tab. Its handlers (sessions and presence, delivery receipts,
 * calls, rooms read to be shown) are defined once here; each socket gets the shared dispatcher and one shared disconnect
 * listener, so an idle tab costs no closures of ours (on-event.ts says why).
 */
import type { BurstyRateLimiter } from 'rate-limiter-flexible';
import type { Env } from '../env';
import type { Logger } from '../logger';
import type { CallService } from './calls';
import type { ConnectGate } from './connect-gate';
import { defineCallHandlers } from './handlers/call.handlers';
import { defineRoomLoadHandlers } from './handlers/room-load.handlers';
import { defineSessionHandlers, startSession } from './handlers/session.handlers';
import type { MainEvents, MainSocket } from './notify';
import { releaseHandshake } from './handshake';
import { createEventTable } from './on-event';
import type { PresenceTracker } from './presence';
import type { ParleyServer } from './server';

export function registerMainNamespace(
  io: ParleyServer,
  deps: {
    log: Logger;
    env: Env;
    calls: CallService;
    presence: PresenceTracker;
    signalLimiter: BurstyRateLimiter;
    actionLimiter: BurstyRateLimiter;
    roomLoadLimiter: BurstyRateLimiter;
    gate: ConnectGate;
  },
): void {
  const { log, calls, presence } = deps;
  const events: MainEvents = createEventTable({ log });
  defineCallHandlers(events, { io, env: deps.env, calls, signalLimiter: deps.signalLimiter, actionLimiter: deps.actionLimiter });
  defineSessionHandlers(events, { io, presence });
  defineRoomLoadHandlers(events, { limiter: deps.roomLoadLimiter });

  function onDisconnect(this: MainSocket, reason: string): void {
    const userId = this.data.user.id;
    log.info({ userId, reason }, 'socket disconnected');
    calls.socketClosed(this.id);
    presence.refresh(userId, { afterGrace: true });
  }

  io.on('connection', (socket) => {
    const { user, ip } = socket.data;
    log.info({ userId: user.id, ip, transport: socket.conn.transport.name }, 'socket connected');
    releaseHandshake(socket);
    events.listen(socket);
    socket.on('disconnect', onDisconnect);
    // In line with other connects' database work (connect-gate.ts); nothing to do for a tab gone meanwhile.
    deps
      .gate(async () => {
        if (socket.connected) await startSession(socket, { presence });
      })
      .then(() => socket.connected && socket.emit('session:ready', { user }))
      .catch((error: unknown) => {
        log.error({ err: error, userId: user.id }, 'session setup failed');
        // Close the transport rather than the socket: the client then reconnects by itself (a
        // server-side disconnect would tell it not to).
        socket.conn.close();
      });
  });
}
