/**
 * Attachments: the rows behind uploaded files, and every authorization decision about them. An upload is
 * reserved before its bytes are read (membership and quota checked under a per-user lock, so parallel
 * uploads cannot overrun the quota together), finished once stored, taken by one message in that
 * message's transaction (lib/data/messages.ts), and deleted with its message, room or uploader — the
 * delete trigger queues the objects for lib/files/garbage.ts, so no delete path forgets the bytes.
 */
import { Prisma } from '@/generated/prisma/client.ts';
import { getDb } from '../db';
import { getEnv } from '../env';
import { AppError } from '../errors';
import { consumeAttempt, sharedLimiter, type LimitPolicy } from '../rate-limit';
import {
  toAttachment,
  type Attachment,
  type AttachmentKind,
  type RoomFilesPage,
  type RoomFilesQuery,
  type StoredAttachment,
  type UploadLimits,
  formatBytes,
  MAX_ATTACHMENTS_PER_MESSAGE,
} from '../schemas/attachment';
import type { PublicUser } from '../schemas/user';
import { uuidv7 } from '../uuid';
import { requireMembership, requirePoster } from './rooms';

type Tx = Prisma.TransactionClient;

/** How a stored attachment row reads (snake_case columns aliased). */
interface AttachmentRow {
  id: string;
  roomId: string;
  uploaderId: string;
  messageId: bigint | null;
  status: string;
  storageKey: string;
  thumbnailKey: string | null;
  name: string;
  size: bigint;
  contentType: string;
  kind: AttachmentKind;
  width: number | null;
  height: number | null;
  thumbWidth: number | null;
  thumbHeight: number | null;
  durationMs: number | null;
  waveform: number[] | null;
  voice: boolean;
  sha256: string | null;
}

const ROW_COLUMNS = Prisma.sql`
  a.id::text AS id, a.room_id AS "roomId", a.uploader_id::text AS "uploaderId", a.message_id AS "messageId", a.status,
  a.storage_key AS "storageKey", a.thumbnail_key AS "thumbnailKey", a.name, a.size, a.content_type AS "contentType",
  a.kind, a.width, a.height, a.thumb_width AS "thumbWidth", a.thumb_height AS "thumbHeight",
  a.duration_ms AS "durationMs", a.waveform::int[] AS waveform, a.voice, a.sha256`;

function toStored(row: AttachmentRow): StoredAttachment {
  return {
    id: row.id,
    name: row.name,
    size: Number(row.size),
    contentType: row.contentType,
    kind: row.kind,
    width: row.width,
    height: row.height,
    thumbnail: row.thumbnailKey && row.thumbWidth && row.thumbHeight ? { width: row.thumbWidth, height: row.thumbHeight } : null,
    voice: row.voice,
    durationMs: row.durationMs,
    waveform: row.waveform,
  };
}

const notReadable = () => new AppError('NOT_FOUND', 'That file does not exist (any more).');

/** Where an attachment's bytes are kept: ours alone, never derived from anything a client chose. */
export function storageKeys(roomId: string, id: string): { main: string; thumbnail: string } {
  return { main: `${roomId}/${id}`, thumbnail: `${roomId}/${id}.thumb.webp` };
}

/** The uploads budget per user (§7): files in rooms and account pictures spend from it. */
export function uploadPolicy(): LimitPolicy {
  const points = getEnv().RATE_LIMIT_UPLOADS_PER_MINUTE;
  return { keyPrefix: `uploads-${points}`, points, duration: 60, blockDuration: 60 };
}

export interface UploadReservation {
  id: string;
  storageKey: string;
  thumbnailKey: string;
}

/**
 * Starts an upload: checks that the user may post in the room, spends one upload from their rate limit,
 * then — under a per-user lock, so parallel uploads see each other — checks that `declaredBytes` fits in
 * their quota, and writes the 'uploading' row that holds that much of it until the upload finishes or is
 * abandoned. All before a byte of the body is read.
 */
export async function reserveUpload(input: {
  roomId: string;
  userId: string;
  declaredBytes: number;
  name: string;
  voice: boolean;
  durationMs?: number;
  waveform?: number[];
}): Promise<UploadReservation> {
  await requirePoster({ roomId: input.roomId, userId: input.userId }); // members who may post now (§4.13)
  await consumeAttempt(sharedLimiter(uploadPolicy()), input.userId, 'uploads');
  const quota = getEnv().UPLOAD_QUOTA_BYTES;
  const id = uuidv7();
  const keys = storageKeys(input.roomId, id);
  await getDb().$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`upload-quota:${input.userId}`}, 0))`;
    const [usage] = await tx.$queryRaw<{ used: bigint }[]>`
      SELECT COALESCE(SUM(size), 0)::bigint AS used FROM attachments WHERE uploader_id = ${input.userId}::uuid`;
    const used = Number(usage?.used ?? 0);
    if (used + input.declaredBytes > quota) {
      throw new AppError(
        'QUOTA_EXCEEDED',
        `This file does not fit in your storage: you use ${formatBytes(used)} of ${formatBytes(quota)}. Delete some files first.`,
      );
    }
    await tx.$executeRaw`
      INSERT INTO attachments (id, room_id, uploader_id, status, storage_key, name, size, voice, duration_ms, waveform)
      VALUES (${id}::uuid, ${input.roomId}, ${input.userId}::uuid, 'uploading', ${keys.main}, ${input.name},
              ${input.declaredBytes}, ${input.voice}, ${input.voice ? (input.durationMs ?? null) : null},
              ${input.voice && input.waveform ? input.waveform : null}::smallint[])`;
  });
  return { id, storageKey: keys.main, thumbnailKey: keys.thumbnail };
}

export interface FinishedUpload {
  size: number;
  sha256: string;
  contentType: string;
  kind: AttachmentKind;
  width?: number;
  height?: number;
  /** Stored under the reservation's thumbnailKey. */
  thumbnail?: { key: string; width: number; height: number };
}

/**
 * Marks a reserved upload stored: its real size, type and image facts. null when the row is gone (the room
 * was deleted, or the reservation expired meanwhile): the caller then removes the objects it stored.
 */
export async function finishUpload(id: string, facts: FinishedUpload): Promise<Attachment | null> {
  const rows = await getDb().$queryRaw<AttachmentRow[]>`
    UPDATE attachments a SET status = 'ready', size = ${facts.size}, sha256 = ${facts.sha256}, content_type = ${facts.contentType},
      kind = ${facts.kind}, width = ${facts.width ?? null}, height = ${facts.height ?? null},
      thumbnail_key = ${facts.thumbnail?.key ?? null},
      thumb_width = ${facts.thumbnail?.width ?? null}, thumb_height = ${facts.thumbnail?.height ?? null}
    WHERE a.id = ${id}::uuid AND a.status = 'uploading'
    RETURNING ${ROW_COLUMNS}`;
  const row = rows[0];
  return row ? toAttachment(toStored(row)) : null;
}

/** Drops a reservation whose upload failed or was cut off (its objects, if any, are queued for deletion). */
export async function abandonUpload(id: string): Promise<void> {
  await getDb().$executeRaw`DELETE FROM attachments WHERE id = ${id}::uuid AND message_id IS NULL`;
}

/** DELETE /api/uploads/:id — the uploader removes an upload no message has taken. NOT_FOUND otherwise. */
export async function deleteUnsentUpload(input: { id: string; userId: string }): Promise<void> {
  const deleted = await getDb().$executeRaw`
    DELETE FROM attachments WHERE id = ${input.id}::uuid AND uploader_id = ${input.userId}::uuid AND message_id IS NULL`;
  if (deleted === 0) throw notReadable();
}

/** GET /api/uploads: the limits and what the user's stored files use now. */
export async function uploadLimits(userId: string): Promise<UploadLimits> {
  const env = getEnv();
  const [usage] = await getDb().$queryRaw<{ used: bigint }[]>`
    SELECT COALESCE(SUM(size), 0)::bigint AS used FROM attachments WHERE uploader_id = ${userId}::uuid`;
  return {
    maxBytes: env.UPLOAD_MAX_BYTES,
    maxFilesPerMessage: MAX_ATTACHMENTS_PER_MESSAGE,
    quotaBytes: env.UPLOAD_QUOTA_BYTES,
    usedBytes: Number(usage?.used ?? 0),
  };
}

/**
 * Inside a message's transaction: locks the author's unsent, stored uploads to this room named by `ids` and
 * returns them in that order. An id that is not such an upload fails the send (NOT_FOUND on that index),
 * worded the same whatever the reason, so ids of others' files reveal nothing.
 */
export async function lockUnsentUploads(tx: Tx, input: { roomId: string; authorId: string; ids: string[] }): Promise<StoredAttachment[]> {
  const rows = await tx.$queryRaw<AttachmentRow[]>`
    SELECT ${ROW_COLUMNS} FROM attachments a
    WHERE a.id = ANY (${input.ids}::uuid[]) AND a.room_id = ${input.roomId} AND a.uploader_id = ${input.authorId}::uuid
      AND a.message_id IS NULL AND a.status = 'ready'
    FOR UPDATE`;
  const byId = new Map(rows.map((row) => [row.id, row]));
  return input.ids.map((id, index) => {
    const row = byId.get(id);
    if (!row) {
      throw new AppError('NOT_FOUND', 'A file of this message is not available any more: upload it again.', {
        issues: [{ path: `attachments.${index}`, message: 'No such upload of yours in this room, or it was already sent.' }],
      });
    }
    return toStored(row);
  });
}

/** Inside the message's transaction, after its insert: the uploads now belong to it, in order. */
export async function attachUploads(tx: Tx, messageId: bigint, ids: string[]): Promise<void> {
  await tx.$executeRaw`
    UPDATE attachments SET message_id = ${messageId}, position = array_position(${ids}::uuid[], id) - 1
    WHERE id = ANY (${ids}::uuid[])`;
}

/** Inside a message delete: its files go (the trigger queues their objects). */
export async function deleteMessageAttachments(tx: Tx, messageId: bigint): Promise<number> {
  return tx.$executeRaw`DELETE FROM attachments WHERE message_id = ${messageId}`;
}

export interface ReadableFile {
  storageKey: string;
  thumbnailKey: string | null;
  name: string;
  size: number;
  contentType: string;
  kind: AttachmentKind;
  sha256: string | null;
}

/**
 * The file behind GET /api/files/:id, if this user may read it now: a current member of the room whose
 * message holds it, or its uploader before it is sent. Everyone else — and an id that does not exist —
 * gets the same NOT_FOUND. Checked on every request: leaving a room ends access to its files at once.
 */
export async function readableFile(input: { id: string; userId: string }): Promise<ReadableFile> {
  const rows = await getDb().$queryRaw<AttachmentRow[]>`
    SELECT ${ROW_COLUMNS} FROM attachments a
    WHERE a.id = ${input.id}::uuid AND a.status = 'ready'
      AND CASE WHEN a.message_id IS NULL THEN a.uploader_id = ${input.userId}::uuid
               ELSE EXISTS (SELECT 1 FROM memberships mm WHERE mm.room_id = a.room_id AND mm.user_id = ${input.userId}::uuid) END`;
  const row = rows[0];
  if (!row) throw notReadable();
  return {
    storageKey: row.storageKey,
    thumbnailKey: row.thumbnailKey,
    name: row.name,
    size: Number(row.size),
    contentType: row.contentType,
    kind: row.kind,
    sha256: row.sha256,
  };
}

/** GET /api/rooms/:roomId/files — the room's files, newest first, members only. */
export async function listRoomFiles(input: { roomId: string; userId: string; query: RoomFilesQuery }): Promise<RoomFilesPage> {
  await requireMembership(input);
  const { before, kind, limit } = input.query;
  const rows = await getDb().$queryRaw<(AttachmentRow & { seq: number; threadRootSeq: number | null; createdAt: Date; author: PublicUser })[]>`
    SELECT ${ROW_COLUMNS}, m.seq, m.thread_root_seq AS "threadRootSeq", m.created_at AS "createdAt",
           json_build_object('id', u.id, 'username', u.username, 'displayName', u.display_name, 'avatar', u.avatar) AS author
    FROM attachments a
    JOIN messages m ON m.id = a.message_id
    JOIN users u ON u.id = m.author_id
    WHERE a.room_id = ${input.roomId} AND a.message_id IS NOT NULL
      ${before ? Prisma.sql`AND a.id < ${before}::uuid` : Prisma.empty}
      ${kind ? Prisma.sql`AND a.kind = ${kind}` : Prisma.empty}
    ORDER BY a.id DESC
    LIMIT ${limit + 1}`;
  const page = rows.slice(0, limit);
  return {
    files: page.map((row) => ({
      attachment: toAttachment(toStored(row)),
      seq: row.seq,
      threadRootSeq: row.threadRootSeq,
      author: row.author,
      createdAt: row.createdAt.toISOString(),
    })),
    nextCursor: rows.length > limit ? (page[page.length - 1]?.id ?? null) : null,
  };
}

/** Deletes uploads no message took in time, and reservations whose upload never finished (their objects are queued). */
export async function deleteExpiredUploads(input: { unsentBefore: Date; uploadingBefore: Date; limit?: number }): Promise<number> {
  return getDb().$executeRaw`
    DELETE FROM attachments WHERE id IN (
      SELECT id FROM attachments
      WHERE message_id IS NULL
        AND ((status = 'ready' AND created_at < ${input.unsentBefore}) OR (status = 'uploading' AND created_at < ${input.uploadingBefore}))
      LIMIT ${input.limit ?? 500})`;
}
