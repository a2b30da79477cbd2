/** Presence display rules, pure. */
import type { PresenceInfo, PresenceStatus } from '../schemas/user';

export interface ShownPresence {
  status: PresenceStatus;
  lastSeenAt: string | null;
}

/**
 * What a member list shows: the server's PresenceInfo when we have it; until then, whether the user is
 * connected to this room (the room namespace's online set), else offline with no "last seen".
 */
export function shownPresence(info: PresenceInfo | undefined, inRoomOnline: boolean): ShownPresence {
  if (info) return { status: info.status, lastSeenAt: info.status === 'offline' ? info.lastSeenAt : null };
  return { status: inRoomOnline ? 'online' : 'offline', lastSeenAt: null };
}

const RANK: Record<PresenceStatus, number> = { online: 0, away: 1, offline: 2 };

export function presenceRank(status: PresenceStatus): number {
  return RANK[status];
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** "last seen just now", "last seen 5 min ago", "last seen 3 h ago", "last seen yesterday", "last seen 4 days ago", or a date. */
export function lastSeenText(lastSeenAt: string | null, nowMs: number): string | null {
  if (!lastSeenAt) return null;
  const at = Date.parse(lastSeenAt);
  if (Number.isNaN(at)) return null;
  const ago = Math.max(0, nowMs - at);
  if (ago < MINUTE) return 'last seen just now';
  if (ago < HOUR) return `last seen ${Math.floor(ago / MINUTE)} min ago`;
  if (ago < DAY) return `last seen ${Math.floor(ago / HOUR)} h ago`;
  if (ago < 2 * DAY) return 'last seen yesterday';
  if (ago < 7 * DAY) return `last seen ${Math.floor(ago / DAY)} days ago`;
  return `last seen ${new Date(at).toLocaleDateString([], { day: 'numeric', month: 'short', year: 'numeric' })}`;
}
