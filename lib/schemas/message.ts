/** Message rules and wire shapes. */
import { z } from 'zod';
import { plainText } from './text';
import type { PublicUser } from './user';

export const MESSAGE_MAX_CHARS = 2000;
/** History page size bounds. */
export const HISTORY_DEFAULT_LIMIT = 50;
export const HISTORY_MAX_LIMIT = 100;
/** At most this many messages are replayed on reconnect; beyond it the client reloads the latest page. */
export const REPLAY_LIMIT = 500;

/** Characters as people count them (code points), not UTF-16 units. */
export function charCount(text: string): number {
  let n = 0;
  for (const _ of text) n += 1;
  return n;
}

export const messageBodySchema = plainText(
  z
    .string({ error: 'The message body must be text.' })
    .trim()
    .min(1, 'The message is empty.')
    .refine((body) => charCount(body) <= MESSAGE_MAX_CHARS, `A message can be at most ${MESSAGE_MAX_CHARS} characters.`),
  { kind: 'multi-line', label: 'A message' },
);

export const sendMessageSchema = z.strictObject({
  /** Made once per message by the client and reused on every retry: the idempotency key. */
  clientId: z.uuid({ error: 'clientId must be a UUID.' }),
  body: messageBodySchema,
});
export type SendMessageInput = z.infer<typeof sendMessageSchema>;

const seqParam = z.coerce.number().int().min(0).max(2_147_483_647);

/** Query string of GET /api/rooms/:id/messages. */
export const historyQuerySchema = z
  .strictObject({
    before: seqParam.optional(),
    after: seqParam.optional(),
    limit: z.coerce.number().int().min(1).max(HISTORY_MAX_LIMIT).default(HISTORY_DEFAULT_LIMIT),
    author: plainText(z.string().trim().toLowerCase().min(1).max(32), { label: 'author' }).optional(),
    from: z.iso.datetime({ offset: true }).optional(),
    to: z.iso.datetime({ offset: true }).optional(),
  })
  .refine((q) => q.before === undefined || q.after === undefined, {
    message: 'Use either before or after, not both.',
    path: ['after'],
  });
export type HistoryQuery = z.infer<typeof historyQuerySchema>;

/** The catch-up position a client sends in the room namespace handshake (`auth.lastSeq`). */
export const handshakeAuthSchema = z.object({ lastSeq: seqParam.optional() });

export interface ChatMessage {
  id: string;
  roomId: string;
  seq: number;
  clientId: string;
  author: PublicUser;
  body: string;
  createdAt: string;
  editedAt: string | null;
}

export interface HistoryPage {
  messages: ChatMessage[];
  /** More messages exist beyond this page in the direction asked. */
  hasMore: boolean;
}
