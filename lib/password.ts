/**
 * Password hashing with bcryptjs at cost 11 (~100 ms of CPU each), in a pool of worker threads
 * (piscina), so that sign-ins, sign-ups and private rooms never stall the event loop that serves
 * everyone's sockets and requests. The pool is bounded: one thread per core by default and a bounded
 * queue; when the queue is full, work is refused with UNAVAILABLE instead of waiting without limit.
 *
 * The pool lives on globalThis, like the Prisma client (lib/db.ts): server.ts (run by tsx) and each of
 * Next's server bundles (route handlers, server actions) load their own copy of this module and share
 * one pool. server.ts starts it before Next serves anything and closes it at shutdown. Since each copy
 * has its own AppError class, the shared pool rejects with piscina's plain errors and each copy's
 * exported functions turn a full queue into its own AppError.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import bcrypt from 'bcryptjs';
import { Piscina } from 'piscina';
import { getEnv } from './env';
import { AppError } from './errors';
import { getLogger } from './logger';

export const BCRYPT_COST = 11;

/** bcrypt reads at most this many bytes of a password and silently ignores the rest. */
export const BCRYPT_MAX_BYTES = 72;

/** Default queue bound per thread: with ~100 ms hashes, at most ~1.6 s of waiting before a refusal. */
const QUEUE_PER_THREAD = 16;

/**
 * The workers' scheduling priority below the main thread's (nice +10; Linux, through piscina's optional
 * @napi-rs/nice; a no-op where unavailable): when hashing fills every core, the event loop still runs
 * first. `npm run bench -- --scenarios hashing`, 20 hashes/s on 2 busy cores, three pairs of runs: HTTP
 * requests to the instance meanwhile p50 4–8 ms instead of 12–58 ms, hashing throughput unchanged.
 */
const WORKER_NICE = 10;

export interface PasswordPoolOptions {
  /** Worker threads (default: PASSWORD_HASH_THREADS, else one per core). */
  threads?: number;
  /** Tasks allowed to wait for a thread; beyond, UNAVAILABLE (default: PASSWORD_HASH_QUEUE, else 16 per thread). */
  queue?: number;
}

/** Rejects with piscina's own errors (a full queue: see `isQueueFull`). */
export interface PasswordPool {
  hash(password: string): Promise<string>;
  verify(password: string, hash: string): Promise<boolean>;
  /** Waits for running and queued work, then stops the threads. */
  close(): Promise<void>;
  readonly stats: { threads: number; queueLimit: number; queued: number; completed: number; refused: number };
}

const WORKER = 'password-worker.mjs';

/**
 * The worker script, beside this module. Run as source (tsx: server.ts, tests, bench), this module finds
 * it from its own location. Inside Next's bundles `import.meta.url` is a placeholder (file:///ROOT/…), so a
 * pool started there (only without server.ts) looks in the project directory, which Next runs from.
 */
function workerFile(): string {
  const candidates = [path.join(process.cwd(), 'lib', WORKER)];
  if (typeof import.meta.url === 'string' && import.meta.url.startsWith('file:')) candidates.unshift(path.join(path.dirname(fileURLToPath(import.meta.url)), WORKER));
  const file = candidates.find((candidate) => existsSync(candidate));
  // piscina would respawn a worker that cannot load, forever: fail once, clearly.
  if (!file) throw new Error(`The password worker is missing (looked at ${candidates.join(', ')}).`);
  return file;
}

const QUEUE_FULL = 'Task queue is at limit'; // piscina's TaskQueueAtLimit, guarded by a test

function isQueueFull(error: unknown): boolean {
  return error instanceof Error && error.message === QUEUE_FULL;
}

/** This copy's AppError for a full queue (see the module comment). */
function busyAsAppError(error: unknown): never {
  if (isQueueFull(error)) throw new AppError('UNAVAILABLE', 'The server is busy. Try again in a moment.', { retryAfter: 1 });
  throw error;
}

function createPasswordPool(options: PasswordPoolOptions): PasswordPool {
  const env = getEnv();
  const threads = options.threads ?? env.PASSWORD_HASH_THREADS ?? availableParallelism();
  const queueLimit = options.queue ?? env.PASSWORD_HASH_QUEUE ?? QUEUE_PER_THREAD * threads;
  const piscina = new Piscina({ filename: workerFile(), minThreads: threads, maxThreads: threads, maxQueue: queueLimit, niceIncrement: WORKER_NICE });
  piscina.on('error', (error: unknown) => getLogger().error({ err: error }, 'password worker failed'));
  let refused = 0;

  async function run<T>(name: 'hash' | 'verify', task: object): Promise<T> {
    try {
      return (await piscina.run(task, { name })) as T;
    } catch (error) {
      if (isQueueFull(error)) refused += 1;
      throw error;
    }
  }

  return {
    hash: (password) => run<string>('hash', { password, cost: BCRYPT_COST }),
    verify: (password, hash) => run<boolean>('verify', { password, hash }),
    close: () => piscina.close(),
    get stats() {
      return { threads, queueLimit, queued: piscina.queueSize, completed: piscina.completed, refused };
    },
  };
}

const globalForPassword = globalThis as unknown as { parleyPasswordPool?: PasswordPool };

/**
 * The process's pool: the one on globalThis, else a new one made with `options`. server.ts starts it at
 * start-up; elsewhere (tests, bench) the first hash does.
 */
export function startPasswordPool(options: PasswordPoolOptions = {}): PasswordPool {
  globalForPassword.parleyPasswordPool ??= createPasswordPool(options);
  return globalForPassword.parleyPasswordPool;
}

/** The process's pool's figures for /api/metrics, or undefined before its first use. */
export function passwordPoolStats(): PasswordPool['stats'] | undefined {
  return globalForPassword.parleyPasswordPool?.stats;
}

/** Stops the process's pool after its queued work (server shutdown). A later hash starts a new one. */
export async function closePasswordPool(): Promise<void> {
  const pool = globalForPassword.parleyPasswordPool;
  globalForPassword.parleyPasswordPool = undefined;
  await pool?.close();
}

/** Throws UNAVAILABLE when the pool's queue is full. Longer than 72 bytes is a caller's bug (schemas refuse it). */
export function hashPassword(password: string): Promise<string> {
  if (bcrypt.truncates(password)) return Promise.reject(new RangeError(`A password to hash must be at most ${BCRYPT_MAX_BYTES} bytes.`));
  return startPasswordPool().hash(password).catch(busyAsAppError);
}

/**
 * Whether `password` is the one `hash` was made from. A candidate longer than 72 bytes is never right:
 * every password we hash is at most 72 bytes (the schemas refuse longer ones), and bcrypt would compare
 * only its first 72 bytes, accepting any suffix. Throws UNAVAILABLE when the pool's queue is full.
 */
export async function verifyPassword(password: string, hash: string): Promise<boolean> {
  if (bcrypt.truncates(password)) return false;
  return startPasswordPool().verify(password, hash).catch(busyAsAppError);
}

/**
 * A real hash of a random string, compared against when the username does not exist so that a wrong
 * username and a wrong password take the same time (no account enumeration by timing).
 */
let dummyHash: Promise<string> | undefined;
export async function verifyAgainstDummy(password: string): Promise<boolean> {
  if (bcrypt.truncates(password)) return false; // as verifyPassword: equally fast for every username
  dummyHash ??= startPasswordPool()
    .hash(crypto.randomUUID())
    .catch((error: unknown) => {
      dummyHash = undefined; // a refusal (queue full) must not stick
      throw error;
    });
  await startPasswordPool()
    .verify(password, await dummyHash.catch(busyAsAppError))
    .catch(busyAsAppError);
  return false;
}
