/**
 * Member lists this tab has been sent by `room:load`, with their versions (`membersRev`, docs/protocol.md §5.1):
 * switching back to a room sends the version held, and the server leaves the list out of its answer when it is
 * still current — a large room's list is hundreds of kilobytes, and most switches go back to a room seen before.
 *
 * A list is kept as it was sent, not as the open room later changed it: under an old version, the server simply
 * sends the list again. The most recently opened rooms are kept, up to KEPT_ROOMS.
 */
import type { RoomMember } from '../schemas/room';

export const KEPT_ROOMS = 30;

export interface KnownMemberList {
  rev: number;
  members: RoomMember[];
}

export function createMemberLists(capacity = KEPT_ROOMS) {
  const lists = new Map<string, KnownMemberList>();
  return {
    get(roomId: string): KnownMemberList | undefined {
      return lists.get(roomId);
    },
    /** Keeps a list sent for the room, as its most recent. */
    remember(roomId: string, list: KnownMemberList): void {
      lists.delete(roomId);
      lists.set(roomId, list);
      if (lists.size > capacity) lists.delete(lists.keys().next().value!);
    },
    /** No longer a member, or the room is gone: nothing to offer the server. */
    forget(roomId: string): void {
      lists.delete(roomId);
    },
  };
}

export type MemberLists = ReturnType<typeof createMemberLists>;

/** This tab's lists (one per page load: a reload starts empty). */
export const memberLists = createMemberLists();
