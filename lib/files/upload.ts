/**
 * The upload pipeline: reserve (membership, rate limit, quota — before a byte is read), receive the body
 * into a private temporary file (size-limited while streaming, hashed, never held in memory), scan, decide
 * the type from the content and process images, store the served bytes, finish the row. Any failure —
 * including the client hanging up — abandons the reservation, and the garbage queue removes whatever was
 * stored: nothing half-done survives.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { abandonUpload, finishUpload, reserveUpload, type FinishedUpload } from '../data/attachments';
import { recordAudit } from '../data/audit';
import type { Env } from '../env';
import { AppError } from '../errors';
import type { Logger } from '../logger';
import { formatBytes, type Attachment, type UploadQuery } from '../schemas/attachment';
import type { Storage } from '../storage/storage';
import type { Inspector, Scanner } from './types';

export interface FileServices {
  env: Env;
  log: Logger;
  storage: Storage;
  scanner: Scanner;
  inspect: Inspector;
}

/**
 * Where uploads are received before they are checked: private to this server, never served. Beside the
 * files with local storage; in the system's temp directory with object storage, so that nothing at all is
 * written under DATA_DIR, which on git-push platforms is the read-only application directory.
 */
export function uploadTempDir(env: Pick<Env, 'DATA_DIR' | 'STORAGE_DRIVER'>): string {
  return env.STORAGE_DRIVER === 's3' ? path.join(tmpdir(), 'parley-uploads') : path.resolve(env.DATA_DIR, 'tmp', 'uploads');
}

/** The client hung up mid-body: nobody is left to answer, and nothing is kept. */
export class UploadAborted extends Error {
  override name = 'UploadAborted';
}

export function tooLarge(maxBytes: number): AppError {
  return new AppError('PAYLOAD_TOO_LARGE', `Files can be at most ${formatBytes(maxBytes)}.`);
}

/** Counts and hashes the bytes going through, and fails the stream as soon as there are too many. */
function limitAndHash(maxBytes: number, hash: ReturnType<typeof createHash>, counter: { size: number }): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      counter.size += chunk.length;
      if (counter.size > maxBytes) {
        callback(tooLarge(maxBytes));
        return;
      }
      hash.update(chunk);
      callback(null, chunk);
    },
  });
}

/**
 * Writes the body to `file`. Not stream.pipeline: on a refusal that would destroy the request and with it
 * the socket, and the client could not be told why; here the body is only unpiped (server.ts then answers
 * 413 and closes the connection).
 */
function receiveBody(body: Readable, file: string, maxBytes: number): Promise<{ size: number; sha256: string }> {
  const hash = createHash('sha256');
  const counter = { size: 0 };
  const limiter = limitAndHash(maxBytes, hash, counter);
  const out = createWriteStream(file, { flags: 'wx', mode: 0o600 });
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (error: unknown) => {
      if (settled) return;
      settled = true;
      body.unpipe(limiter);
      limiter.destroy();
      out.destroy();
      reject(error);
    };
    const cutOff = () => fail(new UploadAborted('the client hung up mid-upload'));
    body.once('error', cutOff);
    body.once('close', () => {
      // An HTTP request that closes before its last byte was cut off (reset, aborted, premature close).
      if ('complete' in body && body.complete === false) cutOff();
    });
    limiter.once('error', fail);
    out.once('error', fail);
    out.once('finish', () => {
      if (settled) return;
      settled = true;
      resolve({ size: counter.size, sha256: hash.digest('hex') });
    });
    body.pipe(limiter).pipe(out);
  });
}

function storageUnavailable(error: unknown, log: Logger): AppError {
  log.error({ err: error }, 'file storage failed');
  return new AppError('UNAVAILABLE', 'File storage is unavailable right now. Try again in a moment.', { retryAfter: 5 });
}

/**
 * Stores one upload for `userId` in `roomId` and returns its attachment. `declaredBytes` is the body's
 * Content-Length, or undefined for a chunked body (the quota then holds UPLOAD_MAX_BYTES while it runs).
 * `beforeBody` runs once every check before the bytes has passed (server.ts answers `100 Continue` there).
 */
export async function storeUpload(
  input: {
    body: Readable;
    roomId: string;
    userId: string;
    ip: string | null;
    query: UploadQuery;
    declaredBytes: number | undefined;
    beforeBody?: () => void;
  },
  services: FileServices,
): Promise<Attachment> {
  const { env, log, storage } = services;
  const maxBytes = env.UPLOAD_MAX_BYTES;
  if (input.declaredBytes !== undefined && input.declaredBytes > maxBytes) throw tooLarge(maxBytes);
  const voice = input.query.voice === true;
  const reservation = await reserveUpload({
    roomId: input.roomId,
    userId: input.userId,
    declaredBytes: input.declaredBytes ?? maxBytes,
    name: input.query.name,
    voice,
    durationMs: input.query.durationMs,
    waveform: input.query.waveform,
  });
  const tempRoot = uploadTempDir(env);
  let workDir: string | undefined;
  try {
    await mkdir(tempRoot, { recursive: true, mode: 0o700 });
    workDir = await mkdtemp(path.join(tempRoot, `${reservation.id}-`));
    const original = path.join(workDir, `original-${randomUUID()}`);
    input.beforeBody?.();
    const received = await receiveBody(input.body, original, maxBytes);
    if (received.size === 0) throw new AppError('INVALID_PAYLOAD', 'The file is empty.', { issues: [{ path: 'body', message: 'The file is empty.' }] });

    let verdict: Awaited<ReturnType<Scanner['scan']>>;
    try {
      verdict = await services.scanner.scan(original);
    } catch (error) {
      log.error({ err: error }, 'virus scanner failed');
      throw new AppError('UNAVAILABLE', 'Files cannot be checked for viruses right now. Try again in a moment.', { retryAfter: 5 });
    }
    if (!verdict.clean) {
      await recordAudit({
        kind: 'upload.infected',
        actorId: input.userId,
        ip: input.ip,
        details: { roomId: input.roomId, name: input.query.name, signature: verdict.signature, sha256: received.sha256, size: received.size },
      });
      throw new AppError('FILE_INFECTED', `This file was not uploaded: the virus scanner found ${verdict.signature} in it.`);
    }

    const inspection = await services.inspect(original, { maxPixels: env.UPLOAD_MAX_PIXELS, workDir, voice });
    const image = inspection.image;
    const facts: FinishedUpload = {
      size: image ? image.size : received.size,
      sha256: received.sha256,
      contentType: image ? image.contentType : inspection.contentType,
      kind: inspection.kind,
      ...(image
        ? {
            width: image.width,
            height: image.height,
            thumbnail: { key: reservation.thumbnailKey, width: image.thumbnail.width, height: image.thumbnail.height },
          }
        : {}),
    };
    try {
      // Both files are ours to delete (workDir), so the backend may take them over rather than copy them.
      await storage.putFile(reservation.storageKey, image ? image.path : original, { contentType: facts.contentType, disposable: true });
      if (image) await storage.putFile(reservation.thumbnailKey, image.thumbnail.path, { contentType: 'image/webp', disposable: true });
    } catch (error) {
      throw storageUnavailable(error, log);
    }
    const attachment = await finishUpload(reservation.id, facts);
    if (!attachment) {
      // The room (or the reservation) went while the bytes came in; its row no longer names these objects.
      await Promise.allSettled([storage.delete(reservation.storageKey), storage.delete(reservation.thumbnailKey)]);
      throw new AppError('NOT_FOUND', 'That room does not exist (any more).');
    }
    return attachment;
  } catch (error) {
    // The row goes; the trigger queues the object it names for the garbage collector. The thumbnail is
    // named only once finished, so it is removed here (a no-op when it was never stored).
    await abandonUpload(reservation.id).catch((cleanupError: unknown) => log.warn({ err: cleanupError }, 'could not abandon an upload; it expires later'));
    await storage.delete(reservation.thumbnailKey).catch(() => undefined);
    throw error;
  } finally {
    if (workDir) await rm(workDir, { recursive: true, force: true }).catch(() => undefined);
  }
}
