/**
 * The `adapters` scenario (issue 16): where each cross-instance adapter stops, instances × message rate, and
 * why — the PostgreSQL adapter (LISTEN/NOTIFY: every notifying commit goes through one queue under one lock)
 * against the Redis Streams adapter (XADD / XREAD on one stream). Two parts:
 *
 * 1. **The real path** (`real`): `--adapters-instances` (2,4) Parley instances (bench/parley-server.ts: auth,
 *    validation, createMessage, the room bus) on each adapter in turn, plus a baseline of one instance on the
 *    in-memory adapter (nothing crosses), the same seeded clients spread over the instances so that every room
 *    has members on several of them (client i of room r is on instance ⌊i / rooms⌋ mod N). The open-loop ladder
 *    of bench/load.ts (the same generator as `ladder`), in total messages/s (`--adapters-rates`). Per step:
 *    e2e p99, lost / out of order, each instance's CPU, PostgreSQL's and Redis's CPU, NOTIFY/s (or XADD/s) and
 *    Redis commands/s, where PostgreSQL's busy backends wait, the generator's CPU and loop delay, the machine's
 *    other load, and which resource was nearest its limit. A step fails on p99 > `--adapters-max-p99` (100 ms)
 *    or anything lost; it is tried once more, and the ladder stops at the second failure.
 * 2. **The engines alone** (`engine`): on a 2-core machine Node runs out before either engine does, so the
 *    real path cannot show an engine's ceiling. `--adapters-engine-processes` (2,4) bare processes
 *    (bench/adapter-engine.ts) each put Parley's adapter as shipped under a Socket.IO server with no clients
 *    and publish the room bus's SERVER_SIDE_EMIT of one stored-message action per publish, open loop, at a
 *    ladder of total publishes/s (`--adapters-engine-rates`); every process receives every other's. Per step:
 *    publish → receive latency at the other processes, lost / duplicated, publish round trip, the engine's CPU
 *    (PostgreSQL's whole process tree; Redis's from INFO cpu), its commands/s or NOTIFYs, PostgreSQL's waits
 *    (Lock:object is the commit-time lock every notifying transaction takes), and the publishers' own CPU and
 *    loop delay (⚠ when they, not the engine, were the limit).
 *
 * Everything runs unpinned (a dozen processes on a shared machine, as a small deployment would be).
 */
import type { ChildProcess } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import * as hdr from 'hdr-histogram-js';
import pg from 'pg';
import type { EngineCommand, EngineMessage, EngineStepResult } from './adapter-engine';
import { redisCommandCounts, redisInline } from './cluster';
import { sampleDbWaits, type LatencySummary, type LoadMessage, type LoadPlan, type PhaseResult, type ServerStats } from './shared';

export type AdapterKind = 'postgres' | 'redis';
export type AdaptersPart = 'real' | 'engine';

export interface AdaptersConfig {
  parts: AdaptersPart[];
  adapters: AdapterKind[];
  /** Real path: instance counts; a one-instance in-memory baseline first unless `baseline` is off. */
  instances: number[];
  baseline: boolean;
  /** Real path: total messages per second, per step. */
  rates: number[];
  maxP99Ms: number;
  warmupS: number;
  durationS: number;
  /** Real path: seconds per ladder after which no further step starts. */
  budgetS: number;
  /** Engine: processes (each publishes and receives), and total publishes per second per step. */
  engineProcesses: number[];
  engineRates: number[];
  engineMaxP99Ms: number;
  redisUrl: string;
  clients: number;
  rooms: number;
  bodyBytes: number;
  ackTimeoutMs: number;
  connectConcurrency: number;
  spread: boolean;
}

export interface AdaptersInstance {
  child: ChildProcess;
  pid: number;
  url: string;
}

/** What the orchestrator (run.ts) lends the scenario. */
export interface AdaptersContext {
  log: (message: string) => void;
  interrupted: () => boolean;
  databaseUrl: string;
  /** The message path's seeded users (client i is in room i mod rooms). */
  seeded: { roomIds: string[]; cookies: string[] };
  /** Starts Parley instance `index` (bench/parley-server.ts), unpinned, on `adapter` (redis: with `redisPrefix`). */
  startInstance: (index: number, adapter: AdapterKind | 'memory', redisPrefix: string) => Promise<AdaptersInstance>;
  stats: (instance: AdaptersInstance) => Promise<ServerStats>;
  /** A bench script (relative to bench/), unpinned, with an IPC channel. */
  spawn: (script: string, env: NodeJS.ProcessEnv) => ChildProcess;
  stopChild: (child: ChildProcess) => Promise<void>;
  /** CPU % (of one core) of a changing set of processes over a window. */
  cpuMeter: (pids: () => number[]) => { begin(): void; end(): number | null };
  /** All busy CPU of the machine, % of one core. */
  machineMeter: () => { begin(): void; end(): number | null };
  databasePids: () => number[];
  /** VACUUM ANALYZE + CHECKPOINT before each set (what would otherwise happen mid-window). */
  settleDatabase: () => Promise<void>;
  cores: number;
}

/** What was read over one window, besides the generator's figures. */
interface Resources {
  /** Each process of the set (instances, or engine processes), % of one core. */
  processCpuPct: (number | null)[];
  databaseCpuPct: number | null;
  /** Redis's process (INFO cpu: user + sys), % of one core; null when Redis is not in use. */
  redisCpuPct: number | null;
  /** Redis commands/s by name (INFO commandstats; the whole Redis, anyone's commands). */
  redisCommands?: Record<string, number>;
  /** Busy CPU of the whole machine, and what none of the measured processes used, % of one core. */
  machineBusyPct: number | null;
  otherPct: number | null;
  /** PostgreSQL client backends by wait event, average number busy (sampled every 250 ms). */
  dbWaits: Record<string, number>;
}

export interface RealStep extends Resources {
  phase: PhaseResult;
  lost: number;
  /** Adapter publishes per second (NOTIFY or XADD, heartbeats apart) and entries / notifications received. */
  publishPerS: number | null;
  receivedPerS: number | null;
  generatorCpuPct: number | null;
  limit: string;
}

export interface RealSet {
  label: string;
  adapter: AdapterKind | 'memory';
  instances: number;
  connectMs?: number;
  connectFailed?: number;
  steps: RealStep[];
  skipped?: number[];
  error?: string;
}

export interface EngineStep extends Resources {
  rate: number;
  attempt: number;
  sent: number;
  expected: number;
  received: number;
  lost: number;
  duplicates: number;
  publishErrors: number;
  e2e: LatencySummary;
  publish: LatencySummary;
  publisherLoopDelayP99Max: number;
  publisherMaxCpuPct: number;
  pass: boolean;
  limit: string;
}

export interface EngineSet {
  adapter: AdapterKind;
  processes: number;
  steps: EngineStep[];
  error?: string;
}

export interface AdaptersResult {
  config: AdaptersConfig;
  real: RealSet[];
  engine: EngineSet[];
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const round1 = (n: number) => Math.round(n * 10) / 10;
const wall = () => performance.timeOrigin + performance.now();

function summary(h: hdr.Histogram): LatencySummary {
  const ms = (us: number) => Math.round(us) / 1000;
  if (h.totalCount === 0) return { count: 0, p50: NaN, p99: NaN, p999: NaN, max: NaN };
  return { count: h.totalCount, p50: ms(h.getValueAtPercentile(50)), p99: ms(h.getValueAtPercentile(99)), p999: ms(h.getValueAtPercentile(99.9)), max: ms(h.maxValue) };
}

/** Redis's CPU seconds so far (INFO cpu: used_cpu_user + used_cpu_sys, every thread of its process). */
async function redisCpuSeconds(url: string): Promise<number | null> {
  try {
    const info = await redisInline(url, 'INFO cpu');
    const user = /used_cpu_user:([\d.]+)/.exec(info)?.[1];
    const sys = /used_cpu_sys:([\d.]+)/.exec(info)?.[1];
    return user && sys ? Number(user) + Number(sys) : null;
  } catch {
    return null;
  }
}

/**
 * Meters for one window: the set's processes (one meter each), PostgreSQL, Redis (when used), the machine,
 * PostgreSQL's waits. `extraPids` are measured processes that are not the set (the generator), so that
 * "other" is what none of ours used.
 */
function windowMeters(ctx: AdaptersContext, db: pg.Client, pids: () => number[], useRedis: boolean, redisUrl: string, extraPids: () => number[]) {
  let meters: { begin(): void; end(): number | null }[] = [];
  const database = ctx.cpuMeter(ctx.databasePids);
  const extra = ctx.cpuMeter(extraPids);
  const machine = ctx.machineMeter();
  let redis0: { cpu: number | null; commands: Map<string, number> | undefined; t: number } | undefined;
  let waits: ReturnType<typeof sampleDbWaits> | undefined;
  return {
    async begin() {
      meters = pids().map((pid) => ctx.cpuMeter(() => [pid]));
      if (useRedis) redis0 = { cpu: await redisCpuSeconds(redisUrl), commands: await redisCommandCounts(redisUrl).catch(() => undefined), t: performance.now() };
      for (const m of [...meters, database, extra, machine]) m.begin();
      waits = sampleDbWaits(db, 250);
    },
    async end(): Promise<Resources> {
      const dbWaits = waits?.stop() ?? {};
      const processCpuPct = meters.map((m) => m.end());
      const databaseCpuPct = database.end();
      const extraPct = extra.end();
      const machineBusyPct = machine.end();
      let redisCpuPct: number | null = null;
      let redisCommands: Record<string, number> | undefined;
      if (useRedis && redis0) {
        const wallS = (performance.now() - redis0.t) / 1000;
        const cpu = await redisCpuSeconds(redisUrl);
        if (cpu !== null && redis0.cpu !== null) redisCpuPct = round1(((cpu - redis0.cpu) / wallS) * 100);
        const after = await redisCommandCounts(redisUrl).catch(() => undefined);
        const before = redis0.commands;
        if (after && before) {
          redisCommands = Object.fromEntries(
            [...after].map(([name, calls]) => [name, Math.round((calls - (before.get(name) ?? 0)) / wallS)] as const).filter(([name, perS]) => perS > 0 && !name.startsWith('info')),
          );
        }
      }
      const ours = processCpuPct.reduce<number>((t, p) => t + (p ?? 0), 0) + (databaseCpuPct ?? 0) + (redisCpuPct ?? 0) + (extraPct ?? 0);
      return {
        processCpuPct,
        databaseCpuPct,
        redisCpuPct,
        ...(redisCommands ? { redisCommands } : {}),
        machineBusyPct,
        otherPct: machineBusyPct === null ? null : Math.max(0, round1(machineBusyPct - ours)),
        dbWaits,
      };
    },
  };
}

/** PostgreSQL busy backends waiting on NOTIFY's serialisation: the commit-time lock (Lock:object) and the queue's LWLocks. */
function notifyWaits(waits: Record<string, number>): number {
  return Object.entries(waits)
    .filter(([w]) => w === 'Lock:object' || /^LWLock:Notify/.test(w))
    .reduce((t, [, n]) => t + n, 0);
}

/**
 * The resource nearest its limit over a window, in order: a Node process's core (its event loop is one
 * core), Redis's core (single-threaded), the machine's cores, then PostgreSQL's NOTIFY lock or WAL. "—":
 * nothing near a limit (a failing step then points at latency from outside: other load, GC).
 */
function nearestLimit(r: Resources, cores: number, nodeLabel: string, generatorCpuPct?: number | null): string {
  const reasons: string[] = [];
  const maxNode = Math.max(...r.processCpuPct.map((p) => p ?? 0));
  if (maxNode >= 85) reasons.push(`${nodeLabel} core (${round1(maxNode)} %)`);
  if ((r.redisCpuPct ?? 0) >= 85) reasons.push(`Redis core (${r.redisCpuPct} %)`);
  if ((generatorCpuPct ?? 0) >= 90) reasons.push(`generator core (${generatorCpuPct} %)`);
  if (r.machineBusyPct !== null && r.machineBusyPct >= cores * 100 * 0.9) {
    const other = (r.otherPct ?? 0) >= 20 ? `, ${Math.round(r.otherPct ?? 0)} % of it other load` : '';
    reasons.push(`machine CPU (${Math.round(r.machineBusyPct)} of ${cores * 100} %${other})`);
  }
  const notify = notifyWaits(r.dbWaits);
  if (notify >= 1) reasons.push(`PostgreSQL NOTIFY lock (${notify} backends waiting)`);
  const wal = (r.dbWaits['LWLock:WALWrite'] ?? 0) + (r.dbWaits['IO:WalSync'] ?? 0);
  if (wal >= 1) reasons.push(`PostgreSQL WAL flush (${round1(wal)} waiting)`);
  return reasons.join(' + ') || '—';
}

// ── 1. the real path ──

async function runRealSet(
  cfg: AdaptersConfig,
  ctx: AdaptersContext,
  db: pg.Client,
  adapter: AdapterKind | 'memory',
  count: number,
  phaseIdBase: number,
): Promise<RealSet> {
  const label = adapter === 'memory' ? 'Parley ×1, in-memory adapter (baseline: nothing crosses)' : `Parley ×${count}, ${adapter} adapter`;
  const set: RealSet = { label, adapter, instances: count, steps: [] };
  const instances: AdaptersInstance[] = [];
  let generator: ChildProcess | undefined;
  const redisPrefix = `parley-bench:${process.pid}:adapters-${adapter}-${count}`;
  try {
    await ctx.settleDatabase();
    ctx.log(`adapters: ${label}: starting`);
    for (let i = 0; i < count && !ctx.interrupted(); i += 1) instances.push(await ctx.startInstance(i, adapter, redisPrefix));
    const plan: LoadPlan = {
      mode: 'messages',
      server: count > 1 ? 'parley2' : 'parley',
      urls: instances.map((i) => i.url),
      clients: Array.from({ length: cfg.clients }, (_, i) => ({
        roomIndex: i % cfg.rooms,
        roomId: ctx.seeded.roomIds[i % cfg.rooms]!,
        instance: Math.floor(i / cfg.rooms) % count,
        cookie: ctx.seeded.cookies[i],
        ...(cfg.spread ? { localAddress: `127.0.0.${1 + (i % 254)}` } : {}),
      })),
      rooms: cfg.rooms,
      bodyBytes: cfg.bodyBytes,
      ackTimeoutMs: cfg.ackTimeoutMs,
      connectConcurrency: cfg.connectConcurrency,
      phases: cfg.rates.map((rate) => ({
        name: `${rate} msg/s`,
        kind: 'ladder' as const,
        rate: rate / cfg.clients,
        warmupMs: cfg.warmupS * 1000,
        durationMs: cfg.durationS * 1000,
        drainMs: Math.max(2_000, Math.min(cfg.ackTimeoutMs, 5_000)),
      })),
      phaseIdBase,
      ladderMaxP99Ms: cfg.maxP99Ms,
      ladderBudgetMs: cfg.budgetS * 1000,
    };
    const gen = ctx.spawn('load.ts', { ...process.env, NODE_ENV: 'production' });
    generator = gen;
    const meters = windowMeters(ctx, db, () => instances.map((i) => i.pid), adapter === 'redis', cfg.redisUrl, () => (gen.pid ? [gen.pid] : []));
    const sumStats = async () => {
      const all = await Promise.all(instances.map((i) => ctx.stats(i)));
      return { t: performance.now(), sent: all.reduce((t, s) => t + s.notifySent - s.notifyHeartbeat, 0), received: all.reduce((t, s) => t + s.notifyReceived, 0) };
    };
    let chain = Promise.resolve();
    let window: { stats0: Promise<Awaited<ReturnType<typeof sumStats>>>; begun: Promise<void> } | undefined;
    const ended = new Map<string, Promise<{ resources: Resources; publishPerS: number | null; receivedPerS: number | null }>>();
    const budgetMs = 120_000 + plan.phases.reduce((t, p) => t + p.warmupMs + p.durationMs + p.drainMs + cfg.ackTimeoutMs + 1_000, 0) * 2;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        set.error = `the load generator did not finish within ${Math.round(budgetMs / 1000)} s`;
        resolve();
      }, budgetMs);
      const finish = () => {
        clearTimeout(timer);
        void chain.then(resolve);
      };
      gen.on('message', (m: LoadMessage) => {
        switch (m.type) {
          case 'connected':
            set.connectMs = m.ms;
            set.connectFailed = m.failed;
            ctx.log(`adapters: ${label}: ${m.clients} clients connected in ${(m.ms / 1000).toFixed(1)} s${m.failed ? `, ${m.failed} failed` : ''}`);
            break;
          case 'window-start':
            window = { stats0: sumStats(), begun: meters.begin() };
            break;
          case 'window-end': {
            const w = window;
            if (!w) break;
            ended.set(
              m.phase,
              (async () => {
                await w.begun;
                const [resources, a, b] = await Promise.all([meters.end(), w.stats0, sumStats()]);
                const s = Math.max(0.001, (b.t - a.t) / 1000);
                return adapter === 'memory'
                  ? { resources, publishPerS: null, receivedPerS: null }
                  : { resources, publishPerS: round1((b.sent - a.sent) / s), receivedPerS: round1((b.received - a.received) / s) };
              })(),
            );
            break;
          }
          case 'phase-result':
            chain = chain.then(async () => {
              const w = await ended.get(m.result.name);
              if (!w) return;
              const phase = m.result;
              const generatorCpuPct = Number.isFinite(phase.generator.cpuPct) ? phase.generator.cpuPct : null;
              const step: RealStep = {
                ...w.resources,
                phase,
                lost: Math.max(0, phase.expected - phase.delivered),
                publishPerS: w.publishPerS,
                receivedPerS: w.receivedPerS,
                generatorCpuPct,
                limit: nearestLimit(w.resources, ctx.cores, 'Node', generatorCpuPct),
              };
              set.steps.push(step);
              ctx.log(
                `adapters: ${label}: ${phase.name}${phase.attempt === 2 ? ' (again)' : ''}: e2e p99 ${phase.e2e.p99} ms, ` +
                  `${(phase.deliveryRatio * 100).toFixed(2)} % delivered, instances CPU [${step.processCpuPct.join(', ')}] %, PostgreSQL ${step.databaseCpuPct ?? '?'} %` +
                  `${step.redisCpuPct === null ? '' : `, Redis ${step.redisCpuPct} %`}, ${step.publishPerS ?? '—'} publishes/s, ` +
                  `generator ${generatorCpuPct ?? '?'} %, other ${step.otherPct ?? '?'} %; limit: ${step.limit}${phase.pass ? ' — pass' : ' — FAIL'}`,
              );
            });
            break;
          case 'ladder-budget':
            set.skipped = m.skipped.map((r) => Math.round(r * cfg.clients));
            break;
          case 'fatal':
            set.error = m.error.split('\n')[0];
            break;
          case 'done':
            finish();
            break;
        }
      });
      gen.once('exit', () => finish());
      gen.send(plan);
    });
  } catch (error) {
    set.error = error instanceof Error ? error.message : String(error);
    ctx.log(`adapters: ${label}: ${set.error}`);
  } finally {
    if (generator) await ctx.stopChild(generator);
    await Promise.all(instances.map((i) => ctx.stopChild(i.child)));
    if (adapter === 'redis') await redisInline(cfg.redisUrl, `DEL ${redisPrefix}:socket.io`).catch(() => undefined);
  }
  return set;
}

// ── 2. the engines alone ──

async function runEngineSet(cfg: AdaptersConfig, ctx: AdaptersContext, db: pg.Client, adapter: AdapterKind, count: number, stepBase: number): Promise<EngineSet> {
  const set: EngineSet = { adapter, processes: count, steps: [] };
  const children: ChildProcess[] = [];
  const prefix = `parley-bench:${process.pid}:engine-${adapter}-${count}`;
  try {
    ctx.log(`adapters: engine ${adapter}, ${count} processes: starting`);
    for (let i = 0; i < count; i += 1) {
      children.push(
        ctx.spawn('adapter-engine.ts', {
          ...process.env,
          NODE_ENV: 'production',
          ENGINE_ADAPTER: adapter,
          ENGINE_INDEX: String(i),
          ENGINE_DATABASE_URL: ctx.databaseUrl,
          REDIS_URL: cfg.redisUrl,
          REDIS_PREFIX: prefix,
        }),
      );
    }
    const next = (child: ChildProcess, timeoutMs: number) =>
      new Promise<EngineMessage>((resolve, reject) => {
        const timer = setTimeout(() => {
          child.off('message', onMessage);
          reject(new Error(`an engine process did not answer within ${timeoutMs / 1000} s`));
        }, timeoutMs);
        const onMessage = (m: EngineMessage) => {
          clearTimeout(timer);
          child.off('message', onMessage);
          if (m.type === 'fatal') reject(new Error(m.error.split('\n')[0]));
          else resolve(m);
        };
        child.on('message', onMessage);
      });
    await Promise.all(children.map((c) => next(c, 30_000)));
    // Let the adapters see each other (PostgreSQL: heartbeats; Redis: subscriptions).
    await sleep(1_000);
    const meters = windowMeters(ctx, db, () => children.flatMap((c) => (c.pid ? [c.pid] : [])), adapter === 'redis', cfg.redisUrl, () => []);
    const queue = cfg.engineRates.map((rate) => ({ rate, attempt: 1 }));
    for (let stepId = stepBase; queue.length > 0 && !ctx.interrupted(); stepId += 1) {
      const { rate, attempt } = queue.shift()!;
      const command: EngineCommand = {
        type: 'step',
        step: stepId,
        rate: rate / count,
        startAt: wall() + 300,
        warmupMs: cfg.warmupS * 1000,
        durationMs: cfg.durationS * 1000,
        drainMs: 3_000,
      };
      const replies = children.map((c) => next(c, 30_000 + command.warmupMs + command.durationMs + command.drainMs));
      for (const c of children) c.send(command);
      await sleep(Math.max(0, command.startAt + command.warmupMs - wall()));
      await meters.begin();
      await sleep(Math.max(0, command.startAt + command.warmupMs + command.durationMs - wall()));
      const resources = await meters.end();
      const results = (await Promise.all(replies)).flatMap((m) => (m.type === 'result' ? [m.result] : []));
      const e2e = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: 3 });
      const publish = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: 3 });
      for (const r of results) {
        e2e.add(hdr.decodeFromCompressedBase64(r.e2e));
        publish.add(hdr.decodeFromCompressedBase64(r.publish));
      }
      const sentBy = new Map(results.map((r: EngineStepResult) => [r.index, r.sent]));
      const sent = results.reduce((t, r) => t + r.sent, 0);
      const expected = sent * (count - 1);
      let received = 0;
      for (const r of results) for (const [sender, n] of Object.entries(r.receivedFrom)) if (Number(sender) !== r.index) received += Math.min(n, sentBy.get(Number(sender)) ?? n);
      const publishErrors = results.reduce((t, r) => t + r.publishErrors, 0);
      const e2eSummary = summary(e2e);
      const step: EngineStep = {
        ...resources,
        rate,
        attempt,
        sent,
        expected,
        received,
        lost: expected - received,
        duplicates: results.reduce((t, r) => t + r.duplicates, 0),
        publishErrors,
        e2e: e2eSummary,
        publish: summary(publish),
        publisherLoopDelayP99Max: Math.max(...results.map((r) => r.loopDelayP99)),
        publisherMaxCpuPct: Math.max(...results.map((r) => r.cpuPct)),
        pass: expected > 0 && received >= expected && publishErrors === 0 && e2eSummary.p99 <= cfg.engineMaxP99Ms,
        limit: '',
      };
      step.limit = nearestLimit(resources, ctx.cores, 'publisher');
      set.steps.push(step);
      ctx.log(
        `adapters: engine ${adapter} ×${count}: ${rate} publishes/s${attempt === 2 ? ' (again)' : ''}: e2e p50 ${step.e2e.p50} / p99 ${step.e2e.p99} ms, ` +
          `${step.lost} lost, ${step.duplicates} dup, ${publishErrors} errors; engine CPU ${adapter === 'redis' ? `Redis ${step.redisCpuPct}` : `PostgreSQL ${step.databaseCpuPct}`} %, ` +
          `publishers [${step.processCpuPct.join(', ')}] % (loop p99 ≤ ${step.publisherLoopDelayP99Max} ms), NOTIFY waits ${notifyWaits(step.dbWaits)}, other ${step.otherPct ?? '?'} %; ` +
          `limit: ${step.limit}${step.pass ? ' — pass' : ' — FAIL'}`,
      );
      if (!step.pass && attempt === 1) queue.unshift({ rate, attempt: 2 });
      else if (!step.pass) queue.length = 0;
      await sleep(500);
    }
  } catch (error) {
    set.error = error instanceof Error ? error.message : String(error);
    ctx.log(`adapters: engine ${adapter} ×${count}: ${set.error}`);
  } finally {
    await Promise.all(children.map((c) => ctx.stopChild(c)));
    if (adapter === 'redis') await redisInline(cfg.redisUrl, `DEL ${prefix}:socket.io`).catch(() => undefined);
  }
  return set;
}

export async function runAdaptersScenario(cfg: AdaptersConfig, ctx: AdaptersContext): Promise<AdaptersResult> {
  const result: AdaptersResult = { config: cfg, real: [], engine: [] };
  const db = new pg.Client({ connectionString: ctx.databaseUrl });
  db.on('error', () => undefined);
  await db.connect();
  try {
    // The engines first: the shorter part, and the one the real path cannot answer on this machine.
    if (cfg.parts.includes('engine')) {
      let stepBase = 1;
      for (const count of cfg.engineProcesses) {
        for (const adapter of cfg.adapters) {
          if (ctx.interrupted()) break;
          result.engine.push(await runEngineSet(cfg, ctx, db, adapter, count, stepBase));
          stepBase += 100;
        }
      }
    }
    if (cfg.parts.includes('real')) {
      let phaseIdBase = 50_000;
      if (cfg.baseline && !ctx.interrupted()) {
        result.real.push(await runRealSet(cfg, ctx, db, 'memory', 1, phaseIdBase));
        phaseIdBase += 1_000;
      }
      // Both adapters at one instance count, then the next count: the pairs are measured minutes apart at most.
      for (const count of cfg.instances) {
        for (const adapter of cfg.adapters) {
          if (ctx.interrupted()) break;
          result.real.push(await runRealSet(cfg, ctx, db, adapter, count, phaseIdBase));
          phaseIdBase += 1_000;
        }
      }
    }
  } finally {
    await db.end().catch(() => undefined);
  }
  return result;
}

// ── report ──

const fmt = (n: number | null | undefined, digits = 0) => (n === null || n === undefined || !Number.isFinite(n) ? '—' : n.toFixed(digits));
const waitsText = (w: Record<string, number>) =>
  Object.entries(w)
    .filter(([, n]) => n >= 0.05)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 3)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ') || '—';
const redisText = (c?: Record<string, number>) =>
  c
    ? Object.entries(c)
        .sort((a, b) => b[1] - a[1])
        .slice(0, 3)
        .map(([k, n]) => `${k} ${n}`)
        .join(', ') || '—'
    : '—';

export function renderAdapters(result: AdaptersResult | undefined, error: string | undefined): string[] {
  const out = ['## Cross-instance adapters: where each stops (`adapters`)', ''];
  if (!result) return [...out, `Failed: ${error ?? 'unknown error'}`];
  const c = result.config;
  if (result.real.length) {
    out.push(
      '### 1. The real path',
      '',
      `${c.clients} clients in ${c.rooms} rooms (${c.clients / c.rooms} per room), client i of room r on instance ⌊i / ${c.rooms}⌋ mod N, so every room has members ` +
        `on min(N, ${c.clients / c.rooms}) instances; ${c.bodyBytes}-byte bodies; open loop (bench/load.ts), ${c.warmupS} s warm-up + ${c.durationS} s window per step; ` +
        `a step fails on e2e p99 > ${c.maxP99Ms} ms or anything lost, is tried once more, and the ladder stops at the second failure. Unpinned. ` +
        'CPU in % of one core; "other" = machine busy CPU none of the measured processes used. "publishes/s": NOTIFYs (or XADDs) the instances issued, heartbeats apart.',
      '',
    );
    for (const set of result.real) {
      out.push(
        `**${set.label}**${set.connectMs === undefined ? '' : ` — clients connected in ${(set.connectMs / 1000).toFixed(1)} s${set.connectFailed ? `, ${set.connectFailed} failed` : ''}`}`,
        '',
        '| msg/s asked | sent/s | e2e p50 / p99 ms | delivered | lost | out of order | instances CPU % | PostgreSQL CPU % | Redis CPU % | publishes/s | received/s | Redis cmds/s | PG waits (avg busy) | generator CPU % / loop p99 ms | other % | nearest limit | |',
        '|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---|---|---:|---:|---|---|',
      );
      for (const s of set.steps) {
        const p = s.phase;
        const asked = Math.round(p.ratePerClient * c.clients);
        out.push(
          `| ${asked}${p.attempt === 2 ? ' (again)' : ''} | ${Math.round(p.sentPerS)} | ${fmt(p.e2e.p50, 1)} / ${fmt(p.e2e.p99, 1)} | ${(p.deliveryRatio * 100).toFixed(2)} % | ${s.lost} | ${p.outOfOrder} | ` +
            `${s.processCpuPct.map((x) => fmt(x)).join(' · ')} | ${fmt(s.databaseCpuPct)} | ${fmt(s.redisCpuPct)} | ${fmt(s.publishPerS)} | ${fmt(s.receivedPerS)} | ${redisText(s.redisCommands)} | ` +
            `${waitsText(s.dbWaits)} | ${fmt(s.generatorCpuPct)}${(s.generatorCpuPct ?? 0) >= 90 || p.generator.loopDelayP99 >= 50 ? ' ⚠' : ''} / ${fmt(p.generator.loopDelayP99, 1)} | ${fmt(s.otherPct)} | ${s.limit} | ${p.pass ? '✅' : '❌'} |`,
        );
      }
      const passing = set.steps.filter((s) => s.phase.pass).map((s) => Math.round(s.phase.ratePerClient * c.clients));
      const failing = set.steps.filter((s) => !s.phase.pass && s.phase.attempt === 2);
      out.push(
        '',
        `Highest passing: **${passing.length ? Math.max(...passing) : 'none'} msg/s**` +
          (failing.length ? `; stopped at ${Math.round(failing[0]!.phase.ratePerClient * c.clients)} msg/s (${failing[0]!.limit})` : '') +
          (set.skipped?.length ? `; not run (budget): ${set.skipped.join(', ')}` : '') +
          (set.error ? `; error: ${set.error}` : '') +
          '.',
        '',
      );
    }
  }
  if (result.engine.length) {
    out.push(
      '### 2. The engines alone',
      '',
      'Bare processes (bench/adapter-engine.ts), each a Socket.IO server with no clients on Parley\'s adapter as shipped, publishing the room bus\'s ' +
        '`room:actions` SERVER_SIDE_EMIT with one stored-message action (~1 KB of JSON) per publish, open loop, and receiving every other process\'s. ' +
        `e2e = intended publish time → received at another process (wall clocks of one machine). A step fails on p99 > ${c.engineMaxP99Ms} ms, anything lost (not arrived ` +
        'within 3 s of the window) or a rejected publish; tried once more; the ladder stops at the second failure. "publishers CPU" per process (⚠: a publisher\'s core or loop, not the engine, was the limit). ' +
        'PG waits: busy client backends by wait event, averaged (Lock:object = the lock every notifying commit takes).',
      '',
    );
    for (const set of result.engine) {
      out.push(
        `**${set.adapter === 'postgres' ? 'PostgreSQL LISTEN/NOTIFY' : 'Redis Streams'}, ${set.processes} processes**`,
        '',
        '| publishes/s asked | sent/s | e2e p50 / p99 / max ms | publish round trip p99 ms | lost | dup | errors | engine CPU % | Redis cmds/s | PG waits (avg busy) | publishers CPU % / worst loop p99 ms | other % | nearest limit | |',
        '|---:|---:|---:|---:|---:|---:|---:|---:|---|---|---|---:|---|---|',
      );
      for (const s of set.steps) {
        const engineCpu = set.adapter === 'redis' ? s.redisCpuPct : s.databaseCpuPct;
        const warn = s.publisherMaxCpuPct >= 90 || s.publisherLoopDelayP99Max >= 50 ? ' ⚠' : '';
        out.push(
          `| ${s.rate}${s.attempt === 2 ? ' (again)' : ''} | ${Math.round(s.sent / c.durationS)} | ${fmt(s.e2e.p50, 1)} / ${fmt(s.e2e.p99, 1)} / ${fmt(s.e2e.max, 0)} | ${fmt(s.publish.p99, 1)} | ${s.lost} | ${s.duplicates} | ${s.publishErrors} | ` +
            `${fmt(engineCpu)} | ${redisText(s.redisCommands)} | ${waitsText(s.dbWaits)} | ${s.processCpuPct.map((x) => fmt(x)).join(' · ')}${warn} / ${fmt(s.publisherLoopDelayP99Max, 1)} | ${fmt(s.otherPct)} | ${s.limit} | ${s.pass ? '✅' : '❌'} |`,
        );
      }
      const passing = set.steps.filter((s) => s.pass).map((s) => s.rate);
      const stopped = set.steps.find((s) => !s.pass && s.attempt === 2);
      out.push(
        '',
        `Highest passing: **${passing.length ? Math.max(...passing) : 'none'} publishes/s**` +
          (stopped ? `; stopped at ${stopped.rate}/s (${stopped.limit})` : passing.length === c.engineRates.length ? ' (every step passed: the ceiling is higher)' : '') +
          (set.error ? `; error: ${set.error}` : '') +
          '.',
        '',
      );
    }
  }
  return out;
}


