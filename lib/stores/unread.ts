/** Unread counts and the document title, pure. */
import type { RoomSummary } from '../schemas/room';

/** lastSeq − lastReadSeq for rooms I am in; never negative. */
export function unreadCount(room: Pick<RoomSummary, 'isMember' | 'lastSeq' | 'lastReadSeq'>): number {
  if (!room.isMember || room.lastSeq === null) return 0;
  return Math.max(0, room.lastSeq - (room.lastReadSeq ?? 0));
}

/** The sum over my rooms, leaving out `exceptId` (the room on screen, while it is being read). */
export function totalUnread(rooms: readonly RoomSummary[], exceptId?: string): number {
  let total = 0;
  for (const room of rooms) if (room.id !== exceptId) total += unreadCount(room);
  return total;
}

export function badgeText(count: number): string {
  return count > 99 ? '99+' : String(count);
}

const COUNT_PREFIX = /^\(\d+\+?\) /;

/** "(3) Parley": the title with the unread total in front (replacing any earlier count). */
export function titleWithUnread(title: string, total: number): string {
  const base = title.replace(COUNT_PREFIX, '');
  return total > 0 ? `(${badgeText(total)}) ${base}` : base;
}
