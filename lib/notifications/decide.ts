/**
 * Browser notifications, pure: whether a message calls for one, what it says, where clicking it goes.
 * components/chat/use-notifications.ts applies these to the main socket's `room:activity`.
 */
import removeMarkdown from 'remove-markdown';
import { callSnippet, isMissedFor } from '../calls/describe';
import { attachmentSummary, type SummaryAttachment } from '../files/display';
import type { RoomActivity } from '../realtime/events';
import type { CallEntry } from '../schemas/call';
import type { ChatMessage } from '../schemas/message';
import { describeRoomEvent } from '../community/describe';
import { isConversation } from '../schemas/limits';
import type { NotifyLevel, RoomSummary } from '../schemas/room';
import { mentionsMe } from '../stores/mentions';
import { roomTitle } from '../stores/room-list';

/** Why a message notifies. */
export type NotifyReason = 'mention' | 'direct' | 'all';

export interface NotifyInput {
  activity: RoomActivity;
  /** The room as the sidebar holds it (undefined: not one of mine). */
  room: Pick<RoomSummary, 'isMember' | 'kind' | 'notify' | 'lastReadSeq'> | undefined;
  meId: string;
  /** document.visibilityState === 'visible': the person is looking at the app. */
  visible: boolean;
  permission: NotificationPermission | 'unsupported';
  /** This message already notified (this tab, another tab, before a reconnect). */
  alreadyNotified: boolean;
}

/** My level in a room, with the server's defaults: conversations (direct, group) notify every message, rooms mentions. */
export function notifyLevel(room: Pick<RoomSummary, 'kind' | 'notify'>): NotifyLevel {
  return room.notify ?? (isConversation(room.kind) ? 'all' : 'mentions');
}

/**
 * Whether this message gets a notification, and why: never my own, never in a muted room, never while
 * the tab is visible or without permission, once per message; a thread reply only when it mentions me;
 * otherwise mentions of me (or everyone), and every message where the level is 'all' (direct
 * conversations by default).
 */
export function shouldNotify(input: NotifyInput): NotifyReason | null {
  const { activity, room } = input;
  if (input.permission !== 'granted' || input.visible || input.alreadyNotified) return null;
  if (!room?.isMember || activity.authorId === input.meId) return null;
  if ((room.lastReadSeq ?? 0) >= activity.lastSeq) return null; // read already (another tab)
  const level = notifyLevel(room);
  if (level === 'none') return null;
  if (mentionsMe(activity, input.meId)) return 'mention';
  if (activity.threadRootSeq !== null) return null;
  if (level === 'all') return room.kind === 'direct' ? 'direct' : 'all';
  return null;
}

/**
 * A call's entry notifies only as a missed call (not answered by me: missed, cancelled, busy, unavailable);
 * one I declined, or a call that took place, is nothing new to anyone rung. Other messages: true.
 */
export function callEntryNotifies(message: { call?: Pick<CallEntry, 'outcome'> | null }): boolean {
  return !message.call || isMissedFor(message.call.outcome, false);
}

/** The Notification `tag` and dedupe key of a message. */
export function notificationKey(roomId: string, seq: number): string {
  return `${roomId}:${seq}`;
}

/** Opens the room at that message (the room view jumps to and highlights `m`). */
export function messageUrl(roomId: string, seq: number): string {
  return `/rooms/${encodeURIComponent(roomId)}?m=${seq}`;
}

export const SNIPPET_CHARS = 140;

/** A message body as one line of plain text (Markdown marks removed), at most `max` characters. */
export function plainSnippet(body: string, max = SNIPPET_CHARS): string {
  let text = body;
  try {
    text = removeMarkdown(body, { gfm: true, useImgAltText: true });
  } catch {
    // keep the raw text
  }
  const line = text.replace(/\s+/g, ' ').trim();
  const chars = [...line];
  return chars.length <= max ? line : `${chars.slice(0, max - 1).join('').trimEnd()}…`;
}

/**
 * A message as one line: its text, or — a message of files only — what it carries ("📎 report.pdf",
 * "🎤 Voice message"), the file name kept as typed (not read as Markdown); a call's entry reads
 * "📞 Missed video call".
 */
export function messageSnippet(
  message: { body: string; attachments?: readonly SummaryAttachment[]; call?: Pick<CallEntry, 'kind' | 'outcome' | 'durationMs'> | null },
  max = SNIPPET_CHARS,
): string {
  const text = plainSnippet(message.body, max);
  if (text) return text;
  const summary = message.call ? callSnippet(message.call) : attachmentSummary(message.attachments ?? []);
  const chars = [...summary];
  return chars.length <= max ? summary : `${chars.slice(0, max - 1).join('').trimEnd()}…`;
}

/** "#general", the other person's name for a direct conversation, the members' for a group. */
function roomLabel(room: NotifiedRoom): string {
  return isConversation(room.kind) ? roomTitle(room) : `#${room.name}`;
}

type NotifiedRoom = Pick<RoomSummary, 'kind' | 'name' | 'peer'> & { participants?: RoomSummary['participants'] };

/**
 * What the notification says: "Alice in #room" and the start of the message; a direct message is just
 * "Alice". Without the message (the fetch failed) a generic line, with the author when the room tells it.
 */
export function notificationContent(input: {
  room: NotifiedRoom;
  message:
    | (Pick<ChatMessage, 'author' | 'body' | 'threadRootSeq'> & {
        attachments?: readonly SummaryAttachment[];
        call?: ChatMessage['call'];
        event?: ChatMessage['event'];
        createdAt?: string;
      })
    | null;
  reason: NotifyReason;
}): { title: string; body: string } {
  const { room, message } = input;
  if (!message) {
    if (room.kind === 'direct') return { title: `New message from ${roomTitle(room)}`, body: '' };
    return { title: input.reason === 'mention' ? `New mention in ${roomLabel(room)}` : `New message in ${roomLabel(room)}`, body: '' };
  }
  const author = message.author.displayName;
  const where = room.kind === 'direct' ? author : `${author} in ${roomLabel(room)}`;
  // A message of files only: "📎 report.pdf", "🎤 Voice message" rather than nothing; a call: "📞 Missed video call";
  // a room event: its line ("Alice added Dan").
  const body = message.event ? describeRoomEvent(message.event, author, message.createdAt ?? '') : messageSnippet(message);
  return { title: message.threadRootSeq !== null ? `${where} (thread)` : where, body };
}

/** Keys seen lately, oldest forgotten first: "already notified" without growing for ever. */
export class RecentKeys {
  private readonly keys = new Set<string>();
  constructor(private readonly capacity = 500) {}
  has(key: string): boolean {
    return this.keys.has(key);
  }
  add(key: string): void {
    this.keys.delete(key);
    this.keys.add(key);
    if (this.keys.size > this.capacity) this.keys.delete(this.keys.values().next().value!);
  }
}
