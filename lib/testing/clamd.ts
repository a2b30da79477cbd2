/**
 * A private clamd for tests: its own temp folder, config, socket and signature database, in the foreground
 * as the current user. No internet is needed: instead of ClamAV's downloaded databases it loads signatures
 * for the EICAR test file only (a whole-file hash and a body pattern, so EICAR inside a larger file is found).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { accessSync, constants } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { clamdCommand } from '../files/clamd';
import { eicar } from './file-fixtures';

const CANDIDATES = ['/usr/sbin/clamd', '/usr/bin/clamd', '/usr/local/sbin/clamd', '/usr/local/bin/clamd'];

/** The clamd binary (Debian: package clamav-daemon), or undefined when it is not installed. */
export function findClamd(): string | undefined {
  const fromPath = (process.env.PATH ?? '').split(path.delimiter).map((dir) => path.join(dir, 'clamd'));
  return [...fromPath, ...CANDIDATES].find((file) => {
    try {
      accessSync(file, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
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

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
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

  const child = spawn(binary, ['--config-file', configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-8192);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exit = exited(child);

  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exit;
      clearTimeout(killer);
    }
    await rm(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + (options.startTimeoutMs ?? 30_000);
  let died = false;
  void exit.then(() => (died = true));
  for (;;) {
    if (died) {
      await stop();
      throw new Error(`clamd exited during start-up (code ${child.exitCode}):\n${output}`);
    }
    try {
      if ((await clamdCommand({ socket }, 'PING', { timeoutMs: 1000 })) === 'PONG') break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`clamd did not answer PING within ${options.startTimeoutMs ?? 30_000} ms:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50)); // poll interval while it loads signatures
  }
  return { socket, port: options.tcpPort, pid: child.pid!, stop };
}
