/**
 * File bytes on local disk (the zero-configuration default): one file per key under `root`
 * (DATA_DIR/files). A put streams into a temp file in `root/.tmp`, fsyncs it, then renames it into place,
 * so neither a reader nor a crash ever sees half an object. Keys are checked again here and the resolved
 * path must stay inside `root`: a bad key is a bug upstream, never a reason to touch another file.
 */
import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, rename, rm, writeFile, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { ByteRange, Storage, StoredObject } from './storage';
import { assertStorageKey, checkRange, InvalidStorageKeyError, StorageRangeError } from './validation';

/** Inside root so that rename stays on one filesystem (atomic); no key can start with a dot. */
const TEMP_DIR = '.tmp';

export interface LocalStorageOptions {
  /** The folder that holds the objects; created when missing. */
  root: string;
}

export function createLocalStorage(options: LocalStorageOptions): Storage {
  const root = path.resolve(options.root);
  const tempDir = path.join(root, TEMP_DIR);

  function pathOf(key: string): string {
    assertStorageKey(key);
    const full = path.resolve(root, key);
    if (!full.startsWith(root + path.sep)) throw new InvalidStorageKeyError(key);
    return full;
  }

  return {
    driver: 'local',

    async putFile(key, filePath) {
      const target = pathOf(key);
      await mkdir(tempDir, { recursive: true, mode: 0o700 });
      await mkdir(path.dirname(target), { recursive: true, mode: 0o700 });
      const temp = path.join(tempDir, randomUUID());
      try {
        const file = await open(temp, 'wx', 0o600);
        try {
          // Plain writes, not file.createWriteStream(): a stream that does not close the handle keeps
          // file.close() waiting forever (Node 20), and we must fsync before closing.
          for await (const chunk of createReadStream(filePath)) await file.write(chunk as Buffer);
          await file.sync();
        } finally {
          await file.close();
        }
        await rename(temp, target);
      } catch (error) {
        await rm(temp, { force: true });
        throw error;
      }
      await syncDirectory(path.dirname(target));
    },

    async get(key: string, range?: ByteRange): Promise<StoredObject | null> {
      const full = pathOf(key);
      if (range) checkRange(range);
      let file: FileHandle;
      try {
        file = await open(full, 'r');
      } catch (error) {
        if (errnoCode(error) === 'ENOENT' || errnoCode(error) === 'ENOTDIR') return null;
        throw error;
      }
      // Size and bytes come from one open file: a concurrent replace cannot mix two versions.
      try {
        const stat = await file.stat();
        if (!stat.isFile()) {
          await file.close();
          return null;
        }
        if (range && range.start >= stat.size) throw new StorageRangeError(range, stat.size);
        const body = file.createReadStream(range ? { start: range.start, end: Math.min(range.end, stat.size - 1) } : {});
        return { body, size: stat.size };
      } catch (error) {
        await file.close();
        throw error;
      }
    },

    async delete(key) {
      await rm(pathOf(key), { force: true });
    },

    async check() {
      await mkdir(tempDir, { recursive: true, mode: 0o700 });
      const probe = path.join(tempDir, `probe-${randomUUID()}`);
      try {
        await writeFile(probe, 'probe', { flag: 'wx', mode: 0o600 });
      } finally {
        await rm(probe, { force: true });
      }
    },

    async close() {},
  };
}

/** Makes the rename itself durable. Best effort: some platforms cannot fsync a directory. */
async function syncDirectory(dir: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch (error) {
    if (!['EISDIR', 'EPERM', 'EINVAL'].includes(errnoCode(error) ?? '')) throw error;
  } finally {
    await handle?.close();
  }
}

function errnoCode(error: unknown): string | undefined {
  return error instanceof Error ? (error as NodeJS.ErrnoException).code : undefined;
}
