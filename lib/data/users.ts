/** Accounts: the only code that reads or writes users. */
import { addressKey } from '../client-ip';
import { getDb } from '../db';
import { AppError } from '../errors';
import { hashPassword, verifyAgainstDummy, verifyPassword } from '../password';
import { getEnv } from '../env';
import { consumeAttempt, sharedLimiter, type LimitPolicy } from '../rate-limit';
import type { ChangePasswordInput, PublicUser } from '../schemas/user';
import { recordAudit } from './audit';
import { revokeAllSessions } from './sessions';

/** The columns of a PublicUser (never the password hash). */
export const publicUserSelect = { id: true, username: true, displayName: true, avatar: true } as const;

const FIFTEEN_MINUTES = 15 * 60;
const ONE_HOUR = 60 * 60;
/** How long a successful sign-in makes an address "known" for that account. */
const KNOWN_ADDRESS_DAYS = 90;

/*
 * Sign-in limits, every one consumed before the password is checked (parallel guesses each cost one):
 * - per address, across accounts: password spraying from one place;
 * - per account and address: one place guessing one account (or the owner mistyping);
 * - per account, from addresses it has never signed in from, all of them together: guessing from many
 *   places. Addresses the owner signed in from before are exempt, so an attacker elsewhere can exhaust
 *   it without locking the owner out at home (the "smart lockout" of Microsoft Entra; OWASP's
 *   authentication cheat sheet warns that plain per-account lockout is a denial of service).
 */
const loginIpPolicy = (): LimitPolicy => ({
  keyPrefix: 'login_ip',
  points: getEnv().RATE_LIMIT_LOGIN_PER_IP,
  duration: FIFTEEN_MINUTES,
  blockDuration: FIFTEEN_MINUTES,
});
const loginAccountAddressPolicy = (): LimitPolicy => ({
  keyPrefix: 'login_account_ip',
  points: getEnv().RATE_LIMIT_LOGIN_PER_ACCOUNT_AND_IP,
  duration: FIFTEEN_MINUTES,
  blockDuration: FIFTEEN_MINUTES,
});
const loginAccountPolicy = (): LimitPolicy => ({
  keyPrefix: 'login_account',
  points: getEnv().RATE_LIMIT_LOGIN_PER_ACCOUNT,
  duration: ONE_HOUR,
  blockDuration: ONE_HOUR,
});

export function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'P2002';
}

/**
 * Checks a username and password under the sign-in limits above. Wrong username and wrong password give
 * the same error (and cost the same: the unknown name is counted and hashed against too).
 */
export async function authenticate(input: { username: string; password: string; ip: string | null }): Promise<PublicUser> {
  const address = addressKey(input.ip);
  const limited = async (work: () => Promise<void>) => {
    try {
      await work();
    } catch (error) {
      if (error instanceof AppError && error.code === 'RATE_LIMITED') {
        await recordAudit({ kind: 'login.rate_limited', ip: input.ip, details: { username: input.username } });
      }
      throw error;
    }
  };

  await limited(() => consumeAttempt(sharedLimiter(loginIpPolicy()), address, 'sign-in attempts from your network'));
  const user = await getDb().user.findUnique({
    where: { username: input.username },
    select: {
      ...publicUserSelect,
      passwordHash: true,
      disabledAt: true,
      deletedAt: true,
      knownAddresses: { where: { address, lastLoginAt: { gt: daysAgo(KNOWN_ADDRESS_DAYS) } }, select: { address: true } },
    },
  });
  const knownAddress = (user?.knownAddresses.length ?? 0) > 0;
  const accountAddressKey = `${input.username}|${address}`;
  await limited(async () => {
    await consumeAttempt(sharedLimiter(loginAccountAddressPolicy()), accountAddressKey, 'sign-in attempts for this account');
    if (!knownAddress) {
      await consumeAttempt(
        sharedLimiter(loginAccountPolicy()),
        input.username,
        'sign-in attempts for this account from new places. Sign in from a device you used before, or try again later',
      );
    }
  });

  // A deleted account is no account: its (unusable) hash is not even asked, and it costs the same.
  const live = user && !user.deletedAt ? user : null;
  const valid = live ? await verifyPassword(input.password, live.passwordHash) : await verifyAgainstDummy(input.password);
  if (!user || !live || !valid || user.disabledAt) {
    await recordAudit({ kind: 'login.failed', actorId: user?.id, ip: input.ip, details: { username: input.username } });
    throw new AppError('UNAUTHORIZED', 'Invalid username or password.');
  }
  // The owner's own mistakes from here are forgiven; the account-wide budget is not refunded, or every
  // sign-in of the owner would hand an attacker elsewhere a fresh one.
  await sharedLimiter(loginAccountAddressPolicy()).delete(accountAddressKey);
  const now = new Date();
  await getDb().$transaction([
    getDb().user.update({ where: { id: user.id }, data: { lastSeenAt: now } }),
    getDb().knownLoginAddress.upsert({
      where: { userId_address: { userId: user.id, address } },
      create: { userId: user.id, address, lastLoginAt: now },
      update: { lastLoginAt: now },
    }),
    getDb().auditEvent.create({ data: { kind: 'login.succeeded', actorId: user.id, ip: input.ip } }),
  ]);
  return { id: user.id, username: user.username, displayName: user.displayName, avatar: user.avatar };
}

function daysAgo(days: number): Date {
  return new Date(Date.now() - days * 24 * 60 * 60 * 1000);
}

/**
 * People to start a conversation with: username prefix or display-name substring, case-insensitive.
 * Deleted and disabled accounts are nobody to talk to.
 */
export async function searchUsers(input: { q: string; limit: number; excludeId: string }): Promise<PublicUser[]> {
  // Prisma passes the text to LIKE as is: escape its wildcards so "%" and "_" match only themselves.
  const q = input.q.trim().replace(/[\\%_]/g, '\\$&');
  return getDb().user.findMany({
    where: {
      id: { not: input.excludeId },
      deletedAt: null,
      disabledAt: null,
      OR: [{ username: { startsWith: q.toLowerCase() } }, { displayName: { contains: q, mode: 'insensitive' } }],
    },
    select: publicUserSelect,
    orderBy: { username: 'asc' },
    take: input.limit,
  });
}

/** Current-password checks on a password change: a borrowed session must not become a guessing oracle. */
const passwordChangePolicy: LimitPolicy = { keyPrefix: 'password_change', points: 5, duration: FIFTEEN_MINUTES, blockDuration: FIFTEEN_MINUTES };

/**
 * Changes a user's password after checking the current one, and ends every other session (a password
 * change is what people do when they fear someone else is signed in). Returns the ended session ids.
 */
export async function changePassword(input: {
  userId: string;
  sessionId: string;
  data: ChangePasswordInput;
  ip: string | null;
}): Promise<{ endedSessionIds: string[] }> {
  const limiter = sharedLimiter(passwordChangePolicy);
  await consumeAttempt(limiter, input.userId, 'password change attempts');
  const user = await getDb().user.findUnique({ where: { id: input.userId }, select: { passwordHash: true } });
  if (!user) throw new AppError('UNAUTHORIZED', 'Sign in first.');
  if (!(await verifyPassword(input.data.currentPassword, user.passwordHash))) {
    await recordAudit({ kind: 'user.password_change_failed', actorId: input.userId, ip: input.ip });
    throw new AppError('FORBIDDEN', 'The current password is wrong.', {
      issues: [{ path: 'currentPassword', message: 'The current password is wrong.' }],
    });
  }
  await limiter.delete(input.userId);
  const passwordHash = await hashPassword(input.data.newPassword);
  await getDb().user.update({ where: { id: input.userId }, data: { passwordHash } });
  const endedSessionIds = await revokeAllSessions({ userId: input.userId, keep: input.sessionId });
  await recordAudit({ kind: 'user.password_changed', actorId: input.userId, ip: input.ip, details: { endedSessions: endedSessionIds.length } });
  return { endedSessionIds };
}

/**
 * Disables or re-enables an account (lib/data/admin.ts checks who may). Disabling ends every session at
 * once; the caller closes their sockets with the returned ids. Disabling twice keeps the first time.
 */
export async function setUserDisabled(input: { userId: string; disabled: boolean }): Promise<{ endedSessionIds: string[] }> {
  if (!input.disabled) {
    await getDb().user.update({ where: { id: input.userId }, data: { disabledAt: null } });
    return { endedSessionIds: [] };
  }
  await getDb().user.updateMany({ where: { id: input.userId, disabledAt: null }, data: { disabledAt: new Date() } });
  return { endedSessionIds: await revokeAllSessions({ userId: input.userId }) };
}
