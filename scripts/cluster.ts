/**
 * `npm run start:cluster [-- --instances N --base-port P]`: several Parley instances on one machine
 * against ONE database, for trying out (and testing) a multi-instance deployment behind a load balancer
 * (deploy/nginx/parley.conf). Each instance is `server.ts` in production mode on its own port
 * (P, P+1, …); they share AUTH_SECRET (so a session cookie is valid on every instance) and DATABASE_URL.
 *
 *   --instances N   | CLUSTER_INSTANCES   number of instances (default 2)
 *   --base-port P   | PORT                port of the first instance (default 3001)
 *
 * Database: DATABASE_URL when set; otherwise this script starts the embedded PostgreSQL (DATA_DIR,
 * EMBEDDED_PG_PORT, exactly like a single `npm start`) once and hands its URL to every instance. The
 * embedded server runs under a small helper process in its own process group, so a Ctrl-C in the terminal
 * reaches the instances but not the database: on SIGINT/SIGTERM the instances shut down first (signal
 * forwarded to each), the database last. When any instance dies unexpectedly the others are stopped too
 * and the script exits non-zero. The same happens when npm, which started this script, is gone without
 * passing a signal on (kill -9). If this script itself is killed hard, the helper and the instances
 * (server.ts) notice their IPC channel closing and shut down on their own.
 *
 * Cross-instance broadcast needs the Socket.IO PostgreSQL adapter in server.ts; without it a message
 * reaches only the sockets connected to the instance that stored it (the others still see it on
 * reconnect/replay).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { EnvError, loadOrCreateSecretFile, parseEnv, type Env } from '../lib/env';
import { onLauncherExit } from '../lib/supervision';
import { buildIfStale } from './build-if-stale';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const THIS_FILE = fileURLToPath(import.meta.url);
/** server.ts exits by itself within ~8 s of a signal; after this we stop waiting and SIGKILL. */
const INSTANCE_STOP_TIMEOUT_MS = 15_000;
const DATABASE_STOP_TIMEOUT_MS = 15_000;

type HolderMessage = { type: 'ready'; url: string; pid: number | undefined } | { type: 'error'; message: string };

function fail(message: string): never {
  console.error(`parley cluster: ${message}`);
  process.exit(1);
}

function positiveInt(name: string, raw: string, min: number, max: number): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) fail(`${name} must be an integer from ${min} to ${max} (got "${raw}")`);
  return value;
}

/** Copies a child's output line by line with a prefix, so interleaved instances stay readable. */
function pipeWithPrefix(child: ChildProcess, prefix: string): void {
  if (child.stdout) createInterface({ input: child.stdout }).on('line', (line) => process.stdout.write(`${prefix} ${line}\n`));
  if (child.stderr) createInterface({ input: child.stderr }).on('line', (line) => process.stderr.write(`${prefix} ${line}\n`));
}

function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

// ---------------------------------------------------------------------------------------------------
// Database helper (`--database-holder`, started by the cluster below): owns the embedded PostgreSQL.
// ---------------------------------------------------------------------------------------------------

async function runDatabaseHolder(): Promise<void> {
  // The cluster reads our output through pipes; if it died, writes fail: ignore, and still stop PostgreSQL.
  process.stdout.on('error', () => undefined);
  process.stderr.on('error', () => undefined);
  const send = (message: HolderMessage, then?: () => void) => {
    if (process.connected && process.send) process.send(message, undefined, {}, () => then?.());
    else then?.();
  };
  const { startEmbeddedPostgres } = await import('../lib/postgres/embedded');
  const verbose = ['debug', 'trace'].includes(process.env.LOG_LEVEL ?? '');
  let starting: Promise<Awaited<ReturnType<typeof startEmbeddedPostgres>> | undefined> | undefined;
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    try {
      const database = await starting; // let a start in progress finish, then stop what it started
      await database?.stop();
      if (database) console.log('embedded PostgreSQL stopped');
    } catch (error) {
      console.error('stopping embedded PostgreSQL failed:', error instanceof Error ? error.message : error);
      code = 1;
    }
    process.exit(code);
  };
  process.on('message', (message: { type: string; dataDir?: string; port?: number }) => {
    if (message.type === 'stop') void stop(0);
    if (message.type !== 'start' || starting || !message.dataDir || !message.port) return;
    const dataDir = message.dataDir;
    starting = startEmbeddedPostgres({
      dataDir,
      port: message.port,
      database: 'parley',
      persistent: true,
      log: (level, text) => {
        if (level !== 'debug' || verbose) console.log(text);
      },
    }).then(
      (started) => {
        if (!stopping) {
          console.log(`embedded PostgreSQL ready on 127.0.0.1:${started.port} (data in ${dataDir})`);
          send({ type: 'ready', url: started.url, pid: started.pid });
        }
        return started;
      },
      (error: unknown) => {
        // Exit once the message is written (an immediate exit could drop it), unless a stop is already under way.
        send({ type: 'error', message: error instanceof Error ? error.message : String(error) }, () => {
          if (!stopping) process.exit(1);
        });
        return undefined;
      },
    );
  });
  process.on('disconnect', () => void stop(0)); // the cluster is gone (even kill -9): do not leave PostgreSQL behind
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));
}

// ---------------------------------------------------------------------------------------------------
// The cluster.
// ---------------------------------------------------------------------------------------------------

interface Instance {
  index: number;
  port: number;
  prefix: string;
  child: ChildProcess;
}

async function runCluster(): Promise<void> {
  process.chdir(ROOT);
  const options = (() => {
    try {
      return parseArgs({
        options: {
          instances: { type: 'string', short: 'n' },
          'base-port': { type: 'string', short: 'p' },
          help: { type: 'boolean', short: 'h' },
        },
        strict: true,
      }).values;
    } catch (error) {
      return fail(`${error instanceof Error ? error.message : error}\nusage: npm run start:cluster -- [--instances N] [--base-port PORT]`);
    }
  })();
  if (options.help) {
    console.log('usage: npm run start:cluster -- [--instances N (CLUSTER_INSTANCES, default 2)] [--base-port PORT (PORT, default 3001)]');
    return;
  }
  const count = positiveInt('--instances / CLUSTER_INSTANCES', options.instances ?? process.env.CLUSTER_INSTANCES ?? '2', 1, 64);
  const basePort = positiveInt('--base-port / PORT', options['base-port'] ?? process.env.PORT ?? '3001', 1, 65536 - count);

  // One secret for all instances: a session signed by one must verify on the others.
  const shared: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'production' };
  if (!shared.AUTH_SECRET) {
    const dataDir = shared.DATA_DIR || '.data';
    shared.AUTH_SECRET = loadOrCreateSecretFile(dataDir);
    console.log(`parley cluster: AUTH_SECRET not set; using the generated secret in ${dataDir}/auth-secret`);
  }
  // Validate every setting once here, not N times in N interleaved outputs.
  let env: Env;
  try {
    env = parseEnv({ ...shared, PORT: String(basePort) } as Record<string, string | undefined>);
  } catch (error) {
    if (error instanceof EnvError) fail(error.message);
    throw error;
  }

  let shuttingDown = false;
  let exitCode = 0;
  let holder: ChildProcess | undefined;
  let holderPid: number | undefined; // the postmaster, for a last-resort stop
  const building = new AbortController();
  const instances: Instance[] = [];

  async function stopDatabase(): Promise<void> {
    if (!holder || holder.exitCode !== null || holder.signalCode !== null) return;
    if (holder.connected) holder.send({ type: 'stop' });
    else holder.kill('SIGTERM');
    if (await waitForExit(holder, DATABASE_STOP_TIMEOUT_MS)) return;
    console.error('parley cluster: the database helper did not stop in time; stopping PostgreSQL directly');
    holder.kill('SIGKILL');
    if (holderPid) {
      try {
        process.kill(holderPid, 'SIGQUIT');
      } catch {
        /* already gone */
      }
    }
  }

  async function shutdown(signal: NodeJS.Signals, reason: string, code: number): Promise<void> {
    if (shuttingDown) return;
    shuttingDown = true;
    building.abort();
    exitCode = Math.max(exitCode, code);
    console.log(`parley cluster: ${reason}; stopping ${instances.length} instance(s), then the database`);
    for (const instance of instances) {
      if (instance.child.exitCode === null && instance.child.signalCode === null) instance.child.kill(signal);
    }
    await Promise.all(
      instances.map(async (instance) => {
        if (await waitForExit(instance.child, INSTANCE_STOP_TIMEOUT_MS)) return;
        console.error(`${instance.prefix} did not stop within ${INSTANCE_STOP_TIMEOUT_MS / 1000} s; killing it`);
        instance.child.kill('SIGKILL');
        await waitForExit(instance.child, 2_000);
      }),
    );
    await stopDatabase();
    console.log('parley cluster: stopped');
    process.exit(exitCode);
  }

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (shuttingDown) console.log(`parley cluster: ${signal} again; still shutting down…`);
      else void shutdown(signal, `${signal} received`, 0);
    });
  }
  // npm passes SIGINT/SIGTERM on (the npm script execs this one), but may die without passing anything.
  onLauncherExit(() => void shutdown('SIGTERM', 'the process that started it (npm) exited', 0));

  const built = await buildIfStale(shared, { root: ROOT, signal: building.signal });
  if (shuttingDown) return;
  if (built !== 0) process.exit(built);

  let databaseUrl = env.DATABASE_URL;
  if (!databaseUrl) {
    // detached: its own process group, so the terminal's Ctrl-C does not stop PostgreSQL before the instances.
    const child = spawn(process.execPath, ['--import', 'tsx', THIS_FILE, '--database-holder'], {
      cwd: ROOT,
      env: shared,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    holder = child;
    pipeWithPrefix(child, '[db]');
    const dataDir = path.join(env.DATA_DIR, 'postgres');
    const ready = await new Promise<HolderMessage | { type: 'exit' }>((resolve) => {
      child.once('message', (message: HolderMessage) => resolve(message));
      child.once('exit', () => resolve({ type: 'exit' }));
      child.send({ type: 'start', dataDir, port: env.EMBEDDED_PG_PORT });
    });
    if (shuttingDown) return; // a signal arrived while the database was starting; shutdown() stops it
    if (ready.type !== 'ready') {
      fail(`the embedded PostgreSQL did not start${ready.type === 'error' ? `: ${ready.message}` : ''}`);
    }
    databaseUrl = ready.url;
    holderPid = ready.pid;
    child.on('exit', (code, signal) => {
      if (!shuttingDown) void shutdown('SIGTERM', `the database helper exited unexpectedly (${signal ?? `code ${code}`})`, 1);
    });
  }

  const shownHost = env.HOST === '0.0.0.0' || env.HOST === '::' ? 'localhost' : env.HOST.includes(':') ? `[${env.HOST}]` : env.HOST;
  const probeHost = env.HOST === '0.0.0.0' ? '127.0.0.1' : env.HOST === '::' ? '[::1]' : shownHost;
  for (let index = 0; index < count; index++) {
    const port = basePort + index;
    const prefix = `[${index}:${port}]`;
    const child = spawn(process.execPath, ['--import', 'tsx', 'server.ts'], {
      cwd: ROOT,
      env: { ...shared, PORT: String(port), DATABASE_URL: databaseUrl },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    const instance: Instance = { index, port, prefix, child };
    instances.push(instance);
    pipeWithPrefix(child, prefix);
    child.on('exit', (code, signal) => {
      if (shuttingDown) return;
      void shutdown('SIGTERM', `${prefix} exited unexpectedly (${signal ?? `code ${code}`})`, 1);
    });
  }
  console.log(`parley cluster: starting ${count} instance(s) on ports ${basePort}-${basePort + count - 1}`);

  // Wait for every instance to answer /api/ready (it then has the database and the migrations).
  const isReady = async (instance: Instance) => {
    while (!shuttingDown && instance.child.exitCode === null) {
      try {
        const response = await fetch(`http://${probeHost}:${instance.port}/api/ready`, { signal: AbortSignal.timeout(2_000) });
        if (response.ok) return true;
      } catch {
        /* not listening yet */
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    return false;
  };
  const results = await Promise.all(instances.map(isReady));
  if (shuttingDown || !results.every(Boolean)) return;
  console.log(
    [
      '',
      `  Parley cluster: ${count} instance(s) ready, one database (${env.DATABASE_URL ? 'DATABASE_URL' : `embedded, 127.0.0.1:${env.EMBEDDED_PG_PORT}`})`,
      ...instances.map((i) => `    ${i.prefix} http://${shownHost}:${i.port}`),
      '  Put a load balancer with sticky sessions in front (deploy/nginx/parley.conf) and set TRUST_PROXY=true.',
      '  Ctrl-C stops the instances, then the database.',
      '',
    ].join('\n'),
  );
}

const main = process.argv.includes('--database-holder') ? runDatabaseHolder : runCluster;
main().catch((error: unknown) => {
  console.error('parley cluster: failed:', error instanceof Error ? error.message : error);
  process.exit(1);
});
