/**
 * Server-initiated realtime events for changes made outside a socket handler (REST routes, pages,
 * namespace middleware). Called only after the database change committed. The Socket.IO server is
 * found on globalThis, where createRealtimeServer puts it, so Next's route handlers reach it too.
 */
import type { Namespace, Socket } from 'socket.io';
import type { ChatMessage } from '../schemas/message';
import type { RoomMember, RoomSettings, RoomSummary } from '../schemas/room';
import type { PublicUser } from '../schemas/user';
import type { CallChange } from '../data/calls';
import type { PositionChange } from '../data/receipts';
import { callServiceOf } from './calls';
import { messageChangedAction, messageStoredAction, roomBusOf, type RoomAction } from './bus';
import { createReceiptFanout, type ReceiptFanout } from './receipts-fanout';
import type {
  ClientToServerEvents,
  InterServerEvents,
  RoomClientToServerEvents,
  RoomServerToClientEvents,
  ServerToClientEvents,
  SocketData,
} from './events';
import { membersRoom, userRoom } from './groups';
import type { EventTable } from './on-event';
import type { ParleyServer } from './server';
import { sessionGuardOf } from './session-guard';

export type RoomNamespace = Namespace<RoomClientToServerEvents, RoomServerToClientEvents, InterServerEvents, SocketData>;
export type RoomSocket = Socket<RoomClientToServerEvents, RoomServerToClientEvents, InterServerEvents, SocketData>;
export type MainSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
/** The handlers of every room namespace, and of the main namespace (on-event.ts). */
export type RoomEvents = EventTable<RoomClientToServerEvents, RoomSocket>;
export type MainEvents = EventTable<ClientToServerEvents, MainSocket>;

/** A room socket's room: its namespace is `/r/<roomId>` (ROOM_NAMESPACE_PATTERN), so no per-socket copy is kept. */
export function roomIdOf(socket: { nsp: { name: string } }): string {
  return socket.nsp.name.slice('/r/'.length);
}

const globalForIo = globalThis as unknown as { parleyIo?: ParleyServer };

export function setRealtimeServer(io: ParleyServer): void {
  globalForIo.parleyIo = io;
}

export function clearRealtimeServer(io: ParleyServer): void {
  if (globalForIo.parleyIo === io) globalForIo.parleyIo = undefined;
}

/**
 * A room's sockets on every instance (lib/realtime/bus.ts), for changes made outside the room's own
 * handlers. Without a realtime server (a script, a test of the data layer) there is no one to tell.
 */
function toRoom(action: RoomAction, io = globalForIo.parleyIo): void {
  if (io) roomBusOf(io).publish(action);
}

/**
 * The creator's tabs learn they are the new room's member. Nobody else is told: others find rooms in the
 * directory, so creating one costs one message, not one per connected user.
 */
export function notifyRoomCreated(room: RoomSummary): void {
  const io = globalForIo.parleyIo;
  if (!io) return;
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

/** A stored message reaches the room and its members' tabs on every instance (messageStoredAction). */
export function notifyMessageStored(message: ChatMessage, senderSocketId?: string, io = globalForIo.parleyIo): void {
  toRoom(messageStoredAction(message, senderSocketId), io);
}

/** A stored message changed: its new state reaches the room on every instance (messageChangedAction). */
export function notifyMessageChanged(message: ChatMessage, io = globalForIo.parleyIo): void {
  toRoom(messageChangedAction(message), io);
}

/** My read position in a thread moved: my sockets in the room, on every instance. */
export function notifyThreadRead(roomId: string, userId: string, read: { rootSeq: number; lastReadSeq: number }, io = globalForIo.parleyIo): void {
  toRoom({ roomId, emit: { event: 'thread:read', payload: read, userId } }, io);
}

/** How long a room's receipts gather after it sent some (receipts-fanout.ts); the protocol promises ≤ 500 ms. */
const RECEIPTS_INTERVAL_MS = 500;
/** Receipts per event: a batch stays below the cluster adapter's 8,000-byte attachment threshold. */
const RECEIPTS_PER_EVENT = 80;
const fanouts = new WeakMap<ParleyServer, ReceiptFanout>();

function receiptFanoutOf(io: ParleyServer): ReceiptFanout {
  let fanout = fanouts.get(io);
  if (!fanout) {
    fanout = createReceiptFanout({
      intervalMs: RECEIPTS_INTERVAL_MS,
      emit: (roomId, receipts) => {
        for (let i = 0; i < receipts.length; i += RECEIPTS_PER_EVENT) {
          toRoom({ roomId, emit: { event: 'receipts:updated', payload: { receipts: receipts.slice(i, i + RECEIPTS_PER_EVENT) } } }, io);
        }
      },
    });
    fanouts.set(io, fanout);
  }
  return fanout;
}

/** The server is closing: receipts still gathering are dropped rather than published onto a closed bus. */
export function closeReceiptFanout(io: ParleyServer): void {
  fanouts.get(io)?.close();
  fanouts.delete(io);
}

/**
 * A member's read/delivery position moved: the room (receipts, unless it is large) and, if they read, their
 * own tabs.
 */
export function notifyReceipt(roomId: string, change: Pick<PositionChange, 'receipt' | 'readMoved' | 'largeRoom'>, io = globalForIo.parleyIo): void {
  if (!io) return;
  const { receipt, readMoved, largeRoom } = change;
  if (!largeRoom) receiptFanoutOf(io).add(roomId, receipt);
  if (readMoved) io.to(userRoom(receipt.userId)).emit('room:read', { roomId, lastReadSeq: receipt.lastReadSeq });
}

/** `io` defaults to the process's server; socket middleware passes its own. */
export function notifyMemberJoined(room: RoomSummary, user: PublicUser, io = globalForIo.parleyIo): void {
  toRoom({ roomId: room.id, emit: { event: 'member:joined', payload: { user, at: new Date().toISOString() } } }, io);
  io?.in(userRoom(user.id)).socketsJoin(membersRoom(room.id));
  io?.to(userRoom(user.id)).emit('membership:changed', { roomId: room.id, isMember: true });
}

/** Something about my membership changed (e.g. its notification level): my tabs refetch the room. */
export function notifyMembershipRefresh(roomId: string, userId: string): void {
  globalForIo.parleyIo?.to(userRoom(userId)).emit('membership:changed', { roomId, isMember: true });
}

/**
 * Someone left, or a moderator removed them (`removal`): the room hears it (their own sockets to it too,
 * then those are disconnected), and their tabs learn they are no longer a member — on every instance.
 */
export function notifyMemberLeft(roomId: string, user: PublicUser, removal?: { reason: 'kicked' | 'banned'; by: PublicUser }): void {
  const at = new Date().toISOString();
  toRoom({ roomId, emit: { event: 'member:left', payload: removal ? { user, at, reason: removal.reason, by: removal.by } : { user, at } }, disconnect: { userId: user.id } });
  globalForIo.parleyIo?.in(userRoom(user.id)).socketsLeave(membersRoom(roomId));
  globalForIo.parleyIo?.to(userRoom(user.id)).emit('membership:changed', removal ? { roomId, isMember: false, reason: removal.reason } : { roomId, isMember: false });
}

/** A member's role or mute changed: the room's member lists, and their own tabs (which refetch the room). */
export function notifyMemberUpdated(roomId: string, member: RoomMember): void {
  toRoom({ roomId, emit: { event: 'member:updated', payload: { member } } });
  notifyMembershipRefresh(roomId, member.user.id);
}

/** A room's shared settings changed: every member's tabs, on every instance, merge them (§4.13). */
export function notifyRoomUpdated(settings: RoomSettings): void {
  globalForIo.parleyIo?.to(membersRoom(settings.id)).emit('room:updated', { room: settings });
}

/** People were added to a room or group (or joined by invitation): the room hears each, and each one's tabs get the room. */
export function notifyMembersAdded(roomId: string, added: { user: PublicUser; room: RoomSummary }[]): void {
  const io = globalForIo.parleyIo;
  if (!io) return;
  for (const { user, room } of added) {
    toRoom({ roomId, emit: { event: 'member:joined', payload: { user, at: new Date().toISOString() } } }, io);
    io.in(userRoom(user.id)).socketsJoin(membersRoom(roomId));
    io.to(userRoom(user.id)).emit('room:joined', { room });
  }
}

/**
 * A group's members changed: every member's tabs refetch it (a group is named by its members, and those
 * without it open hear nothing in its namespace).
 */
export function notifyGroupChanged(roomId: string, memberIds: string[]): void {
  for (const userId of memberIds) notifyMembershipRefresh(roomId, userId);
}

/** Room events' lines (§4.13) reach the room like any stored message. */
export function notifyLines(lines: ChatMessage[]): void {
  for (const line of lines) notifyMessageStored(line);
}

/**
 * Members watching the room see it close, then their sockets to it are disconnected — the namespace
 * only (a DISCONNECT packet after room:deleted, in order): the tab's shared connection stays up.
 */
export function notifyRoomDeleted(roomId: string, audience: { memberIds: string[] }): void {
  toRoom({ roomId, emit: { event: 'room:deleted', payload: { roomId } }, disconnect: {} });
  // Only members list a room (sidebars hold the rooms one is in; the directory is fetched on demand).
  if (audience.memberIds.length) globalForIo.parleyIo?.to(audience.memberIds.map(userRoom)).emit('room:deleted', { roomId });
}

/** These sessions ended (lib/data/sessions.ts): their open sockets close on every instance. */
export function notifySessionsEnded(sessionIds: string[], io = globalForIo.parleyIo): void {
  if (io && sessionIds.length > 0) sessionGuardOf(io)?.end(sessionIds);
}

/** A call changed outside a socket handler (the hang-up beacon): announce it like the handlers do. */
export function notifyCallChanged(change: CallChange, io = globalForIo.parleyIo): void {
  if (io) callServiceOf(io)?.publish(change);
}
