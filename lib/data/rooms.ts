/**
 * Rooms and memberships: the only code that reads or writes them. Every function takes the acting user
 * and checks what that user may do here, in the data layer, whatever the caller (route, socket, page).
 */
import { randomBytes } from 'node:crypto';
import type { Prisma } from '@/generated/prisma/client.ts';
import { getDb } from '../db';
import { AppError } from '../errors';
import { hashPassword, verifyPassword } from '../password';
import { consumeAttempt, sharedLimiter, type LimitPolicy } from '../rate-limit';
import type { CreateRoomInput, RoomList, RoomMember, RoomSummary } from '../schemas/room';
import { recordAudit } from './audit';
import { isUniqueViolation } from './users';

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
  _count: { select: { members: true } },
} satisfies Prisma.RoomSelect;

type RoomRow = Prisma.RoomGetPayload<{ select: typeof roomSelect }>;

function toSummary(room: RoomRow, membership: { role: 'owner' | 'member' } | null): RoomSummary {
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
  };
}

async function findRoom(roomId: string): Promise<RoomRow> {
  const room = await getDb().room.findUnique({ where: { id: roomId }, select: roomSelect });
  if (!room) throw new AppError('NOT_FOUND', 'That room does not exist (any more).');
  return room;
}

async function findMembership(roomId: string, userId: string) {
  return getDb().membership.findUnique({ where: { roomId_userId: { roomId, userId } }, select: { role: true } });
}

/** The room as the user may see it; direct rooms are visible to their two members only. */
export async function getRoomForUser(input: { roomId: string; userId: string }): Promise<RoomSummary> {
  const [room, membership] = await Promise.all([findRoom(input.roomId), findMembership(input.roomId, input.userId)]);
  if (room.kind === 'direct' && !membership) throw new AppError('NOT_FOUND', 'That room does not exist (any more).');
  return toSummary(room, membership);
}

/** Like getRoomForUser, but only for members: the gate in front of any room content. */
export async function requireMembership(input: { roomId: string; userId: string }): Promise<RoomSummary> {
  const room = await getRoomForUser(input);
  if (!room.isMember) {
    throw new AppError('FORBIDDEN', room.kind === 'private' ? 'Enter the room password to join first.' : 'Join the room first.');
  }
  return room;
}

/** How many joinable rooms the sidebar lists (newest first); rooms I am in are always all listed. */
export const OTHER_ROOMS_LIMIT = 200;

export async function listRoomsForUser(input: { userId: string }): Promise<RoomList> {
  const [memberships, others] = await Promise.all([
    getDb().membership.findMany({
      where: { userId: input.userId },
      select: { role: true, room: { select: roomSelect } },
      orderBy: { room: { name: 'asc' } },
    }),
    getDb().room.findMany({
      where: { kind: { in: ['public', 'private'] }, members: { none: { userId: input.userId } } },
      select: roomSelect,
      orderBy: { createdAt: 'desc' },
      take: OTHER_ROOMS_LIMIT,
    }),
  ]);
  return {
    mine: memberships.map((m) => toSummary(m.room, { role: m.role })),
    others: others.map((room) => toSummary(room, null)),
  };
}

export async function createRoom(input: { ownerId: string; data: CreateRoomInput; ip: string | null }): Promise<RoomSummary> {
  const { data } = input;
  const passwordHash = data.kind === 'private' ? await hashPassword(data.password) : null;
  try {
    const room = await getDb().$transaction(async (tx) => {
      const created = await tx.room.create({
        data: {
          id: newRoomId(),
          name: data.name,
          nameKey: data.name.toLowerCase(),
          description: data.description,
          kind: data.kind,
          passwordHash,
          ownerId: input.ownerId,
          members: { create: { userId: input.ownerId, role: 'owner' } },
        },
        select: roomSelect,
      });
      await recordAudit({ kind: 'room.created', actorId: input.ownerId, ip: input.ip, details: { roomId: created.id, kind: data.kind } }, tx);
      return created;
    });
    return toSummary(room, { role: 'owner' });
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
  const room = await getDb().room.findUnique({ where: { id: input.roomId }, select: { ...roomSelect, passwordHash: true } });
  if (!room || room.kind === 'direct') {
    if (room && (await findMembership(room.id, input.userId))) return { room: toSummary(room, { role: 'member' }), joined: false };
    throw new AppError('NOT_FOUND', 'That room does not exist (any more).');
  }
  const existing = await findMembership(room.id, input.userId);
  if (existing) return { room: toSummary(room, existing), joined: false };

  if (room.kind === 'private') {
    const limiter = sharedLimiter(roomPasswordPolicy);
    const key = `${input.userId}:${room.id}`;
    const status = await limiter.get(key);
    if (status && status.consumedPoints >= roomPasswordPolicy.points) {
      await consumeAttempt(limiter, key, 'wrong passwords for this room'); // throws RATE_LIMITED with the wait
    }
    const valid = input.password !== undefined && room.passwordHash !== null && (await verifyPassword(input.password, room.passwordHash));
    if (!valid) {
      await recordAudit({ kind: 'room.join_failed', actorId: input.userId, ip: input.ip, details: { roomId: room.id } });
      await consumeAttempt(limiter, key, 'wrong passwords for this room');
      throw new AppError('FORBIDDEN', input.password ? 'Wrong room password.' : 'This room needs a password.');
    }
    await limiter.delete(key);
  }

  await getDb().membership.upsert({
    where: { roomId_userId: { roomId: room.id, userId: input.userId } },
    create: { roomId: room.id, userId: input.userId, role: 'member' },
    update: {},
  });
  return { room: await getRoomForUser({ roomId: room.id, userId: input.userId }), joined: true };
}

export async function leaveRoom(input: { roomId: string; userId: string }): Promise<{ left: boolean }> {
  const membership = await findMembership(input.roomId, input.userId);
  if (!membership) {
    await findRoom(input.roomId); // NOT_FOUND for a missing room, else leaving twice is fine
    return { left: false };
  }
  if (membership.role === 'owner') {
    throw new AppError('CONFLICT', 'The owner cannot leave their room; delete it instead.');
  }
  const { count } = await getDb().membership.deleteMany({ where: { roomId: input.roomId, userId: input.userId } });
  return { left: count > 0 };
}

/** Owner only. Messages and memberships go with the room. Returns who was in it, to notify them. */
export async function deleteRoom(input: { roomId: string; userId: string; ip: string | null }): Promise<{ memberIds: string[]; kind: RoomSummary['kind'] }> {
  const room = await getRoomForUser(input);
  if (room.ownerId !== input.userId) throw new AppError('FORBIDDEN', 'Only the room’s owner can delete it.');
  return getDb().$transaction(async (tx) => {
    const members = await tx.membership.findMany({ where: { roomId: input.roomId }, select: { userId: true } });
    await tx.room.delete({ where: { id: input.roomId } });
    await recordAudit({ kind: 'room.deleted', actorId: input.userId, ip: input.ip, details: { roomId: input.roomId, name: room.name } }, tx);
    return { memberIds: members.map((m) => m.userId), kind: room.kind };
  });
}

export async function listMembers(input: { roomId: string; userId: string }): Promise<RoomMember[]> {
  await requireMembership(input);
  const members = await getDb().membership.findMany({
    where: { roomId: input.roomId },
    select: { role: true, joinedAt: true, user: { select: { id: true, username: true, displayName: true } } },
    orderBy: { joinedAt: 'asc' },
  });
  return members.map((m) => ({ user: m.user, role: m.role, joinedAt: m.joinedAt.toISOString() }));
}
