/** Types and helpers shared by the bench orchestrator (run.ts), the load generator and the servers. */

export type ServerName = 'bare' | 'parley';

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

export interface LoadPlan {
  server: ServerName;
  url: string;
  /** Index = client number. Client i is in room `roomIndex`. */
  clients: { roomIndex: number; roomId: string; cookie?: string; localAddress?: string }[];
  rooms: number;
  bodyBytes: number;
  ackTimeoutMs: number;
  connectConcurrency: number;
  phases: PhaseSpec[];
  /**
   * A ladder step passes when delivered === expected and e2e p99 <= maxP99Ms. A failing step is tried
   * once more; the ladder stops at the first step that fails twice.
   */
  ladderMaxP99Ms: number;
  /** Ladder steps stop starting once the ladder has run this long (keeps `npm run bench` within minutes). */
  ladderBudgetMs: number;
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

export interface PhaseResult {
  name: string;
  kind: 'main' | 'ladder';
  ratePerClient: number;
  windowS: number;
  /** Sends whose intended time fell in the window. */
  sent: number;
  /** ok acks among them. */
  accepted: number;
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
  generator: { cpuPct: number; elu: number; loopDelayP50: number; loopDelayP99: number; loopDelayMax: number };
  /** Filled in by the orchestrator from /proc. */
  server?: ResourceSample;
  database?: ResourceSample;
  /** Whole machine, % of one core (2 cores = 200 %): all busy CPU, and what was not ours (server, DB, generator). */
  machine?: { busyPct: number | null; otherPct: number | null };
  pass?: boolean;
  /** Ladder steps: a failing step is tried once more (a burst of foreign load on a shared machine is not a limit). */
  attempt?: number;
}

export interface ServerRun {
  server: ServerName;
  started: boolean;
  startError?: string;
  loadError?: string;
  connect?: { clients: number; failed: number; ms: number; errors: Record<string, number> };
  phases: PhaseResult[];
  /** Ladder rates not run because the ladder's time budget was used up. */
  ladderSkipped?: number[];
}

/** Messages from the load generator to the orchestrator (IPC). */
export type LoadMessage =
  | { type: 'connected'; clients: number; failed: number; ms: number; errors: Record<string, number> }
  | { type: 'window-start'; phase: string }
  | { type: 'window-end'; phase: string }
  | { type: 'phase-result'; result: PhaseResult }
  | { type: 'ladder-budget'; skipped: number[] }
  | { type: 'done' }
  | { type: 'fatal'; error: string };

/**
 * The body carries what the receiver needs to measure: phase, sender and the intended send time (ms on the
 * generator's monotonic clock), padded to the configured size. Both servers echo the body unchanged.
 */
export function encodeBody(phase: number, sender: number, intendedMs: number, bytes: number): string {
  const head = `${phase}|${sender}|${intendedMs.toFixed(3)}|`;
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
