/**
 * Running a room (docs/protocol.md §4.13): settings, archive, ownership, roles, kick, ban, mute, adding
 * people. Every act runs in one transaction that locks the room's row first (as message writes do), checks
 * the actor's role against the target's there, makes the change, writes the room event's line with the
 * room's next seq, and records the audit event — so a change and its line are never seen one without the
 * other, and two moderators acting at once are ordered.
 */
import { Prisma } from '@/generated/prisma/client.ts';
import { getDb } from '../db';
import { AppError } from '../errors';
import { hashPassword } from '../password';
import { consumeAttempt, sharedLimiter, type LimitPolicy } from '../rate-limit';
import type { ChatMessage } from '../schemas/message';
import { GROUP_MAX_MEMBERS, type RoomBanView } from '../schemas/moderation';
import { hasRole, isConversation, roleRank, type MemberRole, type RoomMember, type RoomSettings, type UpdateRoomInput } from '../schemas/room';
import type { EventSubject, RoomEvent } from '../schemas/room-event';
import type { PublicUser } from '../schemas/user';
import { recordAudit, type AuditKind } from './audit';
import { isInstanceAdmin } from './instance-admin';
import { archivedError, insertRoomEvent, lockRoom, type LockedRoom } from './messages';
import { toRoomMember } from './rooms';
import { isUniqueViolation, publicUserSelect } from './users';

type Tx = Prisma.TransactionClient;

const NOT_FOUND = () => new AppError('NOT_FOUND', 'That room does not exist (any more).');

/** Moderation and settings acts per user per minute: a compromised moderator's script cannot churn a room. */
const moderationPolicy: LimitPolicy = { keyPrefix: 'moderation', points: 60, duration: 60, blockDuration: 60 };

async function spendModerationAttempt(userId: string): Promise<void> {
  await consumeAttempt(sharedLimiter(moderationPolicy), userId, 'moderation actions');
}

/** The acting user in a locked room: their role (null when not a member) and whether they administer the instance. */
interface Actor {
  id: string;
  role: MemberRole | null;
  instanceAdmin: boolean;
}

interface ActContext {
  tx: Tx;
  room: LockedRoom;
  actor: Actor;
  lines: ChatMessage[];
  /** Writes the change's line in the room (under the actor's name). */
  line(event: RoomEvent): Promise<void>;
  audit(kind: AuditKind, details: Record<string, unknown>): Promise<void>;
}

async function roleOf(tx: Tx, roomId: string, userId: string): Promise<{ role: MemberRole; mutedUntil: Date | null } | null> {
  const rows = await tx.$queryRaw<{ role: MemberRole; mutedUntil: Date | null }[]>`
    SELECT role::text AS role, muted_until AS "mutedUntil" FROM memberships WHERE room_id = ${roomId} AND user_id = ${userId}::uuid FOR UPDATE`;
  return rows[0] ?? null;
}

/**
 * Locks the room, reads the actor's role, and runs `work`. Conversations (direct, group) do not exist for
 * non-members (NOT_FOUND) and have no moderation (FORBIDDEN) unless `conversations` allows it; an
 * instance admin who is not a member sees public and private rooms only where `instanceAdmin` allows it.
 */
async function act<T>(
  input: { roomId: string; userId: string; ip: string | null },
  options: { conversations?: boolean; instanceAdmin?: boolean; archived?: boolean },
  work: (context: ActContext) => Promise<T>,
): Promise<{ result: T; lines: ChatMessage[] }> {
  await spendModerationAttempt(input.userId);
  const instanceAdmin = options.instanceAdmin ? await isInstanceAdmin(input.userId) : false;
  return getDb().$transaction(async (tx) => {
    const room = await lockRoom(tx, input.roomId);
    const membership = await roleOf(tx, input.roomId, input.userId);
    if (isConversation(room.kind)) {
      if (!membership) throw NOT_FOUND();
      if (!options.conversations) throw new AppError('FORBIDDEN', 'Conversations have no roles, settings or moderation.');
    }
    if (!membership && !instanceAdmin) throw new AppError('FORBIDDEN', 'You are not a member of this room.');
    if (room.archivedAt && !options.archived) throw archivedError();
    const actor: Actor = { id: input.userId, role: membership?.role ?? null, instanceAdmin };
    const lines: ChatMessage[] = [];
    const context: ActContext = {
      tx,
      room,
      actor,
      lines,
      line: async (event) => {
        lines.push(await insertRoomEvent(tx, { roomId: input.roomId, room, authorId: input.userId, event }));
      },
      audit: (kind, details) => recordAudit({ kind, actorId: input.userId, ip: input.ip, details: { roomId: input.roomId, ...details } as Prisma.InputJsonValue }, tx),
    };
    const result = await work(context);
    return { result, lines };
  });
}

function requireRole(actor: Actor, least: MemberRole, what: string): void {
  if (!hasRole(actor.role, least)) throw new AppError('FORBIDDEN', `Only the room’s ${least === 'owner' ? 'owner' : `${least}s and above`} can ${what}.`);
}

/** Nobody acts on themselves here, nor on an equal or higher role. */
function requireOutranks(actor: Actor, target: { id: string; role: MemberRole | null }): void {
  if (target.id === actor.id) throw new AppError('FORBIDDEN', 'You cannot do that to yourself.');
  if (roleRank(target.role) >= roleRank(actor.role)) throw new AppError('FORBIDDEN', 'You cannot act on someone of an equal or higher role.');
}

async function subjectOf(tx: Tx, userId: string): Promise<EventSubject> {
  const user = await tx.user.findUnique({ where: { id: userId }, select: { id: true, username: true, displayName: true } });
  if (!user) throw new AppError('NOT_FOUND', 'That user does not exist.');
  return user;
}

async function publicUser(tx: Tx, userId: string): Promise<PublicUser> {
  const user = await tx.user.findUnique({ where: { id: userId }, select: publicUserSelect });
  if (!user) throw new AppError('NOT_FOUND', 'That user does not exist.');
  return user;
}

async function targetMember(tx: Tx, roomId: string, userId: string): Promise<{ id: string; role: MemberRole; mutedUntil: Date | null }> {
  const membership = await roleOf(tx, roomId, userId);
  if (!membership) throw new AppError('NOT_FOUND', 'That person is not a member of this room.');
  return { id: userId, ...membership };
}

async function memberView(tx: Tx, roomId: string, userId: string): Promise<RoomMember> {
  const m = await tx.membership.findUniqueOrThrow({
    where: { roomId_userId: { roomId, userId } },
    select: { role: true, joinedAt: true, mutedUntil: true, user: { select: publicUserSelect } },
  });
  return toRoomMember(m);
}

/** The part of a room every member sees the same (room:updated). */
export async function readRoomSettings(db: Pick<Tx, 'room'>, roomId: string): Promise<RoomSettings> {
  const room = await db.room.findUnique({
    where: { id: roomId },
    select: { id: true, name: true, description: true, topic: true, kind: true, ownerId: true, passwordHash: true, roomMentions: true, archivedAt: true },
  });
  if (!room) throw NOT_FOUND();
  return {
    id: room.id,
    name: room.name,
    description: room.description,
    topic: room.topic,
    kind: room.kind,
    ownerId: room.ownerId,
    hasPassword: room.passwordHash !== null,
    roomMentions: room.roomMentions === 'owner' ? 'owner' : 'anyone',
    archivedAt: room.archivedAt?.toISOString() ?? null,
  };
}

/** A change to a room's settings: what everyone's tabs merge (room:updated) and the lines it left. */
export interface SettingsChange {
  settings: RoomSettings;
  lines: ChatMessage[];
}

/** Admins and the owner change name, description, topic, visibility, password, @room policy (§4.13). */
export async function updateRoomSettings(input: { roomId: string; userId: string; changes: UpdateRoomInput; ip: string | null }): Promise<SettingsChange> {
  const { changes } = input;
  // Hashed before the transaction: a bcrypt round must not hold the room's lock.
  const passwordHash = typeof changes.password === 'string' ? await hashPassword(changes.password) : changes.password;
  try {
    const { result, lines } = await act(input, {}, async ({ tx, actor, line, audit }) => {
      requireRole(actor, 'admin', 'change its settings');
      const current = await tx.room.findUniqueOrThrow({
        where: { id: input.roomId },
        select: { name: true, description: true, topic: true, kind: true, passwordHash: true, roomMentions: true },
      });
      const kind = changes.kind ?? (current.kind as 'public' | 'private');
      if (kind === 'public' && typeof changes.password === 'string') {
        throw new AppError('INVALID_PAYLOAD', 'The request is invalid.', { issues: [{ path: 'password', message: 'A public room has no password.' }] });
      }
      const data: Prisma.RoomUpdateInput = {};
      const changed: string[] = [];
      const events: RoomEvent[] = [];
      if (changes.name !== undefined && changes.name !== current.name) {
        data.name = changes.name;
        data.nameKey = changes.name.toLowerCase();
        changed.push('name');
        events.push({ type: 'renamed', name: changes.name, previous: current.name });
      }
      if (changes.description !== undefined && changes.description !== current.description) {
        data.description = changes.description;
        changed.push('description');
        events.push({ type: 'description_changed' });
      }
      if (changes.topic !== undefined && changes.topic !== current.topic) {
        data.topic = changes.topic;
        changed.push('topic');
        events.push({ type: 'topic_changed', topic: changes.topic });
      }
      if (kind !== current.kind) {
        data.kind = kind;
        changed.push('kind');
        events.push({ type: 'visibility_changed', kind });
      }
      // A public room has no password; a password given (or null) replaces the private room's.
      const nextHash = kind === 'public' ? null : passwordHash === undefined ? current.passwordHash : passwordHash;
      if (nextHash !== current.passwordHash || typeof changes.password === 'string') {
        data.passwordHash = nextHash;
        if (kind === 'private') { // going public removes the password: the visibility line says it
          changed.push('password');
          events.push({ type: 'password_changed', removed: nextHash === null });
        }
      }
      if (changes.roomMentions !== undefined && changes.roomMentions !== current.roomMentions) {
        data.roomMentions = changes.roomMentions;
        changed.push('roomMentions');
        events.push({ type: 'mentions_policy_changed', roomMentions: changes.roomMentions });
      }
      if (changed.length === 0) return readRoomSettings(tx, input.roomId);
      await tx.room.update({ where: { id: input.roomId }, data });
      for (const event of events) await line(event);
      await audit('room.updated', { changed });
      return readRoomSettings(tx, input.roomId);
    });
    return { settings: result, lines };
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new AppError('CONFLICT', 'A room with that name already exists.', { issues: [{ path: 'name', message: 'A room with that name already exists.' }] });
    }
    throw error;
  }
}

/** Admins, the owner and instance admins archive (read-only, kept) or restore a room. Idempotent. */
export async function setRoomArchived(input: { roomId: string; userId: string; archived: boolean; ip: string | null }): Promise<SettingsChange & { changed: boolean }> {
  const { result, lines } = await act(input, { instanceAdmin: true, archived: true }, async ({ tx, room, actor, line, audit }) => {
    if (!actor.instanceAdmin) requireRole(actor, 'admin', input.archived ? 'archive it' : 'restore it');
    if ((room.archivedAt !== null) === input.archived) return false;
    // The line goes in while the room still takes it (before archiving) or once it does again (after restoring).
    if (input.archived) await line({ type: 'archived' });
    await tx.room.update({ where: { id: input.roomId }, data: { archivedAt: input.archived ? new Date() : null } });
    if (!input.archived) await line({ type: 'restored' });
    await audit(input.archived ? 'room.archived' : 'room.restored', {});
    return true;
  });
  return { changed: result, settings: await readRoomSettings(getDb(), input.roomId), lines };
}

/** The owner hands the room to a member; they become admin. */
export async function transferOwnership(input: { roomId: string; userId: string; toUserId: string; ip: string | null }): Promise<SettingsChange & { members: RoomMember[] }> {
  const { result, lines } = await act(input, {}, async ({ tx, actor, line, audit }) => {
    requireRole(actor, 'owner', 'transfer its ownership');
    if (input.toUserId === input.userId) throw new AppError('CONFLICT', 'You already own this room.');
    await targetMember(tx, input.roomId, input.toUserId);
    await tx.membership.update({ where: { roomId_userId: { roomId: input.roomId, userId: input.toUserId } }, data: { role: 'owner', mutedUntil: null } });
    await tx.membership.update({ where: { roomId_userId: { roomId: input.roomId, userId: input.userId } }, data: { role: 'admin' } });
    await tx.room.update({ where: { id: input.roomId }, data: { ownerId: input.toUserId } });
    await line({ type: 'ownership_transferred', to: await subjectOf(tx, input.toUserId) });
    await audit('room.ownership_transferred', { from: input.userId, to: input.toUserId });
    return [await memberView(tx, input.roomId, input.toUserId), await memberView(tx, input.roomId, input.userId)];
  });
  return { settings: await readRoomSettings(getDb(), input.roomId), lines, members: result };
}

/** A change to one member: their new state and the line. */
export interface MemberChange {
  member: RoomMember;
  lines: ChatMessage[];
}

/** Admins make members moderators (or back); the owner also makes admins. Never on an equal or higher role. */
export async function setMemberRole(input: { roomId: string; userId: string; targetId: string; role: Exclude<MemberRole, 'owner'>; ip: string | null }): Promise<MemberChange> {
  const { result, lines } = await act(input, {}, async ({ tx, actor, line, audit }) => {
    requireRole(actor, 'admin', 'change roles');
    const target = await targetMember(tx, input.roomId, input.targetId);
    requireOutranks(actor, target);
    if (roleRank(input.role) >= roleRank(actor.role)) throw new AppError('FORBIDDEN', 'You can only give roles below your own.');
    if (target.role !== input.role) {
      await tx.membership.update({ where: { roomId_userId: { roomId: input.roomId, userId: input.targetId } }, data: { role: input.role } });
      await line({ type: 'role_changed', subject: await subjectOf(tx, input.targetId), role: input.role });
      await audit('member.role_changed', { userId: input.targetId, from: target.role, to: input.role });
    }
    return memberView(tx, input.roomId, input.targetId);
  });
  return { member: result, lines };
}

/** Mute a member of a lower role for a while: they read but cannot post (§4.13). Muting again replaces the end. */
export async function muteMember(input: { roomId: string; userId: string; targetId: string; durationSeconds: number; reason: string; ip: string | null }): Promise<MemberChange> {
  const { result, lines } = await act(input, {}, async ({ tx, actor, line, audit }) => {
    requireRole(actor, 'moderator', 'mute people');
    const target = await targetMember(tx, input.roomId, input.targetId);
    requireOutranks(actor, target);
    const until = new Date(Date.now() + input.durationSeconds * 1000);
    await tx.membership.update({ where: { roomId_userId: { roomId: input.roomId, userId: input.targetId } }, data: { mutedUntil: until } });
    await line({ type: 'muted', subject: await subjectOf(tx, input.targetId), until: until.toISOString(), reason: input.reason });
    await audit('member.muted', { userId: input.targetId, until: until.toISOString(), reason: input.reason });
    return memberView(tx, input.roomId, input.targetId);
  });
  return { member: result, lines };
}

export async function unmuteMember(input: { roomId: string; userId: string; targetId: string; ip: string | null }): Promise<MemberChange> {
  const { result, lines } = await act(input, {}, async ({ tx, actor, line, audit }) => {
    requireRole(actor, 'moderator', 'unmute people');
    const target = await targetMember(tx, input.roomId, input.targetId);
    requireOutranks(actor, target);
    if (target.mutedUntil && target.mutedUntil.getTime() > Date.now()) {
      await line({ type: 'unmuted', subject: await subjectOf(tx, input.targetId) });
      await audit('member.unmuted', { userId: input.targetId });
    }
    await tx.membership.update({ where: { roomId_userId: { roomId: input.roomId, userId: input.targetId } }, data: { mutedUntil: null } });
    return memberView(tx, input.roomId, input.targetId);
  });
  return { member: result, lines };
}

/** Someone removed from a room by a moderator: who, by whom, and the line. */
export interface Removal {
  user: PublicUser;
  by: PublicUser;
  /** Whether they were a member (a ban of a non-member removes nobody). */
  wasMember: boolean;
  lines: ChatMessage[];
}

/** A moderator (or above) removes a member of a lower role. They may come back by the usual paths. */
export async function kickMember(input: { roomId: string; userId: string; targetId: string; reason: string; ip: string | null }): Promise<Removal> {
  const { result, lines } = await act(input, {}, async ({ tx, actor, line, audit }) => {
    requireRole(actor, 'moderator', 'remove people');
    const target = await targetMember(tx, input.roomId, input.targetId);
    requireOutranks(actor, target);
    await tx.membership.delete({ where: { roomId_userId: { roomId: input.roomId, userId: input.targetId } } });
    await line({ type: 'kicked', subject: await subjectOf(tx, input.targetId), reason: input.reason });
    await audit('member.kicked', { userId: input.targetId, reason: input.reason });
    return { user: await publicUser(tx, input.targetId), by: await publicUser(tx, input.userId) };
  });
  return { ...result, wasMember: true, lines };
}

/** A moderator bans someone of a lower role (or a non-member): removed, and kept out by every path until unbanned. */
export async function banUser(input: { roomId: string; userId: string; targetId: string; reason: string; ip: string | null }): Promise<Removal & { ban: RoomBanView }> {
  const { result, lines } = await act(input, {}, async ({ tx, actor, line, audit }) => {
    requireRole(actor, 'moderator', 'ban people');
    const membership = await roleOf(tx, input.roomId, input.targetId);
    requireOutranks(actor, { id: input.targetId, role: membership?.role ?? null });
    const subject = await subjectOf(tx, input.targetId);
    const existing = await tx.roomBan.findUnique({ where: { roomId_userId: { roomId: input.roomId, userId: input.targetId } }, select: { reason: true } });
    await tx.roomBan.upsert({
      where: { roomId_userId: { roomId: input.roomId, userId: input.targetId } },
      create: { roomId: input.roomId, userId: input.targetId, bannedBy: input.userId, reason: input.reason },
      update: { reason: input.reason },
    });
    if (membership) await tx.membership.delete({ where: { roomId_userId: { roomId: input.roomId, userId: input.targetId } } });
    if (!existing || membership) {
      await line({ type: 'banned', subject, reason: input.reason });
      await audit('member.banned', { userId: input.targetId, reason: input.reason });
    }
    const ban = (await listBanRows(tx, input.roomId, input.targetId))[0]!;
    return { user: await publicUser(tx, input.targetId), by: await publicUser(tx, input.userId), wasMember: membership !== null, ban };
  });
  return { ...result, lines };
}

export async function unbanUser(input: { roomId: string; userId: string; targetId: string; ip: string | null }): Promise<{ lines: ChatMessage[] }> {
  const { lines } = await act(input, {}, async ({ tx, actor, line, audit }) => {
    requireRole(actor, 'moderator', 'unban people');
    const { count } = await tx.roomBan.deleteMany({ where: { roomId: input.roomId, userId: input.targetId } });
    if (count > 0) {
      await line({ type: 'unbanned', subject: await subjectOf(tx, input.targetId) });
      await audit('member.unbanned', { userId: input.targetId });
    }
  });
  return { lines };
}

async function listBanRows(db: Pick<Tx, 'roomBan'>, roomId: string, userId?: string): Promise<RoomBanView[]> {
  const rows = await db.roomBan.findMany({
    where: { roomId, ...(userId ? { userId } : {}) },
    select: { reason: true, createdAt: true, user: { select: publicUserSelect }, banner: { select: publicUserSelect } },
    orderBy: { createdAt: 'desc' },
    take: 500,
  });
  return rows.map((r) => ({ user: r.user, by: r.banner, reason: r.reason, createdAt: r.createdAt.toISOString() }));
}

/** The room's bans, newest first (moderators and above). */
export async function listBans(input: { roomId: string; userId: string }): Promise<RoomBanView[]> {
  await requireRoomRole({ ...input, least: 'moderator', what: 'see its bans' });
  return listBanRows(getDb(), input.roomId);
}

/**
 * For reads outside an act (ban and invitation lists): the user's role in a public or private room, at
 * least `least`. A conversation is NOT_FOUND for outsiders and FORBIDDEN for its members (no roles there).
 */
export async function requireRoomRole(input: { roomId: string; userId: string; least: MemberRole; what: string }): Promise<{ role: MemberRole; archived: boolean }> {
  const db = getDb();
  const [room, membership] = await Promise.all([
    db.room.findUnique({ where: { id: input.roomId }, select: { kind: true, archivedAt: true } }),
    db.membership.findUnique({ where: { roomId_userId: { roomId: input.roomId, userId: input.userId } }, select: { role: true } }),
  ]);
  if (!room || (isConversation(room.kind) && !membership)) throw NOT_FOUND();
  if (isConversation(room.kind)) throw new AppError('FORBIDDEN', 'Conversations have no roles, settings or moderation.');
  if (!membership) throw new AppError('FORBIDDEN', 'You are not a member of this room.');
  requireRole({ id: input.userId, role: membership.role, instanceAdmin: false }, input.least, input.what);
  return { role: membership.role, archived: room.archivedAt !== null };
}

/** Whether the user is banned from the room (every path in checks this). */
export async function isBanned(db: Pick<Tx, '$queryRaw'>, roomId: string, userId: string): Promise<boolean> {
  const rows = await db.$queryRaw<{ one: number }[]>`SELECT 1 AS one FROM room_bans WHERE room_id = ${roomId} AND user_id = ${userId}::uuid`;
  return rows.length > 0;
}

export function bannedError(): AppError {
  return new AppError('FORBIDDEN', 'You are banned from this room.');
}

/** People added to a room: who, and the line. */
export interface Addition {
  added: PublicUser[];
  lines: ChatMessage[];
}

/**
 * Adds people directly (§4.13): any member of a public room or a group, moderators and above of a private
 * room. All or nobody: an unknown (or deleted) user, a banned one, or a group's cap refuses the request.
 */
export async function addMembers(input: { roomId: string; userId: string; userIds: string[]; ip: string | null }): Promise<Addition> {
  const { result, lines } = await act(input, { conversations: true }, async ({ tx, room, actor, line, audit }) => {
    if (room.kind === 'direct') throw new AppError('FORBIDDEN', 'A direct conversation is between two people: start a group instead.');
    if (room.kind === 'private') requireRole(actor, 'moderator', 'add people to a private room');
    const users = await tx.user.findMany({ where: { id: { in: input.userIds }, deletedAt: null }, select: publicUserSelect });
    const found = new Set(users.map((u) => u.id));
    const missing = input.userIds.map((id, i) => ({ id, i })).filter(({ id }) => !found.has(id));
    if (missing.length > 0) {
      throw new AppError('NOT_FOUND', 'Some of those people do not exist.', { issues: missing.map(({ i }) => ({ path: `userIds.${i}`, message: 'No such user.' })) });
    }
    const bans = await tx.roomBan.findMany({ where: { roomId: input.roomId, userId: { in: input.userIds } }, select: { userId: true } });
    if (bans.length > 0) {
      const banned = new Set(bans.map((b) => b.userId));
      throw new AppError('FORBIDDEN', 'Some of those people are banned from this room.', {
        issues: input.userIds.flatMap((id, i) => (banned.has(id) ? [{ path: `userIds.${i}`, message: 'Banned from this room.' }] : [])),
      });
    }
    const present = new Set((await tx.membership.findMany({ where: { roomId: input.roomId, userId: { in: input.userIds } }, select: { userId: true } })).map((m) => m.userId));
    const fresh = users.filter((u) => !present.has(u.id));
    if (room.kind === 'group') {
      const count = await tx.membership.count({ where: { roomId: input.roomId } });
      if (count + fresh.length > GROUP_MAX_MEMBERS) {
        // The issue names the first person who does not fit.
        const first = input.userIds.indexOf(fresh[GROUP_MAX_MEMBERS - count]!.id);
        throw new AppError('CONFLICT', `A group holds at most ${GROUP_MAX_MEMBERS} people.`, {
          issues: [{ path: `userIds.${first}`, message: `A group holds at most ${GROUP_MAX_MEMBERS} people.` }],
        });
      }
    }
    if (fresh.length === 0) return [];
    await tx.membership.createMany({ data: fresh.map((u) => ({ roomId: input.roomId, userId: u.id, role: 'member' as const })), skipDuplicates: true });
    await line({ type: 'members_added', subjects: fresh.map(({ id, username, displayName }) => ({ id, username, displayName })) });
    await audit('members.added', { userIds: fresh.map((u) => u.id) });
    return fresh;
  });
  return { added: result, lines };
}

/** Changes to one's own membership in a group that leave a line (leaving). Used by leaveRoom. */
export async function writeGroupLeftLine(tx: Tx, input: { roomId: string; room: LockedRoom; userId: string }): Promise<ChatMessage> {
  return insertRoomEvent(tx, { roomId: input.roomId, room: input.room, authorId: input.userId, event: { type: 'left' } });
}

/**
 * The owner is leaving for good (their account is being deleted, §4.15): the room passes to its
 * highest-ranked member who joined first, with an `ownership_transferred` line under the leaving owner's
 * name; a room with nobody else in it is deleted. Runs inside the caller's transaction.
 */
export async function passOwnershipOnDeparture(
  tx: Tx,
  input: { roomId: string; ownerId: string },
): Promise<{ deleted: true; memberIds: string[] } | { deleted: false; settings: RoomSettings; lines: ChatMessage[]; members: RoomMember[] }> {
  const room = await lockRoom(tx, input.roomId);
  const heirs = await tx.$queryRaw<{ userId: string }[]>`
    SELECT user_id::text AS "userId" FROM memberships
    WHERE room_id = ${input.roomId} AND user_id <> ${input.ownerId}::uuid
    ORDER BY CASE role WHEN 'admin' THEN 0 WHEN 'moderator' THEN 1 ELSE 2 END, joined_at, user_id
    LIMIT 1`;
  const heir = heirs[0]?.userId;
  if (!heir) {
    const members = await tx.membership.findMany({ where: { roomId: input.roomId }, select: { userId: true } });
    await tx.room.delete({ where: { id: input.roomId } });
    return { deleted: true, memberIds: members.map((m) => m.userId) };
  }
  await tx.membership.update({ where: { roomId_userId: { roomId: input.roomId, userId: heir } }, data: { role: 'owner', mutedUntil: null } });
  await tx.room.update({ where: { id: input.roomId }, data: { ownerId: heir } });
  const line = await insertRoomEvent(tx, { roomId: input.roomId, room, authorId: input.ownerId, event: { type: 'ownership_transferred', to: await subjectOf(tx, heir) } });
  await recordAudit({ kind: 'room.ownership_transferred', actorId: input.ownerId, details: { roomId: input.roomId, from: input.ownerId, to: heir, reason: 'account deleted' } }, tx);
  return { deleted: false, settings: await readRoomSettings(tx, input.roomId), lines: [line], members: [await memberView(tx, input.roomId, heir)] };
}
