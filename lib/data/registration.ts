/**
 * Creating an account (docs/protocol.md §4.15): the registration mode, sign-up invitations, and the first
 * account becoming the instance's administrator. Apart from lib/data/users.ts because it spends
 * invitations (lib/data/invites.ts, which reaches rooms, which read users): users.ts stays a leaf.
 */
import type { Prisma } from '@/generated/prisma/client.ts';
import { addressKey } from '../client-ip';
import { getDb } from '../db';
import { getEnv } from '../env';
import { AppError } from '../errors';
import { hashPassword } from '../password';
import { consumeAttempt, sharedLimiter, type LimitPolicy } from '../rate-limit';
import type { RegistrationMode } from '../schemas/admin';
import type { PublicUser, RegisterInput } from '../schemas/user';
import { recordAudit } from './audit';
import { getRegistrationMode } from './instance';
import { redeemSignupInvite } from './invites';
import { isUniqueViolation, publicUserSelect } from './users';

/** Per client address: account creation is cheap to script, so cap it. */
const registerIpPolicy = (): LimitPolicy => ({
  keyPrefix: 'register_ip',
  points: getEnv().RATE_LIMIT_SIGNUPS_PER_IP,
  duration: 60 * 60,
  blockDuration: 60 * 60,
});

/**
 * Creates an account under the instance's registration mode (docs/protocol.md §4.15): `closed` refuses,
 * `invite` spends one use of a sign-up invitation in the same transaction as the insert (a refused or
 * failed insert spends nothing; parallel sign-ups never pass its use limit). The first account on the
 * instance becomes its administrator.
 */
export async function registerUser(input: { data: RegisterInput; ip: string | null }): Promise<PublicUser> {
  const { username, displayName, password, inviteToken } = input.data;
  await consumeAttempt(sharedLimiter(registerIpPolicy()), addressKey(input.ip), 'sign-ups from your network');
  // Refuse before the expensive hash; the transaction checks again, since the mode may change meanwhile.
  checkRegistrationAllowed(await getRegistrationMode(), inviteToken);
  const passwordHash = await hashPassword(password);
  try {
    // The account, the invitation's use and the audit event commit together: no half-registered user.
    return await getDb().$transaction(async (tx) => {
      const mode = await getRegistrationMode(tx);
      checkRegistrationAllowed(mode, inviteToken);
      const inviteId = mode === 'invite' && inviteToken ? await redeemOrRefuse(tx, inviteToken) : null;
      const isAdmin = await isFirstAccount(tx);
      const user = await tx.user.create({ data: { username, displayName, passwordHash, isAdmin }, select: publicUserSelect });
      const details = isAdmin || inviteId ? { instanceAdmin: isAdmin, inviteId } : undefined;
      await recordAudit({ kind: 'user.registered', actorId: user.id, ip: input.ip, details }, tx);
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

function checkRegistrationAllowed(mode: RegistrationMode, inviteToken: string | undefined): void {
  if (mode === 'closed') throw new AppError('FORBIDDEN', 'Registration is closed.');
  if (mode === 'invite' && !inviteToken) {
    throw new AppError('FORBIDDEN', 'Registration is by invitation only: open the invitation link you were sent.', {
      issues: [{ path: 'inviteToken', message: 'An invitation is needed to create an account here.' }],
    });
  }
}

/** Spends the sign-up invitation (its id), or refuses: an unknown, expired, used-up or revoked token alike. */
async function redeemOrRefuse(tx: Prisma.TransactionClient, token: string): Promise<string> {
  try {
    return await redeemSignupInvite(tx, token);
  } catch (error) {
    // The same refusal, now naming the field for the form.
    if (error instanceof AppError && error.code === 'FORBIDDEN') {
      throw new AppError('FORBIDDEN', 'This invitation is not valid (any more).', {
        issues: [{ path: 'inviteToken', message: 'This invitation is not valid (any more).' }],
      });
    }
    throw error;
  }
}

/**
 * Whether the account being inserted is the instance's first. Two parallel first sign-ups must not both
 * (or neither) become admin: when no account is visible yet, take an advisory lock held to commit and
 * look again — the second waits for the first's commit and then sees its row (read committed: each
 * statement takes a fresh snapshot). Once accounts exist, nobody needs the lock.
 */
async function isFirstAccount(tx: Prisma.TransactionClient): Promise<boolean> {
  const anyAccount = async () => (await tx.user.findFirst({ select: { id: true } })) !== null;
  if (await anyAccount()) return false;
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended('parley:first-account', 0))`;
  return !(await anyAccount());
}
