/**
 * A room as a client opens it (`room:load`, docs/protocol.md §5.1): my view of the room, its members and its newest
 * history page, read on one membership check — what the room page renders on the server, for a tab that already
 * has the app and only switches rooms.
 */
import { historyQuerySchema } from '../schemas/message';
import type { RoomContent, RoomLoad, RoomSummary } from '../schemas/room';
import { readMemberList } from './member-list';
import { getHistory } from './messages';
import { assertMember, getRoomForUser } from './rooms';

const NEWEST_PAGE = historyQuerySchema.parse({});

/** `membersRev`: the version of the member list the client holds; when it is still current, the list is left out. */
export async function loadRoom(input: { roomId: string; userId: string; membersRev?: number }): Promise<RoomLoad> {
  const room = await getRoomForUser(input); // NOT_FOUND: missing, or someone else's conversation
  const content = await loadRoomContent(room);
  return { room, ...content, members: content.membersRev === input.membersRev ? null : content.members };
}

/** What a room shows when it opens, for a room already read for its member (the room page reads it so too). */
export async function loadRoomContent(room: RoomSummary): Promise<RoomContent> {
  assertMember(room); // FORBIDDEN: join first (over REST; a private room with its password)
  const [list, history] = await Promise.all([readMemberList({ room }), getHistory({ room, query: NEWEST_PAGE })]);
  return { members: list.members, membersRev: list.rev, history };
}
