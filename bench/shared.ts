/** Types and helpers shared by the bench orchestrator (run.ts), the load generator and the servers. */
import type { ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { getHeapSpaceStatistics, setFlagsFromString, writeHeapSnapshot } from 'node:v8';

/**
 * The systems under test. `parley` and `parley2` run as shipped (server.ts: the PostgreSQL adapter on);
 * `parley-mem` is one instance with Socket.IO's in-memory adapter (REALTIME_ADAPTER=memory), to tell
 * the adapter's cost from the rest; `parley-redis` and `parley2-redis` run on the Redis Streams adapter
 * (REALTIME_ADAPTER=redis, benchRedisEnv) — none of these three in the default run.
 */
export type ServerName = 'bare' | 'parley' | 'parley2' | 'parley-mem' | 'parley-redis' | 'parley2-redis';

export interface ServerKind {
  script: 'bare-server.ts' | 'parley-server.ts';
  instances: number;
  /** REALTIME_ADAPTER for parley-server.ts. */
  adapter: 'postgres' | 'redis' | 'memory' | null;
  label: string;
}

export const SERVER_KINDS: Record<ServerName, ServerKind> = {
  bare: { script: 'bare-server.ts', instances: 1, adapter: null, label: 'bare Socket.IO' },
  parley: { script: 'parley-server.ts', instances: 1, adapter: 'postgres', label: 'Parley ×1 (pg adapter)' },
  parley2: { script: 'parley-server.ts', instances: 2, adapter: 'postgres', label: 'Parley ×2 (pg adapter)' },
  'parley-mem': { script: 'parley-server.ts', instances: 1, adapter: 'memory', label: 'Parley ×1 (memory adapter)' },
  'parley-redis': { script: 'parley-server.ts', instances: 1, adapter: 'redis', label: 'Parley ×1 (Redis adapter)' },
  'parley2-redis': { script: 'parley-server.ts', instances: 2, adapter: 'redis', label: 'Parley ×2 (Redis adapter)' },
};

/**
 * The Redis of the `-redis` servers: BENCH_REDIS_URL, else the local one. A stream of their own per run and
 * server set (the instances of one set share it), so runs never read each other's.
 */
export function benchRedisEnv(server: ServerName): { REDIS_URL: string; REDIS_PREFIX: string } {
  return { REDIS_URL: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379', REDIS_PREFIX: `parley-bench:${process.pid}:${server}` };
}

/** What a scenario with servers of its own (uploads, capacity) borrows from the orchestrator (bench/run.ts). */
export interface ScenarioContext {
  repoRoot: string;
  log: (message: string) => void;
  /**
   * Starts a bench script (path relative to bench/) with an IPC channel, pinned to `cpu` when pinning is on (null:
   * unpinned); `profile`: a label for its CPU profile when the run has `--profile`.
   */
  spawn: (script: string, env: NodeJS.ProcessEnv, cpu: number | null, options?: { profile?: string }) => ChildProcess;
  stopChild: (child: ChildProcess) => Promise<void>;
  interrupted: () => boolean;
  authSecret: string;
  /** The run's throwaway PostgreSQL. */
  databaseUrl: string;
}

export const isParley = (name: ServerName) => SERVER_KINDS[name].script === 'parley-server.ts';

export type Scenario = 'ladder' | 'latency' | 'connections' | 'idle' | 'hashing' | 'search' | 'uploads' | 'capacity' | 'cluster' | 'storm' | 'adapters';
/** The default run. */
export const SCENARIOS: readonly Scenario[] = ['ladder', 'latency', 'connections', 'idle', 'hashing'];
/**
 * Also, only when asked for: `search` (issue 11: seeds a million messages; tens of minutes the first time)
 * `uploads` (issue 12: concurrent large uploads against server.ts, which needs the web app built) and
 * `cluster` (issue 16: 100,000 idle tabs across several instances and generator processes) and
 * `storm` (bench/storm.ts: 10,000 tabs reconnecting at once; a few minutes) and
 * `adapters` (issue 16, bench/adapters.ts: where the PostgreSQL and Redis adapters stop, instances × message rate).
 */
export const ALL_SCENARIOS: readonly Scenario[] = [...SCENARIOS, 'search', 'uploads', 'capacity', 'cluster', 'storm', 'adapters'];

export interface PhaseSpec {
  /** e.g. "main" or "ladder 2/s". */
  name: string;
  kind: 'main' | 'ladder';
  /** Messages per second per client (open loop). */
  rate: number;
  warmupMs: number;
  durationMs: number;
  /** After the window: how long to wait at most for outstanding acks and deliveries. */
  drainMs: number;
}

/** The message path: (b) latency at a fixed rate ("main") and (a) the rate ladder. */
export interface LoadPlan {
  mode: 'messages';
  server: ServerName;
  /** One per server instance. */
  urls: string[];
  /** Index = client number. Client i is in room `roomIndex`, connected to instance `instance`. */
  clients: { roomIndex: number; roomId: string; instance: number; cookie?: string; localAddress?: string }[];
  rooms: number;
  bodyBytes: number;
  /**
   * What follows the body's header: `padding` ('x' up to bodyBytes, the default) or `words`, realistic chat
   * text (bench/search-text.ts), which is what the search indexes cost on (the `search` scenario's ladder).
   */
  bodyText?: 'padding' | 'words';
  ackTimeoutMs: number;
  connectConcurrency: number;
  phases: PhaseSpec[];
  /** Phase ids in message bodies start here: unique across the servers of one run (they share a database). */
  phaseIdBase: number;
  /**
   * A ladder step passes when delivered === expected and e2e p99 <= maxP99Ms. A failing step is tried
   * once more; the ladder stops at the first step that fails twice.
   */
  ladderMaxP99Ms: number;
  /** Ladder steps stop starting once the ladder has run this long (keeps `npm run bench` within minutes). */
  ladderBudgetMs: number;
}

/**
 * (c) connections and (d) idle cost: idle "tabs" (one WebSocket carrying the main namespace and one room
 * namespace, as the browser client does), connected in steps the orchestrator asks for.
 */
export interface IdlePlan {
  mode: 'idle';
  server: ServerName;
  urls: string[];
  tabs: { roomId: string; instance: number; cookie?: string; localAddress?: string }[];
  connectConcurrency: number;
}

export interface LatencySummary {
  count: number;
  p50: number;
  p99: number;
  p999: number;
  max: number;
}

export interface ResourceSample {
  cpuPct: number | null;
  rssMB: number | null;
}

export interface GeneratorStats {
  cpuPct: number;
  elu: number;
  loopDelayP50: number;
  loopDelayP99: number;
  loopDelayMax: number;
}

export interface NotifyRates {
  /** `SELECT pg_notify` issued by the servers' adapter pools, per second (all instances). */
  sentPerS: number;
  /** Of those, heartbeats (INITIAL_HEARTBEAT, HEARTBEAT). */
  heartbeatPerS: number;
  /** Notifications received on the servers' LISTEN connections (each instance gets every NOTIFY of its channels, its own included). */
  receivedPerS: number;
}

export interface PhaseResult {
  name: string;
  kind: 'main' | 'ladder';
  /** Id carried in the bodies (messages of this phase in the database: body LIKE '<phaseId>|%'). */
  phaseId: number;
  /** The measured window on the generator's clock (intended send times in [start, end)). */
  windowStartMs: number;
  windowEndMs: number;
  ratePerClient: number;
  windowS: number;
  /** Sends whose intended time fell in the window. */
  sent: number;
  /** ok acks among them. */
  accepted: number;
  /** Rows in `messages` for those sends, counted after the drain (Parley only). */
  persisted?: number;
  persistedPerS?: number;
  /** message:new received at members other than the sender, for messages sent in the window. */
  delivered: number;
  /** sent × (room size − 1). */
  expected: number;
  deliveryRatio: number;
  sentPerS: number;
  acceptedPerS: number;
  deliveredPerS: number;
  /** Milliseconds from the intended send time. */
  ack: LatencySummary;
  e2e: LatencySummary;
  errors: Record<string, number>;
  /** A receiver saw a seq lower than or equal to one it already had (reordered or duplicated delivery). */
  outOfOrder: number;
  disconnects: number;
  generator: GeneratorStats;
  /** Filled in by the orchestrator from /proc (server: all instances summed). */
  server?: ResourceSample;
  database?: ResourceSample;
  notify?: NotifyRates;
  /** PostgreSQL housekeeping that finished during the window (a checkpoint's fsync can stall commits). */
  dbEvents?: { checkpoints: number; autovacuums: number };
  /** Whole machine, % of one core (2 cores = 200 %): all busy CPU, and what was not ours (server, DB, generator). */
  machine?: { busyPct: number | null; otherPct: number | null };
  pass?: boolean;
  /** Ladder steps: a failing step is tried once more (a burst of foreign load on a shared machine is not a limit). */
  attempt?: number;
}

/** One point of the connection ramp: after GC, summed over the instances. */
export interface RampPoint {
  tabs: number;
  failed: number;
  rssMB: number;
  heapUsedMB: number;
  /** V8's young generation (new space, committed): grows once under load (to 32 MiB), whatever the number of connections. */
  newSpaceMB: number;
  /** The step's connecting: wall time, and CPU of the servers (summed) and of PostgreSQL meanwhile. */
  connectMs?: number;
  serverCpuPct?: number | null;
  dbCpuPct?: number | null;
}

export interface IdleResult {
  tabs: number;
  failed: number;
  errors: Record<string, number>;
  /** Wall time of the whole ramp, and tabs per second. */
  connectS: number;
  connectPerS: number;
  /** Server CPU (all instances) and PostgreSQL CPU while tabs connected, in ms per tab. */
  connectCpuMsPerTab?: { server: number | null; database: number | null };
  ramp: RampPoint[];
  /** KiB of server RSS per tab: between the first ramp step and the top (one-time costs excluded), and from zero. */
  kibPerTabMarginal: number | null;
  /** The same marginal, of RSS minus V8's new space (whose one-time growth would otherwise count as per-tab cost). */
  kibPerTabMarginalNet: number | null;
  kibPerTabOverall: number | null;
  heapKibPerTabMarginal: number | null;
  /** (d): the idle window at the top of the ramp. */
  idle?: {
    windowS: number;
    roomsOpen: number;
    /** Room namespaces alive on the servers (all instances summed). */
    namespaces: number;
    notify?: NotifyRates;
    server: ResourceSample;
    database?: ResourceSample;
    generator: GeneratorStats;
    machine: { busyPct: number | null; otherPct: number | null };
  };
}

export interface ServerRun {
  server: ServerName;
  label: string;
  instances: number;
  started: boolean;
  startError?: string;
  loadError?: string;
  connect?: { clients: number; failed: number; ms: number; errors: Record<string, number> };
  phases: PhaseResult[];
  /** Ladder rates not run because the ladder's time budget was used up. */
  ladderSkipped?: number[];
  idle?: IdleResult;
  idleError?: string;
}

/** Messages from the load generator to the orchestrator (IPC). */
export type LoadMessage =
  | { type: 'connected'; clients: number; failed: number; ms: number; errors: Record<string, number> }
  | { type: 'window-start'; phase: string }
  | { type: 'window-end'; phase: string }
  | { type: 'phase-result'; result: PhaseResult }
  | { type: 'ladder-budget'; skipped: number[] }
  | { type: 'connected-to'; tabs: number; failed: number; ms: number; errors: Record<string, number>; open: number; lost: Record<string, number> }
  | { type: 'measure'; generator: GeneratorStats; open: number; lost: Record<string, number> }
  | { type: 'count'; open: number; lost: Record<string, number> }
  | { type: 'done' }
  | { type: 'fatal'; error: string };

/** Orchestrator → generator in idle mode (after the IdlePlan). */
export type IdleCommand = { type: 'connect-to'; tabs: number } | { type: 'measure-start' } | { type: 'measure-end' } | { type: 'count' } | { type: 'close' };

/** Orchestrator ↔ server (IPC). */
export type ServerCommand = { type: 'gc'; id: number } | { type: 'stats'; id: number };
export interface ServerStats {
  /** Cumulative counters since start. */
  notifySent: number;
  notifyHeartbeat: number;
  notifyReceived: number;
  /** Engine.IO connections and room namespaces on this instance. */
  connections: number;
  roomNamespaces: number;
  /** Engine.IO connections closed since start, by reason ('ping timeout', 'transport close', …). */
  closeReasons?: Record<string, number>;
  /** The longest event-loop stall since the previous stats call, ms (a GC pause, a burst). */
  loopStallMaxMs?: number;
}
export type ServerReply =
  | { type: 'ready'; port: number }
  | { type: 'gc-done'; id: number; rss: number; heapUsed: number; heapTotal: number; external: number; arrayBuffers: number; newSpace: number }
  | ({ type: 'stats'; id: number } & ServerStats);

/**
 * The body carries what the receiver needs to measure: phase, sender and the intended send time (ms on the
 * generator's monotonic clock), padded to the configured size. Both servers echo the body unchanged.
 */
export function encodeBody(phase: number, sender: number, intendedMs: number, bytes: number, text?: string): string {
  const head = `${phase}|${sender}|${intendedMs.toFixed(3)}|`;
  if (text !== undefined) return head + text.slice(0, 2000 - head.length - 1);
  return head.length >= bytes ? head : head + 'x'.repeat(bytes - head.length);
}

export function decodeBody(body: string): { phase: number; sender: number; intendedMs: number } | null {
  const a = body.indexOf('|');
  const b = body.indexOf('|', a + 1);
  const c = body.indexOf('|', b + 1);
  if (a < 0 || b < 0 || c < 0) return null;
  return { phase: Number(body.slice(0, a)), sender: Number(body.slice(a + 1, b)), intendedMs: Number(body.slice(b + 1, c)) };
}

/** A child process started by the orchestrator exits when the orchestrator goes away (IPC closes). */
export function exitWithParent(onExit: () => void | Promise<void>): void {
  process.on('disconnect', () => {
    void Promise.resolve(onExit()).finally(() => process.exit(0));
    setTimeout(() => process.exit(0), 3_000).unref();
  });
}

/**
 * GC on request (servers run with --expose-gc): a full GC, a turn of the event loop, then a full GC with
 * compaction forced (V8 flag on for that one GC only: a connect storm leaves the old space fragmented,
 * tens of MB of pages holding a few live objects, which would otherwise swamp the per-connection
 * difference), then — unless BENCH_GC_RELEASE=0 — V8's memory-reducing "last resort" GC, which also gives
 * back the pages the heap grew into during the ramp: after a plain full GC V8 keeps them (a connect ramp's
 * garbage left Parley's RSS tens of KiB per tab above its live heap; bench/README.md, memory per tab), then RSS.
 */
export function answerServerCommands(stats: () => ServerStats | Promise<ServerStats>): void {
  process.on('message', (m: ServerCommand) => {
    if (m?.type === 'gc') {
      const gc = (globalThis as { gc?: (options?: { type: 'major'; execution: 'sync'; flavor: 'last-resort' }) => void }).gc;
      gc?.();
      setImmediate(() => {
        setFlagsFromString('--compact-on-every-full-gc');
        gc?.();
        setFlagsFromString('--no-compact-on-every-full-gc');
        if (process.env.BENCH_GC_RELEASE !== '0') gc?.({ type: 'major', execution: 'sync', flavor: 'last-resort' });
        setTimeout(() => {
          const { rss, heapUsed, heapTotal, external, arrayBuffers } = process.memoryUsage();
          const newSpace = getHeapSpaceStatistics().find((space) => space.space_name === 'new_space')?.space_size ?? 0;
          // BENCH_HEAP_SNAPSHOTS=<dir>: a heap snapshot at every measured point, after the measurement (diff two
          // points by constructor to see what a tab costs; bench/README.md, memory per tab).
          const dir = process.env.BENCH_HEAP_SNAPSHOTS;
          if (dir) writeHeapSnapshot(`${dir}/${process.pid}-${m.id}-${Math.round(rss / 1048576)}MB.heapsnapshot`);
          // BENCH_SMAPS=<dir>: the process's memory mappings at every measured point (what RSS outside the V8 heap is).
          const smaps = process.env.BENCH_SMAPS;
          if (smaps) writeFileSync(`${smaps}/${process.pid}-${m.id}-${Math.round(rss / 1048576)}MB.smaps`, readFileSync('/proc/self/smaps'));
          process.send?.({ type: 'gc-done', id: m.id, rss, heapUsed, heapTotal, external, arrayBuffers, newSpace } satisfies ServerReply);
        }, 50);
      });
    } else if (m?.type === 'stats') {
      void Promise.resolve(stats()).then((s) => process.send?.({ type: 'stats', id: m.id, ...s } satisfies ServerReply));
    }
  });
}

/**
 * (e) hashing: one instance hashing passwords at a fixed rate (open loop), its event loop measured.
 * `main-thread` is the old way (bcryptjs's async API on the event loop), the baseline; `pool` is
 * lib/password.ts as shipped (worker threads, bounded queue).
 */
export type HashingMode = 'main-thread' | 'pool';
export const HASHING_MODES: readonly HashingMode[] = ['main-thread', 'pool'];
/** After the window, how long the window's hashes may take to finish before they count as unfinished. */
export const HASHING_DRAIN_MS = 5_000;

export interface HashingPlan {
  type: 'plan';
  mode: HashingMode;
  /** Hashes started per second. */
  rate: number;
  warmupMs: number;
  durationMs: number;
  /** After the window: how long to wait at most for the window's hashes to finish. */
  drainMs: number;
}

export interface HashingResult {
  mode: HashingMode;
  rate: number;
  windowS: number;
  /** The pool's size and queue bound (pool mode). */
  threads?: number;
  queueLimit?: number;
  /** Hashes due in the window; of those: finished (by the drain's end), refused (queue full), unfinished. */
  due: number;
  done: number;
  refused: number;
  unfinished: number;
  /** Hashes that finished inside the window (whenever they were due), per second. */
  finishedPerS: number;
  /** From each hash's intended start to its result; unfinished ones count at the drain's end (a lower bound). */
  hash: LatencySummary;
  /** The instance's event-loop delay over the window (monitorEventLoopDelay, 1 ms resolution), ms. */
  loopDelay: { p50: number; p99: number; p999: number; max: number };
  /**
   * Another user's request meanwhile: a GET to the instance's HTTP server every 20 ms of the window, from
   * a prober process, timed from its intended send time (as the issue timed /api/health).
   */
  probe?: LatencySummary;
  /** The instance's CPU over the window (all its threads), % of one core. */
  cpuPct: number;
  machine?: { busyPct: number | null; otherPct: number | null };
  error?: string;
}

/** Hashing instance → orchestrator (IPC); the orchestrator sends the HashingPlan. */
export type HashingMessage =
  | { type: 'ready'; port: number }
  | { type: 'window-start' }
  | { type: 'window-end' }
  | { type: 'result'; result: HashingResult }
  | { type: 'fatal'; error: string };

/** Orchestrator → prober: probe `url` every `everyMs` until told to stop; it answers with the summary. */
export type ProbeCommand = { type: 'start'; url: string; everyMs: number } | { type: 'stop' };
export type ProbeMessage = { type: 'summary'; summary: LatencySummary } | { type: 'fatal'; error: string };

/** Polls a spawned Parley's /api/ready until it answers 200; fails when the process exits or time runs out. */
export async function waitParleyReady(base: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  child.once('exit', () => (exited = true));
  while (Date.now() < deadline) {
    if (exited) throw new Error('the Parley server exited during start-up');
    try {
      const res = await fetch(`${base}/api/ready`);
      if (res.ok) return;
    } catch {
      /* not listening yet */
    }
    await new Promise<void>((r) => setTimeout(r, 250));
  }
  throw new Error(`the Parley server was not ready within ${timeoutMs / 1000} s`);
}

/**
 * Commits in the current database and WAL fsyncs so far (null where PostgreSQL does not count them): their
 * difference over a window says how many commits each WAL flush carried, and how often the disk was asked to flush.
 */
export async function walCounters(db: { query<R>(sql: string): Promise<{ rows: R[] }> }): Promise<{ commits: number; fsyncs: number | null } | null> {
  const first = async (sql: string) => Number((await db.query<{ n: string | null }>(sql)).rows[0]?.n ?? Number.NaN);
  const commits = await first(`SELECT xact_commit::text AS n FROM pg_stat_database WHERE datname = current_database()`).catch(() => Number.NaN);
  if (!Number.isFinite(commits)) return null;
  // PostgreSQL 18 counts WAL fsyncs in pg_stat_io; 14–17 in pg_stat_wal.
  const fsyncs = await first(`SELECT sum(fsyncs)::text AS n FROM pg_stat_io WHERE object = 'wal'`)
    .catch(() => Number.NaN)
    .then((n) => (Number.isFinite(n) ? n : first(`SELECT wal_sync::text AS n FROM pg_stat_wal`).catch(() => Number.NaN)));
  return { commits, fsyncs: Number.isFinite(fsyncs) ? fsyncs : null };
}

/**
 * Where PostgreSQL's busy client backends wait — a lock, the WAL flush, I/O, or running ("CPU") — sampled
 * every `everyMs` over `db` until `stop()`, which gives the mean count of busy backends by wait event.
 */
export function sampleDbWaits(db: { query<R>(sql: string): Promise<{ rows: R[] }> }, everyMs: number): { stop(): Record<string, number> } {
  const waits: Record<string, number> = {};
  let samples = 0;
  const timer = setInterval(() => {
    void db
      .query<{ w: string; n: number }>(
        `SELECT coalesce(wait_event_type || ':' || wait_event, 'CPU') AS w, count(*)::int AS n FROM pg_stat_activity
         WHERE state = 'active' AND backend_type = 'client backend' AND pid <> pg_backend_pid() GROUP BY 1`,
      )
      .then(({ rows }) => {
        samples += 1;
        for (const r of rows) waits[r.w] = (waits[r.w] ?? 0) + r.n;
      })
      .catch(() => undefined);
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      return Object.fromEntries(Object.entries(waits).map(([k, n]) => [k, Math.round((n / Math.max(1, samples)) * 100) / 100]));
    },
  };
}
