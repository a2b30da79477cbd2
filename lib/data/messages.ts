/**
 * Messages: the durable half of the message path (DESIGN.md). `createMessage` assigns the room's next
 * seq in the same statement that inserts the message, so seqs are gapless and monotonic per room, and
 * it is idempotent on (room, author, clientId) so a retried send yields the original message. Changes to
 * stored messages (edit, delete, reactions) live in message-changes.ts.
 */
import { Prisma } from '@/generated/prisma/client.ts';
import { getDb } from '../db';
import { AppError, isDatabaseUnavailable } from '../errors';
import { mentionCandidates } from '../schemas/mentions';
import { REPLAY_LIMIT, type ChatMessage, type HistoryPage, type HistoryQuery, type MessageReplay } from '../schemas/message';
import type { CallEntry } from '../schemas/call';
import { hasRole, isConversation, type MemberRole, type RoomSummary } from '../schemas/room';
import type { RoomEvent } from '../schemas/room-event';
import { uuidv7 } from '../uuid';
import { createGroupCommit, type PendingWrite as PendingGroupWrite } from './group-commit';
import { attachUploads, lockUnsentUploads } from './attachments';
import { messageColumns, ownColumns, toChatMessage, type MessageRow, THREAD_PARTICIPANTS_LISTED } from './message-rows';
import { assertMember, memberRoom, requireMembership, type RoomAsked } from './rooms';
import { isUniqueViolation } from './users';

type Tx = Prisma.TransactionClient;

export interface NewMessage {
  roomId: string;
  authorId: string;
  clientId: string;
  body: string;
  /** A thread reply: the root's seq (a reply's own root when it names a reply). */
  threadRootSeq?: number;
  alsoInRoom?: boolean;
  /** A quote-reply: the quoted message's seq. */
  replyToSeq?: number;
  /** The author's unsent uploads to this room that the message carries, in order (lib/data/attachments.ts). */
  attachmentIds?: string[];
  /**
   * A call's entry (lib/data/calls.ts), written by the server under the caller's name with body '' and the
   * call's id as clientId: once per call, also when the caller has left the room meanwhile.
   */
  call?: CallEntry;
}

export interface StoredMessage {
  message: ChatMessage;
  duplicate: boolean;
  /** A new thread reply's root, as it is now (reply count, participants, rev). */
  root?: ChatMessage;
}

/**
 * Stores a message (or finds the one a retried clientId already stored). Sends are written in batches:
 * while one batch is in flight the next one gathers, and it goes as one statement when the first commits
 * (group commit). An idle server writes a lone message at once; a busy one writes hundreds per round trip,
 * which is what lets one instance persist thousands of messages a second on a shared core (bench/).
 */
export function createMessage(input: NewMessage): Promise<StoredMessage> {
  // Replies check another message, and files their uploads, under the room's lock: their own transaction
  // (they are the rarer kinds; plain text keeps the batched path).
  if (input.threadRootSeq !== undefined || input.replyToSeq !== undefined || (input.attachmentIds?.length ?? 0) > 0 || input.call) {
    return createChecked(input);
  }
  return messageWriter.write(input);
}

type WriteResult = StoredMessage;
type PendingWrite = PendingGroupWrite<NewMessage, WriteResult>;

// 250 rows absorb a burst and keep one statement short; under load a batch starts at most every 2 ms.
// Two batches in flight, each room in one of them at a time (its lane): a batch waiting on one room's row
// (a change transaction, a room's deletion) no longer holds up every other room's sends, and a room's sends
// still take seqs in the order they came. Not more: on a saturated core, four left the instance collapsing
// more often than one, likely as small concurrent batches drain a backlog slower than one that takes it all
// (bench/README.md, sixth and seventh rounds).
const messageWriter = createGroupCommit<NewMessage, WriteResult>({
  maxBatch: 250,
  windowMs: 2,
  concurrency: 2,
  lane: (input) => input.roomId,
  writeBatch,
});

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
    void settle(group, row ? resultOf(row) : refuse(group[0]!.input));
  });
}

/** Nothing inserted and nothing found: the author is not a member or is muted, the room is archived or gone. */
async function refuse(input: NewMessage): Promise<never> {
  const room = await requireMembership({ roomId: input.roomId, userId: input.authorId });
  if (room.archivedAt) throw archivedError();
  if (room.mutedUntil) throw mutedError(new Date(room.mutedUntil));
  throw new AppError('FORBIDDEN', 'You are not a member of this room.');
}

/** The author of a checked message (a reply, files): a member who may post here now. */
async function checkedPoster(tx: Tx, room: LockedRoom, input: NewMessage): Promise<ActingMember> {
  const member = await actingMember(tx, room, input.roomId, input.authorId);
  assertMayWrite(room, member, true);
  return member;
}

async function createOne(input: NewMessage): Promise<WriteResult> {
  let rows: Map<number, InsertedRow>;
  try {
    rows = await insertOrFindMany([input]);
  } catch (error) {
    if (!isUniqueViolationRaw(error)) throw error;
    rows = await insertOrFindMany([input]); // lost a race with our own retry: now it exists
  }
  const row = rows.get(1);
  if (!row) return refuse(input);
  return resultOf(row);
}

/**
 * A new message as the statement returned it; a retried one read again in full (it may have a thread by
 * now, which the send statement does not read).
 */
async function resultOf(row: InsertedRow): Promise<WriteResult> {
  if (!row.duplicate) return { message: toChatMessage(row), duplicate: false };
  const full = await readMessage(getDb(), row.roomId, row.seq);
  return { message: stripAuthorId(full ?? { ...toChatMessage(row), authorId: row.author.id }), duplicate: true };
}

type InsertedRow = MessageRow & { duplicate: boolean };

/**
 * The batch form of a send, in one statement: existing messages for retried clientIds are found;
 * for the rest whose author is a member, each room's row is locked (in id order, so two instances'
 * batches cannot deadlock on rooms), given `last_seq + n` and the messages inserted with the seqs in
 * between, in the order they were sent, with the members they mention. Returns rows by 1-based position
 * in `inputs`.
 *
 * Every table is reached through its keys (`= ANY`, LATERAL, a correlated lookup): with a generic plan
 * the planner cannot know how few rows a batch has, and chose sequential scans of rooms, memberships
 * and users once they held a few thousand rows.
 */
async function insertOrFindMany(inputs: NewMessage[]): Promise<Map<number, InsertedRow>> {
  const mentions = inputs.map((i) => mentionCandidates(i.body));
  const rows = await getDb().$queryRaw<(InsertedRow & { ord: bigint })[]>`
    WITH input AS (
      SELECT * FROM unnest(${inputs.map((i) => i.roomId)}::text[], ${inputs.map((i) => i.authorId)}::uuid[],
                           ${inputs.map((i) => i.clientId)}::uuid[], ${inputs.map((i) => i.body)}::text[],
                           ${mentions.map((m) => m.names.join(' '))}::text[], ${mentions.map((m) => m.room)}::boolean[])
             WITH ORDINALITY AS t(room_id, author_id, client_id, body, mention_names, wants_room, ord)
    ), existing AS (
      -- One probe of the (room, author, clientId) index per send, never a scan of messages.
      SELECT i.ord, m.* FROM input i CROSS JOIN LATERAL (
        SELECT m.* FROM messages m
        WHERE m.room_id = i.room_id AND m.author_id = i.author_id AND m.client_id = i.client_id
        LIMIT 1 -- (unique anyway) keeps the planner from flattening this into a join
      ) m
    ), fresh AS (
      SELECT i.* FROM input i
      WHERE NOT EXISTS (SELECT 1 FROM existing e WHERE e.ord = i.ord)
        AND EXISTS (SELECT 1 FROM memberships mb WHERE mb.room_id = i.room_id AND mb.user_id = i.author_id)
        -- not muted now (§4.13): a probe of its own, the plan of the membership probe above stays as it was
        AND NOT EXISTS (SELECT 1 FROM memberships mm WHERE mm.room_id = i.room_id AND mm.user_id = i.author_id AND mm.muted_until > now())
    ), locked AS (
      -- An archived room takes nothing (filtered in numbered). Archiving locks this row too: a send waiting for
      -- that lock reads the archived row's values once it has it. (A filter here instead, or folded into the
      -- membership probe above, changed the statement's plan: p50 latency ×2 in bench/.)
      SELECT r.id, r.last_seq, r.room_mentions, r.archived_at FROM rooms r
      WHERE r.id = ANY (ARRAY(SELECT room_id FROM fresh)) ORDER BY r.id FOR UPDATE
    ), numbered AS (
      -- @room counts when the room lets anyone use it, or the author is its owner or an admin (looked up only then).
      SELECT f.*, (l.last_seq + row_number() OVER (PARTITION BY f.room_id ORDER BY f.ord))::int AS seq,
             CASE WHEN NOT f.wants_room THEN false
                  WHEN l.room_mentions = 'anyone' THEN true
                  ELSE EXISTS (SELECT 1 FROM memberships mo WHERE mo.room_id = f.room_id AND mo.user_id = f.author_id AND mo.role IN ('owner', 'admin'))
             END AS mentions_room
      FROM fresh f JOIN locked l ON l.id = f.room_id
      WHERE l.archived_at IS NULL
    ), bump AS (
      UPDATE rooms r SET last_seq = n.top
      FROM (SELECT room_id, max(seq) AS top FROM numbered GROUP BY room_id) n
      WHERE r.id = n.room_id AND r.id = ANY (ARRAY(SELECT room_id FROM numbered))
    ), inserted AS (
      INSERT INTO messages (room_id, seq, author_id, client_id, body, mentions, mentions_room)
      SELECT n.room_id, n.seq, n.author_id, n.client_id, n.body,
             CASE WHEN n.mention_names = '' THEN '{}'::uuid[] ELSE ARRAY(
               SELECT u.id FROM users u JOIN memberships mm ON mm.room_id = n.room_id AND mm.user_id = u.id
               WHERE u.username = ANY (string_to_array(n.mention_names, ' '))
             ) END,
             n.mentions_room
      FROM numbered n
      RETURNING *
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
    -- Only the row's own columns: planned on every send, the quote and thread lookups cost more to plan
    -- than they save. A new message has neither; a retried one is read again in full (fullRows).
    SELECT f.ord, f.duplicate, ${ownColumns('f')}
    FROM found f`;
  return new Map(rows.map((row) => [Number(row.ord), row]));
}

function isUniqueViolationRaw(error: unknown): boolean {
  if (isUniqueViolation(error)) return true;
  // $queryRaw reports database errors as P2010 with the PostgreSQL code inside.
  return error instanceof Prisma.PrismaClientKnownRequestError && /23505|unique/i.test(JSON.stringify(error.meta ?? {}) + error.message);
}

/** A room's row as locked for a write: seqs and revs are assigned under it, in commit order. */
export interface LockedRoom {
  lastSeq: number;
  lastRev: number;
  roomMentions: string;
  kind: RoomSummary['kind'];
  archivedAt: Date | null;
}

/** The room's row, locked for this transaction: seqs and revs are assigned under it, in commit order. */
export async function lockRoom(tx: Tx, roomId: string): Promise<LockedRoom> {
  const rows = await tx.$queryRaw<LockedRoom[]>`
    SELECT last_seq AS "lastSeq", last_rev AS "lastRev", room_mentions AS "roomMentions", kind::text AS kind, archived_at AS "archivedAt"
    FROM rooms WHERE id = ${roomId} FOR UPDATE`;
  if (!rows[0]) throw new AppError('NOT_FOUND', 'That room does not exist (any more).');
  return rows[0];
}

/** The acting member: their role and, if muted, until when. */
export interface ActingMember {
  role: MemberRole;
  mutedUntil: Date | null;
}

/** The acting user's membership, or the refusal a non-member gets (NOT_FOUND for conversations). */
export async function actingMember(tx: Tx, room: { kind: RoomSummary['kind'] }, roomId: string, userId: string): Promise<ActingMember> {
  const rows = await tx.$queryRaw<ActingMember[]>`
    SELECT role::text AS role, CASE WHEN muted_until > now() THEN muted_until END AS "mutedUntil"
    FROM memberships WHERE room_id = ${roomId} AND user_id = ${userId}::uuid`;
  if (rows[0]) return rows[0];
  if (isConversation(room.kind)) throw new AppError('NOT_FOUND', 'That room does not exist (any more).');
  throw new AppError('FORBIDDEN', 'You are not a member of this room.');
}

export function archivedError(): AppError {
  return new AppError('FORBIDDEN', 'This room is archived: it is read-only.');
}

export function mutedError(until: Date): AppError {
  return new AppError('FORBIDDEN', `You are muted in this room until ${until.toISOString()}.`);
}

/**
 * What archiving and muting forbid (docs/protocol.md §4.13): nothing is written in an archived room; a
 * muted member cannot add anything (post, edit, react) but may take things back (delete their own, unreact).
 */
export function assertMayWrite(room: Pick<LockedRoom, 'archivedAt'>, member: ActingMember, adds: boolean): void {
  if (room.archivedAt) throw archivedError();
  if (adds && member.mutedUntil) throw mutedError(member.mutedUntil);
}

/** Whether an @room / @here by this member notifies everyone: the room lets anyone, or they are admin or owner. */
export function mayMentionRoom(roomMentions: string, role: MemberRole): boolean {
  return roomMentions === 'anyone' || hasRole(role, 'admin');
}

/** A message of the room by seq, in its wire shape (optionally locked for an update, in the same round trip). */
export async function readMessage(tx: Tx, roomId: string, seq: number, options: { lock?: boolean } = {}): Promise<(ChatMessage & { authorId: string }) | null> {
  const rows = await tx.$queryRaw<MessageRow[]>`
    SELECT ${messageColumns('m')} FROM messages m WHERE m.room_id = ${roomId} AND m.seq = ${seq} ${options.lock ? Prisma.sql`FOR UPDATE` : Prisma.empty}`;
  const row = rows[0];
  return row ? { ...toChatMessage(row), authorId: row.author.id } : null;
}

/** NOT_FOUND for a seq the room does not have, with the issue on the field that named it. */
export function messageNotFound(seq: number, path = 'seq'): AppError {
  return new AppError('NOT_FOUND', `There is no message ${seq} in this room.`, { issues: [{ path, message: 'No such message in this room.' }] });
}

export function messageDeleted(what: string): AppError {
  return new AppError('CONFLICT', `That message was deleted: it cannot be ${what}.`);
}

/**
 * A thread reply, a quote-reply or a message with files: checks what it refers to (the message replied to
 * or quoted — same room, not deleted; the uploads — the author's, this room's, unsent) under the room's
 * lock, stores the message with the next seq, hands it the uploads and, for a thread reply, updates the
 * root's summary with the next rev — all in one transaction, so no client sees one without the other.
 */
async function createChecked(input: NewMessage): Promise<StoredMessage> {
  try {
    return await createCheckedOnce(input);
  } catch (error) {
    if (!isUniqueViolationRaw(error)) throw error;
    return createCheckedOnce(input); // lost a race with our own retry: now it exists
  }
}

async function createCheckedOnce(input: NewMessage): Promise<StoredMessage> {
  return getDb().$transaction(async (tx) => {
    const room = await lockRoom(tx, input.roomId);
    // Call entries and room events are written by the server for something that already happened.
    const role = input.call ? 'member' : (await checkedPoster(tx, room, input)).role;
    const existing = await tx.$queryRaw<{ seq: number }[]>`
      SELECT seq FROM messages WHERE room_id = ${input.roomId} AND author_id = ${input.authorId}::uuid AND client_id = ${input.clientId}::uuid`;
    if (existing[0]) {
      // A retry: its thread root too, as it is now (the first attempt's instance may not have broadcast it).
      const message = stripAuthorId((await readMessage(tx, input.roomId, existing[0].seq))!);
      const root = message.threadRootSeq === null ? null : await readMessage(tx, input.roomId, message.threadRootSeq);
      return { message, duplicate: true, ...(root ? { root: stripAuthorId(root) } : {}) };
    }

    let rootSeq: number | null = null;
    if (input.threadRootSeq !== undefined) {
      const target = await readMessage(tx, input.roomId, input.threadRootSeq);
      if (!target) throw messageNotFound(input.threadRootSeq, 'threadRootSeq');
      rootSeq = target.threadRootSeq ?? target.seq; // a reply to a reply goes to the same thread
      const root = rootSeq === target.seq ? target : await readMessage(tx, input.roomId, rootSeq);
      if (!root || root.deletedAt) throw messageDeleted('replied to');
    }
    if (input.replyToSeq !== undefined) {
      const quoted = await readMessage(tx, input.roomId, input.replyToSeq);
      if (!quoted) throw messageNotFound(input.replyToSeq, 'replyToSeq');
      if (quoted.deletedAt) throw messageDeleted('quoted');
    }

    const attachmentIds = input.attachmentIds ?? [];
    const attachments = attachmentIds.length > 0 ? await lockUnsentUploads(tx, { roomId: input.roomId, authorId: input.authorId, ids: attachmentIds }) : [];
    if (!input.body && attachments.length === 0 && !input.call) throw new AppError('INVALID_PAYLOAD', 'The message is empty.', { issues: [{ path: 'body', message: 'The message is empty.' }] });

    const seq = room.lastSeq + 1;
    const rev = rootSeq === null ? room.lastRev : room.lastRev + 1;
    const { names, room: wantsRoom } = mentionCandidates(input.body);
    const mentionsRoom = wantsRoom && mayMentionRoom(room.roomMentions, role);
    const inserted = await tx.$queryRaw<{ id: bigint }[]>`
      INSERT INTO messages (room_id, seq, author_id, client_id, body, thread_root_seq, also_in_room, reply_to_seq, mentions, mentions_room, attachments, call)
      VALUES (${input.roomId}, ${seq}, ${input.authorId}::uuid, ${input.clientId}::uuid, ${input.body}, ${rootSeq},
              ${rootSeq !== null && input.alsoInRoom === true}, ${input.replyToSeq ?? null},
              ARRAY(SELECT u.id FROM users u JOIN memberships mm ON mm.room_id = ${input.roomId} AND mm.user_id = u.id
                    WHERE u.username = ANY (${names}::text[])),
              ${mentionsRoom}, ${JSON.stringify(attachments)}::jsonb, ${input.call ? JSON.stringify(input.call) : null}::jsonb)
      RETURNING id`;
    if (attachmentIds.length > 0) await attachUploads(tx, inserted[0]!.id, attachmentIds);
    await tx.$executeRaw`UPDATE rooms SET last_seq = ${seq}, last_rev = ${rev} WHERE id = ${input.roomId}`;
    await tx.$executeRaw`
      UPDATE memberships SET last_read_seq = GREATEST(last_read_seq, ${seq}), last_delivered_seq = GREATEST(last_delivered_seq, ${seq})
      WHERE room_id = ${input.roomId} AND user_id = ${input.authorId}::uuid`;
    if (rootSeq !== null) {
      await tx.$executeRaw`
        UPDATE messages SET reply_count = reply_count + 1, last_reply_seq = ${seq}, last_reply_at = now(), rev = ${rev},
          thread_participants = (ARRAY[${input.authorId}::uuid] || array_remove(thread_participants, ${input.authorId}::uuid))[1:${THREAD_PARTICIPANTS_LISTED}]
        WHERE room_id = ${input.roomId} AND seq = ${rootSeq}`;
    }
    const message = (await readMessage(tx, input.roomId, seq))!;
    const root = rootSeq === null ? undefined : (await readMessage(tx, input.roomId, rootSeq))!;
    return { message: stripAuthorId(message), duplicate: false, ...(root ? { root: stripAuthorId(root) } : {}) };
  });
}

/**
 * A room event's line (§4.13), written inside the transaction that made the change, under the room's lock
 * that transaction holds (`room` as lockRoom read it; its lastSeq is advanced here). The author is whoever
 * acted — a member, or an instance admin who is not one — so no membership or archive check: the change
 * itself was checked.
 */
export async function insertRoomEvent(tx: Tx, input: { roomId: string; room: LockedRoom; authorId: string; event: RoomEvent }): Promise<ChatMessage> {
  const seq = input.room.lastSeq + 1;
  await tx.$executeRaw`
    INSERT INTO messages (room_id, seq, author_id, client_id, body, event)
    VALUES (${input.roomId}, ${seq}, ${input.authorId}::uuid, ${uuidv7()}::uuid, '', ${JSON.stringify(input.event)}::jsonb)`;
  await tx.$executeRaw`UPDATE rooms SET last_seq = ${seq} WHERE id = ${input.roomId}`;
  await tx.$executeRaw`
    UPDATE memberships SET last_read_seq = GREATEST(last_read_seq, ${seq}), last_delivered_seq = GREATEST(last_delivered_seq, ${seq})
    WHERE room_id = ${input.roomId} AND user_id = ${input.authorId}::uuid`;
  input.room.lastSeq = seq;
  return stripAuthorId((await readMessage(tx, input.roomId, seq))!);
}

export function stripAuthorId(message: ChatMessage & { authorId?: string }): ChatMessage {
  const { authorId: _authorId, ...rest } = message;
  return rest;
}

/**
 * A page of history, members only, ascending by seq — every message, thread replies included (clients
 * show replies in their thread; the seqs stay contiguous for gap detection). `before` pages backwards
 * (newest page when no cursor is given), `after` forwards (catch-up, gap healing), `around` centres a
 * page on a seq (jump to a message), `changedAfter` lists changed messages by rev (healing missed
 * changes), `thread` restricts to one thread's replies. Filters: author and date range.
 */
export async function getHistory(input: RoomAsked & { query: HistoryQuery }): Promise<HistoryPage> {
  const { id: roomId } = await memberRoom(input);
  const { query } = input;
  if (query.changedAfter !== undefined) return getChanges({ roomId, afterRev: query.changedAfter, limit: query.limit });
  // Read first: the page then holds every change up to it (clients start their rev watermark there).
  const lastRev = await readLastRev(roomId);
  if (query.around !== undefined) return { ...(await getAround(roomId, query)), lastRev };
  let root: ChatMessage | undefined;
  if (query.thread !== undefined) {
    const found = await readMessage(getDb(), roomId, query.thread);
    if (!found || found.threadRootSeq !== null) throw messageNotFound(query.thread, 'thread');
    root = stripAuthorId(found);
  }
  const forwards = query.after !== undefined;
  const rows = await readPage(roomId, query, {
    cursor: forwards ? Prisma.sql`AND m.seq > ${query.after}` : query.before !== undefined ? Prisma.sql`AND m.seq < ${query.before}` : Prisma.empty,
    ascending: forwards,
    limit: query.limit + 1,
  });
  const hasMore = rows.length > query.limit;
  const page = rows.slice(0, query.limit);
  if (!forwards) page.reverse();
  return { messages: page.map(toChatMessage), hasMore, lastRev, ...(root ? { root } : {}) };
}

function filters(query: HistoryQuery): Prisma.Sql {
  const parts: Prisma.Sql[] = [];
  if (query.thread !== undefined) parts.push(Prisma.sql`AND m.thread_root_seq = ${query.thread}`);
  if (query.author) parts.push(Prisma.sql`AND m.author_id = (SELECT id FROM users WHERE username = ${query.author})`);
  if (query.from) parts.push(Prisma.sql`AND m.created_at >= ${new Date(query.from)}`);
  if (query.to) parts.push(Prisma.sql`AND m.created_at <= ${new Date(query.to)}`);
  return parts.length ? Prisma.join(parts, ' ') : Prisma.empty;
}

function readPage(roomId: string, query: HistoryQuery, page: { cursor: Prisma.Sql; ascending: boolean; limit: number }): Promise<MessageRow[]> {
  return getDb().$queryRaw<MessageRow[]>`
    SELECT ${messageColumns('m')} FROM messages m
    WHERE m.room_id = ${roomId} ${page.cursor} ${filters(query)}
    ORDER BY m.seq ${page.ascending ? Prisma.sql`ASC` : Prisma.sql`DESC`}
    LIMIT ${page.limit}`;
}

/** The page around a seq: half before it (and it), half after. */
async function getAround(roomId: string, query: HistoryQuery): Promise<HistoryPage> {
  const around = query.around!;
  const olderCount = Math.ceil(query.limit / 2);
  const newerCount = query.limit - olderCount;
  const [older, newer] = await Promise.all([
    readPage(roomId, query, { cursor: Prisma.sql`AND m.seq <= ${around}`, ascending: false, limit: olderCount + 1 }),
    readPage(roomId, query, { cursor: Prisma.sql`AND m.seq > ${around}`, ascending: true, limit: newerCount + 1 }),
  ]);
  const hasMore = older.length > olderCount;
  const hasNewer = newer.length > newerCount;
  const messages = [...older.slice(0, olderCount).reverse(), ...newer.slice(0, newerCount)];
  return { messages: messages.map(toChatMessage), hasMore, hasNewer };
}

/** Messages changed after a rev, ascending by rev; `lastRev` is read first, so the page covers every change up to it. */
async function getChanges(input: { roomId: string; afterRev: number; limit: number }): Promise<HistoryPage> {
  const lastRev = await readLastRev(input.roomId);
  const rows = await getDb().$queryRaw<MessageRow[]>`
    SELECT ${messageColumns('m')} FROM messages m
    WHERE m.room_id = ${input.roomId} AND m.rev > ${input.afterRev}
    ORDER BY m.rev LIMIT ${input.limit + 1}`;
  const hasMore = rows.length > input.limit;
  return { messages: rows.slice(0, input.limit).map(toChatMessage), hasMore, lastRev };
}

async function readLastRev(roomId: string): Promise<number> {
  return (await readLastRevs([roomId])).get(roomId) ?? 0;
}

/** Rooms' change cursors now (rooms that are gone are left out). */
export async function readLastRevs(roomIds: string[]): Promise<Map<string, number>> {
  if (roomIds.length === 0) return new Map();
  const rows = await getDb().$queryRaw<{ id: string; last_rev: number }[]>`SELECT id, last_rev FROM rooms WHERE id = ANY (${roomIds}::text[])`;
  return new Map(rows.map((r) => [r.id, r.last_rev]));
}

/**
 * What a reconnecting member missed: messages after `afterSeq` and changes after `afterRev` to the
 * messages at or below it, each in its current state, up to REPLAY_LIMIT each. Past a bound, `truncated`
 * tells the client to reload the newest page instead. The room's lastRev is read before the changes, so
 * everything up to it is in the replay (a later change may be in it too, and also arrives live).
 * `room` is the room as read for the member (requireMembership), so a connection checks membership once.
 */
export async function getReplay(input: { room: RoomSummary; afterSeq: number; afterRev?: number }): Promise<MessageReplay> {
  const { room } = input;
  assertMember(room);
  const lastSeq = room.lastSeq ?? 0;
  const lastRev = await readLastRev(room.id);
  const afterSeq = Math.min(input.afterSeq, lastSeq);
  const missed = lastSeq - afterSeq;
  if (missed > REPLAY_LIMIT) return { messages: [], changes: [], truncated: true, lastSeq, lastRev };
  const [messages, changes] = await Promise.all([
    missed === 0
      ? Promise.resolve([])
      : getDb().$queryRaw<MessageRow[]>`
          SELECT ${messageColumns('m')} FROM messages m
          WHERE m.room_id = ${room.id} AND m.seq > ${afterSeq} ORDER BY m.seq LIMIT ${REPLAY_LIMIT}`,
    input.afterRev === undefined || input.afterRev >= lastRev
      ? Promise.resolve([])
      : getDb().$queryRaw<MessageRow[]>`
          SELECT ${messageColumns('m')} FROM messages m
          WHERE m.room_id = ${room.id} AND m.rev > ${input.afterRev} AND m.seq <= ${afterSeq}
          ORDER BY m.rev LIMIT ${REPLAY_LIMIT + 1}`,
  ]);
  if (changes.length > REPLAY_LIMIT) return { messages: [], changes: [], truncated: true, lastSeq, lastRev };
  return { messages: messages.map(toChatMessage), changes: changes.map(toChatMessage), truncated: false, lastSeq, lastRev };
}

/**
 * Messages after a position in each of several rooms, oldest first, at most REPLAY_LIMIT per room: for
 * an instance to re-broadcast what it may have missed to the sockets it already admitted to those rooms
 * (see RoomBus.resync). No user is acting, so no membership check: the audience was checked on admission.
 */
export function listMessagesAfter(positions: { roomId: string; afterSeq: number }[]): Promise<ChatMessage[]> {
  return listAfter('seq', positions.map((p) => ({ roomId: p.roomId, after: p.afterSeq })));
}

/** The same for changes: messages changed after a rev in each room, by rev, at most REPLAY_LIMIT per room. */
export function listChangesAfter(positions: { roomId: string; afterRev: number }[]): Promise<ChatMessage[]> {
  return listAfter('rev', positions.map((p) => ({ roomId: p.roomId, after: p.afterRev })));
}

/** Per room, the messages whose `cursor` (seq: new ones; rev: changed ones) is past a position, in that order. */
async function listAfter(cursor: 'seq' | 'rev', positions: { roomId: string; after: number }[]): Promise<ChatMessage[]> {
  if (positions.length === 0) return [];
  const column = Prisma.raw(cursor);
  const rows = await getDb().$queryRaw<MessageRow[]>`
    SELECT ${messageColumns('m')}
    FROM unnest(${positions.map((p) => p.roomId)}::text[], ${positions.map((p) => p.after)}::int[]) AS pos(room_id, after)
    CROSS JOIN LATERAL (
      SELECT * FROM messages WHERE room_id = pos.room_id AND ${column} > pos.after ORDER BY ${column} LIMIT ${REPLAY_LIMIT}
    ) m
    ORDER BY m.room_id, m.${column}`;
  return rows.map(toChatMessage);
}
