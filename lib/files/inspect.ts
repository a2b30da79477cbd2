/**
 * The inspector (contract in ./types): what an uploaded file is, from its bytes only, and for images a clean
 * copy to serve. Images are decoded and re-encoded because the original bytes can carry what people do not
 * mean to share (EXIF GPS, XMP) and what browsers should not be handed (polyglots, malformed chunks); what
 * we serve is only pixels plus the colour profile. Anything we cannot or should not decode stays a plain
 * file: bad input never throws, only server faults (the disk) do.
 *
 * Content types are bare (`audio/ogg`, not `audio/ogg; codecs=opus`) so the download route can compare them.
 */
import { randomUUID } from 'node:crypto';
import { open, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { fileTypeFromFile } from 'file-type';
import sharp, { type FormatEnum, type Sharp, type SharpOptions } from 'sharp';
import { createLimiter } from './limiter';
import { THUMBNAIL_MAX_EDGE, type Inspection, type InspectOptions, type Inspector, type ProcessedImage } from './types';

// libvips caches operations by file name and keeps their files open: useless for one-off uploads, and it
// would hold deleted temp files' disk space. Global to sharp in this process, on purpose.
sharp.cache(false);

type OutputFormat = 'jpeg' | 'png' | 'webp' | 'gif';

/**
 * What we decode, by sniffed type. AVIF is served as WebP: encoding AVIF took 35 s for a 12 MP photo on two
 * cores (WebP 1.8 s) while every browser shows WebP. TIFF is served as PNG: browsers cannot show TIFF, and
 * people choose it for fidelity (scans, print), which PNG keeps losslessly (with alpha). APNG and HEIC are
 * left out: sharp would keep one frame of an APNG, and its prebuilt libvips cannot decode HEVC.
 */
const DECODABLE: Record<string, { decoder: keyof FormatEnum; animated: boolean; output: OutputFormat }> = {
  'image/jpeg': { decoder: 'jpeg', animated: false, output: 'jpeg' },
  'image/png': { decoder: 'png', animated: false, output: 'png' },
  'image/webp': { decoder: 'webp', animated: true, output: 'webp' },
  'image/gif': { decoder: 'gif', animated: true, output: 'gif' },
  'image/avif': { decoder: 'heif', animated: false, output: 'webp' },
  'image/tiff': { decoder: 'tiff', animated: false, output: 'png' },
};

/** Containers a voice recorder (MediaRecorder, phone apps) writes; sniffers call some of them video. */
const RECORDER_AUDIO: Record<string, string> = {
  'video/webm': 'audio/webm',
  'video/ogg': 'audio/ogg',
  'application/ogg': 'audio/ogg',
  'video/mp4': 'audio/mp4',
  'video/x-m4v': 'audio/mp4',
  'video/mpeg': 'audio/mpeg',
};

/** WebP cannot be larger than this on either side. */
const WEBP_MAX_EDGE = 16383;
/** A decode that takes longer than this is abandoned and the file kept without a preview. */
const DECODE_TIMEOUT_SECONDS = 60;
const TEXT_SAMPLE_BYTES = 8192;

/**
 * Image jobs at once. sharp runs in libuv's thread pool (UV_THREADPOOL_SIZE, 4 by default), which the
 * streaming of uploads to disk needs too, so at most half of it; and no more than the cores, since each
 * decode is CPU-bound (sharp.concurrency() threads each). This also bounds memory: an image may decode to
 * UPLOAD_MAX_PIXELS × 4 bytes. Exported for tests.
 */
export const IMAGE_JOBS = Math.max(
  1,
  Math.min(
    Math.floor((Number(process.env.UV_THREADPOOL_SIZE) || 4) / 2),
    Math.floor(availableParallelism() / Math.max(1, sharp.concurrency())),
  ),
);
/** Every image decode of this process runs through here (uploads' inspection, account pictures). */
export const imageJobs = createLimiter(IMAGE_JOBS);

/** Errors from the file system (EIO, ENOSPC, ENOENT…) are server faults; anything else is about the content. */
function isSystemError(error: unknown): boolean {
  return error instanceof Error && typeof (error as NodeJS.ErrnoException).code === 'string' && /^E[A-Z]+$/.test((error as NodeJS.ErrnoException).code!);
}

async function sniffType(filePath: string): Promise<string | undefined> {
  try {
    const found = await fileTypeFromFile(filePath);
    return found?.mime.split(';')[0]!.trim();
  } catch (error) {
    if (isSystemError(error)) throw error;
    return undefined; // a malformed container the sniffer gave up on
  }
}

/** The first bytes are UTF-8 with no NUL (a character cut at the end of the sample is fine). */
async function looksLikeText(filePath: string): Promise<boolean> {
  const handle = await open(filePath, 'r');
  try {
    const sample = Buffer.alloc(TEXT_SAMPLE_BYTES);
    const { bytesRead } = await handle.read(sample, 0, TEXT_SAMPLE_BYTES, 0);
    if (bytesRead === 0 || sample.subarray(0, bytesRead).includes(0)) return false;
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(sample.subarray(0, bytesRead), { stream: bytesRead === TEXT_SAMPLE_BYTES });
      return true;
    } catch {
      return false;
    }
  } finally {
    await handle.close();
  }
}

function encode(image: Sharp, format: OutputFormat, palette: boolean): Sharp {
  switch (format) {
    case 'jpeg':
      return image.jpeg({ quality: 90, mozjpeg: false });
    case 'png':
      // A palette PNG stays one (its ≤ 256 colours come back exactly); truecolour would make it several times larger.
      return image.png(palette ? { palette: true, quality: 100, colours: 256, dither: 0 } : {});
    case 'webp':
      return image.webp({ quality: 90 });
    case 'gif':
      return image.gif({ reuse: true });
  }
}

function workFile(workDir: string, extension: string): string {
  return path.join(workDir, `${randomUUID()}.${extension}`);
}

const EXTENSION: Record<OutputFormat, string> = { jpeg: 'jpg', png: 'png', webp: 'webp', gif: 'gif' };

/**
 * Decodes and re-encodes one image, or gives undefined when it cannot (or must not) be decoded. Encoders
 * write to memory and we write the files, so a failed write surfaces as the file-system error it is.
 */
async function processImage(filePath: string, sniffed: string, options: InspectOptions): Promise<ProcessedImage | undefined> {
  const spec = DECODABLE[sniffed];
  if (!spec) return undefined;
  const decodeOptions: SharpOptions = { failOn: 'error', limitInputPixels: options.maxPixels };
  try {
    // Headers only: refuse before any pixel is decoded. sharp's own limit sees one frame here, so count them all.
    const meta = await sharp(filePath, decodeOptions).metadata();
    if (meta.format !== spec.decoder) return undefined; // the decoder disagrees with the sniffer: a polyglot
    const frames = spec.animated ? Math.max(1, meta.pages ?? 1) : 1;
    const frameHeight = spec.animated ? (meta.pageHeight ?? meta.height) : meta.height;
    if (meta.width * frameHeight * frames > options.maxPixels) return undefined;
    const animated = frames > 1;

    let format = spec.output;
    const upright = meta.autoOrient;
    if (format === 'webp' && Math.max(upright.width, upright.height) > WEBP_MAX_EDGE) format = 'jpeg';
    if (format === 'jpeg' && meta.hasAlpha) format = 'png';

    // limitInputPixels applies again to the decoded strip of all frames.
    const encoded = await encode(
      sharp(filePath, { ...decodeOptions, animated }).timeout({ seconds: DECODE_TIMEOUT_SECONDS }).autoOrient().keepIccProfile(),
      format,
      meta.isPalette && format === 'png',
    ).toBuffer({ resolveWithObject: true });
    const thumbnail = await sharp(filePath, decodeOptions) // the first frame of an animation
      .timeout({ seconds: DECODE_TIMEOUT_SECONDS })
      .autoOrient()
      .resize(THUMBNAIL_MAX_EDGE, THUMBNAIL_MAX_EDGE, { fit: 'inside', withoutEnlargement: true })
      .webp({ quality: 80 })
      .toBuffer({ resolveWithObject: true });

    const imagePath = workFile(options.workDir, EXTENSION[format]);
    const thumbnailPath = workFile(options.workDir, 'webp');
    await writeFile(imagePath, encoded.data);
    await writeFile(thumbnailPath, thumbnail.data);
    return {
      path: imagePath,
      contentType: `image/${format}`,
      width: encoded.info.width,
      height: animated ? (encoded.info.pageHeight ?? encoded.info.height) : encoded.info.height,
      size: encoded.data.length,
      thumbnail: { path: thumbnailPath, width: thumbnail.info.width, height: thumbnail.info.height, size: thumbnail.data.length },
    };
  } catch (error) {
    if (isSystemError(error)) throw error;
    return undefined; // corrupt, truncated, over a limit, timed out: kept as a plain file
  }
}

function mediaKind(contentType: string): 'audio' | 'video' | 'file' {
  if (contentType.startsWith('audio/')) return 'audio';
  if (contentType.startsWith('video/')) return 'video';
  return 'file';
}

/** See Inspector in ./types. */
export const inspectFile: Inspector = async (filePath, options): Promise<Inspection> => {
  const sniffed = await sniffType(filePath);
  if (!sniffed) {
    return { contentType: (await looksLikeText(filePath)) ? 'text/plain' : 'application/octet-stream', kind: 'file' };
  }
  if (DECODABLE[sniffed]) {
    const image = await imageJobs(() => processImage(filePath, sniffed, options));
    return image ? { contentType: sniffed, kind: 'image', image } : { contentType: sniffed, kind: 'file' };
  }
  const contentType = (options.voice && RECORDER_AUDIO[sniffed]) || sniffed;
  return { contentType, kind: mediaKind(contentType) };
};
