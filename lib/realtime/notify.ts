/**
 * Server-initiated realtime events for changes made outside a socket handler (REST routes, pages,
 * namespace middleware). Called only after the database change committed. The Socket.IO server is
 * found on globalThis, where createRealtimeServer puts it, so Next's route handlers reach it too.
 */
import type { Namespace, Socket } from 'socket.io';
import type { ChatMessage } from '../schemas/message';
import type { Receipt, RoomSummary } from '../schemas/room';
import { roomNamespace } from '../schemas/room';
import type { PublicUser } from '../schemas/user';
import type { InterServerEvents, RoomClientToServerEvents, RoomServerToClientEvents, SocketData } from './events';
import type { ParleyServer } from './server';

export type RoomNamespace = Namespace<RoomClientToServerEvents, RoomServerToClientEvents, InterServerEvents, SocketData>;
export type RoomSocket = Socket<RoomClientToServerEvents, RoomServerToClientEvents, InterServerEvents, SocketData>;

const globalForIo = globalThis as unknown as { parleyIo?: ParleyServer };

export function setRealtimeServer(io: ParleyServer): void {
  globalForIo.parleyIo = io;
}

export function clearRealtimeServer(io: ParleyServer): void {
  if (globalForIo.parleyIo === io) globalForIo.parleyIo = undefined;
}

export function userRoom(userId: string): `user:${string}` {
  return `user:${userId}`;
}

/** Main-namespace group of every tab of every member of a room: unread activity goes here. */
export function membersRoom(roomId: string): `members:${string}` {
  return `members:${roomId}`;
}

/**
 * The room's namespace if it exists on this instance. Never `io.of(name)`: that would create a static
 * namespace which later connections would reach without the room middleware (auth, membership).
 */
function existingRoomNamespace(roomId: string, io = globalForIo.parleyIo): RoomNamespace | undefined {
  return io?._nsps.get(roomNamespace(roomId)) as RoomNamespace | undefined;
}

/**
 * Something to do to a room namespace's sockets, serialisable so another instance can do it too: an
 * event, then (optionally) a disconnect — of everyone, or of one user's sockets. One action, so the
 * event is never overtaken by the disconnect (two NOTIFYs sent on two pool connections can arrive in
 * either order).
 */
export interface RoomAction {
  emit?: { event: 'member:joined' | 'member:left' | 'room:deleted' | 'receipt:updated'; payload: unknown };
  disconnect?: { userId?: string };
}

/** Applies `action` to this instance's sockets of the room. */
export function performRoomAction(nsp: RoomNamespace, action: RoomAction): void {
  if (action.emit) (nsp.local.emit as (event: string, payload: unknown) => void)(action.emit.event, action.emit.payload);
  if (action.disconnect) (action.disconnect.userId ? nsp.in(userRoom(action.disconnect.userId)) : nsp).local.disconnectSockets();
}

/**
 * Reaches a room's sockets on every instance: applied here, and relayed over the main namespace (one
 * NOTIFY) for every other instance to apply to its own sockets. The main namespace, because a room
 * namespace exists only where someone has the room open, and is new on an instance for a moment
 * before its peers know of it.
 */
function toRoom(roomId: string, action: RoomAction, io = globalForIo.parleyIo): void {
  if (!io) return;
  const nsp = existingRoomNamespace(roomId, io);
  if (nsp) performRoomAction(nsp, action);
  if (isClustered(io)) io.serverSideEmit('room:relay', roomId, action);
}

const clustered = new WeakSet<ParleyServer>();
export function markClustered(io: ParleyServer): void {
  clustered.add(io);
}
function isClustered(io: ParleyServer): boolean {
  return clustered.has(io);
}

/** A non-member's view of a room, safe to send to everyone. */
function listingView(room: RoomSummary): RoomSummary {
  return { ...room, isMember: false, role: null, lastSeq: null, lastReadSeq: null };
}

/** Everyone may list the new room; the creator's other tabs learn they are its member. */
export function notifyRoomCreated(room: RoomSummary): void {
  const io = globalForIo.parleyIo;
  if (!io) return;
  if (room.kind !== 'direct') io.emit('room:listed', { room: listingView(room) });
  io.in(userRoom(room.ownerId)).socketsJoin(membersRoom(room.id));
  io.to(userRoom(room.ownerId)).emit('membership:changed', { roomId: room.id, isMember: true });
}

/** A new direct conversation appears in both participants' sidebars, each with their own view. */
export function notifyDirectStarted(views: { userId: string; room: RoomSummary }[]): void {
  const io = globalForIo.parleyIo;
  if (!io) return;
  for (const { userId, room } of views) {
    io.in(userRoom(userId)).socketsJoin(membersRoom(room.id));
    io.to(userRoom(userId)).emit('room:joined', { room });
  }
}

/** Every member's tabs learn a room moved on (unread counts, delivered ticks). */
export function notifyMessageStored(message: ChatMessage, io = globalForIo.parleyIo): void {
  io?.to(membersRoom(message.roomId)).emit('room:activity', { roomId: message.roomId, lastSeq: message.seq, authorId: message.author.id });
}

/** A member's read/delivery position moved: the room (receipts) and, if they read, their own tabs. */
export function notifyReceipt(roomId: string, receipt: Receipt, readMoved: boolean, io = globalForIo.parleyIo): void {
  toRoom(roomId, { emit: { event: 'receipt:updated', payload: receipt } }, io);
  if (readMoved) io?.to(userRoom(receipt.userId)).emit('room:read', { roomId, lastReadSeq: receipt.lastReadSeq });
}

/** `io` defaults to the process's server; socket middleware passes its own. */
export function notifyMemberJoined(room: RoomSummary, user: PublicUser, io = globalForIo.parleyIo): void {
  toRoom(room.id, { emit: { event: 'member:joined', payload: { user, at: new Date().toISOString() } } }, io);
  io?.in(userRoom(user.id)).socketsJoin(membersRoom(room.id));
  io?.to(userRoom(user.id)).emit('membership:changed', { roomId: room.id, isMember: true });
}

export function notifyMemberLeft(roomId: string, user: PublicUser): void {
  toRoom(roomId, { emit: { event: 'member:left', payload: { user, at: new Date().toISOString() } }, disconnect: { userId: user.id } });
  globalForIo.parleyIo?.in(userRoom(user.id)).socketsLeave(membersRoom(roomId));
  globalForIo.parleyIo?.to(userRoom(user.id)).emit('membership:changed', { roomId, isMember: false });
}

/**
 * Members watching the room see it close, then their sockets to it are disconnected — the namespace
 * only (a DISCONNECT packet after room:deleted, in order): the tab's shared connection stays up.
 */
export function notifyRoomDeleted(roomId: string, audience: { kind: RoomSummary['kind']; memberIds: string[] }): void {
  toRoom(roomId, { emit: { event: 'room:deleted', payload: { roomId } }, disconnect: {} });
  const io = globalForIo.parleyIo;
  if (!io) return;
  // Public and private rooms are listed to everyone; a direct room only ever to its members.
  if (audience.kind === 'direct') io.to(audience.memberIds.map(userRoom)).emit('room:deleted', { roomId });
  else io.emit('room:deleted', { roomId });
}
