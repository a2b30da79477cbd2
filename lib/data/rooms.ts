/**
 * Rooms and memberships: the only code that reads or writes them. Every function takes the acting user
 * and checks what that user may do here, in the data layer, whatever the caller (route, socket, page).
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { Prisma } from '@/generated/prisma/client.ts';
import { getDb } from '../db';
import { getEnv } from '../env';
import { AppError } from '../errors';
import { hashPassword, verifyPassword } from '../password';
import { consumeAttempt, sharedLimiter, type LimitPolicy } from '../rate-limit';
import type { CreateRoomInput, MemberRole, NotifyLevel, RoomDirectoryPage, RoomDirectoryQuery, RoomList, RoomMember, RoomSummary } from '../schemas/room';
import type { PublicUser } from '../schemas/user';
import type { ChatMessage } from '../schemas/message';
import { GROUP_MAX_MEMBERS } from '../schemas/moderation';
import { isConversation } from '../schemas/room';
import { recordAudit } from './audit';
import { isInstanceAdmin } from './instance-admin';
import { archivedError, lockRoom, mutedError } from './messages';
import { bannedError, isBanned, writeGroupLeftLine } from './moderation';
import { isUniqueViolation, publicUserSelect } from './users';

const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** 10 base62 characters (~59 bits): unguessable enough, and short for namespace/channel names. */
export function newRoomId(): string {
  const bytes = randomBytes(16);
  let id = '';
  for (let i = 0; id.length < 10; i += 1) {
    const byte = bytes[i % bytes.length]!;
    if (byte < 248) id += BASE62[byte % 62]; // 248 = 4 × 62: no modulo bias
    else if (i >= bytes.length) bytes[i % bytes.length] = randomBytes(1)[0]!;
  }
  return id;
}

/** Wrong room passwords per user per room: a 4-character password must not be brute-forced. */
const roomPasswordPolicy: LimitPolicy = { keyPrefix: 'room_pw', points: 5, duration: 15 * 60, blockDuration: 15 * 60 };

const roomSelect = {
  id: true,
  name: true,
  description: true,
  kind: true,
  ownerId: true,
  createdAt: true,
  lastSeq: true,
  roomMentions: true,
  topic: true,
  archivedAt: true,
  passwordHash: true,
  _count: { select: { members: true } },
  // Direct rooms show the other participant instead of a name (empty for other kinds).
  members: {
    where: { room: { kind: { in: ['direct', 'group'] } } },
    select: { user: { select: publicUserSelect } },
    orderBy: { joinedAt: 'asc' },
    take: 9,
  },
} satisfies Prisma.RoomSelect;

type RoomRow = Prisma.RoomGetPayload<{ select: typeof roomSelect }>;

const membershipSelect = { role: true, lastReadSeq: true, notifyLevel: true, mutedUntil: true } as const;
type MembershipView = { role: MemberRole; lastReadSeq: number; notifyLevel: string | null; mutedUntil: Date | null };

/** Unread mentions are counted up to this (a badge shows "99+"). */
export const UNREAD_MENTIONS_COUNTED = 100;

/**
 * The unread messages (after the read position, not the member's own, not deleted) that mention the member of
 * membership row `mb`, or everyone, counted up to UNREAD_MENTIONS_COUNTED — through the partial index of
 * mentioning messages. A subquery for statements that read `memberships mb`.
 */
const UNREAD_MENTIONS_OF_MB = Prisma.sql`(
  SELECT count(*)::int FROM (
    SELECT 1 FROM messages m
    WHERE m.room_id = mb.room_id AND m.seq > mb.last_read_seq
      AND (m.mentions_room OR cardinality(m.mentions) > 0)
      AND (m.mentions_room OR m.mentions @> ARRAY[mb.user_id])
      AND m.author_id <> mb.user_id AND m.deleted_at IS NULL
    LIMIT ${UNREAD_MENTIONS_COUNTED}
  ) counted
)`;

/** Per room of the user's: unread mentions of them (UNREAD_MENTIONS_OF_MB). */
async function unreadMentionCounts(userId: string, roomIds: string[]): Promise<Map<string, number>> {
  if (roomIds.length === 0) return new Map();
  const rows = await getDb().$queryRaw<{ room_id: string; n: number }[]>`
    SELECT mb.room_id, ${UNREAD_MENTIONS_OF_MB} AS n
    FROM memberships mb WHERE mb.user_id = ${userId}::uuid AND mb.room_id = ANY (${roomIds}::text[])`;
  return new Map(rows.map((r) => [r.room_id, r.n]));
}

function notifyLevelOf(kind: RoomSummary['kind'], stored: string | null): NotifyLevel {
  if (stored === 'all' || stored === 'mentions' || stored === 'none') return stored;
  return isConversation(kind) ? 'all' : 'mentions';
}

function toSummary(room: RoomRow, membership: MembershipView | null, viewerId: string, unreadMentions = 0): RoomSummary {
  return {
    id: room.id,
    name: room.name,
    description: room.description,
    kind: room.kind,
    ownerId: room.ownerId,
    memberCount: room._count.members,
    createdAt: room.createdAt.toISOString(),
    isMember: membership !== null,
    role: membership?.role ?? null,
    // Activity is content: only members learn how far a room has gone.
    lastSeq: membership ? room.lastSeq : null,
    lastReadSeq: membership ? Math.min(membership.lastReadSeq, room.lastSeq) : null,
    peer: room.kind === 'direct' ? (room.members.find((m) => m.user.id !== viewerId)?.user ?? null) : null,
    unreadMentions: membership ? unreadMentions : null,
    notify: membership ? notifyLevelOf(room.kind, membership.notifyLevel) : null,
    roomMentions: room.roomMentions === 'owner' ? 'owner' : 'anyone',
    topic: room.topic,
    hasPassword: room.passwordHash !== null,
    archivedAt: room.archivedAt?.toISOString() ?? null,
    mutedUntil: membership?.mutedUntil && membership.mutedUntil.getTime() > Date.now() ? membership.mutedUntil.toISOString() : null,
    participants: room.kind === 'group' ? room.members.filter((m) => m.user.id !== viewerId).map((m) => m.user) : null,
  };
}

async function findRoom(roomId: string): Promise<RoomRow> {
  const room = await getDb().room.findUnique({ where: { id: roomId }, select: roomSelect });
  if (!room) throw new AppError('NOT_FOUND', 'That room does not exist (any more).');
  return room;
}

async function findMembership(roomId: string, userId: string): Promise<MembershipView | null> {
  return getDb().membership.findUnique({ where: { roomId_userId: { roomId, userId } }, select: membershipSelect });
}

/** getRoomForUser's one row: the room as roomSelect reads it, my membership, my unread mentions. */
interface RoomForUserRow {
  id: string;
  name: string;
  description: string;
  kind: RoomRow['kind'];
  owner_id: string;
  created_at: Date;
  last_seq: number;
  room_mentions: string;
  topic: string;
  archived_at: Date | null;
  password_hash: string | null;
  member_count: number;
  members_rev: number;
  people: RoomRow['members'][number]['user'][] | null;
  role: MemberRole | null;
  last_read_seq: number | null;
  notify_level: string | null;
  muted_until: Date | null;
  unread_mentions: number | null;
}

/**
 * The room as the user may see it; direct rooms are visible to their two members only. One statement (the room,
 * its first nine people for a conversation's title, my membership and unread mentions): every room switch reads it
 * twice (`room:load`, then the room namespace's `room:ready`), and Prisma's reads of the same took five.
 */
export async function getRoomForUser(input: { roomId: string; userId: string }): Promise<RoomSummary> {
  const rows = await getDb().$queryRaw<RoomForUserRow[]>`
    SELECT r.id, r.name, r.description, r.kind::text AS kind, r.owner_id::text AS owner_id, r.created_at, r.last_seq,
           r.room_mentions, r.topic, r.archived_at, r.password_hash, r.member_count, r.members_rev,
           CASE WHEN r.kind IN ('direct', 'group') THEN (
             SELECT json_agg(json_build_object('id', u.id, 'username', u.username, 'displayName', u.display_name, 'avatar', u.avatar) ORDER BY p.joined_at)
             FROM (SELECT user_id, joined_at FROM memberships WHERE room_id = r.id ORDER BY joined_at LIMIT 9) p JOIN users u ON u.id = p.user_id
           ) END AS people,
           mb.role::text AS role, mb.last_read_seq, mb.notify_level, mb.muted_until,
           CASE WHEN mb.user_id IS NOT NULL THEN ${UNREAD_MENTIONS_OF_MB} END AS unread_mentions
    FROM rooms r LEFT JOIN memberships mb ON mb.room_id = r.id AND mb.user_id = ${input.userId}::uuid
    WHERE r.id = ${input.roomId}`;
  const row = rows[0];
  if (!row || (isConversation(row.kind) && row.role === null)) throw new AppError('NOT_FOUND', 'That room does not exist (any more).');
  const room: RoomRow = {
    id: row.id,
    name: row.name,
    description: row.description,
    kind: row.kind,
    ownerId: row.owner_id,
    createdAt: row.created_at,
    lastSeq: row.last_seq,
    roomMentions: row.room_mentions,
    topic: row.topic,
    archivedAt: row.archived_at,
    passwordHash: row.password_hash,
    _count: { members: row.member_count },
    members: (row.people ?? []).map((user) => ({ user })),
  };
  const membership: MembershipView | null =
    row.role === null ? null : { role: row.role, lastReadSeq: row.last_read_seq ?? 0, notifyLevel: row.notify_level, mutedUntil: row.muted_until };
  const summary = toSummary(room, membership, input.userId, row.unread_mentions ?? 0);
  membersRevs.set(summary, row.members_rev);
  return summary;
}

/**
 * The member list's version (member-list.ts) of rooms read by getRoomForUser, beside the summary rather than in
 * it: RoomSummary is what clients are sent, and the version is a member list's, not the room's.
 */
const membersRevs = new WeakMap<RoomSummary, number>();

/**
 * Whether a user may open a room's live view, in one query (every room namespace connection asks):
 * NOT_FOUND for a missing room or someone else's direct room; otherwise its kind and whether they are
 * a member (a public room's non-member may join; a private room's needs its password first).
 */
export async function getRoomAccess(input: { roomId: string; userId: string }): Promise<{ kind: RoomSummary['kind']; isMember: boolean; membersRev: number }> {
  const rows = await getDb().$queryRaw<{ kind: RoomSummary['kind']; is_member: boolean; members_rev: number }[]>`
    SELECT r.kind::text AS kind, r.members_rev,
           EXISTS (SELECT 1 FROM memberships m WHERE m.room_id = r.id AND m.user_id = ${input.userId}::uuid) AS is_member
    FROM rooms r WHERE r.id = ${input.roomId}`;
  const row = rows[0];
  if (!row || (isConversation(row.kind) && !row.is_member)) throw new AppError('NOT_FOUND', 'That room does not exist (any more).');
  return { kind: row.kind, isMember: row.is_member, membersRev: row.members_rev };
}

/** The refusal a non-member gets for a room's content: a private room names its password. */
function notAMember(kind: RoomSummary['kind']): AppError {
  return new AppError('FORBIDDEN', kind === 'private' ? 'Enter the room password to join first.' : 'Join the room first.');
}

/** The same check as requireMembership, on a room view already read for that user. */
export function assertMember(room: RoomSummary): void {
  if (!room.isMember) throw notAMember(room.kind);
}

/** Like getRoomForUser, but only for members: the gate in front of any room content. */
export async function requireMembership(input: { roomId: string; userId: string }): Promise<RoomSummary> {
  const room = await getRoomForUser(input);
  assertMember(room);
  return room;
}

/**
 * Who asks for a room's content: ids (membership is checked) or the room as already read for them
 * (getRoomForUser), so a page reading several things of one room checks once.
 */
export type RoomAsked = { roomId: string; userId: string } | { room: RoomSummary };

/**
 * The room of a RoomAsked, for a member only, with the refusals of requireMembership. Given ids, this is one
 * query (getRoomAccess), not the member's whole view of the room: history pages and member lists — every room
 * switch, every scroll back — need only to know the door is open.
 */
export async function memberRoom(input: RoomAsked): Promise<{ id: string; membersRev: number | undefined }> {
  if ('room' in input) {
    assertMember(input.room);
    return { id: input.room.id, membersRev: membersRevs.get(input.room) };
  }
  const access = await getRoomAccess(input);
  if (!access.isMember) throw notAMember(access.kind);
  return { id: input.roomId, membersRev: access.membersRev };
}

/** A member who may add something to the room now: not archived, not muted (uploads, calls; §4.13). */
export async function requirePoster(input: { roomId: string; userId: string }): Promise<RoomSummary> {
  const room = await requireMembership(input);
  if (room.archivedAt) throw archivedError();
  if (room.mutedUntil) throw mutedError(new Date(room.mutedUntil));
  return room;
}

/**
 * Every room the user is in (the sidebar), with their read positions. Rooms they could join are not
 * listed here: a list of those grows with every room anyone creates, so they are searched and paged in
 * the directory instead (listRoomDirectory).
 */
export async function listRoomsForUser(input: { userId: string }): Promise<RoomList> {
  const memberships = await getDb().membership.findMany({
    where: { userId: input.userId },
    select: { ...membershipSelect, room: { select: roomSelect } },
    orderBy: { room: { name: 'asc' } },
  });
  const mentions = await unreadMentionCounts(input.userId, memberships.map((m) => m.room.id));
  return { mine: memberships.map((m) => toSummary(m.room, m, input.userId, mentions.get(m.room.id))) };
}

/**
 * Directory order: most members first, then name A–Z. People browse a directory for where the conversation
 * is, and a flood of fresh one-member rooms sinks to the end instead of burying the rooms people use.
 * The cursor is the last row's (member count, lower-cased name); names are unique case-insensitively, so
 * the order is total. Counts move while someone pages, so a room can repeat or be passed over across a
 * page boundary; clients drop repeats by id.
 */
const directoryCursorSchema = z.tuple([z.number().int().min(0), z.string().min(1).max(64)]);
type DirectoryCursor = z.infer<typeof directoryCursorSchema>;

function encodeDirectoryCursor(cursor: DirectoryCursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

function decodeDirectoryCursor(cursor: string): DirectoryCursor {
  try {
    return directoryCursorSchema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
  } catch {
    throw new AppError('INVALID_PAYLOAD', 'The request is invalid.', {
      issues: [{ path: 'cursor', message: 'Not a cursor from this directory (use nextCursor as given).' }],
    });
  }
}

type DirectoryRow = {
  id: string;
  name: string;
  name_key: string;
  description: string;
  kind: 'public' | 'private';
  owner_id: string;
  created_at: Date;
  member_count: number;
  room_mentions: string;
  topic: string;
  has_password: boolean;
};

/**
 * Public and private rooms the user is not in, optionally those whose name or description contains `q`
 * (case-insensitively; `%`, `_` and `\` match only themselves), a page at a time. Listing view only:
 * no activity (lastSeq) for anyone, and never direct rooms.
 */
export async function listRoomDirectory(input: { userId: string } & RoomDirectoryQuery): Promise<RoomDirectoryPage> {
  const after = input.cursor === undefined ? null : decodeDirectoryCursor(input.cursor);
  const q = input.q.trim();
  // LIKE wildcards in the text match only themselves (as in searchUsers).
  const pattern = `%${q.replace(/[\\%_]/g, '\\$&')}%`;
  const matches = q
    ? Prisma.sql`AND (r.name ILIKE ${pattern} ESCAPE '\\' OR r.description ILIKE ${pattern} ESCAPE '\\')`
    : Prisma.empty;
  const candidates = Prisma.sql`
    SELECT r.id, r.name, r.name_key, r.description, r.kind::text AS kind, r.owner_id::text AS owner_id, r.created_at, r.member_count, r.room_mentions,
           r.topic, r.password_hash IS NOT NULL AS has_password
    FROM rooms r
    WHERE r.kind IN ('public', 'private') AND r.archived_at IS NULL
      -- a private room without a password is entered by invitation only: nothing to find
      AND (r.kind = 'public' OR r.password_hash IS NOT NULL)
      AND NOT EXISTS (SELECT 1 FROM memberships mine WHERE mine.room_id = r.id AND mine.user_id = ${input.userId}::uuid)
      ${matches}`;
  const order = Prisma.sql`ORDER BY member_count DESC, name_key ASC LIMIT ${input.limit + 1}`;
  // After a cursor: the rest of its member-count group, then the smaller counts — two ranges of the
  // (member_count DESC, name_key) index, each cut to a page, so a deep page costs what the first does.
  const rows = await getDb().$queryRaw<DirectoryRow[]>(
    after
      ? Prisma.sql`(${candidates} AND r.member_count = ${after[0]}::int AND r.name_key > ${after[1]} ${order})
          UNION ALL
          (${candidates} AND r.member_count < ${after[0]}::int ${order})
          ${order}`
      : Prisma.sql`${candidates} ${order}`,
  );
  const page = rows.slice(0, input.limit);
  const last = page.at(-1);
  return {
    rooms: page.map((row) => ({
      id: row.id,
      name: row.name,
      description: row.description,
      kind: row.kind,
      ownerId: row.owner_id,
      memberCount: row.member_count,
      createdAt: row.created_at.toISOString(),
      isMember: false,
      role: null,
      lastSeq: null,
      lastReadSeq: null,
      peer: null,
      unreadMentions: null,
      notify: null,
      roomMentions: row.room_mentions === 'owner' ? 'owner' : 'anyone',
      topic: row.topic,
      hasPassword: row.has_password,
      archivedAt: null,
      mutedUntil: null,
      participants: null,
    })),
    nextCursor: rows.length > input.limit && last ? encodeDirectoryCursor([last.member_count, last.name_key]) : null,
  };
}

/** New direct conversations per user per hour: each lands in someone else's sidebar, so a script must not spam everyone. */
const directStartPolicy = (): LimitPolicy => ({
  keyPrefix: 'direct_start',
  points: getEnv().RATE_LIMIT_DIRECTS_PER_HOUR,
  duration: 60 * 60,
  blockDuration: 60 * 60,
});

/** Rooms created per user per hour: every valid attempt counts, so a script cannot flood the directory. */
const roomCreationPolicy = (): LimitPolicy => ({
  keyPrefix: 'room_create',
  points: getEnv().RATE_LIMIT_ROOMS_PER_HOUR,
  duration: 60 * 60,
  blockDuration: 60 * 60,
});

/**
 * Runs one owner's room creations on this instance one at a time. A burst of parallel requests would
 * otherwise wait for the owner's advisory lock inside open transactions, each holding a pooled connection
 * (20 requests: the whole pool, starving everyone else's queries until Prisma's 5 s transaction timeout
 * failed them). Queued here, they wait without a connection, and each hash and transaction runs alone. A
 * promise chain per key; a dependency (async-lock) for these lines was not worth it.
 */
const creationQueues = new Map<string, Promise<unknown>>();
function oneAtATimePerOwner<T>(ownerId: string, work: () => Promise<T>): Promise<T> {
  const run = (creationQueues.get(ownerId) ?? Promise.resolve()).then(work);
  const settled = run.then(
    () => undefined,
    () => undefined,
  );
  creationQueues.set(ownerId, settled);
  void settled.then(() => {
    if (creationQueues.get(ownerId) === settled) creationQueues.delete(ownerId);
  });
  return run;
}

/** FORBIDDEN once the owner has `max` public and private rooms (direct conversations do not count). */
async function assertUnderRoomCap(db: Pick<Prisma.TransactionClient, 'room'>, ownerId: string, max: number): Promise<void> {
  const owned = await db.room.count({ where: { ownerId, kind: { not: 'direct' } } });
  if (owned >= max) throw new AppError('FORBIDDEN', `You own ${max} rooms, the most allowed. Delete one of them to create another.`);
}

/**
 * Creates a public or private room owned by `ownerId`. Guarded twice: an hourly budget per user, spent
 * (in PostgreSQL, atomically) before any work, and a cap on the rooms a user owns (direct conversations
 * apart), enforced in the inserting transaction under a per-owner advisory lock so that parallel
 * requests — on any instance — cannot overshoot it.
 */
export async function createRoom(input: { ownerId: string; data: CreateRoomInput; ip: string | null }): Promise<RoomSummary> {
  const { data, ownerId } = input;
  await consumeAttempt(sharedLimiter(roomCreationPolicy()), ownerId, 'rooms created');
  const maxOwned = getEnv().MAX_ROOMS_PER_USER;
  try {
    const room = await oneAtATimePerOwner(ownerId, async () => {
      await assertUnderRoomCap(getDb(), ownerId, maxOwned); // cheap: no password hashed for a refusal
      const passwordHash = data.kind === 'private' ? await hashPassword(data.password) : null;
      return getDb().$transaction(async (tx) => {
        // Orders this owner's creations across instances (held to commit): the count cannot go stale.
        await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`room_owner:${ownerId}`}, 0))`;
        await assertUnderRoomCap(tx, ownerId, maxOwned);
        const created = await tx.room.create({
          data: {
            id: newRoomId(),
            name: data.name,
            nameKey: data.name.toLowerCase(),
            description: data.description,
            kind: data.kind,
            passwordHash,
            ownerId,
            members: { create: { userId: ownerId, role: 'owner' } },
          },
          select: roomSelect,
        });
        await recordAudit({ kind: 'room.created', actorId: ownerId, ip: input.ip, details: { roomId: created.id, kind: data.kind } }, tx);
        return created;
      });
    });
    return toSummary(room, { role: 'owner', lastReadSeq: 0, notifyLevel: null, mutedUntil: null }, ownerId);
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new AppError('CONFLICT', 'A room with that name already exists.', {
        issues: [{ path: 'name', message: 'A room with that name already exists.' }],
      });
    }
    throw error;
  }
}

/**
 * Makes the user a member. Public rooms need nothing; private rooms need the password (bcrypt), with
 * attempts limited per user and room and failures audited. Joining twice is not an error.
 */
export async function joinRoom(input: {
  roomId: string;
  userId: string;
  password?: string;
  ip: string | null;
}): Promise<{ room: RoomSummary; joined: boolean }> {
  const room = await getDb().room.findUnique({ where: { id: input.roomId }, select: roomSelect });
  if (!room || isConversation(room.kind)) {
    const membership = room ? await findMembership(room.id, input.userId) : null;
    if (room && membership) return { room: toSummary(room, membership, input.userId), joined: false };
    throw new AppError('NOT_FOUND', 'That room does not exist (any more).');
  }
  const existing = await findMembership(room.id, input.userId);
  if (existing) return { room: toSummary(room, existing, input.userId), joined: false };
  // Before the password: a banned user learns nothing by guessing, and spends nothing.
  if (await isBanned(getDb(), room.id, input.userId)) throw bannedError();
  if (room.archivedAt) throw archivedError();

  if (room.kind === 'private') {
    // The attempt is spent before the (slow) check, so N parallel guesses cost N attempts; the right
    // password gives it back.
    if (room.passwordHash === null) throw new AppError('FORBIDDEN', 'This room is entered by invitation only.');
    if (input.password === undefined) throw new AppError('FORBIDDEN', 'This room needs a password.');
    const limiter = sharedLimiter(roomPasswordPolicy);
    const key = `${input.userId}:${room.id}`;
    await consumeAttempt(limiter, key, 'wrong passwords for this room');
    const valid = room.passwordHash !== null && (await verifyPassword(input.password, room.passwordHash));
    if (!valid) {
      await recordAudit({ kind: 'room.join_failed', actorId: input.userId, ip: input.ip, details: { roomId: room.id } });
      throw new AppError('FORBIDDEN', 'Wrong room password.');
    }
    await limiter.delete(key);
  }

  // Two tabs joining at once both get here: the second insert is a no-op, not a unique violation. A ban
  // or an archive committed since the checks above still refuses (the insert re-checks both).
  const inserted = await getDb().$executeRaw`
    INSERT INTO memberships (room_id, user_id, role)
    SELECT ${room.id}, ${input.userId}::uuid, 'member'
    WHERE NOT EXISTS (SELECT 1 FROM room_bans WHERE room_id = ${room.id} AND user_id = ${input.userId}::uuid)
      AND EXISTS (SELECT 1 FROM rooms WHERE id = ${room.id} AND archived_at IS NULL)
    ON CONFLICT (room_id, user_id) DO NOTHING`;
  if (inserted === 0 && !(await findMembership(room.id, input.userId))) {
    if (await isBanned(getDb(), room.id, input.userId)) throw bannedError();
    throw archivedError();
  }
  return { room: await getRoomForUser({ roomId: room.id, userId: input.userId }), joined: inserted > 0 };
}

/**
 * Stops being a member. Owners transfer the room first (or delete it); direct conversations cannot be
 * left. Leaving a group leaves a line, and the last one out deletes it (`deleted`).
 */
export async function leaveRoom(input: { roomId: string; userId: string }): Promise<{ left: boolean; lines: ChatMessage[]; deleted: boolean }> {
  const membership = await findMembership(input.roomId, input.userId);
  if (!membership) {
    await getRoomForUser(input); // NOT_FOUND for a missing room (and for others' conversations); else leaving twice is fine
    return { left: false, lines: [], deleted: false };
  }
  if (membership.role === 'owner') {
    throw new AppError('CONFLICT', 'The owner cannot leave their room: transfer it to someone first, or delete it.');
  }
  const kind = (await findRoom(input.roomId)).kind;
  if (kind === 'direct') {
    throw new AppError('CONFLICT', 'A direct conversation cannot be left.');
  }
  if (kind !== 'group') {
    const { count } = await getDb().membership.deleteMany({ where: { roomId: input.roomId, userId: input.userId } });
    return { left: count > 0, lines: [], deleted: false };
  }
  return getDb().$transaction(async (tx) => {
    const room = await lockRoom(tx, input.roomId);
    const { count } = await tx.membership.deleteMany({ where: { roomId: input.roomId, userId: input.userId } });
    if (count === 0) return { left: false, lines: [], deleted: false };
    if ((await tx.membership.count({ where: { roomId: input.roomId } })) === 0) {
      await tx.room.delete({ where: { id: input.roomId } });
      return { left: true, lines: [], deleted: true };
    }
    return { left: true, lines: [await writeGroupLeftLine(tx, { roomId: input.roomId, room, userId: input.userId })], deleted: false };
  });
}

/** The owner, or an instance admin. Messages and memberships go with the room. Returns who was in it, to notify them. */
export async function deleteRoom(input: { roomId: string; userId: string; ip: string | null }): Promise<{ memberIds: string[]; kind: RoomSummary['kind'] }> {
  const room = await getRoomForUser(input);
  if (isConversation(room.kind)) throw new AppError('CONFLICT', 'A conversation cannot be deleted.');
  if (room.ownerId !== input.userId && !(await isInstanceAdmin(input.userId))) throw new AppError('FORBIDDEN', 'Only the room’s owner can delete it.');
  return getDb().$transaction(async (tx) => {
    const members = await tx.membership.findMany({ where: { roomId: input.roomId }, select: { userId: true } });
    await tx.room.delete({ where: { id: input.roomId } });
    await recordAudit({ kind: 'room.deleted', actorId: input.userId, ip: input.ip, details: { roomId: input.roomId, name: room.name } }, tx);
    return { memberIds: members.map((m) => m.userId), kind: room.kind };
  });
}

/** A membership row as RoomMember (a mute that has ended reads as none). */
export function toRoomMember(m: { role: MemberRole; joinedAt: Date; mutedUntil: Date | null; user: PublicUser }): RoomMember {
  const muted = m.mutedUntil && m.mutedUntil.getTime() > Date.now() ? m.mutedUntil.toISOString() : null;
  return { user: m.user, role: m.role, joinedAt: m.joinedAt.toISOString(), mutedUntil: muted };
}

/** The one key of a pair's conversation, whichever of the two starts it. */
export function directKeyOf(a: string, b: string): string {
  return a < b ? `${a}:${b}` : `${b}:${a}`;
}

/**
 * The direct conversation between the user and `peerId`, created on first use with exactly those two
 * members. `created` tells the caller to announce it to both sidebars.
 */
export async function startDirect(input: { userId: string; peerId: string }): Promise<{ room: RoomSummary; created: boolean }> {
  if (input.peerId === input.userId) {
    throw new AppError('INVALID_PAYLOAD', 'You cannot start a conversation with yourself.', {
      issues: [{ path: 'userId', message: 'Choose someone else.' }],
    });
  }
  const peer = await getDb().user.findUnique({ where: { id: input.peerId }, select: { id: true, deletedAt: true } });
  if (!peer || peer.deletedAt) throw new AppError('NOT_FOUND', 'That user does not exist.');
  const directKey = directKeyOf(input.userId, input.peerId);
  const existing = await getDb().room.findUnique({ where: { directKey }, select: { id: true } });
  if (existing) return { room: await getRoomForUser({ roomId: existing.id, userId: input.userId }), created: false };
  // Opening an existing conversation is free; starting a new one spends an attempt first.
  await consumeAttempt(sharedLimiter(directStartPolicy()), input.userId, 'new conversations started');
  try {
    const created = await getDb().room.create({
      data: {
        id: newRoomId(),
        name: '',
        kind: 'direct',
        directKey,
        ownerId: input.userId,
        members: {
          create: [
            { userId: input.userId, role: 'member' },
            { userId: input.peerId, role: 'member' },
          ],
        },
      },
      select: { id: true },
    });
    return { room: await getRoomForUser({ roomId: created.id, userId: input.userId }), created: true };
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    // Both started it at once: the other request created it.
    const winner = await getDb().room.findUniqueOrThrow({ where: { directKey }, select: { id: true } });
    return { room: await getRoomForUser({ roomId: winner.id, userId: input.userId }), created: false };
  }
}

/** Ids of a room's members (to reach their other devices). */
export async function listMemberIds(roomId: string): Promise<string[]> {
  const rows = await getDb().membership.findMany({ where: { roomId }, select: { userId: true } });
  return rows.map((r) => r.userId);
}

/** The rooms a user belongs to (ids), for joining their sockets to per-room broadcast groups. */
export async function listRoomIdsOf(userId: string): Promise<string[]> {
  const rows = await getDb().membership.findMany({ where: { userId }, select: { roomId: true } });
  return rows.map((r) => r.roomId);
}

/** My notification level in a room (members only). Returns my view of the room. */
export async function setNotifyLevel(input: { roomId: string; userId: string; level: NotifyLevel }): Promise<RoomSummary> {
  await getDb().membership.updateMany({ where: { roomId: input.roomId, userId: input.userId }, data: { notifyLevel: input.level } });
  return requireMembership(input); // NOT_FOUND / FORBIDDEN when there was no membership to update
}

/**
 * A new group conversation (§4.14): the starter and 2 to 8 others, all plain members. Always a new room;
 * it spends one of the starter's new-conversation budget first (shared with direct conversations).
 */
export async function startGroup(input: { userId: string; userIds: string[]; ip: string | null }): Promise<{ room: RoomSummary; memberIds: string[] }> {
  const others = input.userIds.filter((id) => id !== input.userId);
  if (others.length !== input.userIds.length) {
    throw new AppError('INVALID_PAYLOAD', 'The request is invalid.', { issues: [{ path: 'userIds', message: 'You are in the group already: choose others.' }] });
  }
  if (others.length + 1 > GROUP_MAX_MEMBERS) throw new AppError('CONFLICT', `A group holds at most ${GROUP_MAX_MEMBERS} people.`);
  const users = await getDb().user.findMany({ where: { id: { in: others }, deletedAt: null }, select: { id: true } });
  const found = new Set(users.map((u) => u.id));
  const missing = others.map((id, i) => ({ id, i })).filter(({ id }) => !found.has(id));
  if (missing.length > 0) {
    throw new AppError('NOT_FOUND', 'Some of those people do not exist.', { issues: missing.map(({ i }) => ({ path: `userIds.${i}`, message: 'No such user.' })) });
  }
  await consumeAttempt(sharedLimiter(directStartPolicy()), input.userId, 'new conversations started');
  const created = await getDb().$transaction(async (tx) => {
    const room = await tx.room.create({
      data: {
        id: newRoomId(),
        name: '',
        kind: 'group',
        ownerId: input.userId,
        members: { create: [input.userId, ...others].map((userId) => ({ userId, role: 'member' as const })) },
      },
      select: { id: true },
    });
    await recordAudit({ kind: 'group.created', actorId: input.userId, ip: input.ip, details: { roomId: room.id, userIds: others } }, tx);
    return room;
  });
  return { room: await getRoomForUser({ roomId: created.id, userId: input.userId }), memberIds: [input.userId, ...others] };
}
