/** Accounts: the only code that reads or writes users. */
import { getDb } from '../db';
import { AppError } from '../errors';
import { hashPassword, verifyAgainstDummy, verifyPassword } from '../password';
import { getEnv } from '../env';
import { consumeAttempt, sharedLimiter, type LimitPolicy } from '../rate-limit';
import type { PublicUser, RegisterInput } from '../schemas/user';
import { recordAudit } from './audit';

const publicUserSelect = { id: true, username: true, displayName: true } as const;

const FIFTEEN_MINUTES = 15 * 60;
/** Per client address: slows down password spraying across many usernames. */
const loginIpPolicy = (): LimitPolicy => ({
  keyPrefix: 'login_ip',
  points: getEnv().RATE_LIMIT_LOGIN_PER_IP,
  duration: FIFTEEN_MINUTES,
  blockDuration: FIFTEEN_MINUTES,
});
/** Per username: stops guessing one account's password from many addresses. */
export const loginUserPolicy = (): LimitPolicy => ({
  keyPrefix: 'login_user',
  points: getEnv().RATE_LIMIT_LOGIN_PER_USER,
  duration: FIFTEEN_MINUTES,
  blockDuration: FIFTEEN_MINUTES,
});

/** Per client address: account creation is cheap to script, so cap it. */
const registerIpPolicy = (): LimitPolicy => ({
  keyPrefix: 'register_ip',
  points: getEnv().RATE_LIMIT_SIGNUPS_PER_IP,
  duration: 60 * 60,
  blockDuration: 60 * 60,
});

export function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'P2002';
}

export async function registerUser(input: { data: RegisterInput; ip: string | null }): Promise<PublicUser> {
  const { username, displayName, password } = input.data;
  await consumeAttempt(sharedLimiter(registerIpPolicy()), input.ip ?? 'unknown', 'sign-ups from your network');
  const passwordHash = await hashPassword(password);
  try {
    // The account and its audit event commit together: no half-registered user.
    return await getDb().$transaction(async (tx) => {
      const user = await tx.user.create({ data: { username, displayName, passwordHash }, select: publicUserSelect });
      await recordAudit({ kind: 'user.registered', actorId: user.id, ip: input.ip }, tx);
      return user;
    });
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new AppError('CONFLICT', 'That username is taken.', {
        issues: [{ path: 'username', message: 'That username is taken.' }],
      });
    }
    throw error;
  }
}

/**
 * Checks a username and password. Every attempt counts against the address and the username; a
 * success clears the username's count. Wrong username and wrong password give the same error.
 */
export async function authenticate(input: { username: string; password: string; ip: string | null }): Promise<PublicUser> {
  const ipKey = input.ip ?? 'unknown';
  try {
    await consumeAttempt(sharedLimiter(loginIpPolicy()), ipKey, 'sign-in attempts');
    await consumeAttempt(sharedLimiter(loginUserPolicy()), input.username, 'sign-in attempts for this account');
  } catch (error) {
    if (error instanceof AppError && error.code === 'RATE_LIMITED') {
      await recordAudit({ kind: 'login.rate_limited', ip: input.ip, details: { username: input.username } });
    }
    throw error;
  }

  const user = await getDb().user.findUnique({
    where: { username: input.username },
    select: { ...publicUserSelect, passwordHash: true },
  });
  const valid = user ? await verifyPassword(input.password, user.passwordHash) : await verifyAgainstDummy(input.password);
  if (!user || !valid) {
    await recordAudit({ kind: 'login.failed', actorId: user?.id, ip: input.ip, details: { username: input.username } });
    throw new AppError('UNAUTHORIZED', 'Invalid username or password.');
  }
  await sharedLimiter(loginUserPolicy()).delete(input.username);
  await getDb().$transaction([
    getDb().user.update({ where: { id: user.id }, data: { lastSeenAt: new Date() } }),
    getDb().auditEvent.create({ data: { kind: 'login.succeeded', actorId: user.id, ip: input.ip } }),
  ]);
  return { id: user.id, username: user.username, displayName: user.displayName };
}

export async function getUserById(id: string): Promise<PublicUser | null> {
  return getDb().user.findUnique({ where: { id }, select: publicUserSelect });
}

/** People to start a conversation with: username prefix or display-name substring, case-insensitive. */
export async function searchUsers(input: { q: string; limit: number; excludeId: string }): Promise<PublicUser[]> {
  // Prisma passes the text to LIKE as is: escape its wildcards so "%" and "_" match only themselves.
  const q = input.q.trim().replace(/[\\%_]/g, '\\$&');
  return getDb().user.findMany({
    where: {
      id: { not: input.excludeId },
      OR: [{ username: { startsWith: q.toLowerCase() } }, { displayName: { contains: q, mode: 'insensitive' } }],
    },
    select: publicUserSelect,
    orderBy: { username: 'asc' },
    take: input.limit,
  });
}
