/**
 * Sessions: one row per signed-in device, the only code that reads or writes them. The session JWT is
 * just a sealed pointer to a row (`sid`); whether it still counts is decided here on every use, so a
 * session ends everywhere the moment its row goes — sign-out, "sign out everywhere", a password change,
 * a disabled or deleted account (the row cascades with the user).
 *
 * Why rows rather than a per-user token version: a version can only end all of a user's sessions at
 * once, while people expect to end one device (a lost phone) and to see where they are signed in.
 */
import { randomUUID } from 'node:crypto';
import { Prisma } from '@/generated/prisma/client.ts';
import { getDb } from '../db';
import { getEnv } from '../env';
import { AppError } from '../errors';
import { ASYNC_COMMIT } from './async-commit';
import { sessionIdSchema, type PublicUser, type SessionInfo } from '../schemas/user';

const DAY_MS = 24 * 60 * 60 * 1000;
/** Last use is written at most this often per session: reads stay reads on a busy socket handshake path. */
const TOUCH_INTERVAL_SECONDS = 300;

function lifetimes(): { idleMs: number; maxMs: number } {
  const env = getEnv();
  const maxMs = env.SESSION_MAX_DAYS * DAY_MS;
  return { idleMs: Math.min(env.SESSION_IDLE_DAYS * DAY_MS, maxMs), maxMs };
}

/**
 * The SET of a use: last seen now, idle expiry pushed forward but never past sign-in + the absolute
 * lifetime. `createdAt` names the column holding the session's sign-in time in the statement.
 */
function slideExpiry(createdAt: Prisma.Sql): Prisma.Sql {
  const { idleMs, maxMs } = lifetimes();
  return Prisma.sql`last_seen_at = now(),
    expires_at = LEAST(${createdAt} + ${maxMs}::float8 * interval '1 millisecond', now() + ${idleMs}::float8 * interval '1 millisecond')`;
}

/**
 * Only uses this long apart are written (see TOUCH_INTERVAL_SECONDS). A touch commits asynchronously
 * (ASYNC_COMMIT): one that a database crash forgets leaves `last_seen_at` old, so the session's next use
 * touches again. A lost touch can only end a session sooner, never keep one alive past its rules.
 */
const TOUCH_DUE = Prisma.sql`now() - ${TOUCH_INTERVAL_SECONDS}::float8 * interval '1 second'`;

/** The absolute lifetime in seconds, for the token and cookie Auth.js issues (never shorter than the row). */
export function sessionMaxAgeSeconds(): number {
  return Math.ceil(lifetimes().maxMs / 1000);
}


export interface ValidSession {
  sessionId: string;
  user: PublicUser;
  /** When the session ends unless used again (ms since the epoch). */
  expiresAt: number;
}

/** Starts a session for a user who just proved who they are. */
export async function createSession(input: { userId: string; ip: string | null; userAgent: string | null }): Promise<string> {
  const { idleMs } = lifetimes();
  const id = randomUUID();
  const db = getDb();
  await db.$transaction([
    db.session.create({
      data: {
        id,
        userId: input.userId,
        expiresAt: new Date(Date.now() + idleMs),
        ip: input.ip?.slice(0, 64) ?? null,
        userAgent: input.userAgent?.slice(0, 256) ?? null,
      },
    }),
    // Housekeeping where it is cheap: this user's sessions that ended on their own.
    db.session.deleteMany({ where: { userId: input.userId, expiresAt: { lte: new Date() } } }),
  ]);
  return id;
}

/**
 * The session's user if the session still counts: the row exists, has not expired, and its user is not
 * disabled. One round trip, which also slides the idle expiry (at most every few minutes).
 */
export async function validateSession(sessionId: string): Promise<ValidSession | null> {
  if (!isUuid(sessionId)) return null;
  const rows = await getDb().$queryRaw<{ id: string; username: string; display_name: string; avatar: string | null; expires_at: Date }[]>`
    WITH async_commit AS ${ASYNC_COMMIT}, valid AS (
      SELECT s.id AS session_id, s.created_at, s.expires_at, s.last_seen_at, u.id, u.username, u.display_name, u.avatar
      FROM sessions s JOIN users u ON u.id = s.user_id CROSS JOIN async_commit
      WHERE s.id = ${sessionId}::uuid AND s.expires_at > now() AND u.disabled_at IS NULL AND u.deleted_at IS NULL
    ), touched AS (
      UPDATE sessions s SET ${slideExpiry(Prisma.sql`valid.created_at`)}
      FROM valid
      WHERE s.id = valid.session_id AND valid.last_seen_at < ${TOUCH_DUE}
      RETURNING s.expires_at
    )
    SELECT valid.id, valid.username, valid.display_name, valid.avatar, COALESCE((SELECT expires_at FROM touched), valid.expires_at) AS expires_at
    FROM valid`;
  const row = rows[0];
  if (!row) return null;
  return {
    sessionId,
    user: { id: row.id, username: row.username, displayName: row.display_name, avatar: row.avatar },
    expiresAt: row.expires_at.getTime(),
  };
}

/**
 * Which of these sessions no longer count (ended, revoked, user disabled or deleted), for the open sockets
 * that carry them. The others are in use right now, so their idle expiry slides as if they made a request.
 */
export async function endedSessions(sessionIds: string[]): Promise<string[]> {
  const ids = sessionIds.filter(isUuid);
  if (ids.length === 0) return [];
  const rows = await getDb().$queryRaw<{ id: string }[]>`
    WITH async_commit AS ${ASYNC_COMMIT}, asked AS (
      SELECT DISTINCT unnest(${ids}::uuid[]) AS id
    ), live AS (
      SELECT s.id, s.created_at, s.last_seen_at FROM sessions s JOIN users u ON u.id = s.user_id CROSS JOIN async_commit
      WHERE s.id IN (SELECT id FROM asked) AND s.expires_at > now() AND u.disabled_at IS NULL
    ), touched AS (
      UPDATE sessions s SET ${slideExpiry(Prisma.sql`live.created_at`)}
      FROM live
      WHERE s.id = live.id AND live.last_seen_at < ${TOUCH_DUE}
    )
    SELECT id::text AS id FROM asked WHERE id NOT IN (SELECT id FROM live)`;
  return rows.map((r) => r.id);
}

/** A user's live sessions, newest use first (the settings page; `current` marks the caller's). */
export async function listSessions(input: { userId: string }): Promise<SessionInfo[]> {
  const rows = await getDb().session.findMany({
    where: { userId: input.userId, expiresAt: { gt: new Date() } },
    orderBy: { lastSeenAt: 'desc' },
  });
  return rows.map((s) => ({
    id: s.id,
    createdAt: s.createdAt.toISOString(),
    lastSeenAt: s.lastSeenAt.toISOString(),
    expiresAt: s.expiresAt.toISOString(),
    ip: s.ip,
    userAgent: s.userAgent,
  }));
}

/** Ends one of the user's own sessions. NOT_FOUND for anyone else's (no probing of session ids). */
export async function revokeSession(input: { userId: string; sessionId: string }): Promise<string[]> {
  if (!isUuid(input.sessionId)) throw new AppError('NOT_FOUND', 'That session does not exist (any more).');
  const { count } = await getDb().session.deleteMany({ where: { id: input.sessionId, userId: input.userId } });
  if (count === 0) throw new AppError('NOT_FOUND', 'That session does not exist (any more).');
  return [input.sessionId];
}

/** Ends all of a user's sessions, or all but one (`keep`: the caller's own). Returns the ended ids. */
export async function revokeAllSessions(input: { userId: string; keep?: string }): Promise<string[]> {
  const rows = await getDb().$queryRaw<{ id: string }[]>`
    DELETE FROM sessions WHERE user_id = ${input.userId}::uuid AND id IS DISTINCT FROM ${input.keep ?? null}::uuid
    RETURNING id::text AS id`;
  return rows.map((r) => r.id);
}

/** Ends a session by id alone: sign-out, where the token itself is the proof. */
export async function endSession(sessionId: string): Promise<string[]> {
  if (!isUuid(sessionId)) return [];
  const { count } = await getDb().session.deleteMany({ where: { id: sessionId } });
  return count > 0 ? [sessionId] : [];
}

/** Whether a value can name a session at all (anything else is no session, without a query). */
function isUuid(value: string): boolean {
  return sessionIdSchema.safeParse(value).success;
}
