/**
 * A room's member list as room views show it (`room:load`, the room page, `GET /api/rooms/:id[/members]`): every
 * member, earliest first, under the list's version `rooms.members_rev`, which the database moves whenever the list
 * would read differently — someone comes or goes, changes role or mute, renames themselves (migration
 * 20261202020000_room_members_rev) — whichever instance or script made the change.
 *
 * The version does two jobs. A client that already holds the list at the current version is not sent it again
 * (room:load's `membersRev`, docs/protocol.md §5.1): a 2,000-member list is ~426 KB of JSON to encode and send,
 * on every switch back to that room. And this instance keeps the lists of its large rooms, so that one member's
 * read of the list is not 2,000 rows parsed into Dates and objects again (~5 ms of this process per read, in the
 * capacity bench one of the largest costs of a switch).
 */
import { LRUCache } from 'lru-cache';
import { getDb } from '../db';
import { LARGE_ROOM_MEMBERS, type MemberRole, type RoomMember } from '../schemas/room';
import { memberRoom, toRoomMember, type RoomAsked } from './rooms';

export interface MemberList {
  /** The list's version (`rooms.members_rev`); the list is at least this new. */
  rev: number;
  /** Shared with other readers when it came from the cache: read it, never change it. */
  members: RoomMember[];
}

/**
 * Large rooms' lists by room id, weighed by their members: 100,000 entries in all (~400 bytes each: some 40 MB at
 * most), the lists read least recently going first. A list with a mute in it is kept only until that mute ends (it
 * then reads as none, toRoomMember).
 */
const cache = new LRUCache<string, MemberList>({ maxSize: 100_000, sizeCalculation: (list) => list.members.length });

interface MemberRow {
  role: MemberRole;
  joined_at: Date;
  muted_until: Date | null;
  id: string;
  username: string;
  display_name: string;
  avatar: string | null;
}

/** The room's member list for a member (the refusals of memberRoom otherwise). */
export async function readMemberList(input: RoomAsked): Promise<MemberList> {
  const room = await memberRoom(input);
  // Read before the rows: the rows are then at least as new as the version they are kept under.
  const rev = room.membersRev ?? (await readMembersRev(room.id));
  const cached = cache.get(room.id);
  if (cached?.rev === rev) return cached;
  const list = { rev, members: await readMembers(room.id) };
  if (!isKeptList(list.members)) cache.delete(room.id);
  else cache.set(room.id, list, { ttl: untilFirstMuteEnds(list.members) });
  return list;
}

/**
 * Whether this instance keeps a list of this size: then the same array comes back to every reader until the list
 * changes (and lib/realtime/pre-encoded.ts may keep its JSON beside it).
 */
export function isKeptList(members: readonly RoomMember[]): boolean {
  return members.length > LARGE_ROOM_MEMBERS;
}

async function readMembersRev(roomId: string): Promise<number> {
  const rows = await getDb().$queryRaw<{ members_rev: number }[]>`SELECT members_rev FROM rooms WHERE id = ${roomId}`;
  return rows[0]?.members_rev ?? 0;
}

/** Every member, earliest first. One query: a room page lists them all (2,000 in a large room). */
async function readMembers(roomId: string): Promise<RoomMember[]> {
  const rows = await getDb().$queryRaw<MemberRow[]>`
    SELECT m.role::text AS role, m.joined_at, m.muted_until, u.id::text AS id, u.username, u.display_name, u.avatar
    FROM memberships m JOIN users u ON u.id = m.user_id
    WHERE m.room_id = ${roomId}
    ORDER BY m.joined_at, u.id`;
  return rows.map((r) =>
    toRoomMember({ role: r.role, joinedAt: r.joined_at, mutedUntil: r.muted_until, user: { id: r.id, username: r.username, displayName: r.display_name, avatar: r.avatar } }),
  );
}

/** Milliseconds until the first mute in the list ends (at least 1: a ttl of 0 would mean forever); none, no limit. */
function untilFirstMuteEnds(members: RoomMember[]): number | undefined {
  let end = Infinity;
  for (const m of members) if (m.mutedUntil) end = Math.min(end, Date.parse(m.mutedUntil));
  return end === Infinity ? undefined : Math.max(1, end - Date.now());
}
