/**
 * Room namespaces `/r/<roomId>`: one dynamic namespace per room, admitted by middleware (session,
 * origin, membership; public rooms join on first connect), then replay of what the client missed,
 * presence, and the message handlers.
 */
import type { z } from 'zod';
import { listThreadReads } from '../data/message-changes';
import { getReplay } from '../data/messages';
import { getRoomAccess, joinRoom, requireMembership } from '../data/rooms';
import { AppError, toAppError } from '../errors';
import type { Logger } from '../logger';
import { handshakeAuthSchema } from '../schemas/message';
import { isLargeRoom, ROOM_NAMESPACE_PATTERN } from '../schemas/room';
import type { PublicUser } from '../schemas/user';
import { listReceipts } from '../data/receipts';
import { createMessageRateLimiter, defineMessageHandlers } from './handlers/message.handlers';
import { defineReceiptHandlers } from './handlers/receipt.handlers';
import { createReactionRateLimiter, defineChangeHandlers } from './handlers/change.handlers';
import { createTypingState, type TypingState } from './handlers/typing.handlers';
import { roomBusOf, type RoomBus } from './bus';
import { fetchSocketsAcross } from './fetch-sockets';
import { membersRoom } from './groups';
import type { ConnectGate } from './connect-gate';
import { closeEmptyChildNamespaces } from './namespace-cleanup';
import { HandshakeError, releaseHandshake, type createHandshakeMiddleware } from './handshake';
import { notifyMemberJoined, roomIdOf as roomIdOfSocket, type RoomEvents, type RoomNamespace, type RoomSocket } from './notify';
import { createEventTable } from './on-event';
import type { ParleyServer } from './server';

function roomIdOf(namespaceName: string): string {
  return ROOM_NAMESPACE_PATTERN.exec(namespaceName)?.[1] ?? '';
}

/**
 * Room namespaces whose room was large (isLargeRoom) when a socket was last admitted: who opens and closes
 * them is not announced (each announcement would reach every open socket of the room).
 */
const largeRooms = new WeakSet<RoomNamespace>();

/** Where the client's copy of the room ends: the handshake's `auth: { lastSeq, lastRev }` (both optional). */
type CatchUp = z.output<typeof handshakeAuthSchema>;

/**
 * Read by the admission middleware (to refuse an invalid one) and again on connection, not kept in
 * socket.data: a room socket needs them once, for its replay.
 */
function catchUpOf(socket: RoomSocket): CatchUp {
  const auth = handshakeAuthSchema.safeParse(socket.handshake.auth ?? {});
  if (!auth.success) throw new AppError('INVALID_PAYLOAD', 'auth.lastSeq and auth.lastRev must be whole numbers ≥ 0.');
  return auth.data;
}

/**
 * Members online in the app now: their main-namespace tabs in the room's `members:` group, across
 * instances. Asked of the main namespace, not the room's: a room namespace just created on this
 * instance learns of its peers on other instances only from their heartbeats, a moment later, and
 * would miss them; the main namespace lives as long as the process.
 */
async function onlineUsers(io: ParleyServer, roomId: string): Promise<PublicUser[]> {
  const sockets = await fetchSocketsAcross(io.in(membersRoom(roomId)));
  const users = new Map<string, PublicUser>();
  for (const s of sockets) if (s.data.user) users.set(s.data.user.id, s.data.user);
  return [...users.values()];
}

export function registerRoomNamespaces(
  io: ParleyServer,
  deps: {
    log: Logger;
    handshake: ReturnType<typeof createHandshakeMiddleware>;
    messageLimits: { perSecond: number; burst: number };
    typingTtlMs: number;
  },
): void {
  const log = deps.log.child({ component: 'rooms' });
  const rooms = io.of(ROOM_NAMESPACE_PATTERN) as unknown as RoomNamespace;
  closeEmptyChildNamespaces(io, rooms);
  const limiter = createMessageRateLimiter(deps.messageLimits);
  const reactionLimiter = createReactionRateLimiter();
  const typing = createTypingState({ ttlMs: deps.typingTtlMs, bus: roomBusOf(io) });
  const { gate } = deps.handshake;

  rooms.use(deps.handshake as unknown as Parameters<RoomNamespace['use']>[0]);
  rooms.use(async (socket, next) => {
    const { user, ip } = socket.data;
    const roomId = roomIdOf(socket.nsp.name);
    try {
      catchUpOf(socket); // refused here when invalid; read again once connected
      // In line with other connects' database work (connect-gate.ts). A connection that closed while it
      // waited is not admitted: its client gave up, and joining a public room for it would make its user
      // a member of a room they never opened.
      const admitted = await gate(async () => {
        if (socket.conn.readyState === 'closed') return false;
        const access = await getRoomAccess({ roomId, userId: user.id });
        if (!access.isMember) {
          if (access.kind !== 'public') throw new AppError('FORBIDDEN', 'Enter the room password to join first.');
          const joined = await joinRoom({ roomId, userId: user.id, ip });
          if (joined.joined) notifyMemberJoined(joined.room, user, io);
        }
        return true;
      });
      if (!admitted) return next(new HandshakeError('UNAVAILABLE', 'The connection closed before the room could be opened.'));
      next();
    } catch (error) {
      const known = toAppError(error);
      if (!known) log.error({ err: error, roomId }, 'room admission failed');
      next(new HandshakeError(known?.code ?? 'INTERNAL', known?.message ?? 'Could not open the room. Try again shortly.'));
    }
  });

  // Handlers once for every room namespace; per socket only the shared dispatcher and disconnect
  // listener (on-event.ts says why).
  const events: RoomEvents = createEventTable({ log });
  defineMessageHandlers(events, { io, limiter });
  defineReceiptHandlers(events, { io });
  defineChangeHandlers(events, { io, limiter, reactionLimiter });
  typing.define(events);
  const bus = roomBusOf(io);

  function onDisconnect(this: RoomSocket): void {
    const roomId = roomIdOfSocket(this);
    const userId = this.data.user.id;
    typing.left(this);
    if (largeRooms.has(this.nsp)) return; // who has a large room open is not announced
    // Offline only when the user's last socket in this room is gone (several tabs count as one).
    void bus
      .isInRoom(roomId, userId)
      .then((stillThere) => {
        if (!stillThere) bus.publish({ roomId, emit: { event: 'presence:offline', payload: { userId } } });
      })
      .catch((error: unknown) => log.warn({ err: error, roomId }, 'presence check failed'));
  }

  rooms.on('connection', (socket: RoomSocket) => {
    // Handlers first, so a send right after connect is not dropped while the replay loads.
    events.listen(socket);
    socket.on('disconnect', onDisconnect);
    const catchUp = catchUpOf(socket);
    releaseHandshake(socket);
    void onRoomConnection(socket, catchUp, { io, log, bus, typing, gate });
  });
}

async function onRoomConnection(
  socket: RoomSocket,
  catchUp: CatchUp,
  deps: { io: ParleyServer; log: Logger; bus: RoomBus; typing: TypingState; gate: ConnectGate },
): Promise<void> {
  const { user } = socket.data;
  const nsp = socket.nsp;
  const roomId = roomIdOfSocket(socket);
  const { bus } = deps;

  // The replay is what makes a reconnect lose nothing, so a database hiccup must not skip it: retry
  // while the socket stays. Only "gone" answers (deleted, no longer a member) end the connection.
  for (let attempt = 0, delay = 500; socket.connected; attempt += 1, delay = Math.min(delay * 2, 10_000)) {
    try {
      // In line with other connects' database work (connect-gate.ts); nothing to do for a socket gone meanwhile.
      const setup = await deps.gate(async () => {
        if (!socket.connected) return null;
        const room = await requireMembership({ roomId, userId: user.id });
        const [online, receipts, threads, replay] = await Promise.all([
          onlineUsers(deps.io, roomId),
          listReceipts({ room, userId: user.id }),
          listThreadReads({ roomId, userId: user.id }),
          getReplay({ room, afterSeq: catchUp.lastSeq ?? room.lastSeq ?? 0, afterRev: catchUp.lastRev }),
        ]);
        return { room, online, receipts, threads, replay };
      });
      if (!setup || !socket.connected) return;
      const { room, online, receipts, threads, replay } = setup;
      socket.emit('room:ready', { room, online, receipts, threads, typing: deps.typing.typists(nsp) });
      if (isLargeRoom(room)) largeRooms.add(nsp);
      else {
        largeRooms.delete(nsp);
        // Idempotent on clients (a set of user ids), so a second tab re-announcing is harmless.
        bus.publish({ roomId, emit: { event: 'presence:online', payload: { user }, exceptSocketId: socket.id } });
      }
      socket.emit('message:replay', replay);
      bus.admitted(roomId, replay.lastSeq, replay.lastRev);
      return;
    } catch (error) {
      const known = toAppError(error);
      if (known && known.code !== 'UNAVAILABLE') return void socket.disconnect();
      deps.log.warn({ err: known ? known.message : error, roomId, attempt }, 'room connection setup failed; retrying');
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}
