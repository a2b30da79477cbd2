/**
 * The load generator, its own process (pinned by run.ts to its own CPU). Receives a plan over IPC.
 *
 * Message path (LoadPlan): connects every client (real socket.io-clients over WebSocket, each to its
 * instance), then runs the phases open loop: send k is due at `start + k / (clients × rate)`, round robin
 * over clients, and is sent when due whether or not earlier sends were acked. A late timer sends everything
 * that is due at once, each with its original intended time, so a stalled server shows up as latency
 * instead of as fewer sends (no coordinated omission). Latencies are measured from the intended time, into
 * HdrHistograms (µs).
 *
 * Idle tabs (IdlePlan): one Manager (one WebSocket) per tab with the main namespace and one room namespace,
 * as the browser client (lib/realtime/client.ts) does; connected in steps the orchestrator asks for
 * (`connect-to`), then left idle while it measures.
 */
import { randomUUID } from 'node:crypto';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import * as hdr from 'hdr-histogram-js';
import { io as connect, Manager, type Socket } from 'socket.io-client';
import {
  decodeBody,
  encodeBody,
  exitWithParent,
  type GeneratorStats,
  type IdleCommand,
  type IdlePlan,
  type LatencySummary,
  type LoadMessage,
  type LoadPlan,
  type PhaseResult,
  type PhaseSpec,
} from './shared';
import { textGenerator } from './search-text';

interface Client {
  index: number;
  roomIndex: number;
  socket: Socket;
  /** Highest seq seen on message:new (ordering check). */
  lastSeq: number;
}

interface PhaseState {
  id: number;
  spec: PhaseSpec;
  windowStart: number;
  windowEnd: number;
  sent: number;
  accepted: number;
  delivered: number;
  expected: number;
  /** Deliveries owed for accepted messages (ok acks × (room size − 1)). */
  owedForAccepted: number;
  outstanding: number;
  ack: hdr.Histogram;
  e2e: hdr.Histogram;
  errors: Record<string, number>;
  outOfOrder: number;
  disconnects: number;
}

const send = (message: LoadMessage) => process.send?.(message);
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function histogram(): hdr.Histogram {
  // µs, 1 µs .. 10 min, 3 significant digits.
  return hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: 3 });
}

function summary(h: hdr.Histogram): LatencySummary {
  const ms = (us: number) => Math.round(us) / 1000;
  if (h.totalCount === 0) return { count: 0, p50: NaN, p99: NaN, p999: NaN, max: NaN };
  return {
    count: h.totalCount,
    p50: ms(h.getValueAtPercentile(50)),
    p99: ms(h.getValueAtPercentile(99)),
    p999: ms(h.getValueAtPercentile(99.9)),
    max: ms(h.maxValue),
  };
}

const bump = (errors: Record<string, number>, code: string, n = 1) => (errors[code] = (errors[code] ?? 0) + n);

async function connectAll(plan: LoadPlan): Promise<{ clients: Client[]; failed: number; errors: Record<string, number> }> {
  const clients: Client[] = [];
  const errors: Record<string, number> = {};
  let failed = 0;
  let next = 0;
  const one = async (index: number) => {
    const spec = plan.clients[index]!;
    const socket = connect(`${plan.urls[spec.instance]}/r/${spec.roomId}`, {
      transports: ['websocket'],
      forceNew: true,
      reconnection: false,
      timeout: 30_000,
      extraHeaders: spec.cookie ? { cookie: spec.cookie } : {},
      ...(spec.localAddress ? { localAddress: spec.localAddress } : {}),
    });
    const client: Client = { index, roomIndex: spec.roomIndex, socket, lastSeq: 0 };
    // Parley sends room:ready and message:replay after its admission queries; wait for them so the
    // connect storm is over before measuring. The bare server sends nothing: `connect` is enough.
    const ready = plan.server !== 'bare' ? new Promise<void>((resolve) => socket.once('message:replay', () => resolve())) : Promise.resolve();
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', () => resolve());
        socket.once('connect_error', (error: Error & { data?: { code?: string } }) => reject(error));
      });
      await Promise.race([ready, sleep(30_000).then(() => Promise.reject(new Error('no message:replay within 30 s')))]);
      clients[index] = client;
    } catch (error) {
      failed += 1;
      const e = error as Error & { data?: { code?: string } };
      bump(errors, e.data?.code ?? e.message.slice(0, 60));
      socket.close();
      clients[index] = client; // keep the slot: its sends count as DISCONNECTED errors
    }
  };
  const workers = Array.from({ length: Math.min(plan.connectConcurrency, plan.clients.length) }, async () => {
    while (next < plan.clients.length) await one(next++);
  });
  await Promise.all(workers);
  return { clients, failed, errors };
}

async function run(plan: LoadPlan): Promise<void> {
  const t0 = performance.now();
  const { clients, failed, errors } = await connectAll(plan);
  send({ type: 'connected', clients: clients.length - failed, failed, ms: Math.round(performance.now() - t0), errors });

  const roomSize = new Array<number>(plan.rooms).fill(0);
  for (const c of clients) roomSize[c.roomIndex]! += 1;
  // Realistic bodies are made before the run (a pool, cycled), so generating them costs the windows nothing.
  const texts = plan.bodyText === 'words' ? Array.from({ length: 4096 }, textGenerator(plan.phaseIdBase).message) : undefined;
  let textIndex = 0;

  let current: PhaseState | undefined;
  let outstandingAll = 0;

  for (const client of clients) {
    const { socket, index } = client;
    socket.on('message:new', (message: { body?: unknown; seq?: unknown }) => {
      const now = performance.now();
      const ph = current;
      if (!ph || typeof message?.body !== 'string') return;
      const meta = decodeBody(message.body);
      if (!meta || meta.phase !== ph.id || meta.sender === index) return;
      const seq = typeof message.seq === 'number' ? message.seq : 0;
      if (seq <= client.lastSeq) ph.outOfOrder += 1;
      else client.lastSeq = seq;
      if (meta.intendedMs < ph.windowStart || meta.intendedMs >= ph.windowEnd) return;
      ph.delivered += 1;
      ph.e2e.recordValue(Math.max(1, Math.round((now - meta.intendedMs) * 1000)));
    });
    socket.on('disconnect', () => {
      if (current) current.disconnects += 1;
    });
  }

  // The histogram holds whole timer intervals (resolution + delay): subtract the resolution.
  const LOOP_RESOLUTION_MS = 1;
  const loopDelay = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
  const delayMs = (ns: number) => Math.max(0, Math.round((ns / 1e6 - LOOP_RESOLUTION_MS) * 100) / 100);
  // Phase ids only tell this phase's messages from a late one's; a retried step gets a new id.
  const queue = plan.phases.map((spec) => ({ spec, attempt: 1 }));
  let ladderStarted: number | undefined;
  for (let id = plan.phaseIdBase; queue.length > 0; id += 1) {
    const { spec, attempt } = queue.shift()!;
    if (spec.kind === 'ladder') {
      ladderStarted ??= performance.now();
      if (performance.now() - ladderStarted > plan.ladderBudgetMs) {
        const skipped = [spec.rate, ...queue.filter((q) => q.spec.kind === 'ladder').map((q) => q.spec.rate)];
        send({ type: 'ladder-budget', skipped: [...new Set(skipped)] });
        queue.splice(0, queue.length, ...queue.filter((q) => q.spec.kind !== 'ladder'));
        continue;
      }
    }
    const total = clients.length * spec.rate; // sends per second, all clients
    const interval = 1000 / total;
    const start = performance.now() + 20;
    const windowStart = start + spec.warmupMs;
    const windowEnd = windowStart + spec.durationMs;
    const ph: PhaseState = {
      id,
      spec,
      windowStart,
      windowEnd,
      sent: 0,
      accepted: 0,
      delivered: 0,
      expected: 0,
      owedForAccepted: 0,
      outstanding: 0,
      ack: histogram(),
      e2e: histogram(),
      errors: {},
      outOfOrder: 0,
      disconnects: 0,
    };
    current = ph;
    const lastK = Math.ceil((spec.warmupMs + spec.durationMs) / interval);

    let cpu0: NodeJS.CpuUsage | undefined;
    let elu0: ReturnType<typeof performance.eventLoopUtilization> | undefined;
    let windowOpen = false;
    let gen: GeneratorStats = { cpuPct: NaN, elu: NaN, loopDelayP50: NaN, loopDelayP99: NaN, loopDelayMax: NaN };

    const sendOne = (k: number, due: number) => {
      // The receiver only sees the intended time as written in the body (µs precision): decide
      // "in the window" on exactly that value on both sides.
      const intended = Math.round(due * 1000) / 1000;
      const client = clients[k % clients.length]!;
      const measured = intended >= windowStart && intended < windowEnd;
      const owed = roomSize[client.roomIndex]! - 1;
      if (measured) {
        ph.sent += 1;
        ph.expected += owed;
      }
      if (!client.socket.connected) {
        if (measured) bump(ph.errors, 'DISCONNECTED');
        return;
      }
      const body = encodeBody(id, client.index, intended, plan.bodyBytes, texts ? texts[textIndex++ % texts.length] : undefined);
      ph.outstanding += 1;
      outstandingAll += 1;
      client.socket
        .timeout(plan.ackTimeoutMs)
        .emit('message:send', { clientId: randomUUID(), body }, (err: Error | null, res?: { ok?: boolean; error?: { code?: string } }) => {
          const now = performance.now();
          ph.outstanding -= 1;
          outstandingAll -= 1;
          if (!measured) return;
          if (err) bump(ph.errors, client.socket.connected ? 'ACK_TIMEOUT' : 'DISCONNECTED');
          else if (res?.ok) {
            ph.accepted += 1;
            ph.owedForAccepted += owed;
            ph.ack.recordValue(Math.max(1, Math.round((now - intended) * 1000)));
          } else bump(ph.errors, res?.error?.code ?? 'BAD_ACK');
        });
    };

    await new Promise<void>((resolve) => {
      let k = 0;
      const tick = () => {
        const now = performance.now();
        if (!windowOpen && now >= windowStart) {
          windowOpen = true;
          cpu0 = process.cpuUsage();
          elu0 = performance.eventLoopUtilization();
          loopDelay.reset();
          loopDelay.enable();
          send({ type: 'window-start', phase: spec.name });
        }
        for (let due = start + k * interval; k < lastK && due <= now; k += 1, due = start + k * interval) sendOne(k, due);
        if (k >= lastK) {
          const wait = Math.max(0, windowEnd - performance.now());
          setTimeout(resolve, wait);
          return;
        }
        setTimeout(tick, Math.max(0, start + k * interval - performance.now()));
      };
      setTimeout(tick, Math.max(0, start - performance.now()));
    });
    // Window over: generator figures first, before draining skews them.
    const wallMs = performance.now() - windowStart;
    if (cpu0 && elu0) {
      const cpu = process.cpuUsage(cpu0);
      loopDelay.disable();
      gen = {
        cpuPct: Math.round(((cpu.user + cpu.system) / 1000 / wallMs) * 1000) / 10,
        elu: Math.round(performance.eventLoopUtilization(elu0).utilization * 1000) / 1000,
        loopDelayP50: delayMs(loopDelay.percentile(50)),
        loopDelayP99: delayMs(loopDelay.percentile(99)),
        loopDelayMax: delayMs(loopDelay.max),
      };
    }
    send({ type: 'window-end', phase: spec.name });

    const drainDeadline = performance.now() + spec.drainMs;
    while (performance.now() < drainDeadline && (ph.outstanding > 0 || ph.delivered < ph.owedForAccepted)) await sleep(10);

    const windowS = spec.durationMs / 1000;
    const result: PhaseResult = {
      name: spec.name,
      kind: spec.kind,
      phaseId: id,
      windowStartMs: windowStart,
      windowEndMs: windowEnd,
      ratePerClient: spec.rate,
      windowS,
      sent: ph.sent,
      accepted: ph.accepted,
      delivered: ph.delivered,
      expected: ph.expected,
      deliveryRatio: ph.expected ? ph.delivered / ph.expected : NaN,
      sentPerS: ph.sent / windowS,
      acceptedPerS: ph.accepted / windowS,
      deliveredPerS: ph.delivered / windowS,
      ack: summary(ph.ack),
      e2e: summary(ph.e2e),
      errors: ph.errors,
      outOfOrder: ph.outOfOrder,
      disconnects: ph.disconnects,
      generator: gen,
    };
    if (spec.kind === 'ladder') {
      result.attempt = attempt;
      result.pass = ph.expected > 0 && ph.delivered >= ph.expected && result.e2e.p99 <= plan.ladderMaxP99Ms;
      if (!result.pass && attempt === 1) queue.unshift({ spec, attempt: 2 });
      else if (!result.pass) queue.splice(0, queue.length, ...queue.filter((q) => q.spec.kind !== 'ladder'));
    }
    send({ type: 'phase-result', result });

    // Let a backlog from this phase clear (or time out) before the next one starts.
    const settleDeadline = performance.now() + plan.ackTimeoutMs + 500;
    while (outstandingAll > 0 && performance.now() < settleDeadline) await sleep(20);
    current = undefined;
    await sleep(300);
  }

  for (const c of clients) c.socket.close();
  send({ type: 'done' });
}

// ── idle tabs: (c) connections and (d) idle cost ──

interface Tab {
  manager: Manager;
  sockets: Socket[];
}

async function runIdle(plan: IdlePlan): Promise<void> {
  const tabs: Tab[] = [];
  const errors: Record<string, number> = {};
  let failed = 0;
  /** Ready tabs still connected, and why the others went (socket.io-client disconnect reasons). */
  let open = 0;
  const lost: Record<string, number> = {};

  const openTab = async (index: number) => {
    const spec = plan.tabs[index]!;
    const manager = new Manager(plan.urls[spec.instance]!, {
      transports: ['websocket'],
      reconnection: false,
      autoConnect: false,
      timeout: 30_000,
      extraHeaders: spec.cookie ? { cookie: spec.cookie } : {},
      ...(spec.localAddress ? { localAddress: spec.localAddress } : {}),
    });
    const main = manager.socket('/');
    const room = manager.socket(`/r/${spec.roomId}`);
    const tab: Tab = { manager, sockets: [main, room] };
    tabs[index] = tab;
    // Parley: ready once the main namespace's session:ready and the room's message:replay arrived
    // (its admission and setup queries are done). The bare server sends neither: `connect` is enough.
    const parley = plan.server !== 'bare';
    const ready = (socket: Socket, event: string) =>
      new Promise<void>((resolve, reject) => {
        if (parley) socket.once(event, () => resolve());
        socket.once('connect', () => {
          if (!parley) resolve();
        });
        socket.once('connect_error', (error: Error) => reject(error));
      });
    // Which half was late, when a tab is not ready in time: the transport (no connect), the main
    // namespace's session setup or the room's admission/replay (both wait in the server's connect gate).
    let sessionReady = false;
    let replayReady = false;
    main.once('session:ready', () => (sessionReady = true));
    room.once('message:replay', () => (replayReady = true));
    try {
      const both = Promise.all([ready(main, 'session:ready'), ready(room, 'message:replay')]);
      main.connect();
      room.connect();
      await Promise.race([
        both,
        sleep(30_000).then(() => {
          const late = !main.connected && !room.connected ? 'transport' : [sessionReady ? '' : 'session', replayReady ? '' : 'replay'].filter(Boolean).join('+');
          return Promise.reject(new Error(`not ready within 30 s (${late})`));
        }),
      ]);
    } catch (error) {
      failed += 1;
      const e = error as Error & { data?: { code?: string } };
      bump(errors, e.data?.code ?? e.message.slice(0, 60));
      for (const s of tab.sockets) s.close();
      return;
    }
    // A ready tab that drops later is a lost tab (reconnection is off, as the measure needs): why it went.
    open += 1;
    main.once('disconnect', (reason: string) => {
      open -= 1;
      bump(lost, reason);
    });
    room.once('disconnect', (reason: string) => {
      if (reason === 'io server disconnect') bump(lost, 'room: io server disconnect');
    });
  };

  let next = 0;
  const connectTo = async (target: number) => {
    const goal = Math.min(target, plan.tabs.length);
    const stepStart = performance.now();
    const workers = Array.from({ length: Math.max(1, Math.min(plan.connectConcurrency, goal - next)) }, async () => {
      while (next < goal) await openTab(next++);
    });
    await Promise.all(workers);
    send({ type: 'connected-to', tabs: goal, failed, ms: Math.round(performance.now() - stepStart), errors: { ...errors }, open, lost: { ...lost } });
  };

  const LOOP_RESOLUTION_MS = 1;
  const loopDelay = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
  const delayMs = (ns: number) => Math.max(0, Math.round((ns / 1e6 - LOOP_RESOLUTION_MS) * 100) / 100);
  let measure: { cpu: NodeJS.CpuUsage; elu: ReturnType<typeof performance.eventLoopUtilization>; t: number } | undefined;

  let chain = Promise.resolve();
  process.on('message', (command: IdleCommand) => {
    chain = chain.then(async () => {
      switch (command?.type) {
        case 'connect-to':
          await connectTo(command.tabs);
          break;
        case 'measure-start':
          loopDelay.reset();
          loopDelay.enable();
          measure = { cpu: process.cpuUsage(), elu: performance.eventLoopUtilization(), t: performance.now() };
          break;
        case 'measure-end': {
          const m = measure ?? { cpu: process.cpuUsage(), elu: performance.eventLoopUtilization(), t: performance.now() };
          const cpu = process.cpuUsage(m.cpu);
          const wallMs = Math.max(1, performance.now() - m.t);
          loopDelay.disable();
          send({
            type: 'measure',
            generator: {
              cpuPct: Math.round(((cpu.user + cpu.system) / 1000 / wallMs) * 1000) / 10,
              elu: Math.round(performance.eventLoopUtilization(m.elu).utilization * 1000) / 1000,
              loopDelayP50: delayMs(loopDelay.percentile(50)),
              loopDelayP99: delayMs(loopDelay.percentile(99)),
              loopDelayMax: delayMs(loopDelay.max),
            },
            open,
            lost: { ...lost },
          });
          break;
        }
        case 'count':
          send({ type: 'count', open, lost: { ...lost } });
          break;
        case 'close':
          for (const tab of tabs) for (const s of tab?.sockets ?? []) s.close();
          send({ type: 'done' });
          break;
      }
    });
  });
  await new Promise<void>(() => undefined); // until the orchestrator says close (then the process exits)
}

exitWithParent(() => undefined);
process.once('message', (plan: LoadPlan | IdlePlan) => {
  if (plan.mode === 'idle') {
    void runIdle(plan);
    return;
  }
  run(plan)
    .catch((error: unknown) => send({ type: 'fatal', error: error instanceof Error ? (error.stack ?? error.message) : String(error) }))
    .finally(() => setTimeout(() => process.exit(0), 200));
});
