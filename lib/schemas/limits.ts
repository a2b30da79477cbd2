/**
 * The rules the browser needs without the schemas: limits, counting, roles and names. Kept free of zod so a
 * page that only needs a number or a role check does not ship the validation library (issue 15's room-page
 * JS budget); the schema modules re-export all of this, so server code imports them as before.
 */
import { isAllowedText, textRuleMessages } from './text-rules';

/** Messages (lib/schemas/message.ts). */
export const MESSAGE_MAX_CHARS = 2000;
/** History page size bounds. */
export const HISTORY_DEFAULT_LIMIT = 50;
export const HISTORY_MAX_LIMIT = 100;
/** At most this many messages are replayed on reconnect; beyond it the client reloads the latest page. */
export const REPLAY_LIMIT = 500;

/** Characters as people count them (code points), not UTF-16 units. */
export function charCount(text: string): number {
  let n = 0;
  for (const _ of text) n += 1;
  return n;
}

/**
 * A message body as lib/schemas/message.ts's messageBodySchema (or captionSchema when `caption`: may be
 * empty) takes it, with the same first error, for checking a send or an edit in the browser without zod.
 * lib/schemas/limits.test.ts holds the two to the same answers.
 */
export function checkMessageBody(body: string, { caption = false }: { caption?: boolean } = {}): { ok: true; body: string } | { ok: false; message: string } {
  const text = body.trim();
  if (!caption && text.length === 0) return { ok: false, message: 'The message is empty.' };
  if (charCount(text) > MESSAGE_MAX_CHARS) return { ok: false, message: `A message can be at most ${MESSAGE_MAX_CHARS} characters.` };
  if (!isAllowedText(text, 'multi-line')) return { ok: false, message: textRuleMessages['multi-line']('A message') };
  return { ok: true, body: text };
}

/** Attachments (lib/schemas/attachment.ts). Files one message may carry. */
export const MAX_ATTACHMENTS_PER_MESSAGE = 10;
/** Bars in a voice message's waveform. */
export const WAVEFORM_MAX_BARS = 128;
/** Longest voice message a client may describe (the file's own size limit applies too). */
export const VOICE_MAX_DURATION_MS = 60 * 60 * 1000;

/** "25 MB", "1.5 GB": sizes in messages, in the binary units the limits are set in (25 MB = 25 × 1024² bytes). */
export function formatBytes(bytes: number): string {
  const units = ['bytes', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const shown = unit === 0 ? String(value) : value >= 10 ? value.toFixed(0) : value.toFixed(1).replace(/\.0$/, '');
  return `${shown} ${units[unit]}`;
}

/** Calls (lib/schemas/call.ts). People in one call, the caller included (full mesh: every pair has its own connection). */
export const CALL_MAX_PARTICIPANTS = 4;
/** How long a call rings before the people who did not answer have missed it. */
export const CALL_RING_MS = 30_000;

/** Moderation (lib/schemas/moderation.ts). Most people one request adds. */
export const ADD_MEMBERS_MAX = 20;
/** Group conversations: 3 to 9 people, the starter included. */
export const GROUP_MIN_MEMBERS = 3;
export const GROUP_MAX_MEMBERS = 9;

/** Presence (lib/schemas/user.ts). How many users one socket may watch at once (a sidebar plus a large room's member list). */
export const PRESENCE_WATCH_LIMIT = 500;
/**
 * Rows a member list draws at first, and adds on "Show more" (components/chat/member-list.tsx). Only drawn rows
 * have their presence followed: a large room's list would otherwise draw, and have the server watch, every member
 * on each visit.
 */
export const MEMBER_ROWS_PAGE = 100;

/** Rooms (lib/schemas/room.ts). The Socket.IO namespace of a room. */
export function roomNamespace(roomId: string): string {
  return `/r/${roomId}`;
}

export type RoomKind = 'public' | 'private' | 'direct' | 'group';

/**
 * Rooms with more members than this are large: who read what, and who has the room open, are not announced
 * there (docs/protocol.md §5.3). Each announcement reaches every open socket of the room, so their cost grows
 * with the square of its size; and a "seen by" of hundreds of people tells nobody anything.
 */
export const LARGE_ROOM_MEMBERS = 100;
export function isLargeRoom(room: { memberCount: number }): boolean {
  return room.memberCount > LARGE_ROOM_MEMBERS;
}

/** Delivered ticks are shown in direct conversations only, so only there do clients report delivery (`delivery:ack`). */
export function showsDelivery(kind: RoomKind): boolean {
  return kind === 'direct';
}
/** Conversations (direct and group) have no name and no owner powers, and are private to their members. */
export function isConversation(kind: RoomKind): kind is 'direct' | 'group' {
  return kind === 'direct' || kind === 'group';
}

/** Highest first (docs/protocol.md §4.13). Nobody acts on someone of an equal or higher role. */
export const MEMBER_ROLES = ['owner', 'admin', 'moderator', 'member'] as const;
export type MemberRole = (typeof MEMBER_ROLES)[number];
const ROLE_RANK: Record<MemberRole, number> = { owner: 4, admin: 3, moderator: 2, member: 1 };
/** How a role compares: rank(owner) > rank(admin) > rank(moderator) > rank(member). */
export function roleRank(role: MemberRole | null): number {
  return role ? ROLE_RANK[role] : 0;
}
/** Whether `role` is at least `least`. */
export function hasRole(role: MemberRole | null, least: MemberRole): boolean {
  return roleRank(role) >= ROLE_RANK[least];
}
