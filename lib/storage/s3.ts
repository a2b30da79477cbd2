/**
 * File bytes in S3-compatible object storage (AWS, MinIO, R2, Ceph…), for instances that share no disk.
 * Puts stream the file through lib-storage's Upload (multipart beyond one part), so memory stays at a few
 * parts whatever the size. Every request has timeouts: without them the SDK waits forever on a dead peer
 * (its requestTimeout alone only logs a warning), and an upload or readiness check would hang with it.
 */
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  NoSuchBucket,
  S3Client,
  S3ServiceException,
  type GetObjectCommandOutput,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import type { ByteRange, Storage, StoredObject } from './storage';
import { assertStorageKey, checkRange, StorageRangeError } from './validation';

/** 8 MiB parts, two in flight: at most ~3 parts (24 MiB) buffered per upload. */
const PART_SIZE = 8 * 1024 * 1024;
const QUEUE_SIZE = 2;

export interface S3Timeouts {
  /** To open the TCP/TLS connection. */
  connectMs: number;
  /**
   * A socket with no traffic for this long is abandoned: a dead peer mid-upload or mid-download. It also
   * ends a download whose reader stalls that long (a paused media element): the reader must ask again.
   */
  idleMs: number;
  /** From sending a request until the response starts: covers uploading one whole part. */
  requestMs: number;
}

const DEFAULT_TIMEOUTS: S3Timeouts = { connectMs: 5_000, idleMs: 30_000, requestMs: 120_000 };

export interface S3StorageOptions {
  bucket: string;
  region: string;
  /** A non-AWS service's URL; unset for AWS itself. */
  endpoint?: string;
  /** Path-style URLs (endpoint/bucket/key), which most non-AWS services need. */
  forcePathStyle?: boolean;
  /** Unset: the SDK's default chain (environment, profile, instance role). */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** Tests shorten these. */
  timeouts?: Partial<S3Timeouts>;
}

export function createS3Storage(options: S3StorageOptions): Storage {
  const { bucket } = options;
  const timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
  const client = new S3Client({
    region: options.region,
    endpoint: options.endpoint,
    forcePathStyle: options.forcePathStyle ?? false,
    credentials: options.credentials,
    maxAttempts: 3,
    // The SDK's default CRC32 headers on every put are refused by some S3-compatible services (R2, B2 and
    // others broke when AWS made them the default); AWS itself keeps them.
    requestChecksumCalculation: options.endpoint ? 'WHEN_REQUIRED' : undefined,
    responseChecksumValidation: options.endpoint ? 'WHEN_REQUIRED' : undefined,
    requestHandler: {
      connectionTimeout: timeouts.connectMs,
      socketTimeout: timeouts.idleMs,
      requestTimeout: timeouts.requestMs,
      throwOnRequestTimeout: true,
    },
  });

  return {
    driver: 's3',

    async putFile(key, filePath, { contentType }) {
      assertStorageKey(key);
      const body = createReadStream(filePath);
      try {
        const upload = new Upload({
          client,
          params: { Bucket: bucket, Key: key, Body: body, ContentType: contentType },
          partSize: PART_SIZE,
          queueSize: QUEUE_SIZE,
          leavePartsOnError: false,
        });
        await upload.done();
      } finally {
        body.destroy();
      }
    },

    async get(key: string, range?: ByteRange): Promise<StoredObject | null> {
      assertStorageKey(key);
      if (range) checkRange(range);
      let output: GetObjectCommandOutput;
      try {
        output = await client.send(
          new GetObjectCommand({ Bucket: bucket, Key: key, Range: range ? `bytes=${range.start}-${range.end}` : undefined }),
        );
      } catch (error) {
        // A missing bucket is also a 404, but a misconfiguration to report, not a missing file.
        if (statusOf(error) === 404 && !(error instanceof NoSuchBucket)) return null;
        if (range && statusOf(error) === 416) throw new StorageRangeError(range);
        throw error;
      }
      const body = output.Body;
      if (!(body instanceof Readable)) throw new Error('S3 GetObject returned no Node stream.');
      const served = parseContentRange(output.ContentRange);
      const size = served?.size ?? output.ContentLength;
      if (size === undefined) {
        body.destroy();
        throw new Error(`S3 GetObject for ${key} did not say the object's size.`);
      }
      if (!range) return { body, size };
      if (range.start >= size) {
        body.destroy();
        throw new StorageRangeError(range, size);
      }
      const wanted = { start: range.start, end: Math.min(range.end, size - 1) };
      const from = served?.start ?? 0; // no Content-Range: the server ignored Range and sent it all
      const to = served?.end ?? size - 1;
      if (from === wanted.start && to === wanted.end) return { body, size };
      if (from > wanted.start || to < wanted.end) {
        body.destroy();
        throw new Error(`S3 answered bytes ${from}-${to} of ${key} for ${wanted.start}-${wanted.end}.`);
      }
      // Some S3-compatible servers answer a wider range (s3rver reads `bytes=0-0` as the whole object);
      // the caller's Content-Length is the range's, so hand over exactly its bytes.
      return { body: sliceStream(body, wanted.start - from, wanted.end - wanted.start + 1), size };
    },

    async delete(key) {
      assertStorageKey(key);
      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    },

    async check() {
      try {
        await client.send(new HeadBucketCommand({ Bucket: bucket }));
      } catch (error) {
        // HeadBucket errors carry no body, so the SDK's message is often just "UnknownError".
        const status = statusOf(error);
        const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
        throw new Error(`S3 bucket ${bucket} is not usable (${status ? `HTTP ${status}, ` : ''}${reason})`, { cause: error });
      }
    },

    async close() {
      client.destroy();
    },
  };
}

function statusOf(error: unknown): number | undefined {
  return error instanceof S3ServiceException ? error.$metadata.httpStatusCode : undefined;
}

/** `bytes 0-99/1234` → { start: 0, end: 99, size: 1234 }. */
function parseContentRange(header: string | undefined): { start: number; end: number; size: number } | undefined {
  const match = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(header ?? '');
  return match ? { start: Number(match[1]), end: Number(match[2]), size: Number(match[3]) } : undefined;
}

/** `length` bytes of `source` after skipping `skip`; stops (and destroys) the source once they are read. */
function sliceStream(source: Readable, skip: number, length: number): Readable {
  async function* slice() {
    try {
      let toSkip = skip;
      let toTake = length;
      for await (const chunk of source) {
        const bytes = chunk as Buffer;
        const from = Math.min(toSkip, bytes.length);
        toSkip -= from;
        const taken = bytes.subarray(from, from + toTake);
        toTake -= taken.length;
        if (taken.length > 0) yield taken;
        if (toTake === 0) return;
      }
      if (toTake > 0) throw new Error('S3 body ended before the range did.');
    } finally {
      source.destroy();
    }
  }
  return Readable.from(slice(), { objectMode: false });
}
