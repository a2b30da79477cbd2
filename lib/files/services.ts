/**
 * What the file routes run on, assembled from the settings in one place: the storage backend, the virus
 * scanner and the inspector. server.ts builds it once; tests build it with their own storage or scanner.
 */
import type { Env } from '../env';
import type { Logger } from '../logger';
import { getStorage } from '../storage';
import { inspectFile } from './inspect';
import { createScanner } from './scan';
import type { FileServices } from './upload';

export function createFileServices(env: Env, log: Logger, overrides: Partial<Omit<FileServices, 'env' | 'log'>> = {}): FileServices {
  return {
    env,
    log,
    storage: overrides.storage ?? getStorage(),
    scanner:
      overrides.scanner ??
      createScanner({ mode: env.UPLOAD_SCAN, socket: env.CLAMAV_SOCKET, host: env.CLAMAV_HOST, port: env.CLAMAV_PORT }),
    inspect: overrides.inspect ?? inspectFile,
  };
}
