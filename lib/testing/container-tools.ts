/**
 * Daemonless container tools for tests (Debian's buildah, podman, runc, debootstrap), run as root with a private
 * image store under CONTAINER_CACHE so that tests neither see nor disturb the machine's own images.
 */
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { findTool } from './find-tool';

/** Test-only setting: where the image store and the cached base image live. */
export const CONTAINER_CACHE = process.env.PARLEY_CONTAINER_CACHE ?? '/var/cache/parley-test';

export const CONTAINER_TOOLS = ['buildah', 'podman', 'runc', 'debootstrap'] as const;

export const CONTAINER_TOOLS_MISSING =
  'apt-get install buildah podman runc debootstrap (CI installs them: .ci/run); the container test needs root';

/** Throws (never skips) when a tool is missing: CI installs them, so absence is a broken machine. */
export function requireContainerTools(): void {
  const missing = CONTAINER_TOOLS.filter((tool) => !findTool(tool));
  if (missing.length > 0) throw new Error(`missing ${missing.join(', ')}: ${CONTAINER_TOOLS_MISSING}`);
  if (process.getuid?.() !== 0) throw new Error(`not root: ${CONTAINER_TOOLS_MISSING}`);
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Everything printed goes to this file too (long steps: debootstrap, image builds). */
  logFile?: string;
  env?: Record<string, string>;
  cwd?: string;
  /** Fail with the output's tail instead of returning a non-zero result. */
  check?: boolean;
}

const KEEP = 64 * 1024;

export function run(command: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const log = options.logFile ? createWriteStream(options.logFile, { flags: 'a' }) : undefined;
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout = (stdout + chunk.toString('utf8')).slice(-KEEP);
      log?.write(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-KEEP);
      log?.write(chunk);
    });
    child.once('error', reject);
    child.once('close', (code, signal) => {
      log?.end();
      const result = { code: code ?? (signal ? 128 : 1), stdout, stderr };
      if (options.check && result.code !== 0) {
        const tail = (stdout + '\n' + stderr).trim().split('\n').slice(-40).join('\n');
        const where = options.logFile ? ` (full log: ${options.logFile})` : '';
        reject(new Error(`${command} ${args.join(' ')} exited ${result.code}${where}:\n${tail}`));
      } else resolve(result);
    });
  });
}

/** buildah and podman share one private store. */
function storageFlags(): string[] {
  return [
    '--root', path.join(CONTAINER_CACHE, 'containers'),
    '--runroot', '/run/parley-test/containers',
    '--storage-driver', 'overlay',
  ];
}

export function buildah(args: string[], options: RunOptions = {}): Promise<RunResult> {
  return run('buildah', [...storageFlags(), ...args], options);
}

/**
 * podman without systemd: cgroupfs, a file for events, and runc (crun 1.8 refuses hybrid cgroup hierarchies,
 * which these machines have).
 */
export function podman(args: string[], options: RunOptions = {}): Promise<RunResult> {
  return run(
    'podman',
    [...storageFlags(), '--cgroup-manager', 'cgroupfs', '--events-backend', 'file', '--runtime', findTool('runc') ?? 'runc', ...args],
    options,
  );
}

export async function imageExists(ref: string): Promise<boolean> {
  return (await podman(['image', 'exists', ref])).code === 0;
}

/**
 * `--ulimit` values the runtime may set. Rootful podman asks for 1048576 open files by default, and raising a hard
 * limit needs CAP_SYS_RESOURCE, which sandboxes withhold (runc then fails with EPERM); podman 4.3 also ran its
 * runtime with a process limit of 32768 here. Stay below both, with plenty for one server.
 */
export async function containerUlimits(): Promise<string[]> {
  const limits = await readFile('/proc/self/limits', 'utf8');
  const hard = (name: string): number => {
    const line = limits.split('\n').find((l) => l.startsWith(name));
    const value = line?.slice(name.length).trim().split(/\s+/)[1];
    return value === undefined || value === 'unlimited' ? Number.POSITIVE_INFINITY : Number(value);
  };
  const nofile = Math.min(hard('Max open files'), 65536);
  const nproc = Math.min(hard('Max processes'), 4096);
  return ['--ulimit', `nofile=${nofile}:${nofile}`, '--ulimit', `nproc=${nproc}:${nproc}`];
}
