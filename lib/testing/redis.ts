/**
 * Redis for the tests that run once per cross-instance adapter (PostgreSQL and Redis): the suite's shared
 * Redis (probed once by vitest-global-setup.ts; TEST_REDIS_URL, default 127.0.0.1:6379), a stream name of
 * this test file's own, and a private redis-server a test may stop and start (restart tests).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createClient } from 'redis';
import { inject } from 'vitest';
import type { ClusterAdapterConfig } from '../realtime/adapter-select';
import type { ClusterAdapterKind } from '../realtime/cluster-adapter';
import { findTool } from './find-tool';
import { freePort } from './free-port';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The shared Redis's URL, or '' when it did not answer (see redisMissing). */
    redisUrl: string;
    redisMissing: string;
    /** Names this run's keys, so its clean-up leaves a concurrent run's alone. */
    redisRun: string;
  }
}

export const ADAPTER_KINDS: readonly ClusterAdapterKind[] = ['postgres', 'redis'];

/** Keys of a run's test streams start with this (vitest-global-setup.ts deletes them after the run). */
export function testRedisRunPrefix(run: string): string {
  return `parley-test:${run}:`;
}

/** Modules are loaded anew per test file: every instance of one file shares this, other files never see it. */
let filePrefix: string | undefined;
function testPrefix(): string {
  filePrefix ??= `${testRedisRunPrefix(inject('redisRun'))}${randomUUID().slice(0, 8)}`;
  return filePrefix;
}

export function defaultTestRedisUrl(): string {
  return process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
}

/** Whether the shared Redis answers PING (global setup). */
export async function probeRedis(url: string): Promise<string | null> {
  const client = createClient({ url, socket: { connectTimeout: 2_000, reconnectStrategy: false } });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.ping();
    return null;
  } catch (error) {
    return `no Redis answers at ${url} (${error instanceof Error ? error.message : String(error)}); set TEST_REDIS_URL or start redis-server`;
  } finally {
    if (client.isOpen) client.destroy();
  }
}

/** Why this adapter's variant of a suite cannot run here, or null. */
export function adapterMissing(kind: ClusterAdapterKind): string | null {
  return kind === 'redis' && !inject('redisUrl') ? inject('redisMissing') : null;
}

/** For a describe title: which adapter, and why it is skipped when it is. */
export function adapterTitle(kind: ClusterAdapterKind): string {
  const missing = adapterMissing(kind);
  return `${kind === 'postgres' ? 'PostgreSQL' : 'Redis'} adapter${missing ? ` — skipped: ${missing}` : ''}`;
}

/** The adapter configuration of this test file's instances in this process. */
export function testAdapterConfig(kind: ClusterAdapterKind, databaseUrl: string, redisUrl = inject('redisUrl')): ClusterAdapterConfig {
  return kind === 'postgres' ? { kind, databaseUrl } : { kind, url: redisUrl, prefix: testPrefix() };
}

/** The same for an instance process (lib/testing/instance-main.ts reads it as server.ts would). */
export function testAdapterEnv(kind: ClusterAdapterKind, redisUrl = inject('redisUrl')): Record<string, string> {
  return kind === 'postgres' ? { REALTIME_ADAPTER: 'postgres' } : { REALTIME_ADAPTER: 'redis', REDIS_URL: redisUrl, REDIS_PREFIX: testPrefix() };
}

/** Closes the connections whose CLIENT SETNAME starts with `namePrefix` (as a network cut would); how many. */
export async function killRedisConnections(url: string, namePrefix: string): Promise<number> {
  const client = createClient({ url, socket: { reconnectStrategy: false } });
  client.on('error', () => undefined);
  await client.connect();
  try {
    const list = String(await client.sendCommand(['CLIENT', 'LIST']));
    const ids = list
      .split('\n')
      .map((line) => ({ id: /(?:^| )id=(\d+)/.exec(line)?.[1], name: /(?:^| )name=(\S*)/.exec(line)?.[1] ?? '' }))
      .filter((c) => c.id && c.name.startsWith(namePrefix))
      .map((c) => c.id!);
    for (const id of ids) await client.sendCommand(['CLIENT', 'KILL', 'ID', id]);
    return ids.length;
  } finally {
    client.destroy();
  }
}

export const REDIS_SERVER_MISSING_REASON = 'redis-server is not installed (apt-get install redis-server)';

export function findRedisServer(): string | undefined {
  return findTool('redis-server');
}

/** A redis-server of a test's own on a free port, nothing kept on disk: stop() and start() it at will. */
export interface PrivateRedis {
  /** The same URL across restarts. */
  readonly url: string;
  readonly port: number;
  /** Unless it is running. */
  start(): Promise<void>;
  /** SIGKILL: as a crash, no goodbye to the clients. */
  stop(): Promise<void>;
}

export async function startPrivateRedis(): Promise<PrivateRedis> {
  const binary = findRedisServer();
  if (!binary) throw new Error(REDIS_SERVER_MISSING_REASON);
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  const running = () => child !== undefined && child.exitCode === null && child.signalCode === null;
  async function start(): Promise<void> {
    if (running()) return;
    const started = spawn(binary!, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = started;
    let output = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`redis-server did not start:\n${output}`)), 10_000);
      started.stdout?.on('data', (d: Buffer) => {
        output += d.toString();
        if (output.includes('Ready to accept connections')) {
          clearTimeout(timer);
          resolve();
        }
      });
      started.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`redis-server exited (${code}):\n${output}`));
      });
    });
  }
  await start();
  return {
    url,
    port,
    start,
    async stop() {
      if (!running()) return;
      const stopping = child!;
      const exited = new Promise<void>((resolve) => stopping.once('exit', () => resolve()));
      stopping.kill('SIGKILL');
      await exited;
    },
  };
}
