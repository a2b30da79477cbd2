/** Message rules and wire shapes. */
import { z } from 'zod';
import type { CallEntry } from './call';
import type { RoomEvent } from './room-event';
import { attachmentIdsSchema, type Attachment } from './attachment';
import { plainText } from './text';
import type { PublicUser } from './user';
import { charCount, HISTORY_DEFAULT_LIMIT, HISTORY_MAX_LIMIT, MESSAGE_MAX_CHARS } from './limits';

// Defined zod-free in ./limits (the browser imports them from there).
export { charCount, HISTORY_DEFAULT_LIMIT, HISTORY_MAX_LIMIT, MESSAGE_MAX_CHARS, REPLAY_LIMIT } from './limits';

export const messageBodySchema = plainText(
  z
    .string({ error: 'The message body must be text.' })
    .trim()
    .min(1, 'The message is empty.')
    .refine((body) => charCount(body) <= MESSAGE_MAX_CHARS, `A message can be at most ${MESSAGE_MAX_CHARS} characters.`),
  { kind: 'multi-line', label: 'A message' },
);

/**
 * A body that may be empty: the caption of a message with files. Whether empty is allowed depends on the
 * attachments (checked with them, below for sends, in lib/data for edits).
 */
export const captionSchema = plainText(
  z
    .string({ error: 'The message body must be text.' })
    .trim()
    .refine((body) => charCount(body) <= MESSAGE_MAX_CHARS, `A message can be at most ${MESSAGE_MAX_CHARS} characters.`),
  { kind: 'multi-line', label: 'A message' },
);

const clientIdSchema = z.uuid({ error: 'clientId must be a UUID.' }).toLowerCase();
/** A message's seq in a payload: a JSON number (a string is refused), ≥ 1. */
export const messageSeqSchema = z.number({ error: 'seq must be a number.' }).int().min(1, 'seq must be ≥ 1.').max(2_147_483_647);

export const sendMessageSchema = z
  .strictObject({
    /** Made once per message by the client and reused on every retry: the idempotency key. */
    clientId: clientIdSchema,
    /** The text; may be empty or left out when the message carries files (then it is their caption). */
    body: captionSchema.default(''),
    /** Ids of the sender's uploads to this room (docs/protocol.md §4.11), in display order. */
    attachments: attachmentIdsSchema.optional(),
    /** A reply in the thread of this message (a top-level message of the same room). */
    threadRootSeq: messageSeqSchema.optional(),
    /** A thread reply that is also shown in the room's main timeline ("also send to room"). */
    alsoInRoom: z.boolean({ error: 'alsoInRoom must be true or false.' }).optional(),
    /** A quote-reply to this message of the same room. */
    replyToSeq: messageSeqSchema.optional(),
  })
  .refine((m) => m.body.length > 0 || (m.attachments?.length ?? 0) > 0, {
    message: 'The message is empty.',
    path: ['body'],
  })
  .refine((m) => m.alsoInRoom === undefined || m.threadRootSeq !== undefined, {
    message: 'alsoInRoom applies to thread replies only.',
    path: ['alsoInRoom'],
  });
export type SendMessageInput = z.input<typeof sendMessageSchema>;

/** message:edit — the author replaces the body; `clientId` is made once per edit and reused on retry. */
export const editMessageSchema = z.strictObject({
  seq: messageSeqSchema,
  clientId: clientIdSchema,
  /** "" only for a message with attachments (lib/data/message-changes.ts checks). */
  body: captionSchema,
});
export type EditMessageInput = z.input<typeof editMessageSchema>;

/** message:delete — the author, or the room's owner, turns a message into a tombstone. */
export const deleteMessageSchema = z.strictObject({ seq: messageSeqSchema });
export type DeleteMessageInput = z.input<typeof deleteMessageSchema>;

/** Distinct emoji one message may carry. */
export const MAX_REACTION_EMOJI = 20;
/** Reactors listed per emoji in a message (the first ones); `count` has them all. */
export const REACTION_USERS_LISTED = 100;

/** thread:mark — my read position in one thread (the seq of the newest reply I have seen). */
export const markThreadReadSchema = z.strictObject({ rootSeq: messageSeqSchema, seq: messageSeqSchema });
export type MarkThreadReadInput = z.input<typeof markThreadReadSchema>;

const seqParam = z.coerce.number().int().min(0).max(2_147_483_647);

/** Query string of GET /api/rooms/:id/messages. */
export const historyQuerySchema = z
  .strictObject({
    before: seqParam.optional(),
    after: seqParam.optional(),
    /** The page centred on this seq (jump to a message). */
    around: seqParam.optional(),
    /** Messages changed after this room change cursor (`rev`), ascending by rev: healing missed changes. */
    changedAfter: seqParam.optional(),
    /** The replies of the thread rooted at this seq (with before/after cursors). */
    thread: seqParam.optional(),
    limit: z.coerce.number().int().min(1).max(HISTORY_MAX_LIMIT).default(HISTORY_DEFAULT_LIMIT),
    author: plainText(z.string().trim().toLowerCase().min(1).max(32), { label: 'author' }).optional(),
    from: z.iso.datetime({ offset: true }).optional(),
    to: z.iso.datetime({ offset: true }).optional(),
  })
  .refine((q) => [q.before, q.after, q.around, q.changedAfter].filter((v) => v !== undefined).length <= 1, {
    message: 'Use at most one of before, after, around and changedAfter.',
    path: ['after'],
  })
  .refine((q) => q.changedAfter === undefined || (q.thread === undefined && !q.author && !q.from && !q.to), {
    message: 'changedAfter takes no filters.',
    path: ['changedAfter'],
  })
  .refine((q) => q.thread === undefined || q.around === undefined, {
    message: 'A thread is paged with before or after.',
    path: ['around'],
  });
export type HistoryQuery = z.infer<typeof historyQuerySchema>;

/**
 * The catch-up position a client sends in the room namespace handshake: `lastSeq` (newest contiguous
 * message held) and `lastRev` (newest contiguous change held).
 */
export const handshakeAuthSchema = z.object({ lastSeq: seqParam.optional(), lastRev: seqParam.optional() });

/** One emoji's reactions on a message. */
export interface Reaction {
  emoji: string;
  count: number;
  /** Who reacted, earliest first: all of them up to REACTION_USERS_LISTED. */
  userIds: string[];
}

/** The thread under a message (top-level messages with at least one reply). */
export interface ThreadSummary {
  replyCount: number;
  lastReplySeq: number;
  lastReplyAt: string;
  /** The most recent distinct repliers, newest first (at most 5). */
  participants: PublicUser[];
}

/** The message a quote-reply quotes, as it was when this reply was read from the server. */
export interface QuotedMessage {
  seq: number;
  author: PublicUser;
  /** The start of its body (at most 200 code points); "" once it is deleted. */
  snippet: string;
  deleted: boolean;
  /** What files it carried (a file-only message has no snippet to show): kind, name, voice — in order. */
  attachments: Pick<Attachment, 'kind' | 'name' | 'voice'>[];
  /** A call entry (it has no body either): what kind of call and how it ended; null otherwise and once deleted. */
  call: Pick<CallEntry, 'kind' | 'outcome'> | null;
}

export interface ChatMessage {
  id: string;
  roomId: string;
  seq: number;
  clientId: string;
  author: PublicUser;
  /** "" once deleted. */
  body: string;
  createdAt: string;
  editedAt: string | null;
  /** A tombstone: the body, reactions and previous versions are gone; seq stays. */
  deletedAt: string | null;
  /**
   * The room's change cursor at this message's last change (edit, delete, reaction, a reply in its thread);
   * 0 if never changed. Of two copies of a message, the one with the higher rev is the newer state.
   */
  rev: number;
  /** Set on thread replies: the seq of the thread's root message. */
  threadRootSeq: number | null;
  /** A thread reply also shown in the main timeline. */
  alsoInRoom: boolean;
  replyTo: QuotedMessage | null;
  /** Roots only, once they have replies. */
  thread: ThreadSummary | null;
  reactions: Reaction[];
  /** Members mentioned by @username (ids), as of the last edit. */
  mentions: string[];
  /** @room / @here, by someone allowed to. */
  mentionsRoom: boolean;
  /** Files sent with it, in order (docs/protocol.md §4.11); [] when none and on tombstones. */
  attachments: Attachment[];
  /** A call's entry (body ""): written by the server under the caller's name when the call ends (§4.12); null otherwise and on tombstones. */
  call: CallEntry | null;
  /**
   * A room event's line (body ""): a change to the room written under the name of who made it (§4.13);
   * null otherwise and on tombstones. It cannot be edited; moderators may delete it.
   */
  event: RoomEvent | null;
}

export interface HistoryPage {
  messages: ChatMessage[];
  /** More messages exist beyond this page in the direction asked (`around`: older ones). */
  hasMore: boolean;
  /** `around` only: newer messages exist after this page. */
  hasNewer?: boolean;
  /** The room's change cursor when the page was read: the page reflects every change up to it. */
  lastRev?: number;
  /** `thread` only: the thread's root message. */
  root?: ChatMessage;
}

/** What a room socket gets once per connect, after room:ready (docs/protocol.md §4.5). */
export interface MessageReplay {
  /** Messages after the handshake's lastSeq, ascending by seq, in their current state. */
  messages: ChatMessage[];
  /**
   * Messages at or below the handshake's lastSeq changed after its lastRev, ascending by rev, in their
   * current state (empty without a lastRev).
   */
  changes: ChatMessage[];
  /** Too much was missed (messages or changes): drop local state and reload the newest page. */
  truncated: boolean;
  lastSeq: number;
  lastRev: number;
}
