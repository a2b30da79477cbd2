/**
 * The typed Socket.IO contract; docs/protocol.md documents the same events for third-party clients.
 * Every client→server event is a command (below): an optional payload, then an ack callback as the
 * last argument that receives an `Ack` (lib/errors.ts) exactly once —
 * `{ ok: true, data } | { ok: false, error: { code, message, issues? } }`. Handlers register through
 * on-event.ts, which enforces that shape for every event.
 */
import type { Ack } from '../errors';
import type { ChatMessage, SendMessageInput } from '../schemas/message';
import type { Receipt, RoomSummary } from '../schemas/room';
import type { PresenceInfo, PublicUser } from '../schemas/user';

/** A client→server event: its payload (`undefined`: it takes none) and the data of a successful ack. */
export interface Command {
  payload: unknown;
  data: unknown;
  /** Handled without an ack too (fire-and-forget); otherwise an event without one is ignored. */
  ackOptional?: true;
}

/** The listener signature Socket.IO sees for a command: `(payload, ack)`, or `(ack)` without a payload. */
export type CommandListener<C extends Command> = C['payload'] extends undefined
  ? C['ackOptional'] extends true
    ? (ack?: (response: Ack<C['data']>) => void) => void
    : (ack: (response: Ack<C['data']>) => void) => void
  : (payload: C['payload'], ack: (response: Ack<C['data']>) => void) => void;

export type CommandListeners<Commands> = { [E in keyof Commands]: Commands[E] extends Command ? CommandListener<Commands[E]> : never };

// ── Main namespace "/" — one per browser tab; what concerns the user across rooms (per-user room). ──

export interface MainCommands {
  /** Round-trip check; acks with the server's time. */
  'session:ping': { payload: undefined; data: { serverTime: string } };
  /** This tab's status: `away` when hidden or idle for a few minutes, `online` again on activity. */
  'presence:set': { payload: { status: 'online' | 'away' }; data: { status: PresenceInfo['status'] } };
  /**
   * Replaces the set of users whose presence this socket follows (≤ 500; only people who share a room with
   * me); acks their current presence. Changes then arrive as `presence:changed`.
   */
  'presence:watch': { payload: { userIds: string[] }; data: { presence: PresenceInfo[] } };
  /** Messages up to `seq` in `roomId` reached this device (delivered ticks). Forward only, clamped. */
  'delivery:ack': { payload: { roomId: string; seq: number }; data: { lastDeliveredSeq: number } };
}

export type ClientToServerEvents = CommandListeners<MainCommands>;

export interface ServerToClientEvents {
  /** Sent once after the handshake: who the server thinks you are. */
  'session:ready': (payload: { user: PublicUser }) => void;
  /** A new public or private room anyone may list (sent to everyone, in its non-member view). */
  'room:listed': (payload: { room: RoomSummary }) => void;
  /** A room this user could see is gone (deleted by its owner). */
  'room:deleted': (payload: { roomId: string }) => void;
  /** This user's membership changed (created, joined or left a room, from any tab): refetch the room. */
  'membership:changed': (payload: { roomId: string; isMember: boolean }) => void;
  /** I became a member of this room (a new direct conversation, from either side): its member view. */
  'room:joined': (payload: { room: RoomSummary }) => void;
  /**
   * A message was stored in one of my rooms (unread counts, delivered ticks). Also sent to the author's
   * tabs: their own read position moved with it (lastReadSeq = lastSeq when authorId is me).
   */
  'room:activity': (payload: { roomId: string; lastSeq: number; authorId: string }) => void;
  /** My read position in a room moved (a read:mark from this or another tab). */
  'room:read': (payload: { roomId: string; lastReadSeq: number }) => void;
  /** A watched user's presence changed (sent only while we share a room). */
  'presence:changed': (payload: PresenceInfo) => void;
}

// ── Room namespace "/r/<roomId>" — open while a room is shown. Handshake `auth: { lastSeq }`. ──

export interface RoomCommands {
  /** Send a message. Ack data is the stored message (also for a retried clientId: the original). */
  'message:send': { payload: SendMessageInput; data: ChatMessage };
  /** I am typing: repeat every ~3 s while typing; the server forgets it after 5 s without a repeat. */
  'typing:start': { payload: undefined; data: null; ackOptional: true };
  'typing:stop': { payload: undefined; data: null; ackOptional: true };
  /** I have seen messages up to `seq` (window focused, message on screen). Forward only, clamped. */
  'read:mark': { payload: { seq: number }; data: { lastReadSeq: number } };
}

export type RoomClientToServerEvents = CommandListeners<RoomCommands>;

export interface RoomReady {
  room: RoomSummary;
  /** Members online in the app now (any tab, any instance). */
  online: PublicUser[];
  /** Every member's read and delivery position (read receipts). */
  receipts: Receipt[];
  /** Who is typing now. */
  typing: PublicUser[];
}

export interface RoomServerToClientEvents {
  /** First event after connecting: the room and who is online. */
  'room:ready': (payload: RoomReady) => void;
  /**
   * Messages after the handshake's `lastSeq`, in seq order, sent once after `room:ready`. `truncated`
   * means more than REPLAY_LIMIT were missed: drop local state and reload the latest history page.
   */
  'message:replay': (payload: { messages: ChatMessage[]; truncated: boolean; lastSeq: number }) => void;
  'message:new': (message: ChatMessage) => void;
  'member:joined': (payload: { user: PublicUser; at: string }) => void;
  'member:left': (payload: { user: PublicUser; at: string }) => void;
  /** Someone opened this room (idempotent: a second tab re-announces). */
  'presence:online': (payload: { user: PublicUser }) => void;
  /** Someone closed their last view of this room (they may still be online elsewhere in the app). */
  'presence:offline': (payload: { userId: string }) => void;
  /** The owner deleted the room; the server disconnects this namespace right after. */
  'room:deleted': (payload: { roomId: string }) => void;
  /** Volatile: someone started or stopped typing (stops also come from the server's 5 s TTL). */
  'typing:update': (payload: { user: PublicUser; typing: boolean }) => void;
  /** A member's read or delivery position moved. */
  'receipt:updated': (payload: Receipt) => void;
}

/** Between instances (serverSideEmit over the adapter). */
export interface InterServerEvents {
  /** Room actions another instance applied to its sockets, for this one to apply to its own (bus.ts). */
  'room:actions': (actions: import('./bus').RoomAction[]) => void;
  /** Another instance dropped room actions it could not publish in time: load what was missed from the database. */
  'room:resync': () => void;
  /** Does this instance have a socket of the user in the room's namespace? */
  'room:has-user': (roomId: string, userId: string, ack: (present: boolean) => void) => void;
}

export interface SocketData {
  user: PublicUser;
  ip: string;
  /** Main namespace only: this tab's reported status. */
  status?: 'online' | 'away';
  /** Room namespaces only: the catch-up position from the handshake. */
  lastSeq?: number;
}
