/**
 * A private clamd for tests: its own temp folder, config, socket and signature database, in the foreground
 * as the current user. No internet is needed: instead of ClamAV's downloaded databases it loads signatures
 * for the EICAR test file only (a whole-file hash and a body pattern, so EICAR inside a larger file is found).
 */
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { clamdCommand } from '../files/clamd';
import { startDaemon } from './daemon';
import { findTool } from './find-tool';
import { eicar } from './file-fixtures';

/** The clamd binary (Debian: package clamav-daemon), or undefined when it is not installed. */
export function findClamd(): string | undefined {
  return findTool('clamd');
}

export interface TestClamd {
  /** The unix socket it listens on. */
  socket: string;
  /** The TCP port on 127.0.0.1, when asked for. */
  port?: number;
  pid: number;
  stop(): Promise<void>;
}

export interface TestClamdOptions {
  /** clamd's StreamMaxLength in bytes (INSTREAM data over it is refused). */
  streamMaxLength?: number;
  /** Also listen on 127.0.0.1:port. */
  tcpPort?: number;
  /** How long start-up may take (loading signatures, first PING). */
  startTimeoutMs?: number;
}

function signatures(): { hdb: string; ndb: string } {
  const file = eicar();
  const md5 = createHash('md5').update(file).digest('hex');
  // The first 40 bytes of EICAR: specific enough, and not the whole file so the hash signature still differs.
  return {
    hdb: `${md5}:${file.length}:Eicar-Test-Signature\n`,
    ndb: `Eicar-Test-Signature-Body:0:*:${file.subarray(0, 40).toString('hex')}\n`,
  };
}

export async function startTestClamd(options: TestClamdOptions = {}): Promise<TestClamd> {
  const binary = findClamd();
  if (!binary) throw new Error('clamd is not installed (Debian: apt-get install clamav-daemon)');
  const dir = await mkdtemp(path.join(tmpdir(), 'parley-clamd-'));
  const database = path.join(dir, 'db');
  const socket = path.join(dir, 'clamd.sock');
  const streamMaxLength = options.streamMaxLength ?? 32 * 1024 * 1024;
  await mkdir(database);
  const { hdb, ndb } = signatures();
  await writeFile(path.join(database, 'parley-test.hdb'), hdb);
  await writeFile(path.join(database, 'parley-test.ndb'), ndb);
  const config = [
    `LocalSocket ${socket}`,
    'LocalSocketMode 600',
    ...(options.tcpPort ? [`TCPSocket ${options.tcpPort}`, 'TCPAddr 127.0.0.1'] : []),
    `DatabaseDirectory ${database}`,
    `TemporaryDirectory ${dir}`,
    // In the foreground so it is our child and dies with its process group; no `User`: it stays whoever
    // started it (root in CI, where it would otherwise need a `clamav` user).
    'Foreground yes',
    `StreamMaxLength ${streamMaxLength}`,
    // MaxFileSize below the stream limit would let larger files through unscanned ("OK").
    `MaxFileSize ${streamMaxLength}`,
    `MaxScanSize ${streamMaxLength * 4}`,
    'SelfCheck 0',
    'Bytecode no',
    'LogTime no',
  ].join('\n');
  const configFile = path.join(dir, 'clamd.conf');
  await writeFile(configFile, config + '\n');

  const daemon = await startDaemon({
    name: 'clamd',
    binary,
    args: ['--config-file', configFile],
    dir,
    probe: async () => (await clamdCommand({ socket }, 'PING', { timeoutMs: 1000 })) === 'PONG',
    readyMeans: 'answer PING',
    startTimeoutMs: options.startTimeoutMs ?? 30_000,
    pollMs: 50, // while it loads signatures
  });
  return { socket, port: options.tcpPort, pid: daemon.pid, stop: daemon.stop };
}
