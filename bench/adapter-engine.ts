/**
 * One process of the `adapters` scenario's engine test (bench/adapters.ts): a bare Socket.IO server (no HTTP
 * server, no clients, no database work of its own) whose main namespace runs on Parley's cross-instance adapter
 * exactly as shipped — lib/realtime/adapter.ts (`@socket.io/postgres-adapter`, NOTIFY through its pool, one
 * LISTEN connection) or lib/realtime/adapter-redis.ts (`@socket.io/redis-streams-adapter`, XADD to one stream,
 * a blocking XREAD per process) — and publishes what the room bus publishes (lib/realtime/bus.ts): a
 * SERVER_SIDE_EMIT of `room:actions` through `publishAndReturnOffset`, here one stored-message action (the
 * `message:new` + `room:activity` pair of messageStoredAction, with a realistic message) per publish.
 *
 * Each process publishes open loop at the rate it is told (publish k is due at `start + k / rate`, sent when
 * due whether or not earlier ones finished, stamped with its intended wall-clock time) and receives every other
 * process's publishes, recording intended → received latency (wall clocks of one machine) into an HdrHistogram,
 * per-sender counts (lost) and repeats (duplicates). Its own CPU and event-loop delay over the window go into
 * every result, so a row where the publishers themselves were the limit says so.
 *
 * Environment: ENGINE_ADAPTER (postgres | redis), ENGINE_DATABASE_URL, REDIS_URL, REDIS_PREFIX, ENGINE_INDEX.
 */
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { chatMessage } from '../lib/testing/room-fixtures';
import * as hdr from 'hdr-histogram-js';
import pino from 'pino';
import { Server } from 'socket.io';
import { MessageType } from 'socket.io-adapter';
import { createPostgresAdapter } from '../lib/realtime/adapter';
import { createRedisAdapter } from '../lib/realtime/adapter-redis';
import type { RoomAction } from '../lib/realtime/bus';
import type { ClusterAdapterHandle } from '../lib/realtime/cluster-adapter';
import type { ChatMessage } from '../lib/schemas/message';
import { exitWithParent } from './shared';

/** Orchestrator → engine process. */
export type EngineCommand = {
  type: 'step';
  step: number;
  /** Publishes per second from this process. */
  rate: number;
  /** Wall-clock ms (performance.timeOrigin + now) at which publishing starts, the same for every process. */
  startAt: number;
  warmupMs: number;
  durationMs: number;
  /** After the window: how long to wait at most for the window's publishes to arrive. */
  drainMs: number;
};

export interface EngineStepResult {
  step: number;
  index: number;
  /** Publishes due in the window (intended time in it); of those, rejected by the adapter. */
  sent: number;
  publishErrors: number;
  /** Publish call → its promise settled (the NOTIFY's round trip / the XADD's), from the intended time. */
  publish: string;
  /** Intended time → received here, for the other processes' window publishes (compressed HdrHistogram, µs). */
  e2e: string;
  /** Window publishes received here, per sender index; repeats of one (sender, k). */
  receivedFrom: Record<number, number>;
  duplicates: number;
  cpuPct: number;
  loopDelayP99: number;
  loopDelayMax: number;
}

export type EngineMessage = { type: 'ready' } | { type: 'result'; result: EngineStepResult } | { type: 'fatal'; error: string };

const wall = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const histogram = () => hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: 3 });
const send = (m: EngineMessage) => process.send?.(m);

/** A stored-message action as the room bus publishes it: a 100-byte body, one mention, no attachments. */
function sampleAction(body: string): RoomAction {
  const author = { id: '7b0e4a52-2f4e-4c1a-9a59-0d4b9a1c5e11', username: 'bench.user', displayName: 'Bench User', avatar: null };
  const message: ChatMessage = chatMessage(1234, {
    id: '0d9d7d9c-5b8c-4f0a-8c4e-2f7d3c1e9a01',
    roomId: 'cm1benchroom00000000000000',
    clientId: '3c6f1b2a-9d4e-4f8a-b1c2-7e5d9a0b1c2d',
    author,
    body,
    createdAt: new Date().toISOString(),
    mentions: ['5a1f2e3d-4c5b-6a7f-8e9d-0c1b2a3f4e5d'],
  });
  return {
    roomId: message.roomId,
    emit: { event: 'message:new', payload: message, exceptSocketId: 'Zx8rK2pQ4mN6vB1cAAAB' },
    members: {
      event: 'room:activity',
      payload: { roomId: message.roomId, lastSeq: message.seq, authorId: author.id, threadRootSeq: null, mentions: message.mentions, mentionsRoom: false },
    },
  };
}

interface Publisher {
  publishAndReturnOffset(message: { type: MessageType; data: { packet: unknown[] } }): Promise<string>;
}

async function main(): Promise<void> {
  const kind = process.env.ENGINE_ADAPTER;
  const index = Number(process.env.ENGINE_INDEX ?? 0);
  const log = pino({ level: 'warn', base: { app: 'parley-bench-engine', index } });
  let handle: ClusterAdapterHandle;
  if (kind === 'postgres') {
    const url = process.env.ENGINE_DATABASE_URL;
    if (!url) throw new Error('ENGINE_DATABASE_URL is not set');
    handle = createPostgresAdapter(url, log);
  } else if (kind === 'redis') {
    const url = process.env.REDIS_URL;
    if (!url) throw new Error('REDIS_URL is not set');
    handle = createRedisAdapter({ url, prefix: process.env.REDIS_PREFIX ?? `parley-bench-engine:${process.ppid}` }, log);
  } else throw new Error(`ENGINE_ADAPTER must be postgres or redis, not ${kind}`);

  const io = new Server({ adapter: handle.adapter });
  handle.watch(io);
  const publisher = io.of('/').adapter as unknown as Publisher;
  while (!handle.listening()) await sleep(20);

  let current: { step: number; windowStart: number; windowEnd: number; e2e: hdr.Histogram; from: Map<number, Set<number>>; duplicates: number } | undefined;
  io.on('room:actions', (actions: RoomAction[]) => {
    const now = wall();
    const step = current;
    if (!step) return;
    for (const action of actions) {
      const body = action.emit?.event === 'message:new' ? action.emit.payload.body : '';
      const [s, sender, k, intended] = body.split('|', 4).map(Number);
      if (s !== step.step || sender === undefined || k === undefined || intended === undefined) continue;
      if (intended < step.windowStart || intended >= step.windowEnd) continue;
      let seen = step.from.get(sender);
      if (!seen) step.from.set(sender, (seen = new Set()));
      if (seen.has(k)) {
        step.duplicates += 1;
        continue;
      }
      seen.add(k);
      step.e2e.recordValue(Math.max(1, Math.round((now - intended) * 1000)));
    }
  });

  const loopDelay = monitorEventLoopDelay({ resolution: 1 });
  const runStep = async (c: EngineCommand): Promise<EngineStepResult> => {
    const windowStart = c.startAt + c.warmupMs;
    const windowEnd = windowStart + c.durationMs;
    current = { step: c.step, windowStart, windowEnd, e2e: histogram(), from: new Map(), duplicates: 0 };
    const publishLatency = histogram();
    let sent = 0;
    let publishErrors = 0;
    let outstanding = 0;
    const interval = 1000 / c.rate;
    // Spread the processes' sends over the interval, so they do not all fire on the same millisecond.
    const offset = (index * interval) / 7;
    const lastK = Math.floor((c.warmupMs + c.durationMs) / interval);
    const padding = 'x'.repeat(100);
    let cpu0: NodeJS.CpuUsage | undefined;
    let cpuPct = NaN;
    const publishOne = (k: number, due: number) => {
      const intended = Math.round(due * 1000) / 1000;
      const measured = intended >= windowStart && intended < windowEnd;
      if (measured) sent += 1;
      const body = `${c.step}|${index}|${k}|${intended.toFixed(3)}|`;
      const action = sampleAction((body + padding).slice(0, Math.max(body.length, 100)));
      outstanding += 1;
      publisher.publishAndReturnOffset({ type: MessageType.SERVER_SIDE_EMIT, data: { packet: ['room:actions', [action]] } }).then(
        () => {
          outstanding -= 1;
          if (measured) publishLatency.recordValue(Math.max(1, Math.round((wall() - intended) * 1000)));
        },
        () => {
          outstanding -= 1;
          if (measured) publishErrors += 1;
        },
      );
    };
    await new Promise<void>((resolve) => {
      let k = 0;
      let windowOpen = false;
      const tick = () => {
        const now = wall();
        if (!windowOpen && now >= windowStart) {
          windowOpen = true;
          cpu0 = process.cpuUsage();
          loopDelay.reset();
          loopDelay.enable();
        }
        for (let due = c.startAt + offset + k * interval; k < lastK && due <= now; k += 1, due = c.startAt + offset + k * interval) publishOne(k, due);
        if (k >= lastK) {
          setTimeout(resolve, Math.max(0, windowEnd - wall()));
          return;
        }
        setTimeout(tick, Math.max(0, c.startAt + offset + k * interval - wall()));
      };
      setTimeout(tick, Math.max(0, c.startAt - wall()));
    });
    if (cpu0) {
      const cpu = process.cpuUsage(cpu0);
      cpuPct = Math.round(((cpu.user + cpu.system) / 1000 / c.durationMs) * 1000) / 10;
    }
    loopDelay.disable();
    const loopDelayP99 = Math.max(0, Math.round((loopDelay.percentile(99) / 1e6 - 1) * 100) / 100);
    const loopDelayMax = Math.max(0, Math.round((loopDelay.max / 1e6 - 1) * 100) / 100);
    // Drain: until our publishes settled and the others' arrived (the orchestrator's drainMs bounds it).
    const deadline = wall() + c.drainMs;
    while (wall() < deadline && outstanding > 0) await sleep(10);
    await sleep(Math.min(1_000, Math.max(0, deadline - wall())));
    const step = current;
    current = undefined;
    // A backlog (an engine that fell behind) must not spill into the next step: wait for it, up to 15 s more.
    const settle = wall() + 15_000;
    while (outstanding > 0 && wall() < settle) await sleep(20);
    return {
      step: c.step,
      index,
      sent,
      publishErrors,
      publish: hdr.encodeIntoCompressedBase64(publishLatency),
      e2e: hdr.encodeIntoCompressedBase64(step.e2e),
      receivedFrom: Object.fromEntries([...step.from].map(([sender, ks]) => [sender, ks.size])),
      duplicates: step.duplicates,
      cpuPct,
      loopDelayP99,
      loopDelayMax,
    };
  };

  let chain = Promise.resolve();
  process.on('message', (c: EngineCommand) => {
    if (c?.type !== 'step') return;
    chain = chain.then(async () => void send({ type: 'result', result: await runStep(c) }));
  });
  exitWithParent(async () => {
    await new Promise<void>((resolve) => void io.close(() => resolve()));
    await handle.close();
  });
  send({ type: 'ready' });
}

main().catch((error: unknown) => {
  send({ type: 'fatal', error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  setTimeout(() => process.exit(1), 200);
});
