/** Room rules and wire shapes, shared by route handlers, socket handlers and forms. */
import { z } from 'zod';
import type { MemberRole, RoomKind } from './limits';
import type { HistoryPage } from './message';
import { plainText } from './text';
import type { PublicUser } from './user';

/** Room ids are 10 base62 characters: short enough for PostgreSQL channel names (see prisma/schema.prisma). */
export const ROOM_ID_PATTERN = /^[A-Za-z0-9]{10}$/;
export const roomIdSchema = plainText(z.string().regex(ROOM_ID_PATTERN, 'Not a room id.'), { label: 'A room id' });

/** The Socket.IO namespace of a room. */
export const ROOM_NAMESPACE_PATTERN = /^\/r\/([A-Za-z0-9]{10})$/;

export const roomNameSchema = plainText(
  z
    .string({ error: 'Enter a room name.' })
    .trim()
    .min(2, 'Room name must be at least 2 characters.')
    .max(64, 'Room name must be at most 64 characters.'),
  { kind: 'name', label: 'Room name' },
);

/** A room's description: a few lines of text. */
export const roomDescriptionSchema = plainText(z.string().trim().max(500, 'Description must be at most 500 characters.'), {
  kind: 'multi-line',
  label: 'Description',
});

const encoder = new TextEncoder();

/** bcrypt reads 72 bytes at most, so longer passwords are refused rather than silently truncated. */
export const roomPasswordSchema = plainText(
  z
    .string({ error: 'Enter a password.' })
    .min(4, 'Room password must be at least 4 characters.')
    .refine((p) => encoder.encode(p).length <= 72, 'Room password must be at most 72 bytes.'),
  { label: 'Room password' },
);

export const createRoomSchema = z.discriminatedUnion(
  'kind',
  [
    z.strictObject({
      kind: z.literal('public'),
      name: roomNameSchema,
      description: roomDescriptionSchema.default(''),
    }),
    z.strictObject({
      kind: z.literal('private'),
      name: roomNameSchema,
      description: roomDescriptionSchema.default(''),
      password: roomPasswordSchema,
    }),
  ],
  { error: 'Choose public or private.' },
);
export type CreateRoomInput = z.infer<typeof createRoomSchema>;

export const joinRoomSchema = z.strictObject({
  password: plainText(z.string().max(200), { label: 'Room password' }).optional(),
});

// Defined zod-free in ./limits (the browser imports them from there).
export { hasRole, isConversation, isLargeRoom, LARGE_ROOM_MEMBERS, MEMBER_ROLES, showsDelivery, roleRank, roomNamespace, type MemberRole, type RoomKind } from './limits';

export const roomTopicSchema = plainText(z.string().trim().max(250, 'Topic must be at most 250 characters.'), { label: 'Topic' });

/** A room as listed in the sidebar. Non-members of private rooms see no activity (lastSeq is null). */
export interface RoomSummary {
  id: string;
  name: string;
  description: string;
  kind: RoomKind;
  ownerId: string;
  memberCount: number;
  createdAt: string;
  isMember: boolean;
  role: MemberRole | null;
  /** Members only. */
  lastSeq: number | null;
  /** Members only: my read position; unread = lastSeq − lastReadSeq. */
  lastReadSeq: number | null;
  /** Direct rooms: the other participant (name is empty for direct rooms). */
  peer: PublicUser | null;
  /** Members only: unread messages that mention me (or @room), counted up to 100. */
  unreadMentions: number | null;
  /** Members only: my notification level for this room. */
  notify: NotifyLevel | null;
  /** Who may notify everyone with @room / @here. */
  roomMentions: RoomMentionsPolicy;
  /** A short line shown under the name ('' for none). */
  topic: string;
  /** Private rooms: whether joining takes a password (without one, only invitations let people in). */
  hasPassword: boolean;
  /** Set while the room is archived: read-only for everyone until restored. */
  archivedAt: string | null;
  /** Members only: until when I am muted here (null: not muted). */
  mutedUntil: string | null;
  /** Group conversations: the other members (up to 8); null for other kinds. */
  participants: PublicUser[] | null;
}

/** The part of a room that is the same for every member: what `room:updated` carries (§4.13). */
export interface RoomSettings {
  id: string;
  name: string;
  description: string;
  topic: string;
  kind: RoomKind;
  ownerId: string;
  hasPassword: boolean;
  roomMentions: RoomMentionsPolicy;
  archivedAt: string | null;
}

/** all: every message; mentions: mentions of me and @room; none: muted. */
export const NOTIFY_LEVELS = ['all', 'mentions', 'none'] as const;
export type NotifyLevel = (typeof NOTIFY_LEVELS)[number];
export const ROOM_MENTIONS_POLICIES = ['anyone', 'owner'] as const;
export type RoomMentionsPolicy = (typeof ROOM_MENTIONS_POLICIES)[number];

/** PUT /api/rooms/:roomId/notifications */
export const setNotifyLevelSchema = z.strictObject({
  level: z.enum(NOTIFY_LEVELS, { error: 'level must be all, mentions or none.' }),
});

/**
 * PATCH /api/rooms/:roomId (admins and the owner): room settings, any subset, at least one. `kind` moves a
 * room between public and private; `password` sets (a string) or removes (null) a private room's password
 * (a private room without one is entered by invitation only). Making a room public removes its password.
 */
export const updateRoomSchema = z
  .strictObject({
    name: roomNameSchema.optional(),
    description: roomDescriptionSchema.optional(),
    topic: roomTopicSchema.optional(),
    kind: z.enum(['public', 'private'], { error: 'kind must be public or private.' }).optional(),
    password: roomPasswordSchema.nullable().optional(),
    roomMentions: z.enum(ROOM_MENTIONS_POLICIES, { error: 'roomMentions must be anyone or owner.' }).optional(),
  })
  .refine((v) => Object.keys(v).length > 0, { message: 'Change at least one setting.' })
  .refine((v) => !(v.kind === 'public' && typeof v.password === 'string'), {
    path: ['password'],
    message: 'A public room has no password.',
  });
export type UpdateRoomInput = z.infer<typeof updateRoomSchema>;

export interface RoomMember {
  user: PublicUser;
  role: MemberRole;
  joinedAt: string;
  /** Until when they are muted here (null: not muted). */
  mutedUntil: string | null;
}

/** The sidebar's rooms. Rooms I could join are found in the directory (GET /api/rooms/directory). */
export interface RoomList {
  /** Every room I belong to, any kind. */
  mine: RoomSummary[];
}

/** Most rooms one directory page holds. */
export const DIRECTORY_PAGE_MAX = 50;

/** GET /api/rooms/directory: rooms I could join, searched by name and description, a page at a time. */
export const roomDirectoryQuerySchema = z.strictObject({
  q: plainText(z.string().trim().max(64, 'Search at most 64 characters.'), { label: 'The search' }).default(''),
  /** Opaque: `nextCursor` of the previous page. */
  cursor: plainText(z.string().min(1).max(200), { label: 'The cursor' }).optional(),
  limit: z.coerce.number().int().min(1).max(DIRECTORY_PAGE_MAX).default(20),
});
export type RoomDirectoryQuery = z.infer<typeof roomDirectoryQuerySchema>;

/** One page of the room directory; `nextCursor` is null on the last page. */
export interface RoomDirectoryPage {
  rooms: RoomSummary[];
  nextCursor: string | null;
}

export const startDirectSchema = z.strictObject({
  userId: z.uuid({ error: 'userId must be a user id.' }).toLowerCase(),
});

/** Where a member has read to and what reached their devices (read receipts, delivered ticks). */
export interface Receipt {
  userId: string;
  lastReadSeq: number;
  lastDeliveredSeq: number;
}

export const markReadSchema = z.strictObject({
  seq: z.number({ error: 'seq must be a number.' }).int().min(0).max(2_147_483_647),
});

/** `room:load` (main namespace): a room to open, read in one answer. */
export const roomLoadSchema = z.strictObject({
  roomId: roomIdSchema,
  /** The version of the member list the client holds (a previous answer's `membersRev`): unchanged, it is not sent again. */
  membersRev: z.number({ error: 'membersRev must be a number.' }).int().min(0).max(2_147_483_647).optional(),
});

/** What a room shows when it opens, besides my view of the room: its members (at version `membersRev`) and newest history page. */
export interface RoomContent {
  members: RoomMember[];
  membersRev: number;
  history: HistoryPage;
}

/** `room:load`'s answer: `members` is null when the client already holds them at `membersRev` (it said so). */
export interface RoomLoad extends Omit<RoomContent, 'members'> {
  room: RoomSummary;
  members: RoomMember[] | null;
}

export const deliveryAckSchema = z.strictObject({
  roomId: roomIdSchema,
  seq: z.number({ error: 'seq must be a number.' }).int().min(0).max(2_147_483_647),
});
