/**
 * Messages: the durable half of the message path (DESIGN.md). `createMessage` assigns the room's next
 * seq in the same statement that inserts the message, so seqs are gapless and monotonic per room, and
 * it is idempotent on (room, author, clientId) so a retried send yields the original message.
 */
import { Prisma } from '@/generated/prisma/client.ts';
import { getDb } from '../db';
import { AppError, isDatabaseUnavailable } from '../errors';
import { REPLAY_LIMIT, type ChatMessage, type HistoryPage, type HistoryQuery } from '../schemas/message';
import { isUniqueViolation } from './users';
import type { RoomSummary } from '../schemas/room';
import { assertMember, requireMembership } from './rooms';

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

export interface NewMessage {
  roomId: string;
  authorId: string;
  clientId: string;
  body: string;
}

/**
 * Stores a message (or finds the one a retried clientId already stored). Sends are written in batches:
 * while one batch is in flight the next one gathers, and it goes as one statement when the first commits
 * (group commit). An idle server writes a lone message at once; a busy one writes hundreds per round trip,
 * which is what lets one instance persist thousands of messages a second on a shared core (bench/).
 */
export function createMessage(input: NewMessage): Promise<{ message: ChatMessage; duplicate: boolean }> {
  return messageWriter.write(input);
}

type WriteResult = { message: ChatMessage; duplicate: boolean };
interface PendingWrite {
  input: NewMessage;
  resolve(result: WriteResult): void;
  reject(error: unknown): void;
}

/** Rows per statement: big enough to absorb a burst, small enough to keep one statement short. */
const MAX_BATCH = 250;
const BATCH_WINDOW_MS = 2;

function createMessageWriter() {
  let queue: PendingWrite[] = [];
  let writing = false;

  async function drain(): Promise<void> {
    writing = true;
    let lastStart = -Infinity;
    while (queue.length > 0) {
      // Under load, a batch starts at most every BATCH_WINDOW_MS: a statement costs the database about
      // as much for a few rows as for one, so a short wait buys a lot. A lone send never waits.
      const wait = lastStart + BATCH_WINDOW_MS - performance.now();
      if (wait > 0 && queue.length < MAX_BATCH) await new Promise((r) => setTimeout(r, wait));
      lastStart = performance.now();
      const batch = queue.slice(0, MAX_BATCH);
      queue = queue.slice(batch.length);
      // Whatever goes wrong, its senders hear of it and the writer goes on (a stuck writer loses every send).
      await writeBatch(batch).catch((error: unknown) => batch.forEach((pending) => pending.reject(error)));
    }
    writing = false;
  }

  return {
    write(input: NewMessage): Promise<WriteResult> {
      return new Promise((resolve, reject) => {
        queue.push({ input, resolve, reject });
        // setImmediate: sends read from sockets in the same turn of the event loop share the batch.
        if (!writing && queue.length === 1) setImmediate(() => void drain());
      });
    },
  };
}

const messageWriter = createMessageWriter();

async function writeBatch(batch: PendingWrite[]): Promise<void> {
  // The same clientId twice in one batch (a retry racing its original) is written once; the later
  // senders get that message as a duplicate, exactly as a retry after the commit would.
  const byKey = new Map<string, PendingWrite[]>();
  for (const pending of batch) {
    const { roomId, authorId, clientId } = pending.input;
    const key = `${roomId}|${authorId}|${clientId}`;
    const same = byKey.get(key);
    if (same) same.push(pending);
    else byKey.set(key, [pending]);
  }
  const groups = [...byKey.values()];
  const settle = async (group: PendingWrite[], outcome: Promise<WriteResult>) => {
    try {
      const result = await outcome;
      group.forEach((p, i) => p.resolve(i === 0 ? result : { ...result, duplicate: true }));
    } catch (error) {
      for (const p of group) p.reject(error);
    }
  };

  let rows: Map<number, InsertedRow>;
  try {
    rows = await insertOrFindMany(groups.map((group) => group[0]!.input));
  } catch (error) {
    if (isDatabaseUnavailable(error)) {
      for (const pending of batch) pending.reject(error);
      return;
    }
    // A clientId stored meanwhile by another instance, a deadlock with one, or one message the database
    // refused: one at a time instead, so each sender gets its own outcome.
    for (const group of groups) await settle(group, createOne(group[0]!.input));
    return;
  }
  groups.forEach((group, index) => {
    const row = rows.get(index + 1);
    void settle(group, row ? Promise.resolve({ message: toChatMessage(row), duplicate: row.duplicate }) : refuse(group[0]!.input));
  });
}

/** Nothing inserted and nothing found: the author is not a member, or the room is gone. */
async function refuse(input: NewMessage): Promise<never> {
  await requireMembership({ roomId: input.roomId, userId: input.authorId });
  throw new AppError('FORBIDDEN', 'You are not a member of this room.');
}

async function createOne(input: NewMessage): Promise<WriteResult> {
  let row: Awaited<ReturnType<typeof insertOrFind>>;
  try {
    row = await insertOrFind(input);
  } catch (error) {
    if (!isUniqueViolationRaw(error)) throw error;
    row = await insertOrFind(input); // lost a race with our own retry: now it exists
  }
  if (!row) return refuse(input);
  return { message: toChatMessage(row), duplicate: row.duplicate };
}

type InsertedRow = MessageRecord & { duplicate: boolean };

/**
 * The batch form of insertOrFind, in one statement: existing messages for retried clientIds are found;
 * for the rest whose author is a member, each room's row is locked (in id order, so two instances'
 * batches cannot deadlock on rooms), given `last_seq + n` and the messages inserted with the seqs in
 * between, in the order they were sent. Returns rows by 1-based position in `inputs`.
 *
 * Every table is reached through its keys (`= ANY`, LATERAL, a correlated lookup): with a generic plan
 * the planner cannot know how few rows a batch has, and chose sequential scans of rooms, memberships
 * and users once they held a few thousand rows.
 */
async function insertOrFindMany(inputs: NewMessage[]): Promise<Map<number, InsertedRow>> {
  const rows = await getDb().$queryRaw<(InsertedRow & { ord: bigint })[]>`
    WITH input AS (
      SELECT * FROM unnest(${inputs.map((i) => i.roomId)}::text[], ${inputs.map((i) => i.authorId)}::uuid[],
                           ${inputs.map((i) => i.clientId)}::uuid[], ${inputs.map((i) => i.body)}::text[])
             WITH ORDINALITY AS t(room_id, author_id, client_id, body, ord)
    ), existing AS (
      -- One probe of the (room, author, clientId) index per send, never a scan of messages.
      SELECT i.ord, m.* FROM input i CROSS JOIN LATERAL (
        SELECT m.id, m.room_id, m.seq, m.author_id, m.client_id, m.body, m.created_at, m.edited_at FROM messages m
        WHERE m.room_id = i.room_id AND m.author_id = i.author_id AND m.client_id = i.client_id
        LIMIT 1 -- (unique anyway) keeps the planner from flattening this into a join
      ) m
    ), fresh AS (
      SELECT i.* FROM input i
      WHERE NOT EXISTS (SELECT 1 FROM existing e WHERE e.ord = i.ord)
        AND EXISTS (SELECT 1 FROM memberships mb WHERE mb.room_id = i.room_id AND mb.user_id = i.author_id)
    ), locked AS (
      SELECT r.id, r.last_seq FROM rooms r WHERE r.id = ANY (ARRAY(SELECT room_id FROM fresh)) ORDER BY r.id FOR UPDATE
    ), numbered AS (
      SELECT f.*, (l.last_seq + row_number() OVER (PARTITION BY f.room_id ORDER BY f.ord))::int AS seq
      FROM fresh f JOIN locked l ON l.id = f.room_id
    ), bump AS (
      UPDATE rooms r SET last_seq = n.top
      FROM (SELECT room_id, max(seq) AS top FROM numbered GROUP BY room_id) n
      WHERE r.id = n.room_id AND r.id = ANY (ARRAY(SELECT room_id FROM numbered))
    ), inserted AS (
      INSERT INTO messages (room_id, seq, author_id, client_id, body)
      SELECT room_id, seq, author_id, client_id, body FROM numbered
      RETURNING id, room_id, seq, author_id, client_id, body, created_at, edited_at
    ), own_position AS (
      -- The author has read (and received) their own messages.
      UPDATE memberships mb SET last_read_seq = GREATEST(mb.last_read_seq, p.top),
                                last_delivered_seq = GREATEST(mb.last_delivered_seq, p.top)
      FROM (SELECT room_id, author_id, max(seq) AS top FROM inserted GROUP BY room_id, author_id) p
      WHERE mb.room_id = p.room_id AND mb.user_id = p.author_id AND mb.room_id = ANY (ARRAY(SELECT room_id FROM inserted))
    ), found AS (
      SELECT n.ord, ins.*, false AS duplicate FROM inserted ins JOIN numbered n ON n.room_id = ins.room_id AND n.seq = ins.seq
      UNION ALL
      SELECT e.*, true AS duplicate FROM existing e
    )
    SELECT f.ord, f.id, f.room_id AS "roomId", f.seq, f.client_id AS "clientId", f.body, f.created_at AS "createdAt",
           f.edited_at AS "editedAt", f.duplicate,
           (SELECT json_build_object('id', u.id, 'username', u.username, 'displayName', u.display_name) FROM users u WHERE u.id = f.author_id) AS author
    FROM found f`;
  return new Map(rows.map((row) => [Number(row.ord), row]));
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
 * What a reconnecting member missed: messages after `afterSeq`, up to REPLAY_LIMIT. Past the bound,
 * `truncated` tells the client to reload the newest page instead. `room` is the room as read for the
 * member (requireMembership), so a connection checks membership once for everything it loads.
 */
export async function getReplay(input: { room: RoomSummary; afterSeq: number }): Promise<{ messages: ChatMessage[]; truncated: boolean; lastSeq: number }> {
  const { room } = input;
  assertMember(room);
  const lastSeq = room.lastSeq ?? 0;
  if (input.afterSeq >= lastSeq) return { messages: [], truncated: false, lastSeq };
  if (lastSeq - input.afterSeq > REPLAY_LIMIT) return { messages: [], truncated: true, lastSeq };
  const rows = await getDb().message.findMany({
    // Deleted messages (a later issue) must come back as tombstones, not gaps: no deletedAt filter here.
    where: { roomId: room.id, seq: { gt: input.afterSeq } },
    select: messageSelect,
    orderBy: { seq: 'asc' },
    take: REPLAY_LIMIT,
  });
  return { messages: rows.map(toChatMessage), truncated: false, lastSeq };
}

/**
 * Messages after a position in each of several rooms, oldest first, at most REPLAY_LIMIT per room: for
 * an instance to re-broadcast what it may have missed to the sockets it already admitted to those rooms
 * (see RoomBus.resync). No user is acting, so no membership check: the audience was checked on admission.
 */
export async function listMessagesAfter(positions: { roomId: string; afterSeq: number }[]): Promise<ChatMessage[]> {
  if (positions.length === 0) return [];
  const rows = await getDb().$queryRaw<MessageRecord[]>`
    SELECT m.id, m.room_id AS "roomId", m.seq, m.client_id AS "clientId", m.body, m.created_at AS "createdAt",
           m.edited_at AS "editedAt",
           json_build_object('id', u.id, 'username', u.username, 'displayName', u.display_name) AS author
    FROM unnest(${positions.map((p) => p.roomId)}::text[], ${positions.map((p) => p.afterSeq)}::int[]) AS pos(room_id, after_seq)
    CROSS JOIN LATERAL (
      SELECT * FROM messages WHERE room_id = pos.room_id AND seq > pos.after_seq ORDER BY seq LIMIT ${REPLAY_LIMIT}
    ) m
    JOIN users u ON u.id = m.author_id
    ORDER BY m.room_id, m.seq`;
  return rows.map(toChatMessage);
}
