/**
 * Unread mentions of me per room, pure: the server's count from a RoomSummary plus what `room:activity`
 * told us since, so the sidebar's mention badge is right after a reload, live, and across tabs.
 *
 * The server counts mentions in (readSeq, upToSeq] — its read position and newest seq when it answered —
 * without saying which seqs they are. Messages above upToSeq that mention me are learned live, by seq,
 * so a re-broadcast of one is counted once. When my read position moves INTO the server's range (read
 * part of it, not all), the client cannot know how many of the counted mentions it passed: the count is
 * `stale` and the rooms store refetches the list.
 */
import type { RoomActivity } from '../realtime/events';
import type { RoomSummary } from '../schemas/room';

export interface MentionTrack {
  /** The server's count (RoomSummary.unreadMentions, ≤ 100). */
  count: number;
  /** The summary's lastSeq: the count covers messages up to here. */
  upToSeq: number;
  /** The summary's lastReadSeq: the count covers messages after this. */
  readSeq: number;
  /** Seqs above upToSeq that mention me, learned live, ascending. */
  live: number[];
}

/** The server's view in a summary; null for a room I am not in. */
export function trackFromSummary(room: Pick<RoomSummary, 'isMember' | 'unreadMentions' | 'lastSeq' | 'lastReadSeq'>): MentionTrack | null {
  if (!room.isMember) return null;
  return { count: room.unreadMentions ?? 0, upToSeq: room.lastSeq ?? 0, readSeq: room.lastReadSeq ?? 0, live: [] };
}

/**
 * A fresh summary's count replaces what is held unless it is older (a room view's summary from when it
 * connected can arrive after a newer list): newer means a later upToSeq, or the same and a later readSeq.
 * Mentions learned live above the fresh count's range are kept.
 */
export function mergeTrack(held: MentionTrack | undefined, fresh: MentionTrack): MentionTrack {
  if (!held) return fresh;
  const older = fresh.upToSeq < held.upToSeq || (fresh.upToSeq === held.upToSeq && fresh.readSeq < held.readSeq);
  if (older) return held;
  return { ...fresh, live: held.live.filter((seq) => seq > fresh.upToSeq) };
}

/** A message that mentions me (by name, or everyone) and is not mine. */
export function mentionsMe(activity: Pick<RoomActivity, 'authorId' | 'mentions' | 'mentionsRoom'>, meId: string): boolean {
  return activity.authorId !== meId && (activity.mentionsRoom || activity.mentions.includes(meId));
}

/** Learns that message `seq` mentions me: idempotent, and seqs the server's count covers are not counted twice. */
export function addMention(track: MentionTrack, seq: number): MentionTrack {
  if (seq <= track.upToSeq || track.live.includes(seq)) return track;
  return { ...track, live: [...track.live, seq].sort((a, b) => a - b) };
}

/** My read position moved: live mentions I have read are dropped (they no longer count, whatever comes again). */
export function readMentions(track: MentionTrack, lastReadSeq: number): MentionTrack {
  const live = track.live.filter((seq) => seq > lastReadSeq);
  return live.length === track.live.length ? track : { ...track, live };
}

/**
 * Read into the server's range but not past it, with mentions counted there: how many of them were read
 * is unknown until the count is asked for again.
 */
export function mentionsStale(track: MentionTrack, lastReadSeq: number | null): boolean {
  const read = lastReadSeq ?? 0;
  return track.count > 0 && read > track.readSeq && read < track.upToSeq;
}

/** Unread mentions after my read position (an upper bound while `mentionsStale`). */
export function mentionCount(track: MentionTrack, lastReadSeq: number | null): number {
  const read = lastReadSeq ?? 0;
  const counted = read >= track.upToSeq ? 0 : track.count;
  return counted + track.live.filter((seq) => seq > read).length;
}

/** The rooms with `unreadMentions` as counted from their tracks (the same objects where nothing changed). */
export function withMentionCounts<R extends Pick<RoomSummary, 'id' | 'isMember' | 'lastReadSeq' | 'unreadMentions'>>(
  rooms: readonly R[],
  tracks: Readonly<Record<string, MentionTrack>>,
): R[] {
  return rooms.map((room) => {
    const track = tracks[room.id];
    const unreadMentions = track && room.isMember ? mentionCount(track, room.lastReadSeq) : room.isMember ? (room.unreadMentions ?? 0) : null;
    return unreadMentions === room.unreadMentions ? room : { ...room, unreadMentions };
  });
}
