/**
 * Account pictures (docs/protocol.md §4.15): whatever was uploaded becomes a 256 × 256 WebP cut from the
 * centre, made from the pixels alone — no EXIF, GPS or XMP survives, and nothing but an image we decoded is
 * ever served. The type is decided from the bytes (PNG, JPEG, WebP, GIF; the first frame of an animation).
 * Decoding runs in libuv's thread pool (sharp), never on the event loop, and through the same bounded queue
 * as uploads' image processing (lib/files/inspect.ts), so pictures and attachments share one CPU budget.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileTypeFromBuffer } from 'file-type';
import sharp, { type FormatEnum } from 'sharp';
import { avatarKey, newAvatarVersion, setAvatar } from '../data/account';
import { AppError } from '../errors';
import type { Logger } from '../logger';
import { AVATAR_MAX_PIXELS, AVATAR_SIZE } from '../schemas/account';
import type { PublicUser } from '../schemas/user';
import type { Storage } from '../storage/storage';
import { imageJobs } from './inspect';

/** The sniffed types we take, and the decoder that must agree (else it is a polyglot, refused). */
const DECODERS: Record<string, keyof FormatEnum> = {
  'image/png': 'png',
  'image/apng': 'png', // its first frame, as a GIF's
  'image/jpeg': 'jpeg',
  'image/webp': 'webp',
  'image/gif': 'gif',
};

const DECODE_TIMEOUT_SECONDS = 30;

const notAPicture = () =>
  new AppError('INVALID_PAYLOAD', 'That is not a picture we can use: upload a PNG, JPEG, WebP or GIF image.', {
    issues: [{ path: 'body', message: 'Upload a PNG, JPEG, WebP or GIF image.' }],
  });

/** Errors from the file system are server faults; anything sharp says about the bytes is the picture's. */
function isSystemError(error: unknown): boolean {
  return error instanceof Error && /^E[A-Z]+$/.test(String((error as NodeJS.ErrnoException).code ?? ''));
}

/** The served picture made from an upload's bytes; INVALID_PAYLOAD (422) for anything that is not a usable image. */
export async function makeAvatar(bytes: Buffer, options: { maxPixels?: number } = {}): Promise<Buffer> {
  const maxPixels = options.maxPixels ?? AVATAR_MAX_PIXELS;
  if (bytes.length === 0) {
    throw new AppError('INVALID_PAYLOAD', 'The file is empty.', { issues: [{ path: 'body', message: 'The file is empty.' }] });
  }
  const sniffed = (await fileTypeFromBuffer(bytes).catch(() => undefined))?.mime;
  const decoder = sniffed ? DECODERS[sniffed] : undefined;
  if (!decoder) throw notAPicture();
  return imageJobs(async () => {
    const input = { failOn: 'error' as const, limitInputPixels: maxPixels };
    try {
      // Headers only: refuse before any pixel is decoded.
      const meta = await sharp(bytes, input).metadata();
      if (meta.format !== decoder) throw notAPicture();
      const frameHeight = meta.pageHeight ?? meta.height;
      if (meta.width * frameHeight > maxPixels) throw tooManyPixels(maxPixels);
      return await sharp(bytes, input) // one frame: an animation's first
        .timeout({ seconds: DECODE_TIMEOUT_SECONDS })
        .autoOrient()
        .resize(AVATAR_SIZE, AVATAR_SIZE, { fit: 'cover', position: 'centre' })
        .webp({ quality: 85 })
        .toBuffer();
    } catch (error) {
      if (error instanceof AppError || isSystemError(error)) throw error;
      if (error instanceof Error && /pixel limit/i.test(error.message)) throw tooManyPixels(maxPixels);
      throw new AppError('INVALID_PAYLOAD', 'That picture could not be read: it may be damaged.', {
        issues: [{ path: 'body', message: 'The image could not be decoded.' }],
      });
    }
  });
}

function tooManyPixels(maxPixels: number): AppError {
  const millions = Math.round(maxPixels / 1_000_000);
  return new AppError('INVALID_PAYLOAD', `That picture is too large: at most ${millions} million pixels.`, {
    issues: [{ path: 'body', message: `At most ${millions} million pixels.` }],
  });
}

/**
 * Makes the picture, stores it under a new version, and makes it the user's (lib/data/account.ts setAvatar,
 * which queues the previous picture's bytes for removal). If the account changes its mind meanwhile (is
 * deleted), or the database fails after the bytes were stored, the new bytes go again.
 */
export async function storeAvatar(
  input: { userId: string; ip: string | null; bytes: Buffer },
  services: { storage: Storage; tempDir: string; log: Logger },
): Promise<PublicUser> {
  const picture = await makeAvatar(input.bytes);
  const version = newAvatarVersion();
  const key = avatarKey(input.userId, version);
  const tempDir = services.tempDir;
  const file = path.join(tempDir, `avatar-${randomUUID()}.webp`);
  try {
    await mkdir(tempDir, { recursive: true, mode: 0o700 });
    await writeFile(file, picture, { flag: 'wx', mode: 0o600 });
    await services.storage.putFile(key, file, { contentType: 'image/webp', disposable: true });
  } catch (error) {
    services.log.error({ err: error }, 'could not store an account picture');
    throw new AppError('UNAVAILABLE', 'File storage is unavailable right now. Try again in a moment.', { retryAfter: 5 });
  } finally {
    await rm(file, { force: true }).catch(() => undefined);
  }
  try {
    return await setAvatar({ userId: input.userId, version, ip: input.ip });
  } catch (error) {
    await services.storage.delete(key).catch(() => undefined); // named by no row: nobody would remove it
    throw error;
  }
}
