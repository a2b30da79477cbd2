/**
 * The process's one Storage, chosen by STORAGE_DRIVER. Kept on globalThis (like lib/db.ts's client) so
 * server.ts and Next's server bundle share one S3 connection pool instead of each making their own.
 */
import path from 'node:path';
import { getEnv, type Env } from '../env';
import { createLocalStorage } from './local';
import { createS3Storage } from './s3';
import type { Storage } from './storage';

export type { ByteRange, Storage, StoredObject } from './storage';

/** Builds the backend the settings ask for (local: DATA_DIR/files). */
export function storageFromEnv(env: Env): Storage {
  if (env.STORAGE_DRIVER === 'local') return createLocalStorage({ root: path.resolve(env.DATA_DIR, 'files') });
  if (!env.S3_BUCKET) throw new Error('STORAGE_DRIVER=s3 needs S3_BUCKET.'); // lib/env.ts refuses this already
  return createS3Storage({
    bucket: env.S3_BUCKET,
    region: env.S3_REGION,
    endpoint: env.S3_ENDPOINT,
    forcePathStyle: env.S3_FORCE_PATH_STYLE ?? Boolean(env.S3_ENDPOINT),
    credentials:
      env.S3_ACCESS_KEY_ID && env.S3_SECRET_ACCESS_KEY
        ? { accessKeyId: env.S3_ACCESS_KEY_ID, secretAccessKey: env.S3_SECRET_ACCESS_KEY }
        : undefined,
  });
}

const globalForStorage = globalThis as unknown as { parleyStorage?: Storage };

/** The process's storage, made from the environment on first use. */
export function getStorage(): Storage {
  globalForStorage.parleyStorage ??= storageFromEnv(getEnv());
  return globalForStorage.parleyStorage;
}

/** Replaces the process's storage (tests run the same code on both backends). Does not close the old one. */
export function setStorageForTests(storage: Storage | undefined): void {
  globalForStorage.parleyStorage = storage;
}

/** Releases the storage's connections at shutdown; the next getStorage() makes a new one. */
export async function closeStorage(): Promise<void> {
  const storage = globalForStorage.parleyStorage;
  globalForStorage.parleyStorage = undefined;
  await storage?.close();
}
