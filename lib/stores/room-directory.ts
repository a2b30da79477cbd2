/** Room directory pages, pure: what the directory panel shows as pages arrive. */
import type { RoomSummary } from '../schemas/room';

/**
 * The next page after what is shown. Member counts move while someone pages, so a room can come twice
 * (docs/protocol.md, GET /api/rooms/directory): keep the first.
 */
export function appendDirectoryPage(shown: readonly RoomSummary[], page: readonly RoomSummary[]): RoomSummary[] {
  const ids = new Set(shown.map((r) => r.id));
  return [...shown, ...page.filter((r) => !ids.has(r.id))];
}

/** Results minus the rooms I am in now (joined in this or another tab since the page was fetched). */
export function withoutJoined(rooms: readonly RoomSummary[], mine: readonly Pick<RoomSummary, 'id'>[]): RoomSummary[] {
  if (!mine.length) return [...rooms];
  const joined = new Set(mine.map((r) => r.id));
  return rooms.filter((r) => !joined.has(r.id));
}
