/**
 * The typed Socket.IO contract; docs/protocol.md documents the same events for third-party clients.
 * Every client→server event takes its payload (if any), then an ack callback as the last argument that
 * receives an `Ack` (lib/errors.ts) exactly once: `{ ok: true, data } | { ok: false, error: { code,
 * message, issues? } }`. Handlers register through on-event.ts, which reads each event's payload, ack
 * data and whether the ack is optional from the signatures below, and enforces that shape.
 */
import type { Ack } from '../errors';
import type {
  ChatMessage,
  DeleteMessageInput,
  EditMessageInput,
  MarkThreadReadInput,
  MessageReplay,
  SendMessageInput,
} from '../schemas/message';
import type { CallIdInput, CallInfo, CallJoined, CallMediaInput, CallSignalInput, RelayedSignal, StartCallInput } from '../schemas/call';
import type { ReactionInput } from '../schemas/reaction';
import type { Receipt, RoomLoad, RoomMember, RoomSettings, RoomSummary } from '../schemas/room';
import type { PresenceInfo, PublicUser } from '../schemas/user';

// ── Main namespace "/" — one per browser tab; what concerns the user across rooms (per-user room). ──

export interface ClientToServerEvents {
  /** Round-trip check; acks with the server's time. */
  'session:ping': (ack: (response: Ack<{ serverTime: string }>) => void) => void;
  /** This tab's status: `away` when hidden or idle for a few minutes, `online` again on activity. */
  'presence:set': (payload: { status: 'online' | 'away' }, ack: (response: Ack<{ status: PresenceInfo['status'] }>) => void) => void;
  /**
   * Replaces the set of users whose presence this socket follows (≤ 500; only people I share a room
   * with); acks their current presence. Changes then arrive as `presence:changed`.
   */
  'presence:watch': (payload: { userIds: string[] }, ack: (response: Ack<{ presence: PresenceInfo[] }>) => void) => void;
  /** Messages up to `seq` in `roomId` reached this device (delivered ticks). Forward only, clamped. */
  /** Messages up to seq reached this device. The ack is optional (a client that ignores the answer saves the server a write). */
  'delivery:ack': (payload: { roomId: string; seq: number }, ack?: (response: Ack<{ lastDeliveredSeq: number }>) => void) => void;
  /** A room of mine, read to be shown: my view of it, its members and its newest history page (switching rooms in place). */
  'room:load': (payload: { roomId: string; membersRev?: number }, ack: (response: Ack<RoomLoad>) => void) => void;

  // Calls (docs/protocol.md §4.12). A participant takes part from one tab: the socket that started,
  // accepted or resumed the call. Signals are relayed only between joined participants of a live call.
  /** Start a call in a room (or meet the other side's call there: glare). This tab joins it. */
  'call:start': (payload: StartCallInput, ack: (response: Ack<CallJoined>) => void) => void;
  /** Answer a call that rings me (or join a room's live call): this tab takes part; my other tabs stop ringing. */
  'call:accept': (payload: CallIdInput, ack: (response: Ack<CallJoined>) => void) => void;
  /** Decline a call that rings me (every tab of mine stops ringing). */
  'call:decline': (payload: CallIdInput, ack: (response: Ack<{ call: CallInfo }>) => void) => void;
  /** Leave the call (the caller before an answer: cancel it). */
  'call:hangup': (payload: CallIdInput, ack: (response: Ack<{ call: CallInfo }>) => void) => void;
  /** After a reconnect: take my place in the call back from this (new) socket, within the grace period. */
  'call:resume': (payload: CallIdInput, ack: (response: Ack<CallJoined>) => void) => void;
  /** What I send (mute, camera, screen), for the others' tiles. */
  'call:media': (payload: CallMediaInput, ack: (response: Ack<{ call: CallInfo }>) => void) => void;
  /** Relay an offer/answer or an ICE candidate to another participant's tab. */
  'call:signal': (payload: CallSignalInput, ack: (response: Ack<null>) => void) => void;
  /** The live calls of my rooms (ringing me, mine, or joinable), e.g. after a reload. */
  'call:list': (ack: (response: Ack<{ calls: CallInfo[] }>) => void) => void;
}

export interface ServerToClientEvents {
  /** Sent once after the handshake: who the server thinks you are. */
  'session:ready': (payload: { user: PublicUser }) => void;
  /**
   * This connection's session ended (signed out, signed out everywhere, password changed, account
   * disabled): the server disconnects every namespace of the connection right after. Sign in again.
   */
  'session:ended': (payload: { reason: 'revoked' }) => void;
  /** A room this user is a member of is gone (deleted by its owner). */
  'room:deleted': (payload: { roomId: string }) => void;
  /** This user's membership changed (created, joined or left a room, from any tab): refetch the room. */
  /**
   * My membership of a room changed: joined, left, or (isMember still true) my role or mute changed.
   * Removals by a moderator say so: `reason` kicked | banned (absent otherwise).
   */
  'membership:changed': (payload: { roomId: string; isMember: boolean; reason?: 'kicked' | 'banned' }) => void;
  /** A room's shared settings changed (name, topic, kind, password, owner, archived): every member's tabs (§4.13). */
  'room:updated': (payload: { room: RoomSettings }) => void;
  /** I became a member of this room (a new direct conversation, from either side): its member view. */
  'room:joined': (payload: { room: RoomSummary }) => void;
  /**
   * A message was stored in one of my rooms (unread counts, mention badges, notifications, delivered
   * ticks). Also sent to the author's tabs: their own read position moved with it (lastReadSeq = lastSeq
   * when authorId is me).
   */
  'room:activity': (payload: RoomActivity) => void;
  /** My read position in a room moved (a read:mark from this or another tab). */
  'room:read': (payload: { roomId: string; lastReadSeq: number }) => void;
  /** A watched user's presence changed (sent only while we share a room). */
  'presence:changed': (payload: PresenceInfo) => void;
  /** A call rings me: every tab of mine (sound and a prompt) until one answers or declines, or it stops. */
  'call:ring': (payload: { call: CallInfo }) => void;
  /** A live call of one of my rooms changed (someone joined, declined, left, muted…), or ended. */
  'call:updated': (payload: { call: CallInfo }) => void;
  /** An offer/answer or ICE candidate from another participant, to the tab that takes part. */
  'call:signal': (payload: RelayedSignal) => void;
}

export interface RoomActivity {
  roomId: string;
  /** The new message's seq. */
  lastSeq: number;
  authorId: string;
  /** Set when the message is a thread reply (not also shown in the room): the thread's root. */
  threadRootSeq: number | null;
  /** Member ids the message mentions. */
  mentions: string[];
  /** It mentions everyone (@room / @here). */
  mentionsRoom: boolean;
}

// ── Room namespace "/r/<roomId>" — open while a room is shown. Handshake `auth: { lastSeq, lastRev }`. ──

export interface RoomClientToServerEvents {
  /** Send a message (or a thread reply, or a quote-reply). Ack: the stored message (a retried clientId: the original). */
  'message:send': (payload: SendMessageInput, ack: (response: Ack<ChatMessage>) => void) => void;
  /** The author replaces a message's body. Ack: the message as it is now. */
  'message:edit': (payload: EditMessageInput, ack: (response: Ack<ChatMessage>) => void) => void;
  /** The author (or the room's owner) deletes a message: it becomes a tombstone. Ack: the tombstone. */
  'message:delete': (payload: DeleteMessageInput, ack: (response: Ack<ChatMessage>) => void) => void;
  /** Add my reaction (idempotent). Ack: the message as it is now. */
  'reaction:add': (payload: ReactionInput, ack: (response: Ack<ChatMessage>) => void) => void;
  /** Remove my reaction (idempotent). Ack: the message as it is now. */
  'reaction:remove': (payload: ReactionInput, ack: (response: Ack<ChatMessage>) => void) => void;
  /** I have seen a thread's replies up to `seq`. Forward only, clamped. */
  'thread:mark': (payload: MarkThreadReadInput, ack: (response: Ack<ThreadRead>) => void) => void;
  /** I am typing: repeat every ~3 s while typing; the server forgets it after 5 s without a repeat. The ack is optional. */
  'typing:start': (ack?: (response: Ack<null>) => void) => void;
  'typing:stop': (ack?: (response: Ack<null>) => void) => void;
  /** I have seen messages up to `seq` (window focused, message on screen). Forward only, clamped. */
  'read:mark': (payload: { seq: number }, ack: (response: Ack<{ lastReadSeq: number }>) => void) => void;
}

/** My read position in one thread. */
export interface ThreadRead {
  rootSeq: number;
  lastReadSeq: number;
}

export interface RoomReady {
  room: RoomSummary;
  /** My read positions in this room's threads (the 200 most recently read). */
  threads: ThreadRead[];
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
   * What the client missed, sent once after `room:ready`: messages after the handshake's `lastSeq` and
   * changes after its `lastRev`. `truncated`: more than REPLAY_LIMIT of either; drop local state and reload.
   */
  'message:replay': (payload: MessageReplay) => void;
  'message:new': (message: ChatMessage) => void;
  /** A message changed (edited, deleted, reacted to, replied to in its thread): its whole current state. */
  'message:updated': (message: ChatMessage) => void;
  /** My read position in a thread moved (from this or another of my clients). */
  'thread:read': (payload: ThreadRead) => void;
  'member:joined': (payload: { user: PublicUser; at: string }) => void;
  /** Someone left or was removed; `reason` and `by` say which (absent: they left). The removed person's own sockets hear it too, then are disconnected from the room. */
  'member:left': (payload: { user: PublicUser; at: string; reason?: 'kicked' | 'banned'; by?: PublicUser }) => void;
  /** A member's role or mute changed (§4.13). */
  'member:updated': (payload: { member: RoomMember }) => void;
  /** Someone opened this room (idempotent: a second tab re-announces). */
  'presence:online': (payload: { user: PublicUser }) => void;
  /** Someone closed their last view of this room (they may still be online elsewhere in the app). */
  'presence:offline': (payload: { userId: string }) => void;
  /** The owner deleted the room; the server disconnects this namespace right after. */
  'room:deleted': (payload: { roomId: string }) => void;
  /** Ephemeral (never replayed): someone started or stopped typing (stops also come from the server's 5 s TTL). */
  'typing:update': (payload: { user: PublicUser; typing: boolean }) => void;
  /** Members' read or delivery positions moved (batched per room: receipts-fanout.ts). */
  'receipts:updated': (payload: { receipts: Receipt[] }) => void;
}

/** Between instances (serverSideEmit over the adapter). */
export interface InterServerEvents {
  /** Room actions another instance applied to its sockets, for this one to apply to its own (bus.ts). */
  'room:actions': (actions: import('./bus').RoomAction[]) => void;
  /** These sessions ended: close their sockets (session-guard.ts). */
  'session:ended': (sessionIds: string[]) => void;
  /** Does this instance have a socket of the user in the room's namespace? */
  'room:has-user': (roomId: string, userId: string, ack: (present: boolean) => void) => void;
  /** Another instance dropped room actions it could not publish in time: load what was missed from the database. */
  'room:resync': () => void;
  /**
   * To the instance whose adapter uid is `peerUid`: I skipped publishes while I did not know you, so load
   * what you may have missed from the database (peers.ts sends it and acts on it; others ignore it).
   */
  'peer:catch-up': (peerUid: string) => void;
}

export interface SocketData {
  user: PublicUser;
  ip: string;
  /** The session the handshake presented (lib/data/sessions.ts); its end closes the socket. */
  sessionId: string;
  /** Main namespace only: this tab's reported status. */
  status?: 'online' | 'away';
}
