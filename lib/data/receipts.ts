/**
 * Read and delivery positions per member: they only move forward, are clamped to the room's last seq,
 * and only members have one. Reading implies delivery.
 */
import { getDb } from '../db';
import { AppError, isDatabaseUnavailable } from '../errors';
import { isLargeRoom, type Receipt, type RoomSummary } from '../schemas/room';
import { ASYNC_COMMIT } from './async-commit';
import { createGroupCommit, type PendingWrite } from './group-commit';
import { assertMember, requireMembership } from './rooms';

export interface PositionChange {
  receipt: Receipt;
  /** Whether anything moved (only then is there something to broadcast). */
  changed: boolean;
  /** Whether the read position moved (the member's other tabs clear their unread badge). */
  readMoved: boolean;
  /** A large room (isLargeRoom) as the move was stored: its members' receipts are not announced. */
  largeRoom: boolean;
}

interface PositionRequest {
  roomId: string;
  userId: string;
  seq: number;
  read: boolean;
}
type PendingPosition = PendingWrite<PositionRequest, PositionChange>;

/** "I have seen up to seq" (window focused, message on screen). */
export function markRead(input: { roomId: string; userId: string; seq: number }): Promise<PositionChange> {
  return positionWriter.write({ ...input, read: true });
}

/** "Messages up to seq reached one of my devices." */
export function markDelivered(input: { roomId: string; userId: string; seq: number }): Promise<PositionChange> {
  return positionWriter.write({ ...input, read: false });
}

/*
 * Every online member of a room acknowledges each of its messages (`delivery:ack`), so positions are the
 * most frequent write there is: ~150 per message with 1,000 people online (bench/ capacity). One UPDATE
 * each meant one commit, one pooled connection and one WAL flush each, and the pool starved message
 * sends. They go through one group-commit writer instead; under load a batch starts at most every
 * 50 ms (a position is not on the message path: nobody waits on it but its own ack, which the browser
 * client does not even ask for), so a busy instance spends a few statements a second on them.
 */
const positionWriter = createGroupCommit<PositionRequest, PositionChange>({ maxBatch: 1_000, windowMs: 50, writeBatch: writePositions });

/** One member's requests in one batch: they move one row, once, to the furthest position asked for. */
interface PositionGroup {
  roomId: string;
  userId: string;
  deliveredSeq: number;
  /** -1: no read request in the group (leaves the read position as it is). */
  readSeq: number;
  pending: PendingPosition[];
}

interface PositionRow {
  room_id: string;
  user_id: string;
  read_before: number;
  delivered_before: number;
  read_after: number;
  delivered_after: number;
  member_count: number;
}

async function writePositions(batch: PendingPosition[]): Promise<void> {
  const groups = new Map<string, PositionGroup>();
  for (const pending of batch) {
    const { roomId, userId, seq, read } = pending.input;
    const key = `${roomId}|${userId}`;
    const group = groups.get(key) ?? { roomId, userId, deliveredSeq: -1, readSeq: -1, pending: [] };
    // Reading implies delivery.
    group.deliveredSeq = Math.max(group.deliveredSeq, seq);
    if (read) group.readSeq = Math.max(group.readSeq, seq);
    group.pending.push(pending);
    groups.set(key, group);
  }
  const all = [...groups.values()];
  try {
    await storePositions(all);
  } catch (error) {
    if (isDatabaseUnavailable(error) || all.length === 1) throw error;
    // A deadlock with another instance's batch or a message write, say: one member at a time instead,
    // so each caller gets its own outcome.
    for (const group of all) {
      await storePositions([group]).catch((e: unknown) => group.pending.forEach((p) => p.reject(e)));
    }
  }
}

async function storePositions(groups: PositionGroup[]): Promise<void> {
  // Rows are locked in key order (so two batches never deadlock each other) and rewritten only when a
  // position moves: a repeated ack costs a read, not a new row version and its WAL.
  //
  // It commits asynchronously (ASYNC_COMMIT): positions only move forward, so a client's next ack or
  // read:mark repairs moves a database crash forgot — docs/protocol.md §5.3 says so.
  const rows = await getDb().$queryRaw<PositionRow[]>`
    WITH async_commit AS ${ASYNC_COMMIT}, input AS (
      SELECT t.* FROM unnest(${groups.map((g) => g.roomId)}::text[], ${groups.map((g) => g.userId)}::uuid[],
                             ${groups.map((g) => g.deliveredSeq)}::int[], ${groups.map((g) => g.readSeq)}::int[])
             AS t(room_id, user_id, delivered_seq, read_seq), async_commit
    ), positions AS (
      SELECT m.room_id, m.user_id, m.last_read_seq AS read_before, m.last_delivered_seq AS delivered_before,
             GREATEST(m.last_read_seq, LEAST(i.read_seq, r.last_seq)) AS read_after,
             GREATEST(m.last_delivered_seq, LEAST(i.delivered_seq, r.last_seq)) AS delivered_after,
             r.member_count
      FROM input i
      JOIN memberships m ON m.room_id = i.room_id AND m.user_id = i.user_id
      JOIN rooms r ON r.id = i.room_id
      ORDER BY m.room_id, m.user_id
      FOR UPDATE OF m
    ), moved AS (
      UPDATE memberships m SET last_read_seq = p.read_after, last_delivered_seq = p.delivered_after
      FROM positions p
      WHERE m.room_id = p.room_id AND m.user_id = p.user_id
        AND (p.read_after <> p.read_before OR p.delivered_after <> p.delivered_before)
    )
    SELECT room_id, user_id::text, read_before, delivered_before, read_after, delivered_after, member_count FROM positions`;
  const byKey = new Map(rows.map((row) => [`${row.room_id}|${row.user_id}`, row]));
  for (const group of groups) {
    const row = byKey.get(`${group.roomId}|${group.userId}`);
    if (!row) {
      // Not a member (or no such room): the precise error, looked up aside so the writer goes on.
      void refusePosition(group).catch((error: unknown) => group.pending.forEach((p) => p.reject(error)));
      continue;
    }
    const receipt: Receipt = { userId: group.userId, lastReadSeq: row.read_after, lastDeliveredSeq: row.delivered_after };
    const readMoved = row.read_after !== row.read_before;
    const changed = readMoved || row.delivered_after !== row.delivered_before;
    const largeRoom = isLargeRoom({ memberCount: row.member_count });
    // The move is announced once, by the first caller; the others only learn where the position is now.
    group.pending.forEach((p, i) => p.resolve({ receipt, changed: changed && i === 0, readMoved: readMoved && i === 0, largeRoom }));
  }
}

async function refusePosition(group: PositionGroup): Promise<never> {
  await requireMembership({ roomId: group.roomId, userId: group.userId }); // NOT_FOUND or FORBIDDEN
  throw new AppError('FORBIDDEN', 'You are not a member of this room.');
}

/**
 * Every member's positions, for member `userId`: `room` is the room as read for them (requireMembership).
 * In a large room only their own: others' receipts are not announced there (isLargeRoom).
 */
export async function listReceipts(input: { room: RoomSummary; userId: string }): Promise<Receipt[]> {
  assertMember(input.room);
  return getDb().membership.findMany({
    where: isLargeRoom(input.room) ? { roomId: input.room.id, userId: input.userId } : { roomId: input.room.id },
    select: { userId: true, lastReadSeq: true, lastDeliveredSeq: true },
  });
}
