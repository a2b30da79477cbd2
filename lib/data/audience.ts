/**
 * Who may receive what, asked for many people at once (the realtime layer's fan-out): whether the
 * sockets an instance holds in a room still belong there.
 */
import { getDb } from '../db';

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
