/**
 * Files and images: the wire shapes of attachments and the rules for what an upload may say about itself.
 * The bytes' type is decided by the server from the content (lib/files/inspect.ts); the client names the
 * file and, for a voice message, describes its sound (duration, waveform) for display only.
 */
import { z } from 'zod';
import { MAX_ATTACHMENTS_PER_MESSAGE, VOICE_MAX_DURATION_MS, WAVEFORM_MAX_BARS } from './limits';
import { plainText } from './text';

/** Longest stored file name, in UTF-8 bytes (common file systems' limit). */
export const FILE_NAME_MAX_BYTES = 255;
// Defined zod-free in ./limits (the browser imports them from there).
export { formatBytes, MAX_ATTACHMENTS_PER_MESSAGE, VOICE_MAX_DURATION_MS, WAVEFORM_MAX_BARS } from './limits';

export const ATTACHMENT_KINDS = ['image', 'video', 'audio', 'file'] as const;
export type AttachmentKind = (typeof ATTACHMENT_KINDS)[number];

// Control characters and direction overrides (refused by the schema; removed here too for other callers)
// and the characters Windows refuses in names.
const UNSAFE_IN_NAME = /[\u0000-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C<>:"|?*]/g;

/** Cuts a string to at most `maxBytes` of UTF-8 without splitting a character. */
function cutToBytes(text: string, maxBytes: number): string {
  let out = '';
  let bytes = 0;
  for (const ch of text) {
    const size = Buffer.byteLength(ch, 'utf8');
    if (bytes + size > maxBytes) break;
    out += ch;
    bytes += size;
  }
  return out;
}

/**
 * A client's file name made safe to store, show and send back in Content-Disposition: the last path
 * segment only (no `../`, no folders), no control or direction characters, no leading dots (hidden files),
 * NFC, at most FILE_NAME_MAX_BYTES with the extension kept. Never empty: "file" stands in.
 */
export function sanitizeFileName(raw: string): string {
  const lastSegment = raw.normalize('NFC').split(/[/\\]/).pop() ?? '';
  const cleaned = lastSegment.replace(UNSAFE_IN_NAME, '').replace(/\s+/g, ' ').trim().replace(/^[.\s]+/, '').replace(/[.\s]+$/, '');
  if (!cleaned) return 'file';
  if (Buffer.byteLength(cleaned, 'utf8') <= FILE_NAME_MAX_BYTES) return cleaned;
  const dot = cleaned.lastIndexOf('.');
  const extension = dot > 0 && cleaned.length - dot <= 16 ? cleaned.slice(dot) : '';
  const stem = cleaned.slice(0, cleaned.length - extension.length);
  return cutToBytes(stem, FILE_NAME_MAX_BYTES - Buffer.byteLength(extension, 'utf8')).trimEnd() + extension;
}

/**
 * The name as a client sent it (query `name`). Control characters and direction overrides are refused by the
 * shared text rule (a name that hides its real extension is an attack, not a typo); the rest is made safe
 * by sanitizeFileName rather than refused, since people do not choose their files' names for us.
 */
const fileNameSchema = plainText(z.string({ error: 'name must be text.' }).max(4096, 'The file name is too long.'), {
  kind: 'name',
  label: 'The file name',
}).transform(sanitizeFileName);

const flag = z.enum(['1', 'true', '0', 'false'], { error: 'Use 1 or 0.' }).transform((v) => v === '1' || v === 'true');

/**
 * The query string of POST /api/rooms/:roomId/uploads. `waveform` is the voice message's bars as
 * base64url bytes (0–255 each, at most WAVEFORM_MAX_BARS).
 */
export const uploadQuerySchema = z
  .strictObject({
    name: fileNameSchema,
    voice: flag.optional(),
    durationMs: z.coerce.number({ error: 'durationMs must be a number.' }).int().min(0).max(VOICE_MAX_DURATION_MS).optional(),
    waveform: plainText(
      z
        .string()
        .max(Math.ceil((WAVEFORM_MAX_BARS * 4) / 3) + 4, `The waveform can have at most ${WAVEFORM_MAX_BARS} bars.`)
        .regex(/^[A-Za-z0-9_-]*$/, 'The waveform must be base64url.'),
      { label: 'The waveform' },
    )
      .transform((text) => [...Buffer.from(text, 'base64url')])
      .pipe(z.array(z.number()).max(WAVEFORM_MAX_BARS, `The waveform can have at most ${WAVEFORM_MAX_BARS} bars.`))
      .optional(),
  })
  .refine((q) => q.voice === true || (q.durationMs === undefined && q.waveform === undefined), {
    message: 'durationMs and waveform describe voice messages only (voice=1).',
    path: ['durationMs'],
  });
export type UploadQuery = z.infer<typeof uploadQuerySchema>;

/** Attachment ids in message:send. */
export const attachmentIdsSchema = z
  .array(z.uuid({ error: 'An attachment id must be a UUID.' }).toLowerCase(), { error: 'attachments must be a list of ids.' })
  .min(1, 'attachments lists at least one file (leave it out for none).')
  .max(MAX_ATTACHMENTS_PER_MESSAGE, `A message can carry at most ${MAX_ATTACHMENTS_PER_MESSAGE} files.`)
  .refine((ids) => new Set(ids).size === ids.length, 'The same file is listed twice.');

/** Query string of GET /api/rooms/:roomId/files. */
export const roomFilesQuerySchema = z.strictObject({
  /** Files shared before this attachment id (the previous page's nextCursor). */
  before: z.uuid({ error: 'before must be a cursor from a previous page.' }).toLowerCase().optional(),
  kind: z.enum(ATTACHMENT_KINDS, { error: `kind is one of ${ATTACHMENT_KINDS.join(', ')}.` }).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});
export type RoomFilesQuery = z.infer<typeof roomFilesQuerySchema>;

/** The image's preview: a WebP no larger than THUMBNAIL_MAX_EDGE on its longer side. */
export interface ThumbnailInfo {
  width: number;
  height: number;
  url: string;
}

/** One file as clients see it (in ChatMessage.attachments, upload answers and the Files view). */
export interface Attachment {
  id: string;
  /** The sanitized name the uploader gave (shown, and offered when saving). */
  name: string;
  /** Bytes, as served. */
  size: number;
  /** Decided from the content by the server. */
  contentType: string;
  kind: AttachmentKind;
  /** Images (and nothing else): pixel size of the served image, after EXIF rotation. */
  width: number | null;
  height: number | null;
  thumbnail: ThumbnailInfo | null;
  /** Voice messages: what the recording client measured. */
  voice: boolean;
  durationMs: number | null;
  waveform: number[] | null;
  /** Same-origin URL of the bytes; requires a session that may read the room. */
  url: string;
}

/** How an attachment is stored in messages.attachments (the URLs are derived, not stored). */
export type StoredAttachment = Omit<Attachment, 'url' | 'thumbnail'> & { thumbnail: Omit<ThumbnailInfo, 'url'> | null };

export function fileUrl(id: string): string {
  return `/api/files/${id}`;
}

export function thumbnailUrl(id: string): string {
  return `/api/files/${id}/thumbnail`;
}

/** The wire shape of a stored attachment. */
export function toAttachment(stored: StoredAttachment): Attachment {
  return {
    ...stored,
    url: fileUrl(stored.id),
    thumbnail: stored.thumbnail ? { ...stored.thumbnail, url: thumbnailUrl(stored.id) } : null,
  };
}

/** One row of a room's Files view. */
export interface SharedFile {
  attachment: Attachment;
  /** The message it came with (open it with `around`; a thread reply with its thread). */
  seq: number;
  threadRootSeq: number | null;
  author: { id: string; username: string; displayName: string };
  createdAt: string;
}

export interface RoomFilesPage {
  files: SharedFile[];
  /** Pass as `before` for the next (older) page; null when there is none. */
  nextCursor: string | null;
}

/** GET /api/uploads: what the caller may upload. */
export interface UploadLimits {
  maxBytes: number;
  maxFilesPerMessage: number;
  quotaBytes: number;
  usedBytes: number;
}
