/**
 * The `cluster` scenario (issue 16): `--cluster-tabs` (100,000) idle tabs across a local cluster of
 * `--cluster-instances` Parley instances on one cross-instance adapter (`--cluster-adapter`: postgres, the
 * default, or redis), from `--cluster-generators` load-generator processes.
 *
 * Why several of each: a process may hold 20,000 open files here (`ulimit -n`), so one instance (or one
 * generator) cannot hold more than ~19,000 sockets. Each tab is what the browser opens (bench/load.ts idle
 * mode): one WebSocket carrying the main namespace and one room namespace, ready once `session:ready` and
 * `message:replay` arrived. Tab k is user k, in room k mod `--cluster-rooms`, on instance k mod instances,
 * from generator k mod generators — so every room has members on every instance, as a real cluster would.
 *
 * Seeding is set-based (users, rooms, memberships and sessions in a few INSERTs of 5,000 rows), and the
 * session cookies are minted without a sign-in each (a sign-in's bcrypt is not what this measures).
 *
 * Reported at each ramp point (after a full GC with compaction on every instance): RSS and heap of every
 * instance, summed; the marginal RSS per tab between the first and the last point. Then an idle window of
 * `--idle-duration` (default here 30 s: two Engine.IO ping periods): the instances', PostgreSQL's and the
 * generators' CPU, the adapter's traffic (NOTIFYs sent / received, or Redis commands by type from
 * `INFO commandstats`), and the heartbeat traffic this many tabs means (Engine.IO pings, one per tab per
 * `pingInterval`).
 */
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import type { GeneratorStats, IdleCommand, IdlePlan, LoadMessage, ServerStats } from './shared';

export type ClusterAdapter = 'postgres' | 'redis';

export interface ClusterConfig {
  tabs: number;
  instances: number;
  generators: number;
  rooms: number;
  adapter: ClusterAdapter;
  idleS: number;
  connectConcurrency: number;
  /** Source addresses 127.0.0.1–127.0.0.254 (more ephemeral ports than one address has). */
  spread: boolean;
}

/** What the orchestrator (run.ts) lends the scenario: its process handling, sampling and server IPC. */
export interface ClusterContext {
  log: (message: string) => void;
  interrupted: () => boolean;
  databaseUrl: string;
  postmasterPid: number | null;
  authSecret: string;
  /** Starts Parley instance `index` (bench/parley-server.ts) on the given adapter; resolves when it listens. */
  startInstance: (index: number, adapter: ClusterAdapter) => Promise<ClusterInstance>;
  /** A load generator (bench/load.ts), unpinned. */
  spawnGenerator: () => ChildProcess;
  stopChild: (child: ChildProcess) => Promise<void>;
  gc: (instance: ClusterInstance) => Promise<{ rss: number; heapUsed: number; newSpace: number }>;
  stats: (instance: ClusterInstance) => Promise<ServerStats>;
  /** CPU % (of one core) of a changing set of processes over a window. */
  cpuMeter: (pids: () => number[]) => { begin(): void; end(): number | null };
  /** PostgreSQL's processes (postmaster and backends). */
  databasePids: () => number[];
}

export interface ClusterInstance {
  child: ChildProcess;
  pid: number;
  port: number;
  url: string;
}

export interface ClusterPoint {
  tabs: number;
  failed: number;
  /** Wall time of this step's connects. */
  connectS: number;
  rssMB: number;
  heapMB: number;
  newSpaceMB: number;
  /** Per instance, after GC. */
  perInstanceRssMB: number[];
  serverCpuPct: number | null;
  databaseCpuPct: number | null;
  generatorsCpuPct: number | null;
}

/**
 * Where tabs went: a checkpoint after every connect step, every GC and the idle window. Client side, the
 * ready tabs still open and why the others dropped (socket.io-client `disconnect` reasons); server side,
 * Engine.IO connections and why they closed (`close` reasons; a tab that failed to get ready and was
 * closed by its generator counts there as a 'transport close' too), and the longest event-loop stall of
 * any instance since the previous checkpoint.
 */
export interface ClusterStage {
  stage: string;
  clientOpen: number;
  serverConnections: number;
  /** Since the previous checkpoint. */
  clientLost: Record<string, number>;
  serverCloses: Record<string, number>;
  stallMaxMs: number;
}

export interface ClusterIdle {
  windowS: number;
  serverCpuPct: number | null;
  databaseCpuPct: number | null;
  generatorsCpuPct: number | null;
  generators: GeneratorStats[];
  /** postgres: NOTIFYs issued by all instances per second (heartbeats apart) and notifications received. */
  notify?: { sentPerS: number; heartbeatPerS: number; receivedPerS: number };
  /** redis: commands per second by name (INFO commandstats difference over the window). */
  redis?: Record<string, number>;
  /** Engine.IO pings the tabs exchange per second (one per tab per pingInterval). */
  enginePingsPerS: number;
  connections: number;
  /** Ready tabs the generators still had open at the end of the window. */
  clientOpen: number;
}

export interface ClusterResult extends ClusterConfig {
  seedS: number;
  ramp: ClusterPoint[];
  idle?: ClusterIdle;
  stages: ClusterStage[];
  /** How the instances were GC'd before each measurement: one at a time (default) or all at once (BENCH_CLUSTER_GC=together). */
  gc: 'one at a time' | 'together';
  errors: Record<string, number>;
  kibPerTabMarginal: number | null;
  kibPerTabMarginalNet: number | null;
  error?: string;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const round1 = (n: number) => Math.round(n * 10) / 10;
const mb = (bytes: number) => Math.round((bytes / 1048576) * 10) / 10;

/** The fd limit here is 20,000 per process; below it, room for PostgreSQL/Redis connections and files. */
export const SOCKETS_PER_PROCESS = 19_000;

/** Users cluster0…, rooms, memberships (tab k in room k mod rooms) and one session each; returns the cookies. */
async function seedCluster(cfg: ClusterConfig, ctx: ClusterContext): Promise<{ roomIds: string[]; cookies: string[] }> {
  const { encode } = await import('next-auth/jwt');
  const { hashPassword } = await import('../lib/password');
  const client = new pg.Client({ connectionString: ctx.databaseUrl });
  await client.connect();
  try {
    const passwordHash = await hashPassword(randomUUID());
    const userIds = Array.from({ length: cfg.tabs }, () => randomUUID());
    const CHUNK = 5_000;
    for (let from = 0; from < cfg.tabs; from += CHUNK) {
      const ids = userIds.slice(from, from + CHUNK);
      await client.query(
        `INSERT INTO users (id, username, display_name, password_hash)
         SELECT id, 'cluster' || (n + $2 - 1), 'Cluster user ' || (n + $2 - 1), $3
         FROM unnest($1::uuid[]) WITH ORDINALITY AS t(id, n)`,
        [ids, from, passwordHash],
      );
    }
    // Rooms through the data layer (ids, name keys and the rest as the product makes them); room r's owner is user r.
    const { configureDatabase, disconnectDb } = await import('../lib/db');
    const { createRoom } = await import('../lib/data/rooms');
    configureDatabase(ctx.databaseUrl);
    const roomIds = new Array<string>(cfg.rooms);
    let nextRoom = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (nextRoom < cfg.rooms) {
          const r = nextRoom++;
          const room = await createRoom({ ownerId: userIds[r]!, data: { kind: 'public', name: `cluster room ${r}`, description: '' }, ip: null });
          roomIds[r] = room.id;
        }
      }),
    );
    await disconnectDb();
    for (let from = 0; from < cfg.tabs; from += CHUNK) {
      const ids = userIds.slice(from, from + CHUNK);
      const rooms = ids.map((_, j) => roomIds[(from + j) % cfg.rooms]!);
      await client.query(
        `INSERT INTO memberships (room_id, user_id) SELECT * FROM unnest($1::text[], $2::uuid[]) ON CONFLICT DO NOTHING`,
        [rooms, ids],
      ); // the owners are members already
    }
    await client.query(`UPDATE rooms r SET member_count = (SELECT count(*) FROM memberships m WHERE m.room_id = r.id) WHERE r.id = ANY($1::text[])`, [roomIds]);
    const sessionIds = userIds.map(() => randomUUID());
    for (let from = 0; from < cfg.tabs; from += CHUNK) {
      await client.query(
        `INSERT INTO sessions (id, user_id, expires_at, ip, user_agent)
         SELECT id, user_id, now() + interval '7 days', '127.0.0.1', 'parley-bench'
         FROM unnest($1::uuid[], $2::uuid[]) AS t(id, user_id)`,
        [sessionIds.slice(from, from + CHUNK), userIds.slice(from, from + CHUNK)],
      );
    }
    await client.query('VACUUM ANALYZE');
    // The cookie Auth.js sets after a sign-in (lib/testing/realtime.ts signInAs), for each seeded session.
    const cookies = new Array<string>(cfg.tabs);
    for (let from = 0; from < cfg.tabs; from += 1_000) {
      await Promise.all(
        userIds.slice(from, from + 1_000).map(async (id, j) => {
          const k = from + j;
          const token = await encode({
            token: { sub: id, name: `Cluster user ${k}`, username: `cluster${k}`, sid: sessionIds[k] },
            secret: ctx.authSecret,
            salt: 'authjs.session-token',
          });
          cookies[k] = `authjs.session-token=${token}`;
        }),
      );
    }
    return { roomIds, cookies };
  } finally {
    await client.end();
  }
}

/**
 * One inline command to the Redis at `url` over a plain socket, its reply as text (a bulk string's payload,
 * or the line of a simple reply): the bench needs no Redis client library of its own for INFO and DEL.
 */
export async function redisInline(url: string, command: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise<string>((resolve, reject) => {
    const socket = connect({ host: hostname || '127.0.0.1', port: Number(port || 6379) });
    let data = '';
    socket.setEncoding('utf8');
    socket.setTimeout(5_000, () => socket.destroy(new Error(`Redis ${command.split(' ')[0]} timed out`)));
    socket.on('connect', () => socket.write(`${command}\r\n`));
    socket.on('data', (chunk: string) => {
      data += chunk;
      // A bulk string: $<length>\r\n<payload>\r\n; anything else: one line.
      const header = /^\$(\d+)\r\n/.exec(data);
      const done = header ? data.length >= header[0].length + Number(header[1]) : !data.startsWith('$') && data.includes('\r\n');
      if (!done) return;
      socket.end();
      if (data.startsWith('-')) reject(new Error(`Redis: ${data.slice(1).trim()}`));
      else resolve(header ? data.slice(header[0].length, header[0].length + Number(header[1])) : data.trim());
    });
    socket.on('error', reject);
  });
}

/** Redis commands processed so far, by command (INFO commandstats), from the server at `url`. */
export async function redisCommandCounts(url: string): Promise<Map<string, number>> {
  const reply = await redisInline(url, 'INFO commandstats');
  const counts = new Map<string, number>();
  for (const match of reply.matchAll(/^cmdstat_([a-z|_-]+):calls=(\d+)/gm)) counts.set(match[1]!, Number(match[2]));
  return counts;
}

export async function runClusterScenario(cfg: ClusterConfig, ctx: ClusterContext): Promise<ClusterResult> {
  const { log } = ctx;
  const gcTogether = process.env.BENCH_CLUSTER_GC === 'together';
  const result: ClusterResult = {
    ...cfg,
    seedS: 0,
    ramp: [],
    stages: [],
    gc: gcTogether ? 'together' : 'one at a time',
    errors: {},
    kibPerTabMarginal: null,
    kibPerTabMarginalNet: null,
  };
  if (cfg.tabs / cfg.instances > SOCKETS_PER_PROCESS) throw new Error(`--cluster-instances ${cfg.instances} gives more than ${SOCKETS_PER_PROCESS} tabs per instance`);
  if (cfg.tabs / cfg.generators > SOCKETS_PER_PROCESS) throw new Error(`--cluster-generators ${cfg.generators} gives more than ${SOCKETS_PER_PROCESS} tabs per generator`);

  const t0 = performance.now();
  log(`cluster: seeding ${cfg.tabs} users in ${cfg.rooms} rooms`);
  const { roomIds, cookies } = await seedCluster(cfg, ctx);
  result.seedS = round1((performance.now() - t0) / 1000);
  log(`cluster: seeded in ${result.seedS} s`);

  const instances: ClusterInstance[] = [];
  const generators: { child: ChildProcess; exited: boolean }[] = [];
  try {
    // One after the other: each new instance meets the others' heartbeats at once.
    for (let i = 0; i < cfg.instances && !ctx.interrupted(); i += 1) instances.push(await ctx.startInstance(i, cfg.adapter));
    log(`cluster: ${instances.length} instances on the ${cfg.adapter} adapter`);
    const serverCpu = ctx.cpuMeter(() => instances.map((i) => i.pid));
    const databaseCpu = ctx.cpuMeter(ctx.databasePids);
    const generatorCpu = ctx.cpuMeter(() => generators.flatMap((g) => (g.child.pid ? [g.child.pid] : [])));

    // Generator g gets tabs g, g + G, g + 2G, … in that order, so every connect step spreads over every instance.
    for (let g = 0; g < cfg.generators; g += 1) {
      const child = ctx.spawnGenerator();
      const entry = { child, exited: false };
      child.once('exit', () => (entry.exited = true));
      generators.push(entry);
      const tabs: IdlePlan['tabs'] = [];
      for (let k = g; k < cfg.tabs; k += cfg.generators) {
        tabs.push({
          roomId: roomIds[k % cfg.rooms]!,
          instance: k % cfg.instances,
          cookie: cookies[k],
          ...(cfg.spread ? { localAddress: `127.0.0.${1 + (k % 254)}` } : {}),
        });
      }
      const plan: IdlePlan = { mode: 'idle', server: 'parley', urls: instances.map((i) => i.url), tabs, connectConcurrency: cfg.connectConcurrency };
      child.send(plan);
    }
    const next = <T extends LoadMessage['type']>(g: (typeof generators)[number], type: T, timeoutMs: number) =>
      new Promise<Extract<LoadMessage, { type: T }>>((resolve, reject) => {
        const onMessage = (m: LoadMessage) => {
          if (m?.type !== type) return;
          g.child.off('message', onMessage);
          clearTimeout(timer);
          resolve(m as Extract<LoadMessage, { type: T }>);
        };
        const timer = setTimeout(() => {
          g.child.off('message', onMessage);
          reject(new Error(g.exited ? 'a load generator exited' : `no ${type} from a load generator within ${Math.round(timeoutMs / 1000)} s`));
        }, timeoutMs);
        g.child.on('message', onMessage);
      });
    const command = (c: IdleCommand) => generators.forEach((g) => g.child.send(c));
    // One instance at a time: a full compacting GC of a 400 MB heap stops that instance's loop for
    // seconds, and six at once on two cores stopped them all for longer than Engine.IO's pingTimeout —
    // their pong handlers then ran after the timeout timers (timers come first in Node's loop) and the
    // tabs were dropped as 'ping timeout' (bench/README.md, cluster). Production never forces this GC.
    const measure = async () => {
      const replies = gcTogether ? await Promise.all(instances.map((i) => ctx.gc(i))) : [];
      if (!gcTogether) for (const i of instances) replies.push(await ctx.gc(i));
      return {
        rssMB: mb(replies.reduce((t, r) => t + r.rss, 0)),
        heapMB: mb(replies.reduce((t, r) => t + r.heapUsed, 0)),
        newSpaceMB: mb(replies.reduce((t, r) => t + r.newSpace, 0)),
        perInstanceRssMB: replies.map((r) => mb(r.rss)),
      };
    };

    const serverClosesBefore: Record<string, number> = {};
    const clientLostBefore: Record<string, number> = {};
    const delta = (now: Record<string, number>, before: Record<string, number>) => {
      const d: Record<string, number> = {};
      for (const [k, n] of Object.entries(now)) if (n - (before[k] ?? 0) > 0) d[k] = n - (before[k] ?? 0);
      Object.assign(before, now);
      return d;
    };
    const sumRecords = (records: Record<string, number>[]) => {
      const total: Record<string, number> = {};
      for (const r of records) for (const [k, n] of Object.entries(r)) total[k] = (total[k] ?? 0) + n;
      return total;
    };
    const checkpoint = async (stage: string): Promise<ServerStats[]> => {
      const counts = await Promise.all(
        generators.map((g) => {
          const reply = next(g, 'count', 30_000);
          g.child.send({ type: 'count' } satisfies IdleCommand);
          return reply;
        }),
      );
      const stats = await Promise.all(instances.map((i) => ctx.stats(i)));
      const entry: ClusterStage = {
        stage,
        clientOpen: counts.reduce((t, c) => t + c.open, 0),
        serverConnections: stats.reduce((t, r) => t + r.connections, 0),
        clientLost: delta(sumRecords(counts.map((c) => c.lost)), clientLostBefore),
        serverCloses: delta(sumRecords(stats.map((r) => r.closeReasons ?? {})), serverClosesBefore),
        stallMaxMs: Math.max(0, ...stats.map((r) => r.loopStallMaxMs ?? 0)),
      };
      result.stages.push(entry);
      log(
        `cluster: [${stage}] client open ${entry.clientOpen}, server connections ${entry.serverConnections}, longest stall ${entry.stallMaxMs} ms; ` +
          `lost ${JSON.stringify(entry.clientLost)}; server closes ${JSON.stringify(entry.serverCloses)}`,
      );
      return stats;
    };

    await sleep(500);
    result.ramp.push({ tabs: 0, failed: 0, connectS: 0, ...(await measure()), serverCpuPct: null, databaseCpuPct: null, generatorsCpuPct: null });
    const steps = [...new Set([0.1, 0.5, 1].map((f) => Math.ceil(cfg.tabs * f)))];
    let lastGc: ServerStats[] = [];
    for (const target of steps) {
      if (ctx.interrupted()) break;
      const perGenerator = Math.ceil(target / cfg.generators);
      for (const meter of [serverCpu, databaseCpu, generatorCpu]) meter.begin();
      const started = performance.now();
      command({ type: 'connect-to', tabs: perGenerator });
      const replies = await Promise.all(generators.map((g) => next(g, 'connected-to', 120_000 + perGenerator * 50)));
      const connectS = round1((performance.now() - started) / 1000);
      const [serverCpuPct, databaseCpuPct, generatorsCpuPct] = [serverCpu.end(), databaseCpu.end(), generatorCpu.end()];
      const failed = replies.reduce((t, r) => t + r.failed, 0);
      const connected = replies.reduce((t, r) => t + r.tabs, 0) - failed;
      result.errors = {};
      for (const r of replies) for (const [code, n] of Object.entries(r.errors)) result.errors[code] = (result.errors[code] ?? 0) + n;
      await sleep(1_000); // presence and other follow-ups of the last connects
      await checkpoint(`connect to ${target}`);
      const point: ClusterPoint = { tabs: connected, failed, connectS, ...(await measure()), serverCpuPct, databaseCpuPct, generatorsCpuPct };
      lastGc = await checkpoint(`GC at ${target}`);
      result.ramp.push(point);
      log(
        `cluster: ${connected} tabs (${failed} failed) in ${connectS} s; RSS ${point.rssMB} MB over ${instances.length} instances ` +
          `[${point.perInstanceRssMB.join(', ')}]; CPU servers ${serverCpuPct ?? '?'} %, PostgreSQL ${databaseCpuPct ?? '?'} %, generators ${generatorsCpuPct ?? '?'} %`,
      );
    }

    const top = result.ramp[result.ramp.length - 1]!;
    const first = result.ramp.length > 2 ? result.ramp[1]! : undefined;
    if (first && top.tabs > first.tabs) {
      const per = (a: number, b: number) => round1(((a - b) * 1024) / (top.tabs - first.tabs));
      result.kibPerTabMarginal = per(top.rssMB, first.rssMB);
      result.kibPerTabMarginalNet = per(top.rssMB - top.newSpaceMB, first.rssMB - first.newSpaceMB);
    }

    if (!ctx.interrupted()) {
      const before = lastGc.length ? lastGc : await Promise.all(instances.map((i) => ctx.stats(i)));
      const redisUrl = process.env.REDIS_URL;
      const redisBefore = cfg.adapter === 'redis' && redisUrl ? await redisCommandCounts(redisUrl) : undefined;
      for (const meter of [serverCpu, databaseCpu, generatorCpu]) meter.begin();
      command({ type: 'measure-start' });
      const started = performance.now();
      log(`cluster: idle window ${cfg.idleS} s with ${top.tabs} tabs`);
      await sleep(cfg.idleS * 1000);
      const windowS = (performance.now() - started) / 1000;
      const [serverCpuPct, databaseCpuPct, generatorsCpuPct] = [serverCpu.end(), databaseCpu.end(), generatorCpu.end()];
      command({ type: 'measure-end' });
      const generatorStats = await Promise.all(generators.map((g) => next(g, 'measure', 30_000).then((m) => m.generator)));
      const after = await checkpoint('idle window');
      type Counter = 'notifySent' | 'notifyHeartbeat' | 'notifyReceived' | 'connections';
      const sum = (replies: ServerStats[], key: Counter) => replies.reduce((t, r) => t + r[key], 0);
      const rate = (key: Counter) => round1((sum(after, key) - sum(before, key)) / windowS);
      const { ENGINE_PING } = await import('../lib/realtime/engine-options');
      const idle: ClusterIdle = {
        windowS: round1(windowS),
        serverCpuPct,
        databaseCpuPct,
        generatorsCpuPct,
        generators: generatorStats,
        enginePingsPerS: Math.round(top.tabs / (ENGINE_PING.pingInterval / 1000)),
        connections: sum(after, 'connections'),
        clientOpen: result.stages[result.stages.length - 1]!.clientOpen,
      };
      if (cfg.adapter === 'postgres') idle.notify = { sentPerS: rate('notifySent'), heartbeatPerS: rate('notifyHeartbeat'), receivedPerS: rate('notifyReceived') };
      if (redisBefore && redisUrl) {
        const redisAfter = await redisCommandCounts(redisUrl);
        idle.redis = Object.fromEntries(
          [...redisAfter].map(([name, calls]) => [name, round1((calls - (redisBefore.get(name) ?? 0)) / windowS)] as const).filter(([, perS]) => perS > 0),
        );
      }
      result.idle = idle;
      log(
        `cluster: idle: CPU servers ${serverCpuPct ?? '?'} %, PostgreSQL ${databaseCpuPct ?? '?'} %, generators ${generatorsCpuPct ?? '?'} %; ` +
          (idle.notify ? `${idle.notify.sentPerS} NOTIFY/s (${idle.notify.heartbeatPerS} heartbeats), ${idle.notify.receivedPerS} received/s; ` : '') +
          (idle.redis ? `Redis ${JSON.stringify(idle.redis)} /s; ` : '') +
          `${idle.enginePingsPerS} Engine.IO pings/s`,
      );
    }
    command({ type: 'close' });
    await Promise.all(generators.map((g) => next(g, 'done', 60_000).catch(() => undefined)));
  } catch (error) {
    result.error = error instanceof Error ? error.message : String(error);
    log(`cluster: ${result.error}`);
  } finally {
    await Promise.all(generators.map((g) => ctx.stopChild(g.child)));
    await Promise.all(instances.map((i) => ctx.stopChild(i.child)));
  }
  return result;
}

export function renderCluster(result: ClusterResult | undefined, error: string | undefined): string[] {
  const out = ['## Cluster: idle tabs across instances (`cluster`)', ''];
  if (!result) return [...out, `Failed: ${error ?? 'unknown error'}`];
  out.push(
    `${result.tabs.toLocaleString('en-US')} tabs asked for, ${result.instances} instances on the **${result.adapter}** adapter, ` +
      `${result.generators} generator processes, ${result.rooms} rooms (every room has members on every instance); seeding ${result.seedS} s.`,
    '',
    '| tabs | failed | connect s | RSS MB (Σ) | per instance | heap MB (Σ) | servers CPU % | PostgreSQL CPU % | generators CPU % |',
    '|---:|---:|---:|---:|---|---:|---:|---:|---:|',
    ...result.ramp.map(
      (p) =>
        `| ${p.tabs} | ${p.failed} | ${p.connectS} | ${p.rssMB} | ${p.perInstanceRssMB.join(' · ')} | ${p.heapMB} | ${p.serverCpuPct ?? '—'} | ${p.databaseCpuPct ?? '—'} | ${p.generatorsCpuPct ?? '—'} |`,
    ),
    '',
    `RSS per tab, marginal (first → last point): **${result.kibPerTabMarginal ?? '—'} KiB**, net of V8's new space ${result.kibPerTabMarginalNet ?? '—'} KiB.`,
  );
  const reasons = (r: Record<string, number>) =>
    Object.entries(r)
      .map(([k, n]) => `${k} × ${n}`)
      .join(', ') || '—';
  if (result.stages.length > 0) {
    out.push(
      '',
      `Where tabs went (GC before each measurement: ${result.gc}): ready tabs still open by the generators' count, Engine.IO connections by the instances', ` +
        `and what closed since the previous line (client: socket.io-client \`disconnect\` reasons of ready tabs; server: Engine.IO \`close\` reasons, ` +
        `which include the tabs that failed to get ready and were closed by their generator); the longest event-loop stall of any instance since the previous line.`,
      '',
      '| checkpoint | client open | server connections | client lost | server closes | longest stall ms |',
      '|---|---:|---:|---|---|---:|',
      ...result.stages.map((st) => `| ${st.stage} | ${st.clientOpen} | ${st.serverConnections} | ${reasons(st.clientLost)} | ${reasons(st.serverCloses)} | ${st.stallMaxMs} |`),
    );
  }
  if (Object.keys(result.errors).length > 0) out.push('', `Connect errors: ${Object.entries(result.errors).map(([k, n]) => `${k} × ${n}`).join(', ')}.`);
  const idle = result.idle;
  if (idle) {
    const worst = idle.generators.reduce((w, g) => (g.loopDelayP99 > w.loopDelayP99 ? g : w), idle.generators[0]!);
    out.push(
      '',
      `Idle window ${idle.windowS} s, at its end ${idle.clientOpen} ready tabs open (generators) and ${idle.connections} Engine.IO connections (instances): servers ${idle.serverCpuPct ?? '?'} % CPU (of one core, all instances), ` +
        `PostgreSQL ${idle.databaseCpuPct ?? '?'} %, generators ${idle.generatorsCpuPct ?? '?'} % (worst loop delay p99 ${worst?.loopDelayP99 ?? '?'} ms). ` +
        `Heartbeats: ${idle.enginePingsPerS} Engine.IO pings/s (one per tab per ping interval)` +
        (idle.notify ? `; adapter: ${idle.notify.sentPerS} NOTIFY/s sent (${idle.notify.heartbeatPerS} of them adapter heartbeats), ${idle.notify.receivedPerS} notifications received/s` : '') +
        (idle.redis ? `; Redis commands/s: ${Object.entries(idle.redis).map(([k, v]) => `${k} ${v}`).join(', ') || 'none'}` : '') +
        '.',
    );
  }
  if (result.error) out.push('', `Stopped early: ${result.error}`);
  return out;
}
