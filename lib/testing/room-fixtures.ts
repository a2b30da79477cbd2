/** RoomSummary values for unit tests of the stores: a public room I am not in, unless overridden. */
import type { ChatMessage } from '../schemas/message';
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
    topic: '',
    hasPassword: false,
    archivedAt: null,
    mutedUntil: null,
    participants: null,
    ...overrides,
  };
}

/** A ChatMessage for unit tests of the stores: never changed, top-level, by `other` unless overridden. */
export function chatMessage(seq: number, overrides: Partial<ChatMessage> = {}): ChatMessage {
  return {
    id: String(seq),
    roomId: 'Room000001',
    seq,
    clientId: `00000000-0000-4000-8000-${String(seq).padStart(12, '0')}`,
    author: { id: 'other', username: 'other', displayName: 'Other' },
    body: `message ${seq}`,
    createdAt: new Date(1_700_000_000_000 + seq * 1000).toISOString(),
    editedAt: null,
    deletedAt: null,
    rev: 0,
    threadRootSeq: null,
    alsoInRoom: false,
    replyTo: null,
    thread: null,
    reactions: [],
    mentions: [],
    mentionsRoom: false,
    attachments: [],
    call: null,
    event: null,
    ...overrides,
  };
}
