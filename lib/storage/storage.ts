/**
 * Where file bytes live. Two backends implement this: local disk under DATA_DIR (the zero-configuration
 * default, lib/storage/local.ts) and S3-compatible object storage (lib/storage/s3.ts), chosen by
 * STORAGE_DRIVER in lib/storage/index.ts. Keys are ours (`<roomId>/<attachmentId>[.thumb]`), never a
 * client's: the backends may assume they are [A-Za-z0-9/._-] and contain no `..`.
 *
 * Nothing here authorizes anything: lib/data/attachments.ts decides who may read which key.
 */
import type { Readable } from 'node:stream';

/** An inclusive byte range, as in HTTP Range (`end` ≤ size − 1). */
export interface ByteRange {
  start: number;
  end: number;
}

export interface StoredObject {
  /** The bytes (only the range when one was asked for). Destroy it to stop reading early. */
  body: Readable;
  /** The whole object's size in bytes. */
  size: number;
}

export interface Storage {
  /** "local" | "s3", for logs and readiness. */
  readonly driver: string;
  /**
   * Stores a local file under `key` (replacing any object there), streaming it: memory stays bounded
   * whatever the size. Resolves once the object is durable and readable by every instance.
   * `disposable`: the file is a temporary the caller deletes afterwards, so the backend may take it over
   * instead of copying it (the local backend moves it when it is on the same filesystem).
   */
  putFile(key: string, filePath: string, options: { contentType: string; disposable?: boolean }): Promise<void>;
  /** The object's bytes, or the range of them; null when there is no such object. */
  get(key: string, range?: ByteRange): Promise<StoredObject | null>;
  /** Removes the object; removing one that does not exist is not an error. */
  delete(key: string): Promise<void>;
  /** Can the backend be reached and written? Throws with a reason when not (start-up and /api/ready). */
  check(): Promise<void>;
  /** Releases connections. */
  close(): Promise<void>;
}

/** Keys are made by lib/data/attachments.ts; this is what every backend may rely on. */
export const STORAGE_KEY_PATTERN = /^(?!.*\.\.)[A-Za-z0-9][A-Za-z0-9/._-]{0,199}$/;
