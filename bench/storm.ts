/**
 * (f) `storm`: a reconnect storm. N idle tabs (one WebSocket each, carrying the main namespace and one room
 * namespace, as lib/realtime/client.ts does) are connected to one Parley instance and ready; a few senders
 * keep sending; then every tab loses its connection at once — a deploy (the server process is stopped and a
 * new one started on the same port: `restart`, the default) or a dropped transport on every connection
 * (`drop`) — and reconnects by itself with socket.io-client's backoff and jitter (the browser client's
 * settings: the library's defaults). Reported: how long until every tab is ready again (`session:ready` and
 * the room's `message:replay` after the storm), the server's CPU for it, connect errors, the senders' ack
 * latency while the storm lasts (live traffic must not starve), and whether every acknowledged message
 * reached every tab of its room exactly once (replay + live, deduplicated by seq as clients do).
 *
 * `npm run bench -- --scenarios storm` (settings from BENCH_STORM_* variables), or on its own:
 * `npx tsx bench/storm.ts [--tabs 10000] [--rooms 1000] [--senders 20] [--rate 2] [--mode restart|drop]
 *  [--generators 2] [--timeout 120] [--connect-concurrency 100]` (its own throwaway PostgreSQL, or
 * TEST_DATABASE_URL). The same file is the generator process (BENCH_STORM_ROLE=generator).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import * as hdr from 'hdr-histogram-js';
import { Manager, type Socket } from 'socket.io-client';

const BENCH_DIR = import.meta.dirname;
const REPO_ROOT = path.resolve(BENCH_DIR, '..');

export interface StormOptions {
  tabs: number;
  rooms: number;
  senders: number;
  /** Messages per second per sender. */
  rate: number;
  mode: 'restart' | 'drop';
  generators: number;
  timeoutS: number;
  connectConcurrency: number;
}

export const STORM_DEFAULTS: StormOptions = {
  tabs: 10_000,
  rooms: 1_000,
  senders: 20,
  rate: 2,
  mode: 'restart',
  generators: 2,
  timeoutS: 120,
  connectConcurrency: 100,
};

// ── messages between the orchestrator and its generators ──

interface TabSpec {
  cookie: string;
  roomId: string;
  localAddress: string;
}

interface GeneratorPlan {
  type: 'plan';
  url: string;
  tabs: TabSpec[];
  senders: TabSpec[];
  rate: number;
  connectConcurrency: number;
}

type ToGenerator =
  | GeneratorPlan
  | { type: 'connect' }
  | { type: 'senders-start' }
  | { type: 'storm'; at: number }
  | { type: 'senders-stop' }
  | { type: 'verify'; acked: Record<string, number[]> }
  | { type: 'close' };

interface SendStats {
  created: number;
  acked: number;
  failedAttempts: number;
  unacked: number;
  /** send → ack on a connected socket, ms, while the storm lasted (from its start until every tab was ready). */
  during: LatencySummary;
  after: LatencySummary;
  acked_by_room: Record<string, number[]>;
}

interface LatencySummary {
  count: number;
  p50: number;
  p99: number;
  max: number;
}

type FromGenerator =
  | { type: 'connected'; failed: number; errors: Record<string, number>; ms: number }
  | { type: 'recovered'; ms: number[]; notRecovered: number; errors: Record<string, number>; attempts: number }
  | { type: 'senders'; stats: SendStats }
  | { type: 'verified'; tabsChecked: number; missing: number; tabsMissing: number; duplicates: number }
  | { type: 'fatal'; error: string };

// ── the generator ──

interface Tab {
  spec: TabSpec;
  manager: Manager;
  main: Socket;
  room: Socket;
  seqs: Set<number>;
  maxSeq: number;
  duplicates: number;
  mainReady: boolean;
  roomReady: boolean;
  /** Lost its connection since the storm began. */
  dropped: boolean;
  recoveredAt: number | null;
}

const REFUSED_RETRY_MS = 3_000; // lib/realtime/client.ts: a namespace connect refused for a passing reason

function bump(map: Record<string, number>, key: string): void {
  map[key] = (map[key] ?? 0) + 1;
}

function summary(h: hdr.Histogram): LatencySummary {
  return h.totalCount === 0
    ? { count: 0, p50: 0, p99: 0, max: 0 }
    : { count: h.totalCount, p50: h.getValueAtPercentile(50), p99: h.getValueAtPercentile(99), max: h.maxValue };
}

function runGenerator(): void {
  const send = (m: FromGenerator) => process.send?.(m);
  let plan: GeneratorPlan | undefined;
  const tabs: Tab[] = [];
  const errors: Record<string, number> = {};
  let attempts = 0;
  let stormAt: number | null = null;
  let allRecovered: (() => void) | null = null;

  const record = (tab: Tab, messages: { seq: number }[]) => {
    for (const { seq } of messages) {
      if (tab.seqs.has(seq)) tab.duplicates += 1;
      else tab.seqs.add(seq);
      if (seq > tab.maxSeq) tab.maxSeq = seq;
    }
  };
  const checkReady = (tab: Tab) => {
    if (!tab.mainReady || !tab.roomReady) return;
    if (stormAt !== null && tab.dropped && tab.recoveredAt === null) {
      tab.recoveredAt = Date.now();
      if (allRecovered && tabs.every((t) => t.recoveredAt !== null)) allRecovered();
    }
  };

  const openTab = (spec: TabSpec): Tab => {
    // The browser client's manager: socket.io-client's reconnection defaults (1 s doubling to 5 s, ±50 % jitter).
    const manager = new Manager(plan!.url, {
      transports: ['websocket'],
      autoConnect: false,
      extraHeaders: { cookie: spec.cookie },
      localAddress: spec.localAddress,
    } as ConstructorParameters<typeof Manager>[1]);
    manager.on('reconnect_attempt', () => (attempts += 1));
    const main = manager.socket('/');
    const tab: Tab = { spec, manager, main, room: null as unknown as Socket, seqs: new Set(), maxSeq: 0, duplicates: 0, mainReady: false, roomReady: false, dropped: false, recoveredAt: null };
    // As the client: the room's opening carries the last seq held, so the server replays what came after.
    const room = manager.socket(`/r/${spec.roomId}`, { auth: (cb: (data: object) => void) => cb(tab.maxSeq > 0 ? { lastSeq: tab.maxSeq } : {}) });
    tab.room = room;
    main.on('session:ready', () => {
      tab.mainReady = true;
      checkReady(tab);
    });
    room.on('message:replay', (replay: { messages: { seq: number }[] }) => {
      record(tab, replay.messages);
      tab.roomReady = true;
      checkReady(tab);
    });
    room.on('message:new', (message: { seq: number }) => record(tab, [message]));
    for (const [socket, which] of [
      [main, 'mainReady'],
      [room, 'roomReady'],
    ] as const) {
      socket.on('disconnect', () => {
        tab[which] = false;
        if (stormAt !== null) tab.dropped = true;
      });
      socket.on('connect_error', (error: Error & { data?: { code?: string } }) => {
        bump(errors, error.data?.code ?? error.message.slice(0, 40));
        // Transport trouble: the manager retries. A refusal by middleware: the client retries after a pause.
        if (!socket.active) setTimeout(() => socket.connect(), REFUSED_RETRY_MS);
      });
    }
    return tab;
  };

  const connectAll = async () => {
    const t0 = performance.now();
    let next = 0;
    let failed = 0;
    await Promise.all(
      Array.from({ length: Math.min(plan!.connectConcurrency, plan!.tabs.length) }, async () => {
        while (next < plan!.tabs.length) {
          const tab = openTab(plan!.tabs[next++]!);
          tabs.push(tab);
          const ready = new Promise<boolean>((resolve) => {
            const timer = setTimeout(() => resolve(false), 60_000);
            const poll = setInterval(() => {
              if (tab.mainReady && tab.roomReady) {
                clearInterval(poll);
                clearTimeout(timer);
                resolve(true);
              }
            }, 5);
            timer.unref();
          });
          tab.main.connect();
          tab.room.connect();
          if (!(await ready)) failed += 1;
        }
      }),
    );
    send({ type: 'connected', failed, errors: { ...errors }, ms: Math.round(performance.now() - t0) });
  };

  // Senders: open loop at `rate` per sender; a message is resent with the same clientId until acked (as the
  // client's outbox does), and only sent while connected.
  interface Pending {
    clientId: string;
    body: string;
    sentAt: number | null;
  }
  const senders: { socket: Socket; roomId: string; pending: Pending[]; inFlight: boolean }[] = [];
  const during = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 600_000, numberOfSignificantValueDigits: 3 });
  const after = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 600_000, numberOfSignificantValueDigits: 3 });
  const ackedByRoom: Record<string, number[]> = {};
  let created = 0;
  let acked = 0;
  let failedAttempts = 0;
  let sending: ReturnType<typeof setInterval> | undefined;
  let stormOver = false;

  const pump = (s: (typeof senders)[number]) => {
    if (s.inFlight || !s.socket.connected || s.pending.length === 0) return;
    const item = s.pending[0]!;
    s.inFlight = true;
    const start = Date.now();
    s.socket
      .timeout(10_000)
      .emitWithAck('message:send', { clientId: item.clientId, body: item.body })
      .then((ack: { ok: boolean; data?: { seq: number } }) => {
        if (!ack.ok || !ack.data) throw new Error('refused');
        (stormAt !== null && !stormOver ? during : after).recordValue(Math.max(1, Date.now() - start));
        (ackedByRoom[s.roomId] ??= []).push(ack.data.seq);
        acked += 1;
        s.pending.shift();
      })
      .catch(() => (failedAttempts += 1))
      .finally(() => {
        s.inFlight = false;
        pump(s);
      });
  };

  const startSenders = () => {
    for (const spec of plan!.senders) {
      const socket = new Manager(plan!.url, {
        transports: ['websocket'],
        autoConnect: false,
        extraHeaders: { cookie: spec.cookie },
        localAddress: spec.localAddress,
      } as ConstructorParameters<typeof Manager>[1]).socket(`/r/${spec.roomId}`);
      const s = { socket, roomId: spec.roomId, pending: [] as Pending[], inFlight: false };
      socket.on('connect', () => pump(s));
      socket.on('connect_error', () => {
        if (!socket.active) setTimeout(() => socket.connect(), REFUSED_RETRY_MS);
      });
      socket.connect();
      senders.push(s);
    }
    let tick = 0;
    sending = setInterval(() => {
      tick += 1;
      for (const s of senders) {
        created += 1;
        s.pending.push({ clientId: randomUUID(), body: `storm ${tick}`, sentAt: null });
        pump(s);
      }
    }, 1000 / plan!.rate);
  };

  const stopSenders = async () => {
    clearInterval(sending);
    const deadline = Date.now() + 20_000;
    while (senders.some((s) => s.pending.length > 0) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    send({
      type: 'senders',
      stats: {
        created,
        acked,
        failedAttempts,
        unacked: senders.reduce((n, s) => n + s.pending.length, 0),
        during: summary(during),
        after: summary(after),
        acked_by_room: ackedByRoom,
      },
    });
  };

  const verify = async (ackedMap: Record<string, number[]>) => {
    const checked = tabs.filter((t) => ackedMap[t.spec.roomId]);
    const missingOf = (t: Tab) => ackedMap[t.spec.roomId]!.filter((seq) => !t.seqs.has(seq)).length;
    // Deliveries still in flight: give them a few seconds.
    const deadline = Date.now() + 10_000;
    while (checked.some((t) => missingOf(t) > 0) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    const missing = checked.map(missingOf);
    send({
      type: 'verified',
      tabsChecked: checked.length,
      missing: missing.reduce((a, b) => a + b, 0),
      tabsMissing: missing.filter((m) => m > 0).length,
      duplicates: checked.reduce((n, t) => n + t.duplicates, 0),
    });
  };

  let chain: Promise<unknown> = Promise.resolve();
  process.on('message', (m: ToGenerator) => {
    chain = chain
      .then(async () => {
        switch (m.type) {
          case 'plan':
            plan = m;
            break;
          case 'connect':
            await connectAll();
            break;
          case 'senders-start':
            startSenders();
            break;
          case 'storm': {
            stormAt = m.at;
            const done = new Promise<void>((resolve) => (allRecovered = resolve));
            const timeout = new Promise<void>((resolve) => setTimeout(resolve, STORM_GENERATOR_TIMEOUT_MS).unref());
            void Promise.race([done, timeout]).then(() => {
              stormOver = true;
              const ms = tabs.filter((t) => t.recoveredAt !== null).map((t) => t.recoveredAt! - m.at);
              send({ type: 'recovered', ms, notRecovered: tabs.length - ms.length, errors: { ...errors }, attempts });
            });
            break;
          }
          case 'senders-stop':
            await stopSenders();
            break;
          case 'verify':
            await verify(m.acked);
            break;
          case 'close':
            for (const t of tabs) t.manager.engine?.close();
            for (const s of senders) s.socket.close();
            setTimeout(() => process.exit(0), 200);
            break;
        }
      })
      .catch((error: unknown) => send({ type: 'fatal', error: error instanceof Error ? (error.stack ?? error.message) : String(error) }));
  });
  process.on('disconnect', () => process.exit(0));
}

let STORM_GENERATOR_TIMEOUT_MS = 120_000;

// ── the orchestrator ──

interface StormContext {
  log: (line: string) => void;
  /** A migrated database to seed into (the bench's throwaway); without it, one is started here. */
  databaseUrl?: string;
  authSecret: string;
}

export interface StormResult {
  options: StormOptions;
  connect: { s: number; failed: number };
  storm: {
    readyS: number | null;
    p50S: number;
    p99S: number;
    notRecovered: number;
    serverUpS: number | null;
    errors: Record<string, number>;
    reconnectAttempts: number;
    serverCpuS: number | null;
    serverCpuMsPerTab: number | null;
    machineBusyPct: number | null;
  };
  sends: Omit<SendStats, 'acked_by_room'>;
  delivery: { tabsChecked: number; missing: number; tabsMissing: number; duplicates: number };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

const canPin = process.platform === 'linux' && availableParallelism() >= 2;
function spawnScript(script: string, env: NodeJS.ProcessEnv, cpu: number | null, nodeArgs: string[] = []): ChildProcess {
  const args = [...nodeArgs, '--import', 'tsx', path.join(BENCH_DIR, script)];
  const [command, argv] = canPin && cpu !== null ? ['taskset', ['-c', String(cpu), process.execPath, ...args]] : [process.execPath, args];
  return spawn(command, argv, { cwd: REPO_ROOT, env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
}

/** user + system CPU seconds of a process (Linux /proc). */
function cpuSeconds(pid: number | undefined): number | null {
  if (!pid) return null;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

function machineBusy(): { busy: number; total: number } {
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = cpu.reduce((a, b) => a + b, 0);
  return { busy: total - cpu[3]! - (cpu[4] ?? 0), total };
}

function waitFor<T extends { type: string }>(child: ChildProcess, type: T['type'], timeoutMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: T) => {
      if (m?.type === 'fatal') {
        cleanup();
        reject(new Error((m as unknown as { error: string }).error));
      }
      if (m?.type !== type) return;
      cleanup();
      resolve(m);
    };
    const onExit = () => {
      cleanup();
      reject(new Error(`the process exited while waiting for ${type}`));
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`no ${type} within ${Math.round(timeoutMs / 1000)} s`));
    }, timeoutMs);
    const cleanup = () => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** Seeds `count` users, `rooms` public rooms (user k in room k % rooms) and a session cookie per user. */
async function seed(prefix: string, count: number, rooms: number): Promise<{ cookies: string[]; roomIds: string[] }> {
  const { getDb } = await import('../lib/db');
  const { createRoom } = await import('../lib/data/rooms');
  const { sessionCookie } = await import('../lib/testing/realtime');
  const db = getDb();
  const users: { id: string; username: string; displayName: string; avatar: string | null }[] = [];
  for (let from = 0; from < count; from += 5_000) {
    const rows = await db.user.createManyAndReturn({
      data: Array.from({ length: Math.min(5_000, count - from) }, (_, j) => ({ username: `${prefix}${from + j}`, displayName: `Storm ${from + j}`, passwordHash: '!' })),
      select: { id: true, username: true, displayName: true, avatar: true },
    });
    const byName = new Map(rows.map((u) => [u.username, u]));
    for (let j = 0; j < rows.length; j += 1) users.push(byName.get(`${prefix}${from + j}`)!);
  }
  const roomIds = new Array<string>(rooms);
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < rooms) {
        const j = next++;
        roomIds[j] = (await createRoom({ ownerId: users[j]!.id, data: { kind: 'public', name: `${prefix} room ${j}`, description: '' }, ip: null })).id;
      }
    }),
  );
  const members = users.slice(rooms).map((u, k) => ({ roomId: roomIds[(k + rooms) % rooms]!, userId: u.id, role: 'member' as const }));
  for (let from = 0; from < members.length; from += 5_000) await db.membership.createMany({ data: members.slice(from, from + 5_000) });
  const cookies: string[] = [];
  for (let from = 0; from < users.length; from += 100) cookies.push(...(await Promise.all(users.slice(from, from + 100).map((u) => sessionCookie(u)))));
  return { cookies, roomIds };
}

export async function runStormScenario(options: StormOptions, ctx: StormContext): Promise<StormResult> {
  const { log } = ctx;
  const o = options;
  process.env.AUTH_SECRET ??= ctx.authSecret;
  const { configureDatabase, disconnectDb } = await import('../lib/db');
  let stopDatabase: (() => Promise<void>) | undefined;
  let url = ctx.databaseUrl;
  if (!url) {
    const { startTestDatabase } = await import('../lib/testing/test-database');
    const db = await startTestDatabase();
    url = db.url;
    stopDatabase = db.stop;
  }
  configureDatabase(url);
  const children: ChildProcess[] = [];
  try {
    const t0 = performance.now();
    const prefix = `storm${randomBytes(3).toString('hex')}_`;
    // Tabs first, then the senders, who are members of the first `senders` rooms.
    const seeded = await seed(prefix, o.tabs + o.senders, o.rooms);
    await disconnectDb();
    log(`storm: seeded ${o.tabs} tab users + ${o.senders} senders in ${o.rooms} rooms (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
    const spec = (k: number): TabSpec => ({ cookie: seeded.cookies[k]!, roomId: seeded.roomIds[k % o.rooms]!, localAddress: `127.0.0.${1 + (k % 254)}` });
    const port = await freePort();
    const serverEnv: NodeJS.ProcessEnv = {
      ...process.env,
      AUTH_SECRET: process.env.AUTH_SECRET,
      LOG_LEVEL: 'warn',
      NODE_ENV: 'production',
      BENCH_DATABASE_URL: url,
      BENCH_MESSAGE_LIMIT: '1000000',
      BENCH_PORT: String(port),
    };
    const startServer = async () => {
      const child = spawnScript('parley-server.ts', serverEnv, 0, ['--expose-gc']);
      children.push(child);
      await waitFor(child, 'ready', 60_000);
      return child;
    };
    let server = await startServer();
    const generators = Array.from({ length: o.generators }, () => {
      const child = spawnScript('storm.ts', { ...process.env, BENCH_STORM_ROLE: 'generator', BENCH_STORM_TIMEOUT_MS: String(o.timeoutS * 1000) }, 1);
      children.push(child);
      return child;
    });
    const all = <T extends FromGenerator>(type: T['type'], timeoutMs: number) => Promise.all(generators.map((g) => waitFor<T>(g, type, timeoutMs)));
    generators.forEach((g, i) => {
      const tabs = Array.from({ length: o.tabs }, (_, k) => k).filter((k) => k % o.generators === i).map(spec);
      const senders = i === 0 ? Array.from({ length: o.senders }, (_, j) => spec(o.tabs + j)) : [];
      g.send({ type: 'plan', url: `http://127.0.0.1:${port}`, tabs, senders, rate: o.rate, connectConcurrency: Math.ceil(o.connectConcurrency / o.generators) } satisfies GeneratorPlan);
      g.send({ type: 'connect' } satisfies ToGenerator);
    });
    const connected = await all<Extract<FromGenerator, { type: 'connected' }>>('connected', 60_000 + o.tabs * 50);
    const failed = connected.reduce((n, c) => n + c.failed, 0);
    const connectS = Math.max(...connected.map((c) => c.ms)) / 1000;
    log(`storm: ${o.tabs - failed} tabs ready (${connectS.toFixed(1)} s)${failed ? `, ${failed} failed` : ''}; senders start`);
    generators[0]!.send({ type: 'senders-start' } satisfies ToGenerator);
    await new Promise((r) => setTimeout(r, 3_000));

    const at = Date.now();
    const busy0 = machineBusy();
    for (const g of generators) g.send({ type: 'storm', at } satisfies ToGenerator);
    const recovered = all<Extract<FromGenerator, { type: 'recovered' }>>('recovered', o.timeoutS * 1000 + 30_000);
    let cpu0: number | null;
    let serverUpS: number | null = null;
    if (o.mode === 'restart') {
      log('storm: restarting the server (a deploy)');
      const old = server;
      await stop(old);
      server = await startServer();
      serverUpS = (Date.now() - at) / 1000;
      cpu0 = 0; // a fresh process: all its CPU is the storm's (and its start)
    } else {
      cpu0 = cpuSeconds(server.pid);
      server.send({ type: 'drop' });
    }
    const results = await recovered;
    const cpu1 = cpuSeconds(server.pid);
    const busy1 = machineBusy();
    const ms = results.flatMap((r) => r.ms).sort((a, b) => a - b);
    const notRecovered = results.reduce((n, r) => n + r.notRecovered, 0);
    const errors: Record<string, number> = {};
    for (const r of results) for (const [k, v] of Object.entries(r.errors)) errors[k] = (errors[k] ?? 0) + v;
    const pct = (p: number) => (ms.length ? ms[Math.min(ms.length - 1, Math.floor((p / 100) * ms.length))]! / 1000 : 0);
    const serverCpuS = cpu0 !== null && cpu1 !== null ? cpu1 - cpu0 : null;
    const readyS = notRecovered === 0 && ms.length ? ms[ms.length - 1]! / 1000 : null;
    log(`storm: ${readyS === null ? `${notRecovered} tabs not ready after ${o.timeoutS} s` : `every tab ready again after ${readyS.toFixed(1)} s`}; server CPU ${serverCpuS?.toFixed(1) ?? '?'} s`);

    await new Promise((r) => setTimeout(r, 3_000));
    generators[0]!.send({ type: 'senders-stop' } satisfies ToGenerator);
    const { stats } = await waitFor<Extract<FromGenerator, { type: 'senders' }>>(generators[0]!, 'senders', 40_000);
    const ackedMap = stats.acked_by_room;
    for (const g of generators) g.send({ type: 'verify', acked: ackedMap } satisfies ToGenerator);
    const verified = await all<Extract<FromGenerator, { type: 'verified' }>>('verified', 30_000);
    const delivery = {
      tabsChecked: verified.reduce((n, v) => n + v.tabsChecked, 0),
      missing: verified.reduce((n, v) => n + v.missing, 0),
      tabsMissing: verified.reduce((n, v) => n + v.tabsMissing, 0),
      duplicates: verified.reduce((n, v) => n + v.duplicates, 0),
    };
    for (const g of generators) g.send({ type: 'close' } satisfies ToGenerator);
    const { acked_by_room: _omitted, ...sends } = stats;
    return {
      options: o,
      connect: { s: connectS, failed },
      storm: {
        readyS,
        p50S: pct(50),
        p99S: pct(99),
        notRecovered,
        serverUpS,
        errors,
        reconnectAttempts: results.reduce((n, r) => n + r.attempts, 0),
        serverCpuS: serverCpuS === null ? null : Math.round(serverCpuS * 10) / 10,
        serverCpuMsPerTab: serverCpuS === null ? null : Math.round(((serverCpuS * 1000) / o.tabs) * 100) / 100,
        machineBusyPct: Math.round(((busy1.busy - busy0.busy) / Math.max(1, busy1.total - busy0.total)) * 1000) / 10,
      },
      sends,
      delivery,
    };
  } finally {
    for (const child of children) await stop(child).catch(() => undefined);
    await stopDatabase?.().catch(() => undefined);
  }
}

export function renderStorm(r: StormResult): string[] {
  const s = r.storm;
  const o = r.options;
  const lat = (l: LatencySummary) => (l.count ? `${l.p50} / ${l.p99} / ${l.max} ms (${l.count})` : '—');
  return [
    `## (f) Reconnect storm: ${o.tabs.toLocaleString('en')} tabs in ${o.rooms} rooms, ${o.mode === 'restart' ? 'server restarted (a deploy)' : 'every transport dropped'}`,
    '',
    '| measure | value |',
    '|---|--:|',
    `| every tab ready again (session:ready + message:replay), from the storm's start | **${s.readyS === null ? `not within ${o.timeoutS} s (${s.notRecovered} tabs left)` : `${s.readyS.toFixed(1)} s`}** (target ≤ 60 s) |`,
    `| tabs ready again: p50 / p99 | ${s.p50S.toFixed(1)} s / ${s.p99S.toFixed(1)} s |`,
    ...(s.serverUpS !== null ? [`| new server process listening after | ${s.serverUpS.toFixed(1)} s |`] : []),
    `| server CPU for the storm (${o.mode === 'restart' ? 'the new process, start included' : 'from the drop'}) | ${s.serverCpuS ?? '?'} s = ${s.serverCpuMsPerTab ?? '?'} ms per tab |`,
    `| machine busy CPU in the window (all processes, 2 cores = 100 %) | ${s.machineBusyPct ?? '?'} % |`,
    `| reconnect attempts (socket.io-client managers) | ${s.reconnectAttempts.toLocaleString('en')} |`,
    `| connect errors seen by tabs | ${Object.entries(s.errors).map(([k, v]) => `${k} ×${v}`).join(', ') || 'none'} |`,
    `| live sends (${o.senders} senders × ${o.rate}/s): created / acked / unacked at the end / failed attempts (retried) | ${r.sends.created} / ${r.sends.acked} / ${r.sends.unacked} / ${r.sends.failedAttempts} |`,
    `| send → ack on a connected socket during the storm: p50 / p99 / max | ${lat(r.sends.during)} |`,
    `| send → ack after the storm: p50 / p99 / max | ${lat(r.sends.after)} |`,
    `| delivery: tabs checked / acked messages missing after dedup / tabs missing any / duplicate deliveries (dropped by seq) | ${r.delivery.tabsChecked} / **${r.delivery.missing}** / ${r.delivery.tabsMissing} / ${r.delivery.duplicates} |`,
    '',
    `Initial connect: ${r.connect.s.toFixed(1)} s for ${o.tabs.toLocaleString('en')} tabs${r.connect.failed ? ` (${r.connect.failed} failed)` : ''}. Clients: socket.io-client with the browser client's settings (reconnection 1 s doubling to 5 s, randomization 0.5), WebSocket only, source addresses over 127.0.0.x, ${o.generators} generator process(es).`,
  ];
}

/** Options from BENCH_STORM_* variables (how `npm run bench -- --scenarios storm` is tuned). */
export function stormOptionsFromEnv(env = process.env): StormOptions {
  const n = (name: string, fallback: number) => (env[name] ? Number(env[name]) : fallback);
  return {
    tabs: n('BENCH_STORM_TABS', STORM_DEFAULTS.tabs),
    rooms: n('BENCH_STORM_ROOMS', STORM_DEFAULTS.rooms),
    senders: n('BENCH_STORM_SENDERS', STORM_DEFAULTS.senders),
    rate: n('BENCH_STORM_RATE', STORM_DEFAULTS.rate),
    mode: env.BENCH_STORM_MODE === 'drop' ? 'drop' : 'restart',
    generators: n('BENCH_STORM_GENERATORS', STORM_DEFAULTS.generators),
    timeoutS: n('BENCH_STORM_TIMEOUT', STORM_DEFAULTS.timeoutS),
    connectConcurrency: n('BENCH_STORM_CONNECT_CONCURRENCY', STORM_DEFAULTS.connectConcurrency),
  };
}

/** For bench/run.ts: runs the scenario, prints and writes its report; returns the lines. */
export async function stormScenario(ctx: StormContext): Promise<string[]> {
  const result = await runStormScenario(stormOptionsFromEnv(), ctx);
  const lines = renderStorm(result);
  const dir = path.join(BENCH_DIR, 'results');
  mkdirSync(dir, { recursive: true });
  const stamp = new Date().toISOString().replace(/:/g, '-').replace(/\..*/, 'Z');
  writeFileSync(path.join(dir, `storm-${stamp}.md`), `${lines.join('\n')}\n`);
  writeFileSync(path.join(dir, `storm-${stamp}.json`), `${JSON.stringify(result, null, 2)}\n`);
  console.log(lines.join('\n'));
  ctx.log(`storm: results in bench/results/storm-${stamp}.md`);
  return lines;
}

if (process.env.BENCH_STORM_ROLE === 'generator') {
  STORM_GENERATOR_TIMEOUT_MS = Number(process.env.BENCH_STORM_TIMEOUT_MS ?? STORM_GENERATOR_TIMEOUT_MS);
  runGenerator();
} else if (process.argv[1] && path.resolve(process.argv[1]) === path.join(BENCH_DIR, 'storm.ts')) {
  const { values } = parseArgs({
    options: {
      tabs: { type: 'string' },
      rooms: { type: 'string' },
      senders: { type: 'string' },
      rate: { type: 'string' },
      mode: { type: 'string' },
      generators: { type: 'string' },
      timeout: { type: 'string' },
      'connect-concurrency': { type: 'string' },
    },
  });
  const env = { ...process.env };
  for (const [flag, name] of Object.entries({ tabs: 'TABS', rooms: 'ROOMS', senders: 'SENDERS', rate: 'RATE', mode: 'MODE', generators: 'GENERATORS', timeout: 'TIMEOUT', 'connect-concurrency': 'CONNECT_CONCURRENCY' })) {
    const v = values[flag as keyof typeof values];
    if (v !== undefined) env[`BENCH_STORM_${name}`] = v;
  }
  process.env = env;
  stormScenario({ log: (line) => console.error(`[storm] ${line}`), authSecret: process.env.AUTH_SECRET ?? randomBytes(32).toString('base64url') })
    .then(() => process.exit(0))
    .catch((error: unknown) => {
      console.error(error);
      process.exit(1);
    });
}
