/**
 * A user's own account (docs/protocol.md §4.15): what they see of it, their display name and picture, and
 * deleting it. Like every data module, each function checks who may do what and audits it here.
 *
 * Deleting keeps the user's row — anonymised, unusable — so that their messages, reactions, files and call
 * entries keep an author ("Deleted user") on every path that joins `users`, with no special case anywhere.
 */
import { randomBytes } from 'node:crypto';
import { Prisma } from '@/generated/prisma/client.ts';
import { getDb } from '../db';
import { AppError } from '../errors';
import { verifyPassword } from '../password';
import { consumeAttempt, sharedLimiter, type LimitPolicy } from '../rate-limit';
import { DELETED_USER_DISPLAY_NAME, type AccountView } from '../schemas/account';
import type { ChatMessage } from '../schemas/message';
import type { RoomMember, RoomSettings } from '../schemas/room';
import type { PublicUser } from '../schemas/user';
import { uploadPolicy } from './attachments';
import { recordAudit } from './audit';
import { leaveCallsOfRoom, type CallChange } from './calls';
import { isInstanceAdmin } from './instance-admin';
import { revokeInvitesOf } from './invites';
import { lockRoom } from './messages';
import { passOwnershipOnDeparture, writeGroupLeftLine } from './moderation';
import { publicUserSelect } from './users';

type Tx = Prisma.TransactionClient;

const signInFirst = () => new AppError('UNAUTHORIZED', 'Sign in first.');

/** Where a picture's bytes are kept: ours alone (the version is made here, never by a client). */
export function avatarKey(userId: string, version: string): string {
  return `avatars/${userId}/${version}.webp`;
}

/** A new picture's version: new bytes, new URL, so the old one may be cached for ever. */
export function newAvatarVersion(): string {
  return randomBytes(9).toString('base64url');
}

/** GET /api/account. */
export async function getAccount(input: { userId: string }): Promise<AccountView> {
  const user = await getDb().user.findFirst({
    where: { id: input.userId, deletedAt: null },
    select: { ...publicUserSelect, createdAt: true },
  });
  if (!user) throw signInFirst();
  const { createdAt, ...publicUser } = user;
  return { user: publicUser, isAdmin: await isInstanceAdmin(input.userId), createdAt: createdAt.toISOString() };
}

/** PATCH /api/account {displayName}: later messages and every list carry the new name (names are joined when read). */
export async function updateDisplayName(input: { userId: string; displayName: string; ip: string | null }): Promise<PublicUser> {
  return getDb().$transaction(async (tx) => {
    const rows = await tx.$queryRaw<{ previous: string }[]>`
      SELECT display_name AS previous FROM users WHERE id = ${input.userId}::uuid AND deleted_at IS NULL FOR UPDATE`;
    if (!rows[0]) throw signInFirst();
    const user = await tx.user.update({ where: { id: input.userId }, data: { displayName: input.displayName }, select: publicUserSelect });
    if (rows[0].previous !== input.displayName) {
      await recordAudit({ kind: 'user.updated', actorId: input.userId, ip: input.ip, details: { fields: ['displayName'] } }, tx);
    }
    return user;
  });
}

/**
 * Before a picture's bytes are read: the account still counts, and one upload is spent from the user's
 * uploads budget (the same PostgreSQL counter as files in rooms, §7), so parallel uploads each cost one.
 */
export async function beginAvatarUpload(input: { userId: string }): Promise<void> {
  await consumeAttempt(sharedLimiter(uploadPolicy()), input.userId, 'uploads');
}

/** The user's current picture version, or null (none, or no such user, or deleted). */
export async function currentAvatar(input: { userId: string }): Promise<string | null> {
  const user = await getDb().user.findFirst({ where: { id: input.userId, deletedAt: null }, select: { avatar: true } });
  return user?.avatar ?? null;
}

/** Queues a stored object for lib/files/garbage.ts, in the caller's transaction. */
async function queueGarbage(tx: Tx, key: string): Promise<void> {
  await tx.$executeRaw`INSERT INTO storage_garbage (key) VALUES (${key}) ON CONFLICT DO NOTHING`;
}

/**
 * Makes the picture stored under `avatarKey(userId, version)` the user's, and queues the previous one's
 * bytes for removal — in one transaction, so a replaced picture never lingers unnamed and a failed swap
 * never names bytes that are gone. An account deleted meanwhile gets nothing (the new bytes are queued too).
 */
export async function setAvatar(input: { userId: string; version: string; ip: string | null }): Promise<PublicUser> {
  const key = avatarKey(input.userId, input.version);
  const result = await getDb().$transaction(async (tx) => {
    const rows = await tx.$queryRaw<{ avatar: string | null }[]>`
      SELECT avatar FROM users WHERE id = ${input.userId}::uuid AND deleted_at IS NULL FOR UPDATE`;
    const current = rows[0];
    if (!current) {
      await queueGarbage(tx, key);
      return null;
    }
    if (current.avatar) await queueGarbage(tx, avatarKey(input.userId, current.avatar));
    const user = await tx.user.update({ where: { id: input.userId }, data: { avatar: input.version }, select: publicUserSelect });
    await recordAudit({ kind: 'user.updated', actorId: input.userId, ip: input.ip, details: { fields: ['avatar'] } }, tx);
    return user;
  });
  if (!result) throw signInFirst();
  return result;
}

/** DELETE /api/account/avatar: back to initials; the picture's bytes are queued for removal. Idempotent. */
export async function removeAvatar(input: { userId: string; ip: string | null }): Promise<PublicUser> {
  return getDb().$transaction(async (tx) => {
    const rows = await tx.$queryRaw<{ avatar: string | null }[]>`
      SELECT avatar FROM users WHERE id = ${input.userId}::uuid AND deleted_at IS NULL FOR UPDATE`;
    const current = rows[0];
    if (!current) throw signInFirst();
    if (!current.avatar) return (await tx.user.findUniqueOrThrow({ where: { id: input.userId }, select: publicUserSelect }));
    await queueGarbage(tx, avatarKey(input.userId, current.avatar));
    const user = await tx.user.update({ where: { id: input.userId }, data: { avatar: null }, select: publicUserSelect });
    await recordAudit({ kind: 'user.updated', actorId: input.userId, ip: input.ip, details: { fields: ['avatar'] } }, tx);
    return user;
  });
}

// ── Deleting an account ──

/** Wrong passwords on account deletion per user (§7): an open laptop must not become a guessing oracle. */
const accountDeletionPolicy: LimitPolicy = { keyPrefix: 'account_delete', points: 5, duration: 15 * 60, blockDuration: 15 * 60 };

/** What a deletion changed, for the caller to announce (sockets, sidebars, room views) once it committed. */
export interface DeletedAccount {
  /** The account as everyone sees it from now on. */
  user: PublicUser;
  endedSessionIds: string[];
  /** Rooms and groups that go on without them (ownership passed, where they owned it). */
  leftRoomIds: string[];
  /** Rooms and groups nobody else was in: deleted (with whoever was in them, to tell). */
  deletedRooms: { roomId: string; memberIds: string[] }[];
  /** Public and private rooms they owned, and who owns each now. */
  transferred: { roomId: string; toUserId: string }[];
  /** The lines their leaving wrote: `ownership_transferred`, a group's `left`. */
  lines: ChatMessage[];
  /** Rooms whose settings changed (a new owner), and their new owners as members. */
  settings: RoomSettings[];
  memberUpdates: { roomId: string; member: RoomMember }[];
  /** Calls they were in or rung for, which they left first. */
  callChanges: CallChange[];
}

interface HeldRoom {
  roomId: string;
  kind: 'public' | 'private' | 'direct' | 'group';
  ownerId: string;
}

/** `deleted-<8 hex digits>`, free now (a registered name of that shape is skipped). */
async function anonymousUsername(tx: Tx): Promise<string> {
  for (;;) {
    const candidate = `deleted-${randomBytes(4).toString('hex')}`;
    const taken = await tx.$queryRaw<{ one: number }[]>`SELECT 1 AS one FROM users WHERE username = ${candidate}`;
    if (taken.length === 0) return candidate;
  }
}

/**
 * DELETE /api/account {password} (§4.15). Checks the password (in the hashing pool; 5 wrong per 15 minutes,
 * spent before the check) and leaves every call; then, in one transaction:
 * - the row is anonymised — a fresh `deleted-…` username (the old one is free again), "Deleted user", no
 *   picture, a hash no password matches, disabled and deleted now — first, so that the lines written next,
 *   and everything announced, already carry that face;
 * - every room and group is left: rooms they owned pass to their heir with an `ownership_transferred` line
 *   (lib/data/moderation.ts), a group hears `left`, rooms and groups left empty are deleted. Direct
 *   conversations stay as they are for the other person (the membership too, so the conversation keeps
 *   naming its two people: the other one and "Deleted user");
 * - unsent uploads go, invitations they created are revoked, every session ends.
 */
export async function deleteAccount(input: { userId: string; password: string; ip: string | null }): Promise<DeletedAccount> {
  const limiter = sharedLimiter(accountDeletionPolicy);
  await consumeAttempt(limiter, input.userId, 'wrong passwords');
  const account = await getDb().user.findFirst({ where: { id: input.userId, deletedAt: null }, select: { passwordHash: true } });
  if (!account) throw signInFirst();
  if (!(await verifyPassword(input.password, account.passwordHash))) {
    throw new AppError('FORBIDDEN', 'The password is wrong.', { issues: [{ path: 'password', message: 'The password is wrong.' }] });
  }
  await limiter.delete(input.userId);

  // Calls first, each in its own transaction (lib/data/calls.ts): a call's entry is written in its room,
  // which may be deleted below.
  const callRooms = await getDb().$queryRaw<{ roomId: string }[]>`
    SELECT DISTINCT c.room_id AS "roomId" FROM calls c JOIN call_participants p ON p.call_id = c.id
    WHERE p.user_id = ${input.userId}::uuid AND c.state <> 'ended' AND p.state IN ('joined', 'invited')`;
  const callChanges: CallChange[] = [];
  for (const { roomId } of callRooms) callChanges.push(...(await leaveCallsOfRoom({ roomId, userId: input.userId })));

  const outcome = await getDb().$transaction(
    async (tx) => {
      const self = await tx.$queryRaw<{ avatar: string | null }[]>`
        SELECT avatar FROM users WHERE id = ${input.userId}::uuid AND deleted_at IS NULL FOR UPDATE`;
      if (!self[0]) throw signInFirst(); // deleted by a parallel request
      // Anonymised first: the lines written below, and what is announced, already carry the new face.
      const user = await tx.user.update({
        where: { id: input.userId },
        data: {
          username: await anonymousUsername(tx),
          displayName: DELETED_USER_DISPLAY_NAME,
          avatar: null,
          // Not a bcrypt hash: no password matches it (and sign-in refuses deleted accounts before asking).
          passwordHash: '!deleted',
          isAdmin: false,
          deletedAt: new Date(),
          disabledAt: new Date(),
        },
        select: publicUserSelect,
      });
      if (self[0].avatar) await queueGarbage(tx, avatarKey(input.userId, self[0].avatar));

      // Every room they are in or own, locked in id order (as message writes lock rooms): a send, a
      // moderation act or an ownership transfer in one of them waits for this, or this for it.
      const rooms = await tx.$queryRaw<HeldRoom[]>`
        SELECT r.id AS "roomId", r.kind::text AS kind, r.owner_id::text AS "ownerId" FROM rooms r
        WHERE r.id IN (SELECT room_id FROM memberships WHERE user_id = ${input.userId}::uuid)
           OR (r.owner_id = ${input.userId}::uuid AND r.kind IN ('public', 'private'))
        ORDER BY r.id FOR UPDATE`;
      const changes: Omit<DeletedAccount, 'user' | 'endedSessionIds' | 'callChanges'> = {
        leftRoomIds: [],
        deletedRooms: [],
        transferred: [],
        lines: [],
        settings: [],
        memberUpdates: [],
      };
      const leave = () => tx.$executeRaw`DELETE FROM memberships WHERE user_id = ${input.userId}::uuid AND room_id = ANY (${changes.leftRoomIds}::text[])`;
      for (const room of rooms) {
        if (room.kind === 'direct') continue;
        if (room.kind === 'group') {
          const locked = await lockRoom(tx, room.roomId);
          await tx.$executeRaw`DELETE FROM memberships WHERE room_id = ${room.roomId} AND user_id = ${input.userId}::uuid`;
          if ((await tx.membership.count({ where: { roomId: room.roomId } })) === 0) {
            await tx.room.delete({ where: { id: room.roomId } });
            changes.deletedRooms.push({ roomId: room.roomId, memberIds: [] });
          } else {
            changes.lines.push(await writeGroupLeftLine(tx, { roomId: room.roomId, room: locked, userId: input.userId }));
            changes.leftRoomIds.push(room.roomId);
          }
          continue;
        }
        if (room.ownerId === input.userId) {
          // The heir (admins, then moderators, then members; who joined first), the line and its audit event
          // — or, with nobody else in it, the room goes with its history and files (their bytes queued).
          const passed = await passOwnershipOnDeparture(tx, { roomId: room.roomId, ownerId: input.userId });
          if (passed.deleted) {
            changes.deletedRooms.push({ roomId: room.roomId, memberIds: passed.memberIds });
            continue;
          }
          changes.lines.push(...passed.lines);
          changes.settings.push(passed.settings);
          for (const member of passed.members) changes.memberUpdates.push({ roomId: room.roomId, member });
          changes.transferred.push({ roomId: room.roomId, toUserId: passed.settings.ownerId });
        }
        changes.leftRoomIds.push(room.roomId);
      }
      // Read positions and thread reads go with the memberships (cascade); member counts by trigger.
      await leave();

      await revokeInvitesOf(tx, input.userId);
      // Unsent uploads (sent files stay with their messages); the trigger queues their bytes.
      const unsentUploads = await tx.$executeRaw`
        DELETE FROM attachments WHERE uploader_id = ${input.userId}::uuid AND message_id IS NULL`;
      const sessions = await tx.$queryRaw<{ id: string }[]>`
        DELETE FROM sessions WHERE user_id = ${input.userId}::uuid RETURNING id::text AS id`;
      await tx.$executeRaw`DELETE FROM known_login_addresses WHERE user_id = ${input.userId}::uuid`;
      await recordAudit(
        {
          kind: 'user.deleted',
          actorId: input.userId,
          ip: input.ip,
          details: {
            leftRooms: changes.leftRoomIds,
            deletedRooms: changes.deletedRooms.map((r) => r.roomId),
            transferredRooms: changes.transferred,
            unsentUploads,
            endedSessions: sessions.length,
          },
        },
        tx,
      );
      return { user, endedSessionIds: sessions.map((s) => s.id), ...changes };
    },
    // Someone in many rooms: a few statements per room, under locks others wait on; allow it some time.
    { timeout: 30_000, maxWait: 10_000 },
  );
  return { ...outcome, callChanges };
}
