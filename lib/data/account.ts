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
import type { PublicUser } from '../schemas/user';
import { uploadPolicy } from './attachments';
import { recordAudit } from './audit';
import { leaveCallsOfRoom, type CallChange } from './calls';
import { isInstanceAdmin } from './instance-admin';
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

/** What a deletion changed, for the caller to announce (sockets, sidebars) once it committed. */
export interface DeletedAccount {
  /** The account as everyone sees it from now on. */
  user: PublicUser;
  endedSessionIds: string[];
  /** Rooms and groups that go on without them (ownership passed, where they owned it). */
  leftRoomIds: string[];
  /** Rooms and groups nobody else was in: deleted. */
  deletedRoomIds: string[];
  /** Public and private rooms they owned, and who owns each now. */
  transferred: { roomId: string; toUserId: string }[];
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
 * The member who takes over a room whose owner goes: the highest role (admin, then moderator, then
 * member), and of those the one who joined first (user id breaks a tie: the choice never depends on
 * the plan). Null when nobody else is in it.
 */
async function successorOf(tx: Tx, roomId: string, leavingId: string): Promise<string | null> {
  const rows = await tx.$queryRaw<{ userId: string }[]>`
    SELECT user_id::text AS "userId" FROM memberships
    WHERE room_id = ${roomId} AND user_id <> ${leavingId}::uuid
    ORDER BY CASE role WHEN 'owner' THEN 0 WHEN 'admin' THEN 1 WHEN 'moderator' THEN 2 ELSE 3 END, joined_at, user_id
    LIMIT 1`;
  return rows[0]?.userId ?? null;
}

/**
 * DELETE /api/account {password} (§4.15): checks the password (in the hashing pool, limited: 5 wrong per
 * 15 minutes, spent before the check), leaves every call, then in one transaction: every room and group is
 * left — rooms they owned pass to their successor (successorOf), rooms left empty are deleted; direct
 * conversations stay as they are for the other person (the membership stays, so the conversation keeps
 * naming its two people: the other one and "Deleted user") — unsent uploads go, invitations they created
 * are revoked, every session ends, and the row is anonymised: a fresh `deleted-…` username (the old one is
 * free again), "Deleted user", no picture, a password hash no password matches, disabled and deleted now.
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
      // Every room they are in or own, locked in id order (as message writes lock rooms): a send, a
      // moderation act or an ownership transfer in one of them waits for this, or this for it.
      const rooms = await tx.$queryRaw<HeldRoom[]>`
        SELECT r.id AS "roomId", r.kind::text AS kind, r.owner_id::text AS "ownerId" FROM rooms r
        WHERE r.id IN (SELECT room_id FROM memberships WHERE user_id = ${input.userId}::uuid)
           OR (r.owner_id = ${input.userId}::uuid AND r.kind IN ('public', 'private'))
        ORDER BY r.id FOR UPDATE`;

      const leftRoomIds: string[] = [];
      const deletedRoomIds: string[] = [];
      const transferred: { roomId: string; toUserId: string }[] = [];
      for (const room of rooms) {
        if (room.kind === 'direct') continue;
        const owned = room.ownerId === input.userId && room.kind !== 'group';
        const successor = await successorOf(tx, room.roomId, input.userId);
        if (!successor) {
          // Nobody else: the room, its history and files go (the attachments trigger queues their bytes).
          await tx.$executeRaw`DELETE FROM rooms WHERE id = ${room.roomId}`;
          deletedRoomIds.push(room.roomId);
          continue;
        }
        if (owned) {
          await tx.$executeRaw`UPDATE rooms SET owner_id = ${successor}::uuid WHERE id = ${room.roomId}`;
          await tx.$executeRaw`UPDATE memberships SET role = 'owner' WHERE room_id = ${room.roomId} AND user_id = ${successor}::uuid`;
          // TODO(lead): write the room's `ownership_transferred` line here ({ to: successor's EventSubject },
          // authored by the leaving user) with lib/data/moderation.ts's line writer, in this transaction.
          await recordAudit(
            {
              kind: 'room.ownership_transferred',
              actorId: input.userId,
              ip: input.ip,
              details: { roomId: room.roomId, from: input.userId, to: successor, reason: 'account_deleted' },
            },
            tx,
          );
          transferred.push({ roomId: room.roomId, toUserId: successor });
        }
        // Read positions and thread reads go with the membership (cascade); member counts by trigger.
        await tx.$executeRaw`DELETE FROM memberships WHERE room_id = ${room.roomId} AND user_id = ${input.userId}::uuid`;
        leftRoomIds.push(room.roomId);
      }

      const revokedInvites = await tx.$executeRaw`
        UPDATE invites SET revoked_at = now() WHERE created_by = ${input.userId}::uuid AND revoked_at IS NULL`;
      // Unsent uploads (sent files stay with their messages); the trigger queues their bytes.
      const unsentUploads = await tx.$executeRaw`
        DELETE FROM attachments WHERE uploader_id = ${input.userId}::uuid AND message_id IS NULL`;
      const sessions = await tx.$queryRaw<{ id: string }[]>`
        DELETE FROM sessions WHERE user_id = ${input.userId}::uuid RETURNING id::text AS id`;
      await tx.$executeRaw`DELETE FROM known_login_addresses WHERE user_id = ${input.userId}::uuid`;
      if (self[0].avatar) await queueGarbage(tx, avatarKey(input.userId, self[0].avatar));

      const username = await anonymousUsername(tx);
      const user = await tx.user.update({
        where: { id: input.userId },
        data: {
          username,
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
      await recordAudit(
        {
          kind: 'user.deleted',
          actorId: input.userId,
          ip: input.ip,
          details: {
            leftRooms: leftRoomIds,
            deletedRooms: deletedRoomIds,
            transferredRooms: transferred,
            revokedInvites,
            unsentUploads,
            endedSessions: sessions.length,
          },
        },
        tx,
      );
      return { user, endedSessionIds: sessions.map((s) => s.id), leftRoomIds, deletedRoomIds, transferred };
    },
    // Someone in many rooms: one statement per room, under locks others wait on; allow it some time.
    { timeout: 30_000, maxWait: 10_000 },
  );
  return { ...outcome, callChanges };
}
