/**
 * How a stored message is read and turned into its wire shape (ChatMessage), in one place for every query
 * that returns messages: history, replay, resync, sends, changes. The quoted message and the thread's
 * participants are read with the message, so a client gets them in the state of that moment.
 */
import { Prisma } from '@/generated/prisma/client.ts';
import { toAttachment, type StoredAttachment } from '../schemas/attachment';
import type { CallEntry } from '../schemas/call';
import type { RoomEvent } from '../schemas/room-event';
import type { ChatMessage, QuotedMessage, Reaction } from '../schemas/message';
import type { PublicUser } from '../schemas/user';

/** Code points of a quoted message's body shown with a quote-reply. */
export const QUOTE_SNIPPET_CHARS = 200;
/** Repliers listed in a thread summary. */
export const THREAD_PARTICIPANTS_LISTED = 5;

export interface MessageRow {
  id: bigint;
  roomId: string;
  seq: number;
  clientId: string;
  body: string;
  createdAt: Date;
  editedAt: Date | null;
  deletedAt: Date | null;
  rev: number;
  threadRootSeq: number | null;
  alsoInRoom: boolean;
  replyCount: number;
  lastReplySeq: number | null;
  lastReplyAt: Date | null;
  reactions: Reaction[];
  mentions: string[] | null;
  mentionsRoom: boolean;
  attachments: StoredAttachment[];
  call: CallEntry | null;
  event: RoomEvent | null;
  author: PublicUser;
  /** Absent when read with ownColumns only. */
  replyTo?: QuotedMessage | null;
  participants?: PublicUser[] | null;
}

const userJson = (alias: string) =>
  Prisma.raw(`json_build_object('id', ${alias}.id, 'username', ${alias}.username, 'displayName', ${alias}.display_name, 'avatar', ${alias}.avatar)`);

/** The columns of the row itself and its author (a key lookup): all a new top-level message needs. */
export function ownColumns(alias = 'm'): Prisma.Sql {
  const m = Prisma.raw(alias);
  return Prisma.sql`
    ${m}.id, ${m}.room_id AS "roomId", ${m}.seq, ${m}.client_id AS "clientId", ${m}.body,
    ${m}.created_at AS "createdAt", ${m}.edited_at AS "editedAt", ${m}.deleted_at AS "deletedAt", ${m}.rev,
    ${m}.thread_root_seq AS "threadRootSeq", ${m}.also_in_room AS "alsoInRoom", ${m}.reply_count AS "replyCount",
    ${m}.last_reply_seq AS "lastReplySeq", ${m}.last_reply_at AS "lastReplyAt", ${m}.reactions,
    ${m}.mentions::text[] AS mentions, ${m}.mentions_room AS "mentionsRoom", ${m}.attachments, ${m}.call, ${m}.event,
    (SELECT ${userJson('au')} FROM users au WHERE au.id = ${m}.author_id) AS author`;
}

/**
 * The select list for a `messages` row under `alias` (a table alias or CTE with the messages columns):
 * its own columns, the quoted message and the thread's participants. Everything is reached by key (users
 * by id, the quoted message by (room_id, seq)), so it costs an index probe or two per row.
 */
export function messageColumns(alias = 'm'): Prisma.Sql {
  const m = Prisma.raw(alias);
  return Prisma.sql`
    ${ownColumns(alias)},
    CASE WHEN ${m}.reply_to_seq IS NULL THEN NULL ELSE (
      SELECT json_build_object('seq', q.seq, 'author', ${userJson('qu')},
                               'snippet', left(q.body, ${QUOTE_SNIPPET_CHARS}), 'deleted', q.deleted_at IS NOT NULL,
                               'attachments', (SELECT COALESCE(json_agg(json_build_object('kind', f->>'kind', 'name', f->>'name',
                                                                                          'voice', (f->>'voice')::boolean)), '[]')
                                               FROM jsonb_array_elements(q.attachments) f),
                               'call', CASE WHEN q.call IS NULL THEN NULL
                                            ELSE json_build_object('kind', q.call->'kind', 'outcome', q.call->'outcome') END)
      FROM messages q JOIN users qu ON qu.id = q.author_id
      WHERE q.room_id = ${m}.room_id AND q.seq = ${m}.reply_to_seq
    ) END AS "replyTo",
    CASE WHEN ${m}.reply_count = 0 THEN NULL ELSE (
      SELECT json_agg(${userJson('pu')} ORDER BY array_position(${m}.thread_participants, pu.id))
      FROM users pu WHERE pu.id = ANY (${m}.thread_participants)
    ) END AS participants`;
}

export function toChatMessage(row: MessageRow): ChatMessage {
  return {
    id: row.id.toString(),
    roomId: row.roomId,
    seq: row.seq,
    clientId: row.clientId,
    author: row.author,
    body: row.body,
    createdAt: row.createdAt.toISOString(),
    editedAt: row.editedAt?.toISOString() ?? null,
    deletedAt: row.deletedAt?.toISOString() ?? null,
    rev: row.rev,
    threadRootSeq: row.threadRootSeq,
    alsoInRoom: row.alsoInRoom,
    replyTo: row.replyTo ?? null,
    thread:
      row.replyCount > 0 && row.lastReplySeq !== null && row.lastReplyAt !== null
        ? {
            replyCount: row.replyCount,
            lastReplySeq: row.lastReplySeq,
            lastReplyAt: row.lastReplyAt.toISOString(),
            participants: row.participants ?? [],
          }
        : null,
    reactions: row.reactions,
    mentions: row.mentions ?? [],
    mentionsRoom: row.mentionsRoom,
    attachments: row.attachments.map(toAttachment),
    call: row.call ?? null,
    event: row.event ?? null,
  };
}
