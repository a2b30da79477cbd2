/**
 * Who may receive what, asked for many people at once (the realtime layer's fan-out): whose presence a
 * user may see, and whether the sockets an instance holds in a room still belong there.
 */
import { getDb } from '../db';

/**
 * Presence is visible between people who share a room — public, private or direct: of `userIds`, those
 * who share at least one with `viewerId`, plus the viewer themself. Unknown ids are simply not in the
 * answer (so it tells nobody which ids exist). One query for the whole list.
 */
export async function presenceVisibleTo(input: { viewerId: string; userIds: readonly string[] }): Promise<Set<string>> {
  if (input.userIds.length === 0) return new Set();
  const rows = await getDb().$queryRaw<{ id: string }[]>`
    SELECT c.id::text AS id FROM unnest(${[...input.userIds]}::uuid[]) AS c(id)
    WHERE c.id = ${input.viewerId}::uuid
       OR EXISTS (
         -- Their rooms (by the user_id index), each checked against the viewer's membership (primary key).
         SELECT 1 FROM memberships theirs
         JOIN memberships mine ON mine.room_id = theirs.room_id AND mine.user_id = ${input.viewerId}::uuid
         WHERE theirs.user_id = c.id
       )`;
  return new Set(rows.map((row) => row.id));
}

/**
 * Presence is visible both ways between people who share a room: of `viewerIds`, those who may see
 * `userId`'s presence.
 */
export function viewersOfPresence(input: { userId: string; viewerIds: readonly string[] }): Promise<Set<string>> {
  return presenceVisibleTo({ viewerId: input.userId, userIds: input.viewerIds });
}

export interface AudienceCheck {
  roomId: string;
  userId: string;
  roomExists: boolean;
  isMember: boolean;
}

/** For each (room, user) pair: does the room still exist, and is the user still its member. One query. */
export async function checkRoomAudience(pairs: readonly { roomId: string; userId: string }[]): Promise<AudienceCheck[]> {
  if (pairs.length === 0) return [];
  return getDb().$queryRaw<AudienceCheck[]>`
    SELECT p.room_id AS "roomId", p.user_id::text AS "userId", r.id IS NOT NULL AS "roomExists", m.user_id IS NOT NULL AS "isMember"
    FROM unnest(${pairs.map((p) => p.roomId)}::text[], ${pairs.map((p) => p.userId)}::uuid[]) AS p(room_id, user_id)
    LEFT JOIN rooms r ON r.id = p.room_id
    LEFT JOIN memberships m ON m.room_id = p.room_id AND m.user_id = p.user_id`;
}
