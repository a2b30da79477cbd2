/**
 * The instance administrators' powers (docs/protocol.md §4.15): people, rooms, the audit log, settings.
 * Every function checks its caller first (requireInstanceAdmin) and every change is audited.
 */
import { randomInt } from 'node:crypto';
import type { Prisma } from '@/generated/prisma/client.ts';
import { getDb } from '../db';
import { AppError } from '../errors';
import { hashPassword } from '../password';
import type {
  AdminAuditQuery,
  AdminRoomView,
  AdminRoomsPage,
  AdminRoomsQuery,
  AdminUserView,
  AdminUsersPage,
  AdminUsersQuery,
  AuditPage,
  InstanceSettingsView,
  RegistrationMode,
} from '../schemas/admin';
import { recordAudit } from './audit';
import { getRegistrationMode, writeRegistrationMode } from './instance';
import { isAdminRow, requireInstanceAdmin } from './instance-admin';
import { revokeAllSessions } from './sessions';
import { publicUserSelect, setUserDisabled } from './users';

interface Actor {
  actorId: string;
  ip: string | null;
}

// ── Cursors: opaque to clients, the last row's sort key underneath ──

function encodeCursor(createdAt: Date, id: string): string {
  return Buffer.from(JSON.stringify([createdAt.toISOString(), id])).toString('base64url');
}

function decodeCursor(cursor: string): { createdAt: Date; id: string } {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && typeof value[1] === 'string') {
      const createdAt = new Date(value[0]);
      if (!Number.isNaN(createdAt.getTime()) && value[1].length > 0 && value[1].length <= 64) return { createdAt, id: value[1] };
    }
  } catch {
    // fall through
  }
  throw new AppError('INVALID_PAYLOAD', 'The cursor is not valid.', {
    issues: [{ path: 'cursor', message: 'Not a cursor from this list (use nextCursor as given).' }],
  });
}

/** Rows after the cursor in (createdAt desc, id desc) order. */
function afterCursor(cursor: string | undefined) {
  if (cursor === undefined) return {};
  const { createdAt, id } = decodeCursor(cursor);
  return { OR: [{ createdAt: { lt: createdAt } }, { createdAt, id: { lt: id } }] };
}

/** LIKE treats % and _ as wildcards; Prisma passes the text as is. */
function likeEscaped(q: string): string {
  return q.replace(/[\\%_]/g, '\\$&');
}

// ── People ──

const adminUserSelect = (now: Date) =>
  ({
    ...publicUserSelect,
    createdAt: true,
    lastSeenAt: true,
    disabledAt: true,
    deletedAt: true,
    isAdmin: true,
    _count: { select: { sessions: { where: { expiresAt: { gt: now } } } } },
  }) as const;

type AdminUserRow = Prisma.UserGetPayload<{ select: ReturnType<typeof adminUserSelect> }>;

function toAdminUserView(row: AdminUserRow): AdminUserView {
  return {
    id: row.id,
    username: row.username,
    displayName: row.displayName,
    avatar: row.avatar,
    createdAt: row.createdAt.toISOString(),
    lastSeenAt: row.lastSeenAt?.toISOString() ?? null,
    disabledAt: row.disabledAt?.toISOString() ?? null,
    deletedAt: row.deletedAt?.toISOString() ?? null,
    isAdmin: isAdminRow(row),
    sessions: row._count.sessions,
  };
}

/** Everyone on the instance, newest first; `q` matches a username or display name (case-insensitive). */
export async function listUsersForAdmin(input: { actorId: string } & AdminUsersQuery): Promise<AdminUsersPage> {
  await requireInstanceAdmin(input.actorId);
  const q = likeEscaped(input.q.trim());
  const rows = await getDb().user.findMany({
    where: {
      AND: [
        q ? { OR: [{ username: { contains: q.toLowerCase() } }, { displayName: { contains: q, mode: 'insensitive' } }] } : {},
        afterCursor(input.cursor),
      ],
    },
    select: adminUserSelect(new Date()),
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: input.limit + 1,
  });
  const page = rows.slice(0, input.limit);
  const last = page.at(-1);
  return {
    users: page.map(toAdminUserView),
    nextCursor: rows.length > input.limit && last ? encodeCursor(last.createdAt, last.id) : null,
  };
}

async function adminUserView(userId: string): Promise<AdminUserView> {
  const row = await getDb().user.findUnique({ where: { id: userId }, select: adminUserSelect(new Date()) });
  if (!row) throw new AppError('NOT_FOUND', 'That user does not exist.');
  return toAdminUserView(row);
}

/**
 * The account an admin acts on, refused when it is another instance admin (admins cannot lock each
 * other out; `self` says whether acting on oneself is allowed) or deleted.
 */
async function targetOf(input: { actorId: string; userId: string; act: 'disable' | 'reset' }) {
  const target = await getDb().user.findUnique({
    where: { id: input.userId },
    select: { id: true, username: true, isAdmin: true, disabledAt: true, deletedAt: true },
  });
  if (!target) throw new AppError('NOT_FOUND', 'That user does not exist.');
  if (target.deletedAt) throw new AppError('CONFLICT', 'That account was deleted.');
  if (input.act === 'disable' && target.id === input.actorId) throw new AppError('FORBIDDEN', 'You cannot disable your own account.');
  if (target.id !== input.actorId && isAdminRow(target)) {
    throw new AppError(
      'FORBIDDEN',
      input.act === 'disable' ? 'Instance administrators cannot be disabled.' : 'Another instance administrator’s password cannot be reset.',
    );
  }
  return target;
}

/**
 * Disables an account (sign-in refused, every session ended) or enables it again. The caller closes the
 * ended sessions' sockets (notifySessionsEnded) with `endedSessionIds`.
 */
export async function setUserDisabledByAdmin(
  input: Actor & { userId: string; disabled: boolean },
): Promise<{ user: AdminUserView; endedSessionIds: string[] }> {
  await requireInstanceAdmin(input.actorId);
  if (input.disabled) {
    await targetOf({ ...input, act: 'disable' });
  } else {
    const target = await getDb().user.findUnique({ where: { id: input.userId }, select: { deletedAt: true } });
    if (!target) throw new AppError('NOT_FOUND', 'That user does not exist.');
    if (target.deletedAt) throw new AppError('CONFLICT', 'That account was deleted.');
  }
  const { endedSessionIds } = await setUserDisabled({ userId: input.userId, disabled: input.disabled });
  await recordAudit({
    kind: input.disabled ? 'admin.user_disabled' : 'admin.user_enabled',
    actorId: input.actorId,
    ip: input.ip,
    details: input.disabled ? { userId: input.userId, endedSessions: endedSessionIds.length } : { userId: input.userId },
  });
  return { user: await adminUserView(input.userId), endedSessionIds };
}

// Letters and digits that cannot be mistaken for each other when read aloud or copied by hand.
const PASSWORD_ALPHABET = 'abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
const PASSWORD_LENGTH = 16; // ≈ 92 bits

function randomPassword(): string {
  let out = '';
  for (let i = 0; i < PASSWORD_LENGTH; i++) out += PASSWORD_ALPHABET[randomInt(PASSWORD_ALPHABET.length)];
  return out;
}

/**
 * Gives an account a new random password, shown once to the admin (never stored in clear, never
 * audited), and ends every session of it. The caller closes their sockets with `endedSessionIds`.
 */
export async function resetPasswordByAdmin(input: Actor & { userId: string }): Promise<{ password: string; endedSessionIds: string[] }> {
  await requireInstanceAdmin(input.actorId);
  await targetOf({ ...input, act: 'reset' });
  const password = randomPassword();
  const passwordHash = await hashPassword(password); // the worker pool: off the event loop
  await getDb().user.update({ where: { id: input.userId }, data: { passwordHash } });
  const endedSessionIds = await revokeAllSessions({ userId: input.userId });
  await recordAudit({
    kind: 'admin.password_reset',
    actorId: input.actorId,
    ip: input.ip,
    details: { userId: input.userId, endedSessions: endedSessionIds.length },
  });
  return { password, endedSessionIds };
}

// ── Rooms ──

/** Public and private rooms (never conversations: they are their members' alone), newest first. */
export async function listRoomsForAdmin(input: { actorId: string } & AdminRoomsQuery): Promise<AdminRoomsPage> {
  await requireInstanceAdmin(input.actorId);
  const q = likeEscaped(input.q.trim());
  const rows = await getDb().room.findMany({
    where: {
      AND: [{ kind: { in: ['public', 'private'] } }, q ? { name: { contains: q, mode: 'insensitive' } } : {}, afterCursor(input.cursor)],
    },
    select: {
      id: true,
      name: true,
      kind: true,
      owner: { select: publicUserSelect },
      memberCount: true,
      createdAt: true,
      archivedAt: true,
      lastSeq: true,
    },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: input.limit + 1,
  });
  const page = rows.slice(0, input.limit);
  const last = page.at(-1);
  return {
    rooms: page.map(
      (r): AdminRoomView => ({
        id: r.id,
        name: r.name,
        kind: r.kind === 'private' ? 'private' : 'public',
        owner: r.owner,
        memberCount: r.memberCount,
        createdAt: r.createdAt.toISOString(),
        archivedAt: r.archivedAt?.toISOString() ?? null,
        lastSeq: r.lastSeq,
      }),
    ),
    nextCursor: rows.length > input.limit && last ? encodeCursor(last.createdAt, last.id) : null,
  };
}

// ── Audit log ──

/**
 * The audit log, newest first (by id: the order events were written). `kind` is exact, or a prefix when
 * it ends in "."; `from` is inclusive, `to` exclusive.
 */
export async function listAuditEvents(input: { actorId: string; filter: AdminAuditQuery }): Promise<AuditPage> {
  await requireInstanceAdmin(input.actorId);
  const { kind, actorId, from, to, cursor, limit } = input.filter;
  const rows = await getDb().auditEvent.findMany({
    where: {
      ...(kind ? { kind: kind.endsWith('.') ? { startsWith: kind } : kind } : {}),
      ...(actorId ? { actorId } : {}),
      ...(from || to ? { createdAt: { ...(from ? { gte: new Date(from) } : {}), ...(to ? { lt: new Date(to) } : {}) } } : {}),
      ...(cursor ? { id: { lt: BigInt(cursor) } } : {}),
    },
    select: { id: true, kind: true, actor: { select: publicUserSelect }, ip: true, details: true, createdAt: true },
    orderBy: { id: 'desc' },
    take: limit + 1,
  });
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    events: page.map((e) => ({
      id: e.id.toString(),
      kind: e.kind,
      actor: e.actor,
      ip: e.ip,
      details: e.details ?? null,
      createdAt: e.createdAt.toISOString(),
    })),
    nextCursor: rows.length > limit && last ? last.id.toString() : null,
  };
}

// ── Settings ──

export async function getInstanceSettings(input: { actorId: string }): Promise<InstanceSettingsView> {
  await requireInstanceAdmin(input.actorId);
  return { registrationMode: await getRegistrationMode() };
}

/** Changes the instance's settings; a change that changes nothing is not audited. */
export async function updateInstanceSettings(input: Actor & { registrationMode: RegistrationMode }): Promise<InstanceSettingsView> {
  await requireInstanceAdmin(input.actorId);
  const registrationMode = input.registrationMode;
  await getDb().$transaction(async (tx) => {
    const previous = await writeRegistrationMode(registrationMode, tx);
    if (previous !== registrationMode) {
      await recordAudit(
        { kind: 'admin.settings_changed', actorId: input.actorId, ip: input.ip, details: { registrationMode, previous: { registrationMode: previous } } },
        tx,
      );
    }
  });
  return { registrationMode };
}
