/** Unread counts and the document title, pure. */
import type { RoomSummary } from '../schemas/room';

/** lastSeq − lastReadSeq for rooms I am in; never negative. */
export function unreadCount(room: Pick<RoomSummary, 'isMember' | 'lastSeq' | 'lastReadSeq'>): number {
  if (!room.isMember || room.lastSeq === null) return 0;
  return Math.max(0, room.lastSeq - (room.lastReadSeq ?? 0));
}

/** Muted (notify 'none'): the room's plain unread messages are not called out, its mentions of me are. */
export function isMuted(room: Pick<RoomSummary, 'notify'>): boolean {
  return room.notify === 'none';
}

/** Unread messages that mention me (the rooms store keeps RoomSummary.unreadMentions live). */
export function mentionCount(room: Pick<RoomSummary, 'isMember' | 'unreadMentions'>): number {
  return room.isMember ? Math.max(0, room.unreadMentions ?? 0) : 0;
}

/** What a room calls for: its unread messages, or only its mentions of me when it is muted. */
export function attentionCount(room: Pick<RoomSummary, 'isMember' | 'lastSeq' | 'lastReadSeq' | 'notify' | 'unreadMentions'>): number {
  return isMuted(room) ? mentionCount(room) : unreadCount(room);
}

/** The sum of `attentionCount` over my rooms, leaving out `exceptId` (the room on screen, while it is being read). */
export function totalUnread(rooms: readonly RoomSummary[], exceptId?: string): number {
  let total = 0;
  for (const room of rooms) if (room.id !== exceptId) total += attentionCount(room);
  return total;
}

export function badgeText(count: number): string {
  return count > 99 ? '99+' : String(count);
}

/** "@3": the mention badge. */
export function mentionBadgeText(count: number): string {
  return `@${badgeText(count)}`;
}

const COUNT_PREFIX = /^\(\d+\+?\) /;

/** "(3) Parley": the title with the unread total in front (replacing any earlier count). */
export function titleWithUnread(title: string, total: number): string {
  const base = title.replace(COUNT_PREFIX, '');
  return total > 0 ? `(${badgeText(total)}) ${base}` : base;
}

/** "general · Parley": a page's tab title (the unread prefix is added in the browser, `titleWithUnread`). */
export function tabTitle(name: string): string {
  return `${name} · Parley`;
}

export const FAVICON = '/favicon.svg';
/** The same mark with a dot: something is waiting. */
export const FAVICON_UNREAD = '/favicon-unread.svg';

export function faviconFor(total: number): string {
  return total > 0 ? FAVICON_UNREAD : FAVICON;
}
