/**
 * Invitation links (docs/protocol.md §4.13, §4.15): into a room, or to sign up while registration is
 * invite-only (room_id NULL). Only the token's SHA-256 is stored, so the table leaks no usable link; a use
 * is spent by one conditional UPDATE, so parallel accepts can never pass the limit.
 */
import { createHash, randomBytes } from 'node:crypto';
import { Prisma } from '@/generated/prisma/client.ts';
import { getDb } from '../db';
import { AppError } from '../errors';
import { consumeAttempt, sharedLimiter, type LimitPolicy } from '../rate-limit';
import type { ChatMessage } from '../schemas/message';
import type { CreateInviteInput, CreatedInvite, InvitePreview, InviteView } from '../schemas/moderation';
import { hasRole, isConversation, type RoomSummary } from '../schemas/room';
import { recordAudit } from './audit';
import { requireInstanceAdmin } from './instance-admin';
import { archivedError, insertRoomEvent, lockRoom } from './messages';
import { bannedError, isBanned, requireRoomRole } from './moderation';
import { getRoomForUser } from './rooms';
import { publicUserSelect } from './users';
import { uuidv7 } from '../uuid';

type Tx = Prisma.TransactionClient;

/** Lookups and accepts per address: tokens are unguessable (192 bits), but nobody gets to try millions. */
const invitePolicy: LimitPolicy = { keyPrefix: 'invite', points: 30, duration: 10 * 60, blockDuration: 10 * 60 };
/** Invitations created per user per minute (with the other moderation acts' budget in spirit, but its own). */
const inviteCreatePolicy: LimitPolicy = { keyPrefix: 'invite_create', points: 30, duration: 60, blockDuration: 60 };

export async function spendInviteAttempt(ip: string | null): Promise<void> {
  await consumeAttempt(sharedLimiter(invitePolicy), ip ?? 'unknown', 'invitation lookups');
}

export function hashInviteToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

const invalid = () => new AppError('NOT_FOUND', 'This invitation is not valid (any more).');

const inviteSelect = {
  id: true,
  roomId: true,
  createdAt: true,
  expiresAt: true,
  maxUses: true,
  uses: true,
  revokedAt: true,
  createdBy: true,
  creator: { select: publicUserSelect },
} satisfies Prisma.InviteSelect;
type InviteRow = Prisma.InviteGetPayload<{ select: typeof inviteSelect }>;

function statusOf(row: Pick<InviteRow, 'revokedAt' | 'expiresAt' | 'maxUses' | 'uses'>, now = Date.now()): InviteView['status'] {
  if (row.revokedAt) return 'revoked';
  if (row.expiresAt && row.expiresAt.getTime() <= now) return 'expired';
  if (row.maxUses !== null && row.uses >= row.maxUses) return 'used_up';
  return 'active';
}

function toView(row: InviteRow): InviteView {
  return {
    id: row.id,
    roomId: row.roomId,
    createdBy: row.creator,
    createdAt: row.createdAt.toISOString(),
    expiresAt: row.expiresAt?.toISOString() ?? null,
    maxUses: row.maxUses,
    uses: row.uses,
    revokedAt: row.revokedAt?.toISOString() ?? null,
    status: statusOf(row),
  };
}

/** Moderators and above of a public or private room manage its invitations. */
function requireInviteManager(roomId: string, userId: string): Promise<{ archived: boolean }> {
  return requireRoomRole({ roomId, userId, least: 'moderator', what: 'manage invitations' });
}

/** A new invitation: into `roomId` (its moderators and above), or to sign up (roomId null: instance admins). */
export async function createInvite(input: { userId: string; roomId: string | null; options: CreateInviteInput; ip: string | null }): Promise<CreatedInvite> {
  if (input.roomId === null) await requireInstanceAdmin(input.userId);
  else if ((await requireInviteManager(input.roomId, input.userId)).archived) throw archivedError();
  await consumeAttempt(sharedLimiter(inviteCreatePolicy), input.userId, 'invitations created');
  const token = randomBytes(24).toString('base64url');
  const row = await getDb().$transaction(async (tx) => {
    const created = await tx.invite.create({
      data: {
        id: uuidv7(),
        tokenHash: hashInviteToken(token),
        roomId: input.roomId,
        createdBy: input.userId,
        expiresAt: input.options.expiresInSeconds === null ? null : new Date(Date.now() + input.options.expiresInSeconds * 1000),
        maxUses: input.options.maxUses,
      },
      select: inviteSelect,
    });
    await recordAudit({ kind: 'invite.created', actorId: input.userId, ip: input.ip, details: { inviteId: created.id, roomId: input.roomId } }, tx);
    return created;
  });
  return { invite: toView(row), token, path: `/invite/${token}` };
}

/** A room's invitations (its moderators and above), or the sign-up invitations (instance admins), newest first. */
export async function listInvites(input: { userId: string; roomId: string | null }): Promise<InviteView[]> {
  if (input.roomId === null) await requireInstanceAdmin(input.userId);
  else await requireInviteManager(input.roomId, input.userId);
  const rows = await getDb().invite.findMany({ where: { roomId: input.roomId }, select: inviteSelect, orderBy: { createdAt: 'desc' }, take: 200 });
  return rows.map(toView);
}

/** Its creator, the room's admins and owner, or (sign-up invitations) an instance admin revokes it. Idempotent. */
export async function revokeInvite(input: { userId: string; inviteId: string; ip: string | null }): Promise<void> {
  const invite = await getDb().invite.findUnique({ where: { id: input.inviteId }, select: { roomId: true, createdBy: true, revokedAt: true } });
  if (!invite) throw new AppError('NOT_FOUND', 'That invitation does not exist.');
  if (invite.roomId === null) {
    await requireInstanceAdmin(input.userId);
  } else {
    const membership = await getDb().membership.findUnique({ where: { roomId_userId: { roomId: invite.roomId, userId: input.userId } }, select: { role: true } });
    // Someone outside the room learns nothing about its invitations.
    if (!membership) throw new AppError('NOT_FOUND', 'That invitation does not exist.');
    const own = invite.createdBy === input.userId && hasRole(membership.role, 'moderator');
    if (!own && !hasRole(membership.role, 'admin')) throw new AppError('FORBIDDEN', 'Only its creator (a moderator) or the room’s admins can revoke it.');
  }
  if (invite.revokedAt) return;
  await getDb().$transaction(async (tx) => {
    await tx.invite.update({ where: { id: input.inviteId }, data: { revokedAt: new Date() } });
    await recordAudit({ kind: 'invite.revoked', actorId: input.userId, ip: input.ip, details: { inviteId: input.inviteId, roomId: invite.roomId } }, tx);
  });
}

/** What a valid invitation leads to (no session needed): the room's name and size, nothing of its content. */
export async function previewInvite(input: { token: string; ip: string | null }): Promise<InvitePreview> {
  await spendInviteAttempt(input.ip);
  const row = await getDb().invite.findUnique({
    where: { tokenHash: hashInviteToken(input.token) },
    select: {
      ...inviteSelect,
      room: { select: { id: true, name: true, description: true, kind: true, memberCount: true, archivedAt: true } },
    },
  });
  if (!row || statusOf(row) !== 'active' || row.room?.archivedAt) throw invalid();
  const room = row.room && (row.room.kind === 'public' || row.room.kind === 'private') ? row.room : null;
  if (row.roomId !== null && !room) throw invalid();
  return {
    kind: room ? 'room' : 'signup',
    room: room ? { id: room.id, name: room.name, description: room.description, kind: room.kind as 'public' | 'private', memberCount: room.memberCount } : null,
    invitedBy: row.creator,
    expiresAt: row.expiresAt?.toISOString() ?? null,
  };
}

/** Spends one use of a valid invitation, or refuses; `roomId` null for sign-up invitations. */
async function spendUse(tx: Tx, tokenHash: string, roomId: string | null): Promise<string | null> {
  const rows = await tx.$queryRaw<{ id: string }[]>`
    UPDATE invites SET uses = uses + 1
    WHERE token_hash = ${tokenHash} AND room_id IS NOT DISTINCT FROM ${roomId}
      AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now()) AND (max_uses IS NULL OR uses < max_uses)
    RETURNING id::text`;
  return rows[0]?.id ?? null;
}

/**
 * Joins the invitation's room without a password, spending one use (not when already a member). Banned:
 * FORBIDDEN; archived: FORBIDDEN; a sign-up invitation: CONFLICT.
 */
export async function acceptInvite(input: { token: string; userId: string; ip: string | null }): Promise<{ room: RoomSummary; joined: boolean; lines: ChatMessage[] }> {
  await spendInviteAttempt(input.ip);
  const tokenHash = hashInviteToken(input.token);
  const invite = await getDb().invite.findUnique({ where: { tokenHash }, select: { roomId: true, revokedAt: true, expiresAt: true, maxUses: true, uses: true } });
  if (!invite || statusOf(invite) !== 'active') throw invalid();
  if (invite.roomId === null) throw new AppError('CONFLICT', 'This invitation is for creating an account, not for joining a room.');
  const roomId = invite.roomId;
  const outcome = await getDb().$transaction(async (tx) => {
    const room = await lockRoom(tx, roomId);
    if (isConversation(room.kind)) throw invalid();
    const member = await tx.membership.findUnique({ where: { roomId_userId: { roomId, userId: input.userId } }, select: { role: true } });
    if (member) return { joined: false, lines: [] };
    if (await isBanned(tx, roomId, input.userId)) throw bannedError();
    if (room.archivedAt) throw archivedError();
    const inviteId = await spendUse(tx, tokenHash, roomId);
    if (!inviteId) throw invalid();
    await tx.membership.create({ data: { roomId, userId: input.userId, role: 'member' } });
    const line = await insertRoomEvent(tx, { roomId, room, authorId: input.userId, event: { type: 'joined_by_invite' } });
    await recordAudit({ kind: 'invite.accepted', actorId: input.userId, ip: input.ip, details: { inviteId, roomId } }, tx);
    return { joined: true, lines: [line] };
  });
  return { room: await getRoomForUser({ roomId, userId: input.userId }), ...outcome };
}

/**
 * Spends a use of a sign-up invitation inside the registering transaction (registration mode "invite"),
 * or refuses with FORBIDDEN. Returns the invitation's id (for the audit record).
 */
export async function redeemSignupInvite(tx: Tx, token: string): Promise<string> {
  const id = await spendUse(tx, hashInviteToken(token), null);
  if (!id) throw new AppError('FORBIDDEN', 'This invitation is not valid (any more).');
  return id;
}

/** Invitations a deleted account created stop working (§4.15). */
export async function revokeInvitesOf(tx: Tx, userId: string): Promise<void> {
  await tx.invite.updateMany({ where: { createdBy: userId, revokedAt: null }, data: { revokedAt: new Date() } });
}

