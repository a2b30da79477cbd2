/**
 * Changes to stored messages: edit, delete, reactions — and members' read positions in threads.
 *
 * Every change runs in one transaction that first locks the room's row, then the message's, and writes the
 * room's next change cursor (`rooms.last_rev + 1`) into the message's `rev`. Revs are therefore gapless
 * and committed in order per room, as seqs are, and "the copy with the higher rev is newer" holds on
 * every client whatever order broadcasts arrive in: two quick edits never end with the older text.
 * A change that changes nothing (a retried edit, a second add of the same reaction, deleting a tombstone)
 * takes no rev and returns the message as it is.
 */
import { Prisma } from '@/generated/prisma/client.ts';
import { getDb } from '../db';
import { AppError } from '../errors';
import { mentionCandidates } from '../schemas/mentions';
import { MAX_REACTION_EMOJI, REACTION_USERS_LISTED, type ChatMessage } from '../schemas/message';
import { hasRole, isConversation } from '../schemas/room';
import { deleteMessageAttachments } from './attachments';
import { recordAudit } from './audit';
import { messageColumns, toChatMessage, type MessageRow } from './message-rows';
import { actingMember, assertMayWrite, lockRoom, mayMentionRoom, messageDeleted, messageNotFound, readMessage, stripAuthorId, type ActingMember, type LockedRoom } from './messages';
import { requireMembership } from './rooms';

/** A change's outcome: the message as it is now, and whether it changed (only then is it broadcast). */
export interface MessageChange {
  message: ChatMessage;
  changed: boolean;
}

type Tx = Parameters<Parameters<ReturnType<typeof getDb>['$transaction']>[0]>[0];

/**
 * Every change in a room queues on the room's row lock. A burst (a room reacting to one message at once)
 * waits its turn: Prisma's defaults (2 s to get a connection, 5 s to finish) turned the tail of a queue
 * of ~35 changes on a busy machine into INTERNAL errors (lib/realtime/message-lifecycle.int.test.ts).
 */
const CHANGE_TRANSACTION = { maxWait: 10_000, timeout: 20_000 } as const;

/** Locks the room and the message, checks membership, and hands both to `work`. */
async function withMessage<T>(
  input: { roomId: string; userId: string; seq: number },
  work: (context: {
    tx: Tx;
    room: LockedRoom;
    member: ActingMember;
    message: ChatMessage & { authorId: string };
  }) => Promise<T>,
): Promise<T> {
  return getDb().$transaction(async (tx) => {
    // The membership is read in a statement of its own, after the room's lock is held: a statement that waited
    // for that lock would read memberships as they were before the wait, and miss a kick committed meanwhile.
    const room = await lockRoom(tx, input.roomId);
    const member = await actingMember(tx, room, input.roomId, input.userId);
    const message = await readMessage(tx, input.roomId, input.seq, { lock: true });
    if (!message) throw messageNotFound(input.seq);
    return work({ tx, room, member, message });
  }, CHANGE_TRANSACTION);
}

/**
 * The change's last statement: takes the room's next rev, writes it and `set` into the message, and returns the
 * message as it now is — one round trip, as the room's lock is held until commit (and other changes of the room
 * wait for it) for every statement a change makes.
 */
async function writeChange(tx: Tx, input: { roomId: string; seq: number; room: LockedRoom }, set: Prisma.Sql): Promise<ChatMessage> {
  const rows = await tx.$queryRaw<MessageRow[]>`
    WITH rev AS (
      UPDATE rooms SET last_rev = ${input.room.lastRev + 1} WHERE id = ${input.roomId} RETURNING last_rev
    )
    UPDATE messages m SET rev = (SELECT last_rev FROM rev), ${set}
    WHERE m.room_id = ${input.roomId} AND m.seq = ${input.seq}
    RETURNING ${messageColumns('m')}`;
  return toChatMessage(rows[0]!);
}

/**
 * The author replaces the body. `clientId` names this edit: a retry of an edit already applied changes
 * nothing (also after a later edit), and so does an edit to the same text (whose key is kept all the same).
 * The previous body is kept in message_edits for moderation; mentions are resolved again (a mention added
 * by an edit does not notify).
 */
export async function editMessage(input: { roomId: string; userId: string; seq: number; clientId: string; body: string }): Promise<MessageChange> {
  return withMessage(input, async ({ tx, room, member, message }) => {
    assertMayWrite(room, member, true);
    if (message.deletedAt) throw messageDeleted('edited');
    if (message.authorId !== input.userId) throw new AppError('FORBIDDEN', 'Only its author can edit a message.');
    if (message.call) throw new AppError('FORBIDDEN', 'A call entry cannot be edited.');
    if (message.event) throw new AppError('FORBIDDEN', 'A room event cannot be edited.');
    if (!input.body && message.attachments.length === 0) {
      throw new AppError('INVALID_PAYLOAD', 'The message is empty.', { issues: [{ path: 'body', message: 'The message is empty.' }] });
    }
    // The edit's key is kept whether or not the text changes: an edit retried after a later one must not bring
    // its text back. A key already there means this edit was applied before.
    const keyed = await tx.$executeRaw`
      INSERT INTO message_edits (message_id, client_id, previous_body) VALUES (${BigInt(message.id)}, ${input.clientId}::uuid, ${message.body})
      ON CONFLICT (message_id, client_id) DO NOTHING`;
    if (keyed === 0 || message.body === input.body) return { message: stripAuthorId(message), changed: false };
    const { names, room: wantsRoom } = mentionCandidates(input.body);
    const mentionsRoom = wantsRoom && mayMentionRoom(room.roomMentions, member.role);
    const edited = await writeChange(
      tx,
      { ...input, room },
      Prisma.sql`body = ${input.body}, edited_at = now(), mentions_room = ${mentionsRoom},
        mentions = ARRAY(SELECT u.id FROM users u JOIN memberships mm ON mm.room_id = ${input.roomId} AND mm.user_id = u.id
                         WHERE u.username = ANY (${names}::text[]))`,
    );
    return { message: edited, changed: true };
  });
}

/**
 * The author, or a moderator, admin or the owner of the room (not in conversations, which have none), deletes a message: its body,
 * previous versions, reactions, mentions and files are removed from the database (the files' bytes from
 * storage by lib/files/garbage.ts), and a tombstone keeps its seq
 * (no gap). Deleting a tombstone changes nothing. A thread keeps its replies under a deleted root.
 */
export async function deleteMessage(input: { roomId: string; userId: string; seq: number; ip?: string | null }): Promise<MessageChange> {
  return withMessage(input, async ({ tx, room, member, message }) => {
    assertMayWrite(room, member, false);
    const isAuthor = message.authorId === input.userId;
    if (!isAuthor && !(hasRole(member.role, 'moderator') && !isConversation(room.kind))) {
      throw new AppError('FORBIDDEN', 'Only its author or the room’s moderators can delete a message.');
    }
    if (message.deletedAt) return { message: stripAuthorId(message), changed: false };
    const id = BigInt(message.id);
    await tx.$executeRaw`
      WITH edits AS (DELETE FROM message_edits WHERE message_id = ${id})
      DELETE FROM message_reactions WHERE message_id = ${id}`;
    await deleteMessageAttachments(tx, id);
    const deleted = await writeChange(
      tx,
      { ...input, room },
      Prisma.sql`body = '', deleted_at = now(), reactions = '[]', mentions = '{}', mentions_room = false,
        attachments = '[]', call = NULL, event = NULL`,
    );
    if (!isAuthor) {
      await recordAudit(
        { kind: 'message.deleted_by_moderator', actorId: input.userId, ip: input.ip ?? null, details: { roomId: input.roomId, seq: input.seq, authorId: message.authorId } },
        tx,
      );
    }
    return { message: deleted, changed: true };
  });
}

/**
 * Adds or removes my reaction. Idempotent: adding what is there or removing what is not changes nothing.
 * A message carries at most MAX_REACTION_EMOJI distinct emoji; tombstones take none.
 */
export async function setReaction(input: { roomId: string; userId: string; seq: number; emoji: string; add: boolean }): Promise<MessageChange> {
  return withMessage(input, async ({ tx, room, member, message }) => {
    assertMayWrite(room, member, input.add);
    if (message.deletedAt) throw messageDeleted('reacted to');
    const id = BigInt(message.id);
    let changed: number;
    if (input.add) {
      const present = message.reactions.some((r) => r.emoji === input.emoji);
      if (!present && message.reactions.length >= MAX_REACTION_EMOJI) {
        throw new AppError('CONFLICT', `A message can have at most ${MAX_REACTION_EMOJI} different reactions.`);
      }
      changed = await tx.$executeRaw`
        INSERT INTO message_reactions (message_id, emoji, user_id) VALUES (${id}, ${input.emoji}, ${input.userId}::uuid)
        ON CONFLICT DO NOTHING`;
    } else {
      changed = await tx.$executeRaw`
        DELETE FROM message_reactions WHERE message_id = ${id} AND emoji = ${input.emoji} AND user_id = ${input.userId}::uuid`;
    }
    if (changed === 0) return { message: stripAuthorId(message), changed: false };
    // The summary clients get: emoji in the order first used, reactors earliest first (the first few listed).
    const reacted = await writeChange(
      tx,
      { ...input, room },
      Prisma.sql`reactions = coalesce((
        SELECT jsonb_agg(jsonb_build_object('emoji', e.emoji, 'count', e.n, 'userIds', e.user_ids) ORDER BY e.first_at, e.emoji)
        FROM (
          SELECT emoji, count(*)::int AS n, min(created_at) AS first_at,
                 (array_agg(user_id::text ORDER BY created_at, user_id))[1:${REACTION_USERS_LISTED}] AS user_ids
          FROM message_reactions WHERE message_id = ${id} GROUP BY emoji
        ) e
      ), '[]'::jsonb)`,
    );
    return { message: reacted, changed: true };
  });
}

/** Thread read positions listed in room:ready. */
export const THREAD_READS_LISTED = 200;

/**
 * "I have seen this thread's replies up to `seq`": forward only, clamped to the thread's last reply.
 * Members only; the root must be a thread root of the room.
 */
export async function markThreadRead(input: { roomId: string; userId: string; rootSeq: number; seq: number }): Promise<{ lastReadSeq: number; changed: boolean }> {
  const rows = await getDb().$queryRaw<{ last_read_seq: number; before: number | null }[]>`
    WITH root AS (
      SELECT m.seq, coalesce(m.last_reply_seq, m.seq) AS top FROM messages m
      WHERE m.room_id = ${input.roomId} AND m.seq = ${input.rootSeq} AND m.thread_root_seq IS NULL
    ), member AS (
      SELECT 1 FROM memberships WHERE room_id = ${input.roomId} AND user_id = ${input.userId}::uuid
    ), before AS (
      SELECT last_read_seq FROM thread_reads WHERE room_id = ${input.roomId} AND user_id = ${input.userId}::uuid AND root_seq = ${input.rootSeq}
    )
    INSERT INTO thread_reads (room_id, user_id, root_seq, last_read_seq)
    SELECT ${input.roomId}, ${input.userId}::uuid, root.seq, LEAST(${input.seq}, root.top) FROM root, member
    ON CONFLICT (room_id, user_id, root_seq) DO UPDATE
      SET last_read_seq = GREATEST(thread_reads.last_read_seq, EXCLUDED.last_read_seq), updated_at = now()
    RETURNING last_read_seq, (SELECT last_read_seq FROM before) AS before`;
  const row = rows[0];
  if (!row) {
    await requireMembership({ roomId: input.roomId, userId: input.userId }); // NOT_FOUND / FORBIDDEN first
    throw messageNotFound(input.rootSeq, 'rootSeq');
  }
  return { lastReadSeq: row.last_read_seq, changed: row.before !== row.last_read_seq };
}

/** My most recently read threads of a room (for room:ready). */
export async function listThreadReads(input: { roomId: string; userId: string }): Promise<{ rootSeq: number; lastReadSeq: number }[]> {
  return getDb().$queryRaw<{ rootSeq: number; lastReadSeq: number }[]>`
    SELECT root_seq AS "rootSeq", last_read_seq AS "lastReadSeq" FROM thread_reads
    WHERE room_id = ${input.roomId} AND user_id = ${input.userId}::uuid
    ORDER BY updated_at DESC LIMIT ${THREAD_READS_LISTED}`;
}
