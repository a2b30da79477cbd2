/**
 * Messages: the durable half of the message path (DESIGN.md). `createMessage` assigns the room's next
 * seq in the same statement that inserts the message, so seqs are gapless and monotonic per room, and
 * it is idempotent on (room, author, clientId) so a retried send yields the original message.
 */
import { Prisma } from '@/generated/prisma/client.ts';
import { getDb } from '../db';
import { AppError } from '../errors';
import { REPLAY_LIMIT, type ChatMessage, type HistoryPage, type HistoryQuery } from '../schemas/message';
import { isUniqueViolation } from './users';
import { requireMembership } from './rooms';

const messageSelect = {
  id: true,
  roomId: true,
  seq: true,
  clientId: true,
  body: true,
  createdAt: true,
  editedAt: true,
  author: { select: { id: true, username: true, displayName: true } },
} satisfies Prisma.MessageSelect;

type MessageRecord = Prisma.MessageGetPayload<{ select: typeof messageSelect }>;

function toChatMessage(m: MessageRecord): ChatMessage {
  return {
    id: m.id.toString(),
    roomId: m.roomId,
    seq: m.seq,
    clientId: m.clientId,
    author: m.author,
    body: m.body,
    createdAt: m.createdAt.toISOString(),
    editedAt: m.editedAt?.toISOString() ?? null,
  };
}

/**
 * One round trip: return the existing message for this clientId, or — if the author is a member —
 * bump rooms.last_seq (the row lock serialises senders in one room) and insert with that seq. A
 * concurrent retry of the same clientId loses on the unique index; its statement (and seq bump) rolls
 * back, and the retry below finds the winner.
 */
async function insertOrFind(input: {
  roomId: string;
  authorId: string;
  clientId: string;
  body: string;
}): Promise<(MessageRecord & { duplicate: boolean }) | undefined> {
  const rows = await getDb().$queryRaw<(MessageRecord & { duplicate: boolean })[]>`
    WITH existing AS (
      SELECT m.* FROM messages m
      WHERE m.room_id = ${input.roomId} AND m.author_id = ${input.authorId}::uuid AND m.client_id = ${input.clientId}::uuid
    ), bump AS (
      UPDATE rooms SET last_seq = last_seq + 1
      WHERE id = ${input.roomId}
        AND NOT EXISTS (SELECT 1 FROM existing)
        AND EXISTS (SELECT 1 FROM memberships WHERE room_id = ${input.roomId} AND user_id = ${input.authorId}::uuid)
      RETURNING last_seq
    ), inserted AS (
      INSERT INTO messages (room_id, seq, author_id, client_id, body)
      SELECT ${input.roomId}, bump.last_seq, ${input.authorId}::uuid, ${input.clientId}::uuid, ${input.body} FROM bump
      RETURNING *
    ), own_position AS (
      -- The author has read (and received) their own message.
      UPDATE memberships SET last_read_seq = GREATEST(last_read_seq, inserted.seq),
                             last_delivered_seq = GREATEST(last_delivered_seq, inserted.seq)
      FROM inserted
      WHERE memberships.room_id = ${input.roomId} AND memberships.user_id = ${input.authorId}::uuid
    ), found AS (
      SELECT *, false AS duplicate FROM inserted
      UNION ALL
      SELECT *, true AS duplicate FROM existing
    )
    SELECT f.id, f.room_id AS "roomId", f.seq, f.client_id AS "clientId", f.body, f.created_at AS "createdAt",
           f.edited_at AS "editedAt", f.duplicate,
           json_build_object('id', u.id, 'username', u.username, 'displayName', u.display_name) AS author
    FROM found f JOIN users u ON u.id = f.author_id`;
  return rows[0];
}

export async function createMessage(input: {
  roomId: string;
  authorId: string;
  clientId: string;
  body: string;
}): Promise<{ message: ChatMessage; duplicate: boolean }> {
  let row: Awaited<ReturnType<typeof insertOrFind>>;
  try {
    row = await insertOrFind(input);
  } catch (error) {
    if (!isUniqueViolationRaw(error)) throw error;
    row = await insertOrFind(input); // lost a race with our own retry: now it exists
  }
  if (!row) {
    // Nothing inserted and nothing found: the author is not a member, or the room is gone.
    await requireMembership({ roomId: input.roomId, userId: input.authorId });
    throw new AppError('FORBIDDEN', 'You are not a member of this room.');
  }
  return { message: toChatMessage(row), duplicate: row.duplicate };
}

function isUniqueViolationRaw(error: unknown): boolean {
  if (isUniqueViolation(error)) return true;
  // $queryRaw reports database errors as P2010 with the PostgreSQL code inside.
  return error instanceof Prisma.PrismaClientKnownRequestError && /23505|unique/i.test(JSON.stringify(error.meta ?? {}) + error.message);
}

/**
 * A page of history, members only, ascending by seq. `before` pages backwards (newest page when
 * neither is given), `after` pages forwards (catch-up, gap healing). Filters: author and date range.
 */
export async function getHistory(input: { roomId: string; userId: string; query: HistoryQuery }): Promise<HistoryPage> {
  await requireMembership(input);
  const { before, after, limit, author, from, to } = input.query;
  const where: Prisma.MessageWhereInput = {
    roomId: input.roomId,
    ...(before !== undefined ? { seq: { lt: before } } : {}),
    ...(after !== undefined ? { seq: { gt: after } } : {}),
    ...(author ? { author: { username: author } } : {}),
    ...(from || to ? { createdAt: { ...(from ? { gte: new Date(from) } : {}), ...(to ? { lte: new Date(to) } : {}) } } : {}),
  };
  const forwards = after !== undefined;
  const rows = await getDb().message.findMany({
    where,
    select: messageSelect,
    orderBy: { seq: forwards ? 'asc' : 'desc' },
    take: limit + 1,
  });
  const hasMore = rows.length > limit;
  const page = rows.slice(0, limit);
  if (!forwards) page.reverse();
  return { messages: page.map(toChatMessage), hasMore };
}

/**
 * What a reconnecting client missed: messages after `afterSeq`, up to REPLAY_LIMIT. Past the bound,
 * `truncated` tells the client to reload the newest page instead.
 */
export async function getReplay(input: { roomId: string; userId: string; afterSeq: number }): Promise<{ messages: ChatMessage[]; truncated: boolean; lastSeq: number }> {
  const room = await requireMembership(input);
  const lastSeq = room.lastSeq ?? 0;
  if (input.afterSeq >= lastSeq) return { messages: [], truncated: false, lastSeq };
  if (lastSeq - input.afterSeq > REPLAY_LIMIT) return { messages: [], truncated: true, lastSeq };
  const rows = await getDb().message.findMany({
    // Deleted messages (a later issue) must come back as tombstones, not gaps: no deletedAt filter here.
    where: { roomId: input.roomId, seq: { gt: input.afterSeq } },
    select: messageSelect,
    orderBy: { seq: 'asc' },
    take: REPLAY_LIMIT,
  });
  return { messages: rows.map(toChatMessage), truncated: false, lastSeq };
}
