/** Sidebar list operations, pure: the rooms store applies them to initial server data and main-namespace events. */
import type { MemberRole, RoomList, RoomSummary } from '../schemas/room';

const byName = (a: RoomSummary, b: RoomSummary) =>
  a.name.localeCompare(b.name, undefined, { sensitivity: 'base' }) || a.id.localeCompare(b.id);

export function sortRooms(rooms: readonly RoomSummary[]): RoomSummary[] {
  return [...rooms].sort(byName);
}

export function normalizeRoomList(list: RoomList, deleted: ReadonlySet<string> = new Set()): RoomList {
  return {
    mine: sortRooms(list.mine.filter((r) => !deleted.has(r.id))),
    others: sortRooms(list.others.filter((r) => !deleted.has(r.id) && r.kind !== 'direct')),
  };
}

export function findRoom(list: RoomList, roomId: string): RoomSummary | undefined {
  return list.mine.find((r) => r.id === roomId) ?? list.others.find((r) => r.id === roomId);
}

/** Adds or replaces a room, in "mine" if I am a member, else in "others". */
export function upsertRoom(list: RoomList, room: RoomSummary): RoomList {
  const mine = list.mine.filter((r) => r.id !== room.id);
  const others = list.others.filter((r) => r.id !== room.id);
  if (room.isMember) mine.push(room);
  else if (room.kind !== 'direct') others.push(room);
  return { mine: sortRooms(mine), others: sortRooms(others) };
}

/**
 * A `room:listed` broadcast carries the listing view (isMember false for everyone); for a room I am in,
 * keep my membership and take the rest.
 */
export function applyListed(list: RoomList, room: RoomSummary): RoomList {
  const mine = list.mine.find((r) => r.id === room.id);
  if (mine && !room.isMember) return upsertRoom(list, { ...room, isMember: true, role: mine.role, lastSeq: mine.lastSeq });
  return upsertRoom(list, room);
}

export function removeRoom(list: RoomList, roomId: string): RoomList {
  if (!findRoom(list, roomId)) return list;
  return { mine: list.mine.filter((r) => r.id !== roomId), others: list.others.filter((r) => r.id !== roomId) };
}

/** Moves a room between "mine" and "others" when my membership changes; the member count follows. */
export function setMembership(list: RoomList, roomId: string, isMember: boolean, role: MemberRole | null = isMember ? 'member' : null): RoomList {
  const room = findRoom(list, roomId);
  if (!room || room.isMember === isMember) return list;
  const memberCount = Math.max(0, room.memberCount + (isMember ? 1 : -1));
  return upsertRoom(list, { ...room, isMember, role, memberCount, lastSeq: isMember ? room.lastSeq : null });
}
