/**
 * reaction:add / reaction:remove payloads. Server-only (the emoji table is read from emojibase-data on
 * disk): the emoji must be exactly one emoji the picker offers, and is stored in one canonical form, so 👍
 * typed with or without U+FE0F is the same reaction.
 */
import { z } from 'zod';
import { normalizeEmoji } from '../emoji/single-emoji';
import { messageSeqSchema } from './message';
import { plainText } from './text';

export const emojiSchema = plainText(z.string({ error: 'emoji must be text.' }).max(64, 'emoji must be a single emoji.'), { label: 'The emoji' })
  .refine((text) => normalizeEmoji(text) !== null, 'emoji must be a single emoji.')
  .transform((text) => normalizeEmoji(text)!);

/** Idempotent: adding twice or removing what is not there changes nothing. */
export const reactionSchema = z.strictObject({ seq: messageSeqSchema, emoji: emojiSchema });
export type ReactionInput = z.input<typeof reactionSchema>;
