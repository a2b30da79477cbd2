/**
 * Room events: the system lines a room's changes leave in its conversation ("Alice renamed the room to …",
 * "Bob was muted for 1 hour"). Stored as a message with an empty body and `event` set (docs/protocol.md
 * §4.13), so they ride the replay, history and unread counts like any message. The actor is the message's
 * author; people acted on are named by a snapshot taken when it happened.
 */
import type { MemberRole } from './room';

/** Someone a line is about, as they were named when it happened. */
export interface EventSubject {
  id: string;
  username: string;
  displayName: string;
}

export type RoomEvent =
  | { type: 'renamed'; name: string; previous: string }
  | { type: 'description_changed' }
  | { type: 'topic_changed'; topic: string }
  | { type: 'visibility_changed'; kind: 'public' | 'private' }
  | { type: 'password_changed'; removed: boolean }
  | { type: 'mentions_policy_changed'; roomMentions: 'anyone' | 'owner' }
  | { type: 'archived' }
  | { type: 'restored' }
  | { type: 'ownership_transferred'; to: EventSubject }
  | { type: 'role_changed'; subject: EventSubject; role: Exclude<MemberRole, 'owner'> }
  | { type: 'members_added'; subjects: EventSubject[] }
  | { type: 'joined_by_invite' }
  /** Group conversations only: the author left. */
  | { type: 'left' }
  | { type: 'kicked'; subject: EventSubject; reason: string }
  | { type: 'banned'; subject: EventSubject; reason: string }
  | { type: 'unbanned'; subject: EventSubject }
  | { type: 'muted'; subject: EventSubject; until: string; reason: string }
  | { type: 'unmuted'; subject: EventSubject };

export type RoomEventType = RoomEvent['type'];
