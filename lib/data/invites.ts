/**
 * TEMPORARY (community-admin branch): the one function registration needs from the lead's invitations
 * module, written against its announced signature. Replaced by main's lib/data/invites.ts on merge.
 */
import { createHash } from 'node:crypto';
import type { Prisma } from '@/generated/prisma/client.ts';
import { AppError } from '../errors';

/** Spends one use of a sign-up invitation inside the caller's transaction; NOT_FOUND when not valid. */
export async function redeemSignupInvite(tx: Prisma.TransactionClient, token: string): Promise<void> {
  const tokenHash = createHash('sha256').update(token).digest('hex');
  const spent = await tx.$executeRaw`
    UPDATE invites SET uses = uses + 1
    WHERE token_hash = ${tokenHash} AND room_id IS NULL AND revoked_at IS NULL
      AND (expires_at IS NULL OR expires_at > now()) AND (max_uses IS NULL OR uses < max_uses)`;
  if (spent === 0) throw new AppError('NOT_FOUND', 'This invitation is not valid (any more).');
}
