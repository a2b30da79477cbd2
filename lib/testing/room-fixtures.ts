/** RoomSummary values for unit tests of the stores: a public room I am not in, unless overridden. */
import type { RoomSummary } from '../schemas/room';

export function roomSummary(id: string, overrides: Partial<RoomSummary> = {}): RoomSummary {
  return {
    id,
    name: `Room ${id}`,
    description: '',
    kind: 'public',
    ownerId: 'owner',
    memberCount: 1,
    createdAt: new Date(0).toISOString(),
    isMember: false,
    role: null,
    lastSeq: null,
    lastReadSeq: null,
    peer: null,
    unreadMentions: null,
    notify: null,
    roomMentions: 'anyone',
    ...overrides,
  };
}
