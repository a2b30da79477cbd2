/** Audit events: who did what security-relevant thing, from where. Never passwords or secrets. */
import type { Prisma } from '@/generated/prisma/client.ts';
import { getDb } from '../db';

export type AuditKind =
  | 'user.registered'
  | 'login.succeeded'
  | 'login.failed'
  | 'login.rate_limited'
  | 'room.created'
  | 'room.deleted'
  | 'room.join_failed'
  | 'user.password_changed'
  | 'user.password_change_failed'
  | 'sessions.ended'
  | 'message.deleted_by_moderator'
  | 'upload.infected'
  // running rooms (docs/protocol.md §4.13–§4.14)
  | 'room.updated'
  | 'room.archived'
  | 'room.restored'
  | 'room.ownership_transferred'
  | 'member.role_changed'
  | 'member.kicked'
  | 'member.banned'
  | 'member.unbanned'
  | 'member.muted'
  | 'member.unmuted'
  | 'members.added'
  | 'invite.created'
  | 'invite.revoked'
  | 'invite.accepted'
  | 'group.created'
  // accounts (§4.15)
  | 'user.updated'
  | 'user.deleted';

export interface AuditInput {
  kind: AuditKind;
  actorId?: string | null;
  ip?: string | null;
  details?: Prisma.InputJsonValue;
}

type Tx = Pick<ReturnType<typeof getDb>, 'auditEvent'>;

export async function recordAudit(input: AuditInput, tx: Tx = getDb()): Promise<void> {
  await tx.auditEvent.create({
    data: { kind: input.kind, actorId: input.actorId ?? null, ip: input.ip ?? null, details: input.details },
  });
}
