/**
 * `npm start`, `npm run dev` and `npm run start:cluster` stopped the way a process manager stops them: one
 * signal to the npm process alone. Everything npm started (the supervisor script, server.ts, the embedded
 * PostgreSQL and its workers) must be gone within 5 s, the ports closed, and no PostgreSQL or
 * postmaster.pid left on the data directory. These run the real npm scripts in this checkout; `npm start`
 * needs a current production build, made once before (scripts/test.ts builds before running vitest).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../lib/testing/free-port';
import { buildIfStale } from './build-if-stale';

const ROOT = path.resolve(import.meta.dirname, '..');
const STOP_WITHIN_MS = 5_000;

interface Proc {
  pid: number;
  ppid: number;
  /** Start time in clock ticks since boot: with the pid, it names a process even if the pid is reused. */
  started: string;
  state: string;
  args: string;
}

function readProc(pid: number): Proc | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // after "pid (comm) "
    const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
    return { pid, ppid: Number(fields[1]), started: fields[19] ?? '', state: fields[0] ?? '', args };
  } catch {
    return undefined;
  }
}

function allProcs(): Proc[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map((name) => readProc(Number(name)))
    .filter((p): p is Proc => p !== undefined);
}

function descendantsOf(root: number): Proc[] {
  const procs = allProcs();
  const found: Proc[] = [];
  const queue = [root];
  while (queue.length > 0) {
    const parent = queue.shift()!;
    for (const p of procs) {
      if (p.ppid === parent) {
        found.push(p);
        queue.push(p.pid);
      }
    }
  }
  return found;
}

/** Alive: same pid and start time, not a zombie (an exited child nobody has reaped yet). */
function isAlive(p: Proc): boolean {
  const now = readProc(p.pid);
  return !!now && now.started === p.started && now.state !== 'Z';
}

function postgresOn(dataDir: string): Proc[] {
  return allProcs().filter((p) => p.args.includes(`-D ${dataDir}`));
}

function portAccepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

async function until(predicate: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (predicate()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
}

interface Launched {
  npm: ChildProcess;
  /** npm and everything below it, as last seen while it ran (orphans are no longer found below npm). */
  tree: Proc[];
  ports: number[];
  pgPort: number;
  dataDir: string;
  output: () => string;
}

const launched: Launched[] = [];

async function launch(script: 'start' | 'dev' | 'start:cluster', dataDir: string): Promise<Launched> {
  const pgPort = await freePort();
  let ports = [await freePort()];
  if (script === 'start:cluster') {
    while (!(await portIsFree(ports[0]! + 1))) ports = [await freePort()];
    ports.push(ports[0]! + 1);
  }
  const args = script === 'start:cluster' ? ['run', script, '--', '--instances', '2'] : ['run', script];
  const npm = spawn('npm', args, {
    cwd: ROOT,
    // What a process manager would give it: no inherited test settings.
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: script === 'dev' ? 'development' : 'production', // the scripts set it anyway
      PORT: String(ports[0]),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      EMBEDDED_PG_PORT: String(pgPort),
      LOG_LEVEL: 'info',
      NEXT_TELEMETRY_DISABLED: '1',
      npm_config_update_notifier: 'false',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own session, like a service: nothing here signals its process group by accident
  });
  let output = '';
  npm.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  npm.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const run: Launched = { npm, tree: [], ports, pgPort, dataDir, output: () => output };
  launched.push(run);

  const deadline = Date.now() + 180_000; // dev compiles /api/ready on first request
  for (const port of ports) {
    for (;;) {
      if (npm.exitCode !== null) throw new Error(`npm ${script} exited early:\n${output}`);
      if (Date.now() > deadline) throw new Error(`npm ${script} not ready:\n${output}`);
      const ready = await fetch(`http://127.0.0.1:${port}/api/ready`).catch(() => undefined);
      await ready?.text();
      if (ready?.status === 200) break;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  run.tree = [readProc(npm.pid!)!, ...descendantsOf(npm.pid!)];
  return run;
}

/**
 * A request in flight when the stop begins, completed afterwards on a keep-alive connection, as a browser
 * would: the server must still answer it, then not keep the idle connection open. Resolves once the
 * server has the request (its "100 Continue" says so) and half of the body.
 */
async function requestInFlight(port: number): Promise<{ complete: () => Promise<number> }> {
  const body = JSON.stringify({ username: '', password: '' });
  const req = request({
    host: '127.0.0.1',
    port,
    method: 'POST',
    path: '/api/register',
    agent: new Agent({ keepAlive: true }),
    headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), expect: '100-continue' },
  });
  const answered = new Promise<number>((resolve, reject) => {
    req.once('error', reject);
    req.once('response', (res) => {
      res.resume();
      res.once('end', () => resolve(res.statusCode ?? 0));
    });
  });
  answered.catch(() => undefined); // surfaced by complete()
  await new Promise<void>((resolve, reject) => {
    req.once('continue', resolve);
    req.once('error', reject);
  });
  req.write(body.slice(0, 5));
  return {
    complete: () => {
      req.end(body.slice(5));
      return answered;
    },
  };
}

/**
 * Signals the npm process alone (or, `group`, its whole process group, as a terminal's Ctrl-C does) and
 * checks that everything it started is gone within the limit.
 */
async function expectStopsCompletely(
  run: Launched,
  signal: NodeJS.Signals,
  { during, group = false }: { during?: () => Promise<void>; group?: boolean } = {},
): Promise<void> {
  run.tree = [readProc(run.npm.pid!)!, ...descendantsOf(run.npm.pid!)];
  const everything = run.tree;
  expect(everything.some((p) => p.args.includes('server.ts')), run.output()).toBe(true);
  expect(postgresOn(path.join(run.dataDir, 'postgres')).length, run.output()).toBeGreaterThan(0);

  const signalledAt = Date.now();
  process.kill(group ? -run.npm.pid! : run.npm.pid!, signal);
  await during?.();
  const stopped = await until(() => everything.every((p) => !isAlive(p)), STOP_WITHIN_MS);
  const left = everything.filter(isAlive).map((p) => `${p.pid} ${p.args}`);
  expect(left, `still running ${Date.now() - signalledAt} ms after ${signal}:\n${run.output()}`).toEqual([]);
  expect(stopped).toBe(true);

  for (const port of [...run.ports, run.pgPort]) expect(await portAccepts(port), `port ${port}`).toBe(false);
  const clusterDir = path.join(run.dataDir, 'postgres');
  expect(postgresOn(clusterDir)).toEqual([]);
  expect(existsSync(path.join(clusterDir, 'postmaster.pid')), 'postmaster.pid left behind').toBe(false);
}

const dataDirs: string[] = [];
function tempDataDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'parley-npm-'));
  chmodSync(dir, 0o755); // as root, PostgreSQL runs as the "postgres" user and must reach its directory
  dataDirs.push(dir);
  return dir;
}

beforeAll(async () => {
  // `npm start` would build a stale app itself, inside the time it takes to become ready; build first.
  const built = await buildIfStale({ PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'production' }, { root: ROOT });
  expect(built).toBe(0);
}, 600_000);

afterEach(async () => {
  // A failed test must not leave servers behind: kill whatever is left of each run.
  for (const run of launched.splice(0)) {
    for (const p of [...run.tree, ...descendantsOf(run.npm.pid!), ...postgresOn(run.dataDir)]) {
      if (!isAlive(p)) continue;
      try {
        process.kill(p.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
  }
});

afterAll(() => {
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
});

describe('stopping the npm scripts by signalling npm alone', () => {
  it('npm start: SIGTERM stops everything within 5 s, after answering a request in flight', async () => {
    const run = await launch('start', tempDataDir());
    expect(run.output()).toContain('"mode":"production"');
    const inFlight = await requestInFlight(run.ports[0]!);
    await expectStopsCompletely(run, 'SIGTERM', {
      during: async () => {
        expect(await until(() => run.output().includes('"msg":"shutting down"'), STOP_WITHIN_MS)).toBe(true);
        expect(await inFlight.complete()).toBe(422); // answered during the stop
      },
    });
    expect(run.output()).toContain('shutdown complete');
  }, 120_000);

  it('npm start: SIGINT stops everything within 5 s', async () => {
    const run = await launch('start', tempDataDir());
    await expectStopsCompletely(run, 'SIGINT');
    expect(run.output()).toContain('shutdown complete');
  }, 120_000);

  it('npm start: a kill -9 of npm (nothing passed on) still stops everything within 5 s', async () => {
    const run = await launch('start', tempDataDir());
    await expectStopsCompletely(run, 'SIGKILL');
  }, 120_000);

  it('Ctrl-C in a terminal (SIGINT to the whole process group): the database stops after the server', async () => {
    const run = await launch('start', tempDataDir());
    await expectStopsCompletely(run, 'SIGINT', { group: true });
    expect(run.output()).toContain('shutdown complete');
    // PostgreSQL interrupted under the server's feet shows as connections terminated by the administrator.
    expect(run.output()).not.toContain('terminating connection due to administrator command');
  }, 120_000);

  it('npm run dev: SIGTERM stops everything within 5 s', async () => {
    const run = await launch('dev', tempDataDir());
    expect(run.output()).toContain('"mode":"development"');
    await expectStopsCompletely(run, 'SIGTERM');
  }, 240_000);

  it('npm run start:cluster: SIGTERM stops both instances and the database within 5 s', async () => {
    const run = await launch('start:cluster', tempDataDir());
    await expectStopsCompletely(run, 'SIGTERM');
    expect(run.output()).toContain('parley cluster: stopped');
  }, 120_000);
});
