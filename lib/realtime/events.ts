/**
 * The typed Socket.IO contract; docs/protocol.md documents the same events for third-party clients.
 * Every client→server event takes an ack callback that receives an `Ack` (lib/errors.ts):
 * `{ ok: true, data } | { ok: false, error: { code, message, issues? } }`.
 */
import type { Ack } from '../errors';
import type { ChatMessage } from '../schemas/message';
import type { RoomSummary } from '../schemas/room';
import type { PublicUser } from '../schemas/user';

// ── Main namespace "/" — one per browser tab; what concerns the user across rooms (per-user room). ──

export interface ClientToServerEvents {
  /** Round-trip check; acks with the server's time. */
  'session:ping': (ack: (response: Ack<{ serverTime: string }>) => void) => void;
}

export interface ServerToClientEvents {
  /** Sent once after the handshake: who the server thinks you are. */
  'session:ready': (payload: { user: PublicUser }) => void;
  /** A new public or private room anyone may list (sent to everyone, in its non-member view). */
  'room:listed': (payload: { room: RoomSummary }) => void;
  /** A room this user could see is gone (deleted by its owner). */
  'room:deleted': (payload: { roomId: string }) => void;
  /** This user's membership changed (created, joined or left a room, from any tab): refetch the room. */
  'membership:changed': (payload: { roomId: string; isMember: boolean }) => void;
}

// ── Room namespace "/r/<roomId>" — open while a room is shown. Handshake `auth: { lastSeq }`. ──

export interface RoomClientToServerEvents {
  /** Send a message. Ack data is the stored message (also for a retried clientId: the original). */
  'message:send': (payload: unknown, ack: (response: Ack<ChatMessage>) => void) => void;
}

export interface RoomReady {
  room: RoomSummary;
  /** Distinct users connected to this room now. */
  online: PublicUser[];
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
  'presence:online': (payload: { user: PublicUser }) => void;
  'presence:offline': (payload: { userId: string }) => void;
  /** The owner deleted the room; the server disconnects this namespace right after. */
  'room:deleted': (payload: { roomId: string }) => void;
}

// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface InterServerEvents {}

export interface SocketData {
  user: PublicUser;
  ip: string;
  /** Room namespaces only: the catch-up position from the handshake. */
  lastSeq?: number;
}
