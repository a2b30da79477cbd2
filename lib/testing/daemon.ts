/**
 * A private copy of a system daemon for tests (clamd, coturn): started with its own config in a temporary
 * directory, its output kept for error messages, ready when `probe` answers, stopped (and its directory
 * removed) by the test. The daemons' own set-up lives in clamd.ts and coturn.ts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { rm } from 'node:fs/promises';

export interface TestDaemon {
  pid: number;
  /** The last `keepBytes` of what it printed. */
  output(): string;
  stop(): Promise<void>;
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

export async function startDaemon(options: {
  name: string;
  binary: string;
  args: string[];
  /** Removed when it stops. */
  dir: string;
  /** Resolves true once the daemon serves (it is polled until then). */
  probe(): Promise<boolean>;
  /** What "ready" means, for the error message: "answer PING". */
  readyMeans: string;
  startTimeoutMs: number;
  keepBytes?: number;
  /** Between probes that answered false at once. */
  pollMs?: number;
}): Promise<TestDaemon> {
  const child = spawn(options.binary, options.args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-(options.keepBytes ?? 8192));
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
    await rm(options.dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + options.startTimeoutMs;
  let died = false;
  void exit.then(() => (died = true));
  for (;;) {
    if (died) {
      await stop();
      throw new Error(`${options.name} exited during start-up (code ${child.exitCode}):\n${output}`);
    }
    if (await options.probe().catch(() => false)) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${options.name} did not ${options.readyMeans} within ${options.startTimeoutMs} ms:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 50));
  }
  return { pid: child.pid!, output: () => output, stop };
}
