/**
 * Read and delivery positions per member: they only move forward, are clamped to the room's last seq,
 * and only members have one. Reading implies delivery.
 */
import { getDb } from '../db';
import { AppError } from '../errors';
import type { Receipt, RoomSummary } from '../schemas/room';
import { assertMember, requireMembership } from './rooms';

interface PositionRow {
  last_read_seq: number;
  last_delivered_seq: number;
  read_before: number;
  delivered_before: number;
}

export interface PositionChange {
  receipt: Receipt;
  /** Whether anything moved (only then is there something to broadcast). */
  changed: boolean;
  /** Whether the read position moved (the member's other tabs clear their unread badge). */
  readMoved: boolean;
}

async function advance(input: { roomId: string; userId: string; seq: number; read: boolean }): Promise<PositionChange> {
  const rows = await getDb().$queryRaw<PositionRow[]>`
    WITH before AS (
      SELECT m.last_read_seq, m.last_delivered_seq FROM memberships m
      WHERE m.room_id = ${input.roomId} AND m.user_id = ${input.userId}::uuid
      FOR UPDATE
    )
    UPDATE memberships m SET
      last_read_seq = CASE WHEN ${input.read} THEN GREATEST(m.last_read_seq, LEAST(${input.seq}, r.last_seq)) ELSE m.last_read_seq END,
      last_delivered_seq = GREATEST(m.last_delivered_seq, LEAST(${input.seq}, r.last_seq))
    FROM rooms r, before b
    WHERE r.id = m.room_id AND m.room_id = ${input.roomId} AND m.user_id = ${input.userId}::uuid
    RETURNING m.last_read_seq, m.last_delivered_seq, b.last_read_seq AS read_before, b.last_delivered_seq AS delivered_before`;
  const row = rows[0];
  if (!row) {
    await requireMembership({ roomId: input.roomId, userId: input.userId }); // NOT_FOUND or FORBIDDEN
    throw new AppError('FORBIDDEN', 'You are not a member of this room.');
  }
  return {
    receipt: { userId: input.userId, lastReadSeq: row.last_read_seq, lastDeliveredSeq: row.last_delivered_seq },
    changed: row.last_read_seq !== row.read_before || row.last_delivered_seq !== row.delivered_before,
    readMoved: row.last_read_seq !== row.read_before,
  };
}

/** "I have seen up to seq" (window focused, message on screen). */
export function markRead(input: { roomId: string; userId: string; seq: number }): Promise<PositionChange> {
  return advance({ ...input, read: true });
}

/** "Messages up to seq reached one of my devices." */
export function markDelivered(input: { roomId: string; userId: string; seq: number }): Promise<PositionChange> {
  return advance({ ...input, read: false });
}

/** Every member's positions, for a member: `room` is the room as read for them (requireMembership). */
export async function listReceipts(input: { room: RoomSummary }): Promise<Receipt[]> {
  assertMember(input.room);
  const rows = await getDb().membership.findMany({
    where: { roomId: input.room.id },
    select: { userId: true, lastReadSeq: true, lastDeliveredSeq: true },
  });
  return rows;
}
