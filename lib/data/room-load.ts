/**
 * A room as a client opens it (`room:load`, docs/protocol.md §5.1): my view of the room, its members and its newest
 * history page, read on one membership check — what the room page renders on the server, for a tab that already
 * has the app and only switches rooms.
 */
import { historyQuerySchema } from '../schemas/message';
import type { RoomLoad, RoomSummary } from '../schemas/room';
import { getHistory } from './messages';
import { assertMember, getRoomForUser, listMembers } from './rooms';

const NEWEST_PAGE = historyQuerySchema.parse({});

export async function loadRoom(input: { roomId: string; userId: string }): Promise<RoomLoad> {
  const room = await getRoomForUser(input); // NOT_FOUND: missing, or someone else's conversation
  return { room, ...(await loadRoomContent(room)) };
}

/** What a room shows when it opens, for a room already read for its member (the room page reads it so too). */
export async function loadRoomContent(room: RoomSummary): Promise<Omit<RoomLoad, 'room'>> {
  assertMember(room); // FORBIDDEN: join first (over REST; a private room with its password)
  const [members, history] = await Promise.all([listMembers({ room }), getHistory({ room, query: NEWEST_PAGE })]);
  return { members, history };
}
