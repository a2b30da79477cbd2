/**
 * The virus scanner (contract in ./types): `none`, or clamd over its socket. A file is clean only when clamd
 * says so; every other outcome (unreachable, timed out, an ERROR reply such as the INSTREAM size limit)
 * throws, and the upload is refused rather than stored unscanned.
 *
 * clamd's StreamMaxLength must be at least UPLOAD_MAX_BYTES (it counts the file's bytes; over it the scan
 * fails), and its MaxFileSize too: a file over MaxFileSize is reported OK without being scanned.
 */
import { open } from 'node:fs/promises';
import type { Env } from '../env';
import { clamdCommand, ClamdError, type ClamdAddress } from './clamd';
import type { ScanResult, Scanner } from './types';

export interface ScannerOptions {
  mode: 'none' | 'clamav';
  /** clamd's local socket; used when no host is given. */
  socket?: string;
  /** clamd over TCP. */
  host?: string;
  port?: number;
  /** The longest a scan may take, sending included (default 60 s). */
  timeoutMs?: number;
}

const DEFAULT_SOCKET = '/run/clamav/clamd.ctl';
const DEFAULT_PORT = 3310;
const DEFAULT_TIMEOUT_MS = 60_000;
/** A readiness probe should answer fast or not at all. */
const CHECK_TIMEOUT_MS = 5_000;
/** Read size for streaming: large enough for few round trips, small enough that memory stays flat. */
const CHUNK_BYTES = 64 * 1024;

/** `stream: OK` or `stream: <signature> FOUND`; anything else (`… ERROR`) is not an answer. */
export function parseScanReply(reply: string): ScanResult {
  if (/^stream: OK$/.test(reply)) return { clean: true };
  const found = /^stream: (.+) FOUND$/.exec(reply);
  if (found) return { clean: false, signature: found[1]! };
  throw new ClamdError(`clamd could not scan the file: ${reply}`);
}

export function createScanner(options: ScannerOptions): Scanner {
  if (options.mode === 'none') {
    return {
      name: 'none',
      scan: async () => ({ clean: true }),
      check: async () => undefined,
    };
  }
  const address: ClamdAddress = options.host
    ? { host: options.host, port: options.port ?? DEFAULT_PORT }
    : { socket: options.socket ?? DEFAULT_SOCKET };
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return {
    name: 'clamav',
    async scan(filePath) {
      // Opened before connecting: a missing file rejects here, rather than as a stream error nobody listens to yet.
      const file = await open(filePath, 'r');
      const body = file.createReadStream({ highWaterMark: CHUNK_BYTES }); // closes the file when destroyed
      try {
        return parseScanReply(await clamdCommand(address, 'INSTREAM', { body, timeoutMs }));
      } finally {
        body.destroy();
      }
    },
    async check() {
      const reply = await clamdCommand(address, 'PING', { timeoutMs: Math.min(timeoutMs, CHECK_TIMEOUT_MS) });
      if (reply !== 'PONG') throw new ClamdError(`clamd answered PING with ${JSON.stringify(reply)}`);
    },
  };
}

/** The scanner the settings ask for (UPLOAD_SCAN, CLAMAV_SOCKET, CLAMAV_HOST, CLAMAV_PORT). */
export function createScannerFromEnv(env: Pick<Env, 'UPLOAD_SCAN' | 'CLAMAV_SOCKET' | 'CLAMAV_HOST' | 'CLAMAV_PORT'>): Scanner {
  return createScanner({ mode: env.UPLOAD_SCAN, socket: env.CLAMAV_SOCKET, host: env.CLAMAV_HOST, port: env.CLAMAV_PORT });
}
