/**
 * `npm run bench -- --scenarios capacity`: how many real users one Parley instance holds on this machine.
 *
 * One Parley instance as shipped — server.ts with the Next.js production build (built first when stale), so
 * search, history pages, the room list and password sign-ins go through the real routes — on the bench's
 * throwaway PostgreSQL, pinned with it to CPU 0. Generator processes (bench/capacity-users.ts, `--capacity-
 * workers`, on CPU 1) run simulated people by the model of bench/capacity-model.ts, at real rates. The number
 * of active users is ramped in steps; users arrive spread over `--capacity-arrival` per second, then after a
 * warm-up a window is measured. A step passes when p99 send → message:new ≤ 100 ms, nothing acked was lost or
 * duplicated, no error other than a documented limit occurred and no generator was saturated; a failing step
 * is measured once more (a burst of foreign load on a shared machine is not a limit), and the ramp stops at
 * the first step that fails twice.
 */
import type { ChildProcess } from 'node:child_process';
import { MEMBER_ROWS_PAGE } from '../lib/schemas/limits';
import { randomBytes } from 'node:crypto';
import * as hdr from 'hdr-histogram-js';
import pg from 'pg';
import {
  ACTION_WEIGHTS,
  BURST_GAP_MS,
  BURST_MEAN,
  DELIVERY_GRACE_MS,
  DOCUMENTED_LIMITS,
  GENERATOR_MAX_CPU_PCT,
  GENERATOR_MAX_LOOP_P99_MS,
  HISTORY,
  HISTORY_PAGE,
  LARGE_ROOM_SIZES,
  MM_IDLE_AVG_MS,
  MM_IDLE_MIN_MS,
  MM_TOTAL_WEIGHT,
  NAVIGATIONS,
  PREFETCH_FRESH_MS,
  ROOMS_PER_USER,
  SESSION_GAP_MEAN_MS,
  SESSION_MEDIAN_MS,
  SESSION_SIGMA,
  SLO_P99_MS,
  SMALL_ROOM_SIZE,
  DIRECTS_PER_USER,
  TYPING_CHARS_PER_S,
  meanIntervalS,
  sessionMeanMs,
  type Navigation,
} from './capacity-model';
import { seedCapacity } from './capacity-seed';
import type { AckedEntry, CapacityCommand, CapacityPlan, CapacityReply, WindowStats } from './capacity-users';
import { sampleDbWaits, waitParleyReady, walCounters, type ScenarioContext } from './shared';

export interface CapacityConfig {
  steps: number[];
  windowS: number;
  warmupS: number;
  /** New users per second while a step ramps up. */
  arrivalPerS: number;
  workers: number;
  signinShare: number;
  /**
   * What a room switch costs the server (capacity-model.ts Navigation): `client`, the browser's client-side
   * switch (GET /api/rooms/:id and GET …/messages in parallel, every time); `page`, the Next.js navigation
   * (prefetch + page payload; the old path, a deep link's); `history`, the room socket and a history GET on a
   * session's first open only — the realtime path alone, for comparing with runs before either was modelled.
   */
  navigation: Navigation;
  /** Measure every step even after one failed (CPU and memory at higher counts on a noisy machine). */
  keepGoing: boolean;
  /** Seeded users = top step × this (others come and go). */
  populationFactor: number;
  ackTimeoutMs: number;
  spread: boolean;
}

export interface Meter {
  begin(): void;
  end(): number | null;
}
export interface CapacityContext extends ScenarioContext {
  postmasterPid: number | null;
  /** CPU % (of one core) of a process (all its threads), of a process tree, and of the whole machine. */
  processCpu: (pid: number) => Meter;
  treeCpu: (pid: number) => Meter;
  machineCpu: () => Meter;
  rssMB: (pid: number) => number | null;
  pinned: boolean;
}

export interface LatencyRow {
  count: number;
  p50: number;
  p99: number;
  max: number;
}
/** The generators' counters of a window, summed over them (capacity-users.ts says what each counts). */
type StepCounters = Pick<WindowStats, 'acked' | 'owed' | 'lost' | 'late' | 'duplicates' | 'overlaps' | 'signinRetries' | 'sendRetries' | 'replayRepeats' | 'activityOwed' | 'activityLost' | 'activityDuplicates' | 'replays' | 'truncatedReplays' | 'sessionsStarted' | 'signins'>;

export interface CapacityStep extends StepCounters {
  users: number;
  attempt: number;
  active: number;
  windowS: number;
  msgsPerS: number;
  /** Messages acked in the window, and rows in `messages` for sends of the window (counted after the checks). */
  persisted: number | null;
  deliveriesPerS: number;
  activityPerS: number;
  e2e: LatencyRow;
  activity: LatencyRow;
  ack: LatencyRow;
  connect: LatencyRow;
  http: LatencyRow;
  /** HTTP latency by request kind (`httpPerS`'s kinds). */
  httpByKind: Record<string, LatencyRow>;
  errors: Record<string, number>;
  actions: Record<string, number>;
  dupKinds: Record<string, number>;
  emitsPerS: Record<string, number>;
  httpPerS: Record<string, number>;
  nodeCpuPct: number | null;
  pgCpuPct: number | null;
  machineBusyPct: number | null;
  otherPct: number | null;
  /** (Node + PostgreSQL CPU) per 1,000 users, % of one core: CPU time, so less noisy than latencies here. */
  cpuPctPer1kUsers: number | null;
  /** Users that 2 cores would hold at that CPU cost per user (nothing else on them). */
  projectedUsers2Cores: number | null;
  rssMB: number | null;
  /** (RSS − RSS of the idle server just started) / users. */
  rssKiBPerUser: number | null;
  /** RSS growth from the previous step / users added. */
  rssMarginalKiBPerUser: number | null;
  notifyPerS: number | null;
  notifyReceivedPerS: number | null;
  /** The worst second's event-loop delay p99 (ms). */
  serverLoopP99Ms: number | null;
  /** The server's longest event-loop stall in the window (ms). */
  serverLoopMaxMs: number;
  /** The server's GC pauses in the window: ms per second, major collections, pauses ≥ 100 ms. */
  serverGc: { msPerS: number; major: number; over100ms: number } | null;
  /** Connections the server saw close in the window, by Engine.IO's reason (the generators' view is in `errors`). */
  serverCloses: Record<string, number>;
  /** Callers waiting for a pooled connection, sampled every second of the window. */
  poolWaiting: { mean: number; max: number } | null;
  /** Busy PostgreSQL backends sampled every second of the window: mean count by wait event ("CPU" = none). */
  dbWaits: Record<string, number>;
  /** Commits/s in Parley's database, and WAL fsyncs/s (every database: the WAL is shared). */
  commitsPerS: number | null;
  walFsyncsPerS: number | null;
  dbGrowthKBPerS: number | null;
  dbBytesPerMessage: number | null;
  generators: { worker: number; cpuPct: number; loopP99Ms: number; loopMaxMs: number }[];
  pass: boolean;
  reasons: string[];
}
export interface CapacityResult {
  population: number;
  rooms: { large: number; small: number; direct: number; memberships: number; history: number };
  seedS: number;
  /** The server's RSS once ready, before any user. */
  idleRssMB: number | null;
  server: string;
  pinning: string;
  steps: CapacityStep[];
  highestPassing: number | null;
  config: CapacityConfig;
  error?: string;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const wall = () => performance.timeOrigin + performance.now();
const round = (v: number, d = 1) => Math.round(v * 10 ** d) / 10 ** d;

function merge(encoded: string[]): LatencyRow {
  const total = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: 3 });
  for (const e of encoded) total.add(hdr.decodeFromCompressedBase64(e));
  const ms = (us: number) => Math.round(us) / 1000;
  if (total.totalCount === 0) return { count: 0, p50: NaN, p99: NaN, max: NaN };
  return { count: total.totalCount, p50: ms(total.getValueAtPercentile(50)), p99: ms(total.getValueAtPercentile(99)), max: ms(total.maxValue) };
}

/** Counters of /api/metrics (Prometheus text), summed over label sets, by metric name and optional label match. */
/** prom-client's GC pause histogram (parley_nodejs_gc_duration_seconds), summed over kinds, and its major collections. */
interface GcTotals {
  pauseS: number;
  major: number;
  /** Pauses of 100 ms or more (the histogram's buckets end at 0.1 then 1 s). */
  over100ms: number;
}

function gcTotals(text: string): GcTotals {
  const totals: GcTotals = { pauseS: 0, major: 0, over100ms: 0 };
  for (const m of text.matchAll(/^parley_nodejs_gc_duration_seconds_(sum|count|bucket)\{([^}]*)\} (\S+)$/gm)) {
    const [, part, labels, value] = m;
    const le = /le="([^"]+)"/.exec(labels!)?.[1];
    if (part === 'sum') totals.pauseS += Number(value);
    else if (part === 'count' && labels!.includes('kind="major"')) totals.major += Number(value);
    else if (part === 'bucket' && le === '+Inf') totals.over100ms += Number(value);
    else if (part === 'bucket' && le === '0.1') totals.over100ms -= Number(value);
  }
  return totals;
}

async function scrape(
  base: string,
  token: string,
): Promise<{ notify: number; received: number; closes: Record<string, number>; gc: GcTotals } | undefined> {
  try {
    const res = await fetch(`${base}/api/metrics`, { headers: { authorization: `Bearer ${token}` } });
    if (!res.ok) return undefined;
    const text = await res.text();
    const sum = (re: RegExp) => text.split('\n').filter((l) => re.test(l)).reduce((t, l) => t + Number(l.split(' ').pop()), 0);
    return {
      notify: sum(/^parley_adapter_notify_total\{/),
      received: sum(/^parley_adapter_notifications_received_total[ {]/),
      // Why the server saw connections close (parley_connections_closed_total{reason="…"}).
      closes: Object.fromEntries(
        [...text.matchAll(/^parley_connections_closed_total\{reason="([^"]*)"\} (\S+)$/gm)].map((m) => [m[1]!, Number(m[2])]),
      ),
      gc: gcTotals(text),
    };
  } catch {
    return undefined;
  }
}

export async function runCapacityScenario(cfg: CapacityConfig, ctx: CapacityContext): Promise<CapacityResult> {
  const { log } = ctx;
  const { buildIfStale } = await import('../scripts/build-if-stale');
  log('capacity: checking the Next.js production build (builds when stale: a few minutes)');
  const built = await buildIfStale({ ...process.env, NODE_ENV: 'production' }, { root: ctx.repoRoot });
  if (built !== 0) throw new Error(`next build failed (exit ${built})`);

  const top = Math.max(...cfg.steps);
  const population = Math.ceil(top * cfg.populationFactor);
  log(`capacity: seeding ${population} users, their rooms, memberships, history and sessions`);
  const seed = await seedCapacity({ url: ctx.databaseUrl, population, authSecret: ctx.authSecret, seed: 42, log });
  const rooms = seed.rooms.filter((r) => r.members > 0);
  log(`capacity: seeded ${rooms.length} rooms, ${seed.memberships} memberships, ${seed.historyMessages} history messages (${seed.seconds} s)`);

  const { freePort } = await import('../lib/testing/free-port');
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const metricsToken = randomBytes(16).toString('hex');
  const server = ctx.spawn(
    '../server.ts',
    {
      ...process.env,
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: String(port),
      DATABASE_URL: ctx.databaseUrl,
      AUTH_SECRET: ctx.authSecret,
      LOG_LEVEL: 'warn',
      METRICS_TOKEN: metricsToken,
    },
    0,
    { profile: 'capacity' },
  );
  const workers: ChildProcess[] = [];
  const db = new pg.Client({ connectionString: ctx.databaseUrl });
  db.on('error', () => undefined);
  const result: CapacityResult = {
    population,
    rooms: {
      large: rooms.filter((r) => r.large).length,
      small: rooms.filter((r) => !r.large && r.kind !== 'direct').length,
      direct: rooms.filter((r) => r.kind === 'direct').length,
      memberships: seed.memberships,
      history: seed.historyMessages,
    },
    seedS: seed.seconds,
    idleRssMB: null,
    server: 'server.ts (Next.js production build + Socket.IO, PostgreSQL adapter), default limits',
    pinning: ctx.pinned ? 'Parley and PostgreSQL on CPU 0, generators on CPU 1 (taskset)' : 'no pinning',
    steps: [],
    highestPassing: null,
    config: cfg,
  };
  try {
    log(`capacity: starting Parley (server.ts, production) on ${base}`);
    await waitParleyReady(base, server, 180_000);
    await db.connect();

    // The population split over the generators (user i → worker i mod W); direct peers by id for presence:watch.
    const peers = seed.workspace.userRooms.map((list, u) =>
      list.filter((r) => seed.rooms[r]!.kind === 'direct').map((r) => seed.users[seed.workspace.rooms[r]!.members.find((m) => m !== u)!]!.id),
    );
    const relay = (entries: AckedEntry[]) => {
      for (const w of workers) if (w.connected) w.send({ type: 'acked', entries } satisfies CapacityCommand);
    };
    let pendingWindows: WindowStats[] = [];
    let fatal: string | undefined;
    for (let w = 0; w < cfg.workers; w += 1) {
      const child = ctx.spawn('capacity-users.ts', { ...process.env, NODE_ENV: 'production' }, ctx.pinned ? 1 : null);
      workers.push(child);
      const mine = seed.users.map((u, i) => ({ u, i })).filter(({ i }) => i % cfg.workers === w);
      const plan: CapacityPlan = {
        type: 'plan',
        worker: w,
        base,
        password: seed.password,
        seed: 1000 + w,
        spread: cfg.spread,
        ackTimeoutMs: cfg.ackTimeoutMs,
        signinShare: cfg.signinShare,
        navigation: cfg.navigation,
        users: mine.map(({ u, i }) => ({ id: u.id, username: u.username, cookie: u.cookie, rooms: seed.workspace.userRooms[i]!, peers: peers[i]! })),
        rooms: seed.rooms.map((r, i) => ({
          id: r.id,
          kind: r.kind,
          drawn: seed.workspace.rooms[i]!.members.slice(0, MEMBER_ROWS_PAGE).map((m) => seed.users[m]!.id),
        })),
      };
      const ready = new Promise<void>((resolve, reject) => {
        child.on('message', (m: CapacityReply) => {
          if (m.type === 'ready') resolve();
          else if (m.type === 'acked') relay(m.entries);
          else if (m.type === 'window') pendingWindows.push(m.stats);
          else if (m.type === 'fatal') {
            fatal = m.error;
            log(`capacity: generator ${w} failed: ${m.error}`);
          }
        });
        child.once('exit', (code) => reject(new Error(`generator ${w} exited (code ${code})`)));
      });
      child.send(plan);
      await ready;
    }
    const broadcast = (c: CapacityCommand) => workers.forEach((w) => w.connected && w.send(c));

    const idleRss = ctx.rssMB(server.pid!);
    result.idleRssMB = idleRss;
    const serverCpu = ctx.processCpu(server.pid!);
    const pgCpu = ctx.postmasterPid ? ctx.treeCpu(ctx.postmasterPid) : undefined;
    const genCpu = workers.map((w) => ctx.processCpu(w.pid!));
    const machine = ctx.machineCpu();
    let current = 0;
    let previous: { users: number; rss: number } | undefined;
    let broken = false;
    for (const users of cfg.steps) {
      if (ctx.interrupted() || fatal) break;
      const spreadMs = (Math.max(0, users - current) / cfg.arrivalPerS) * 1000;
      log(`capacity: ${users} users (arriving over ${round(spreadMs / 1000)} s, then ${cfg.warmupS} s warm-up, ${cfg.windowS} s window)`);
      const share = (w: number) => Math.floor(users / cfg.workers) + (w < users % cfg.workers ? 1 : 0);
      workers.forEach((child, w) => child.send({ type: 'target', active: share(w), spreadMs } satisfies CapacityCommand));
      current = users;
      await sleep(spreadMs + cfg.warmupS * 1000);
      let passed = false;
      let stepRss: number | null = null;
      for (let attempt = 1; attempt <= 2 && !passed && !ctx.interrupted(); attempt += 1) {
        const m0 = await scrape(base, metricsToken);
        const size0 = Number((await db.query<{ s: string }>('SELECT pg_database_size(current_database())::text AS s')).rows[0]?.s);
        const t0 = wall();
        pendingWindows = [];
        broadcast({ type: 'window-start', t0 });
        for (const meter of [serverCpu, pgCpu, machine, ...genCpu]) meter?.begin();
        const waits = sampleDbWaits(db, 1_000);
        const wal0 = await walCounters(db);
        // Callers waiting for a connection of the app's pool (20): sends queue behind reads when it is dry.
        const poolWaiting: number[] = [];
        let loopMaxS = 0;
        const loopP99s: number[] = [];
        const sampler = setInterval(() => {
          void fetch(`${base}/api/metrics`, { headers: { authorization: `Bearer ${metricsToken}` } })
            .then((res) => res.text())
            .then((text) => {
              const line = /^parley_db_pool_connections\{pool="app",state="waiting"\} (\S+)$/m.exec(text);
              if (line) poolWaiting.push(Number(line[1]));
              // prom-client resets its loop-delay histogram at each scrape: this is the last second's longest stall.
              const stall = /^parley_nodejs_eventloop_lag_max_seconds (\S+)$/m.exec(text);
              if (stall) loopMaxS = Math.max(loopMaxS, Number(stall[1]));
              const p99 = /^parley_nodejs_eventloop_lag_p99_seconds (\S+)$/m.exec(text);
              if (p99) loopP99s.push(Number(p99[1]));
            })
            .catch(() => undefined);
        }, 1_000);
        await sleep(cfg.windowS * 1000);
        clearInterval(sampler);
        const dbWaits = waits.stop();
        const wal1 = await walCounters(db);
        const t1 = wall();
        broadcast({ type: 'window-end', t1 });
        const nodeCpuPct = serverCpu.end();
        const pgCpuPct = pgCpu?.end() ?? null;
        const busy = machine.end();
        const gens = genCpu.map((g) => g.end() ?? 0);
        const m1 = await scrape(base, metricsToken);
        const size1 = Number((await db.query<{ s: string }>('SELECT pg_database_size(current_database())::text AS s')).rows[0]?.s);
        const rss = ctx.rssMB(server.pid!);
        // Checks of the window's last messages are due DELIVERY_GRACE_MS after their ack.
        await sleep(DELIVERY_GRACE_MS + 1_500);
        broadcast({ type: 'collect' });
        const deadline = Date.now() + 15_000;
        while (pendingWindows.length < workers.length && Date.now() < deadline) await sleep(50);
        const ws = pendingWindows;
        // Sends of the window as stored: the body carries the send time (ms since the epoch) after "c|".
        const persisted = await db
          .query<{ n: number }>(
            `SELECT count(*)::int AS n FROM messages WHERE body LIKE 'c|%' AND split_part(body, '|', 2)::float8 >= $1 AND split_part(body, '|', 2)::float8 < $2`,
            [t0, t1],
          )
          .then((r) => r.rows[0]?.n ?? null)
          .catch(() => null);
        const windowS = (t1 - t0) / 1000;
        const sum = (k: keyof WindowStats) => ws.reduce((t, w) => t + (w[k] as number), 0);
        const add = (k: 'errors' | 'actions' | 'dupKinds' | 'emits' | 'http') => {
          const out: Record<string, number> = {};
          for (const w of ws) for (const [key, n] of Object.entries(w[k])) out[key] = (out[key] ?? 0) + n;
          return out;
        };
        const perS = (rec: Record<string, number>) => Object.fromEntries(Object.entries(rec).map(([k, n]) => [k, round(n / windowS, 2)]));
        const errors = add('errors');
        const msgs = sum('acked');
        const step: CapacityStep = {
          users,
          attempt,
          active: sum('active'),
          windowS: round(windowS),
          msgsPerS: round(msgs / windowS, 2),
          acked: msgs,
          persisted,
          deliveriesPerS: round(sum('delivered') / windowS),
          activityPerS: round(sum('activityReceived') / windowS),
          e2e: merge(ws.map((w) => w.e2e)),
          activity: merge(ws.map((w) => w.activity)),
          ack: merge(ws.map((w) => w.ack)),
          connect: merge(ws.map((w) => w.connect)),
          http: merge(ws.map((w) => w.httpLatency)),
          httpByKind: Object.fromEntries(
            [...new Set(ws.flatMap((w) => Object.keys(w.httpLatencyByKind)))].map((kind) => [
              kind,
              merge(ws.flatMap((w) => w.httpLatencyByKind[kind] ?? [])),
            ]),
          ),
          owed: sum('owed'),
          lost: sum('lost'),
          late: sum('late'),
          duplicates: sum('duplicates'),
          overlaps: sum('overlaps'),
          signinRetries: sum('signinRetries'),
          sendRetries: sum('sendRetries'),
          replayRepeats: sum('replayRepeats'),
          activityOwed: sum('activityOwed'),
          activityLost: sum('activityLost'),
          activityDuplicates: sum('activityDuplicates'),
          replays: sum('replays'),
          truncatedReplays: sum('truncatedReplays'),
          sessionsStarted: sum('sessionsStarted'),
          signins: sum('signins'),
          errors,
          actions: add('actions'),
          dupKinds: add('dupKinds'),
          emitsPerS: perS(add('emits')),
          httpPerS: perS(add('http')),
          nodeCpuPct,
          pgCpuPct,
          machineBusyPct: busy,
          otherPct: busy === null ? null : Math.max(0, round(busy - (nodeCpuPct ?? 0) - (pgCpuPct ?? 0) - gens.reduce((a, b) => a + b, 0))),
          cpuPctPer1kUsers: nodeCpuPct === null ? null : round(((nodeCpuPct + (pgCpuPct ?? 0)) / users) * 1000),
          projectedUsers2Cores: nodeCpuPct ? Math.round((200 / (nodeCpuPct + (pgCpuPct ?? 0))) * users) : null,
          rssMB: rss,
          rssKiBPerUser: rss === null || idleRss === null ? null : round(((rss - idleRss) * 1024) / users),
          rssMarginalKiBPerUser: null,
          notifyPerS: m0 && m1 ? round((m1.notify - m0.notify) / windowS) : null,
          notifyReceivedPerS: m0 && m1 ? round((m1.received - m0.received) / windowS) : null,
          serverLoopP99Ms: loopP99s.length ? round(Math.max(...loopP99s) * 1000) : null,
          serverLoopMaxMs: round(loopMaxS * 1000),
          serverGc:
            m0 && m1
              ? { msPerS: round(((m1.gc.pauseS - m0.gc.pauseS) * 1000) / windowS), major: m1.gc.major - m0.gc.major, over100ms: m1.gc.over100ms - m0.gc.over100ms }
              : null,
          serverCloses:
            m0 && m1 ? Object.fromEntries(Object.entries(m1.closes).map(([k, n]) => [k, n - (m0.closes[k] ?? 0)]).filter(([, n]) => Number(n) > 0)) : {},
          poolWaiting: poolWaiting.length
            ? { mean: round(poolWaiting.reduce((a, b) => a + b, 0) / poolWaiting.length, 2), max: Math.max(...poolWaiting) }
            : null,
          dbWaits,
          commitsPerS: wal0 && wal1 ? round((wal1.commits - wal0.commits) / windowS) : null,
          walFsyncsPerS: wal0?.fsyncs != null && wal1?.fsyncs != null ? round((wal1.fsyncs - wal0.fsyncs) / windowS) : null,
          dbGrowthKBPerS: Number.isFinite(size1 - size0) ? round((size1 - size0) / 1024 / windowS) : null,
          dbBytesPerMessage: msgs > 0 && Number.isFinite(size1 - size0) ? Math.round((size1 - size0) / msgs) : null,
          generators: ws.map((w, i) => ({ worker: w.worker, cpuPct: Math.max(w.cpuPct, gens[i] ?? 0), loopP99Ms: w.loopP99Ms, loopMaxMs: w.loopMaxMs })),
          pass: false,
          reasons: [],
        };
        if (previous && rss !== null) step.rssMarginalKiBPerUser = round(((rss - previous.rss) * 1024) / (users - previous.users));
        const reasons = step.reasons;
        if (ws.length < workers.length) reasons.push(`${workers.length - ws.length} generator(s) did not report`);
        if (!(step.e2e.p99 <= SLO_P99_MS)) reasons.push(`e2e p99 ${step.e2e.p99} ms > ${SLO_P99_MS}`);
        if (step.lost > 0) reasons.push(`${step.lost} lost`);
        if (persisted !== null && persisted < msgs) reasons.push(`${msgs - persisted} acked but not stored`);
        if (step.duplicates > 0) reasons.push(`${step.duplicates} duplicated (${codes(step.dupKinds)})`);
        if (step.activityLost > 0 || step.activityDuplicates > 0) reasons.push(`room:activity ${step.activityLost} lost / ${step.activityDuplicates} dup`);
        const bad = Object.entries(errors).filter(([code]) => !DOCUMENTED_LIMITS.has(code));
        const badCount = bad.reduce((t, [, n]) => t + n, 0);
        if (badCount) reasons.push(`${badCount} errors`);
        // CPU per user says how many users the cores would hold only while CPU is what limits: not when requests
        // mostly fail or wait (then the CPU is low because the work is not getting done).
        const requests = Object.values(step.emitsPerS).reduce((a, b) => a + b, 0) * windowS + Object.values(step.httpPerS).reduce((a, b) => a + b, 0) * windowS;
        if (badCount > requests * 0.01) step.projectedUsers2Cores = null;
        const saturated = step.generators.filter((g) => g.cpuPct >= GENERATOR_MAX_CPU_PCT || g.loopP99Ms >= GENERATOR_MAX_LOOP_P99_MS);
        if (saturated.length) reasons.push(`generator ${saturated.map((g) => g.worker).join(', ')} saturated`);
        if (step.active < users * 0.9) reasons.push(`only ${step.active} users active`);
        step.pass = reasons.length === 0;
        passed = step.pass;
        result.steps.push(step);
        log(
          `capacity: ${users} users${attempt > 1 ? ' (again)' : ''}: ${step.msgsPerS} msg/s, ${step.deliveriesPerS} deliveries/s, e2e p50 ${step.e2e.p50} / p99 ${step.e2e.p99} ms, ` +
            `lost ${step.lost}, dup ${step.duplicates}, Node ${nodeCpuPct ?? '?'} %, PostgreSQL ${pgCpuPct ?? '?'} %, RSS ${rss ?? '?'} MB, ` +
            `generators ${step.generators.map((g) => `${g.cpuPct} %/${g.loopP99Ms} ms`).join(', ')}, other load ${step.otherPct ?? '?'} % — ${step.pass ? 'pass' : `FAIL (${reasons.join('; ')})`}`,
        );
        if (rss !== null) stepRss = rss;
      }
      if (stepRss !== null) previous = { users, rss: stepRss };
      // With --capacity-keep-going, a step passing after one that failed does not count: the ramp broke there.
      if (passed && !broken) result.highestPassing = users;
      if (!passed) broken = true;
      if (broken && !cfg.keepGoing) break;
    }
    if (fatal) result.error = `generator failed: ${fatal.split('\n')[0]}`;
  } finally {
    for (const w of workers) if (w.connected) w.send({ type: 'stop' } satisfies CapacityCommand);
    await Promise.all(workers.map((w) => ctx.stopChild(w)));
    await ctx.stopChild(server);
    await db.end().catch(() => undefined);
  }
  return result;
}

// ── report ──

const fmt = (v: number | null | undefined, d = 1) => (v === null || v === undefined || Number.isNaN(v) ? '—' : String(round(v, d)));
const codes = (rec: Record<string, number>) =>
  Object.keys(rec).length
    ? Object.entries(rec)
        .sort((a, b) => b[1] - a[1])
        .map(([k, n]) => `${k} ${n}`)
        .join(', ')
    : '0';

export function renderCapacity(r: CapacityResult | undefined, error: string | undefined): string[] {
  const out = ['## Capacity: real users on one instance', ''];
  if (!r) return [...out, `Failed: ${error ?? 'unknown error'}`];
  out.push(
    `Server: ${r.server}; ${r.pinning}. Population ${r.population} users in ${r.rooms.large} large, ${r.rooms.small} small and ` +
      `${r.rooms.direct} direct rooms (${r.rooms.memberships} memberships, ${r.rooms.history} history messages; seeded in ${r.seedS} s). ` +
      `Server RSS idle: ${fmt(r.idleRssMB)} MB. Steps held ${r.config.warmupS} s warm-up + ${r.config.windowS} s window; users arrive at ${r.config.arrivalPerS}/s; ${r.config.workers} generator processes.`,
    '',
    `**Highest passing: ${r.highestPassing === null ? 'none' : `${r.highestPassing} users`}** (SLO: p99 send → message:new ≤ ${SLO_P99_MS} ms, nothing lost or duplicated, no error but documented limits, generators not saturated). Parley's aim: 10,000.`,
    '',
    '| users | msgs/s (acked / stored) | deliveries/s | e2e p50 / p99 / max ms | room:activity/s, p99 ms | lost | dup | errors | Node CPU % | PostgreSQL CPU % | CPU % per 1k users (→ users on 2 cores) | RSS MB (KiB/user over idle; marginal) | NOTIFY/s | DB growth KB/s (B/msg) | generators CPU % / loop p99 ms | other load % | result |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  );
  for (const s of r.steps) {
    out.push(
      `| ${s.users}${s.attempt > 1 ? ' (again)' : ''} | ${fmt(s.msgsPerS, 2)} (${s.acked} / ${s.persisted ?? '—'}) | ${fmt(s.deliveriesPerS)} | ${fmt(s.e2e.p50)} / ${fmt(s.e2e.p99)} / ${fmt(s.e2e.max)} | ` +
        `${fmt(s.activityPerS)}, ${fmt(s.activity.p99)} | ${s.lost}${s.late ? ` (+${s.late} late)` : ''} | ${s.duplicates} | ${codes(s.errors)} | ${fmt(s.nodeCpuPct)} | ${fmt(s.pgCpuPct)} | ${fmt(s.cpuPctPer1kUsers)} (${s.projectedUsers2Cores ?? '—'}) | ` +
        `${fmt(s.rssMB)} (${fmt(s.rssKiBPerUser)}; ${fmt(s.rssMarginalKiBPerUser)}) | ${fmt(s.notifyPerS)} | ${fmt(s.dbGrowthKBPerS)} (${fmt(s.dbBytesPerMessage, 0)}) | ` +
        `${s.generators.map((g) => `${fmt(g.cpuPct)} / ${fmt(g.loopP99Ms)}`).join(' · ')} | ${fmt(s.otherPct)} | ${s.pass ? '✅ pass' : `❌ ${s.reasons.join('; ')}`} |`,
    );
  }
  out.push('', '### Per step, what the users did (per second over the window)', '');
  out.push('| users | active | sessions started (sign-ins, retried) | replays (truncated; replay ∩ live; repeated) | acks p99 ms (sends retried) | connect p99 ms | HTTP p50 / p99 ms | emits/s | HTTP/s | owed deliveries checked | room:activity owed | connections the server saw close | pool waiters mean / max | server loop p99 / max ms | server GC ms/s (major; pauses ≥ 100 ms) | commits/s, WAL fsyncs/s | busy PostgreSQL backends by wait (mean) |');
  out.push('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const s of r.steps) {
    out.push(
      `| ${s.users} | ${s.active} | ${s.sessionsStarted} (${s.signins}, ${s.signinRetries}) | ${s.replays} (${s.truncatedReplays}; ${s.overlaps}; ${s.replayRepeats}) | ${fmt(s.ack.p99)} (${s.sendRetries}) | ${fmt(s.connect.p99)} | ${fmt(s.http.p50)} / ${fmt(s.http.p99)} | ` +
        `${codes(s.emitsPerS)} | ${codes(s.httpPerS)} | ${s.owed} | ${s.activityOwed} | ${codes(s.serverCloses)} | ${s.poolWaiting ? `${s.poolWaiting.mean} / ${s.poolWaiting.max}` : '—'} | ${fmt(s.serverLoopP99Ms)} / ${fmt(s.serverLoopMaxMs)} | ${s.serverGc ? `${s.serverGc.msPerS} (${s.serverGc.major}; ${s.serverGc.over100ms})` : '—'} | ${fmt(s.commitsPerS)}, ${fmt(s.walFsyncsPerS)} | ${codes(s.dbWaits)} |`,
    );
  }
  out.push('', '### Per step, latency by request kind (HTTP, and `room:load` on the main socket)', '');
  out.push('| users | kind | requests/s | p50 / p99 / max ms |');
  out.push('|---|---|---|---|');
  for (const s of r.steps) {
    const kinds = Object.entries(s.httpByKind).sort((a, b) => (s.httpPerS[b[0]] ?? 0) - (s.httpPerS[a[0]] ?? 0) || a[0].localeCompare(b[0]));
    for (const [kind, l] of kinds) out.push(`| ${s.users}${s.attempt > 1 ? ' (again)' : ''} | ${kind} | ${s.httpPerS[kind] ?? s.emitsPerS[kind] ?? 0} | ${fmt(l.p50)} / ${fmt(l.p99)} / ${fmt(l.max)} |`);
  }
  out.push(...renderModel(r), '');
  if (r.error) out.push(`Error: ${r.error}`, '');
  return out;
}

function renderModel(r: CapacityResult): string[] {
  const every = (s: number) => (s >= 3600 ? `${round(s / 3600, 1)} h` : s >= 60 ? `${round(s / 60, 1)} min` : `${round(s, 0)} s`);
  const nav = r.config.navigation;
  const navigation: Record<Navigation, string> = {
    client: `with a room page open, one \`room:load\` on the main socket (the room, all its members, the newest ${HISTORY_PAGE} messages), every time (no cache, no prefetch); the room left closes at once and the new room's socket connects after the answer, from its newest seq. Only when the socket is down or the load fails otherwise: GET /api/rooms/:id (\`room-open\`) and GET /api/rooms/:id/messages (\`room-history\`) in parallel, as the browser's fetch (compression offered, as Chromium)`,
    page: `the Next.js navigation (the old path; a deep link's): the pointer's prefetch (\`room-prefetch\`: GET /rooms/:id, RSC + Next-Router-Prefetch: the loading skeleton and the title, i.e. session and room; not again within ${PREFETCH_FRESH_MS / 1000} s) then the click's page payload (\`room-page\`: GET /rooms/:id, RSC + Next-Router-State-Tree + Next-Url, every time: session, room, all members, newest history page)`,
    history: 'no request: the room socket only, and a history GET on a session\'s first open of each room (the realtime path alone, comparable with runs before the navigation was modelled)',
  };
  const src = 'mattermost-load-test-ng `loadtest/control/simulcontroller/controller.go` getActionList';
  const rows: [string, string, string][] = [
    ['think time between actions', `uniform ${MM_IDLE_MIN_MS / 1000}–${(2 * MM_IDLE_AVG_MS - MM_IDLE_MIN_MS) / 1000} s (mean ${MM_IDLE_AVG_MS / 1000} s); one action picked by weight (Σ ${MM_TOTAL_WEIGHT})`, 'mattermost-load-test-ng `config/simulcontroller.sample.json`, `loadtest/control/utils.go` PickIdleTimeMs'],
    ['open another room (switch)', `every ${every(meanIntervalS('switch-room'))}`, `${src}: SwitchChannel 6.5219`],
    ['open a direct conversation', `every ${every(meanIntervalS('open-direct'))}`, `${src}: OpenDirectOrGroupChannel 0.9843`],
    [
      'what opening a room asks of the server',
      `both of the above, from the sidebar, as \`--capacity-navigation\` says (this run: **${nav}**). ${NAVIGATIONS.map((m) => `\`${m}\`: ${navigation[m]}`).join('; ')}. In \`page\` and \`history\` the room socket connects at once; in all three a session's first room (the page load) is the same`,
      'client: Parley\'s client-side room switch (components/chat/room-host.tsx readRoom, lib/realtime/client.ts loadRoom); page: Chromium against the production build (next 16.4, components/ui/intent-link.tsx), bench/capacity-model.ts PREFETCH_FRESH_MS',
    ],
    ['send a message (typing first)', `every ${every(meanIntervalS('post'))} on average, in bursts of mean ${BURST_MEAN} (${BURST_GAP_MS[0] / 1000}–${BURST_GAP_MS[1] / 1000} s apart); typing ${TYPING_CHARS_PER_S} chars/s, 1–20 s, typing:start every 3 s`, `${src}: CreatePost 1.0, typing before each post (actions.go createPost); bursts and typing speed: assumption`],
    ['older history page', `every ${every(meanIntervalS('scroll'))}`, `${src}: ScrollChannel 1.9873`],
    ['react', `every ${every(meanIntervalS('react'))}`, `${src}: AddReaction 0.1306`],
    ['edit own message', `every ${every(meanIntervalS('edit'))}`, `${src}: EditPost 0.04`],
    ['search messages (GET /api/search)', `every ${every(meanIntervalS('search'))}`, `${src}: SearchPosts 0.0218 + SearchPostsAllTeams 0.0109`],
    ['search users (GET /api/users)', `every ${every(meanIntervalS('search-users'))}`, `${src}: SearchUsers 0.032`],
    ['connection drops (reconnect, replay)', `every ${every(meanIntervalS('reconnect'))}`, `${src}: ReconnectWebSocket 0.144`],
    ['reload the page', `every ${every(meanIntervalS('reload'))}`, `${src}: FullReload 0.0008`],
    ['sign out and in (password)', `every ${every(meanIntervalS('relogin'))}`, `${src}: LogoutLogin 0.0006`],
    ['session length', `log-normal, median ${SESSION_MEDIAN_MS / 60_000} min, σ ${SESSION_SIGMA} (mean ${round(sessionMeanMs() / 60_000, 0)} min), 2 min–8 h; a replacement arrives after Exp(${SESSION_GAP_MEAN_MS / 1000} s)`, 'assumption ("minutes to hours"); context: Slack 2019, ~1 h active use per user per workday'],
    ['password sign-in at session start', `${round(r.config.signinShare * 100, 0)} % of starts (the rest hold a session cookie)`, 'assumption (sessions live 14 days idle); Mattermost signs in at every agent start'],
    ['unprompted client traffic', `delivery:ack per room:activity of a direct conversation (≤ 1/room/s, the first after a quiet spell 0–1 s late, without an ack); read:mark per message:new in the open room (≤ 1/500 ms, window focused); presence:watch of direct peers and the open room's drawn members (≤ ${MEMBER_ROWS_PAGE}) on connect and on each room change; GET /api/rooms at start; newest history page (GET …/messages) for the session's first room and after a truncated replay (a switch's own requests carry it, with \`client\` and \`page\`; with \`history\`, on each room's first open)`, 'Parley\'s browser client: lib/realtime/client.ts, lib/stores/room-store.ts, components/chat/chat-shell.tsx, room-view.tsx'],
    ['rooms per user', `U[${ROOMS_PER_USER[0]}, ${ROOMS_PER_USER[1]}]: large rooms (${LARGE_ROOM_SIZES.join(', ')} members, joined ∝ size), ${DIRECTS_PER_USER[0]}–${DIRECTS_PER_USER[1]} direct conversations, the rest small rooms of ${SMALL_ROOM_SIZE[0]}–${SMALL_ROOM_SIZE[1]} (Zipf s = 1); history ${HISTORY.large} / ${HISTORY.small} / ${HISTORY.direct} messages`, 'the issue\'s shape; assumption'],
  ];
  const weights = Object.entries(ACTION_WEIGHTS).reduce((t, [, w]) => t + w, 0);
  return [
    '',
    '### Model (bench/capacity-model.ts)',
    '',
    `Per active user. Rates are real (not compressed): Mattermost's agent picks one of 52 weighted actions after each think time; the ${round(weights, 3)} of ${MM_TOTAL_WEIGHT} weight Parley has a counterpart for is modelled, the rest (thread views, drafts, bookmarks, custom status, plugins…) does nothing, so each modelled action keeps Mattermost's absolute rate.`,
    '',
    '| behaviour | rate | source |',
    '|---|---|---|',
    ...rows.map(([a, b, c]) => `| ${a} | ${b} | ${c} |`),
  ];
}
