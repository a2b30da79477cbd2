/** Renders bench results as markdown: a summary against the issue's targets, then one table per scenario. */
import { HASHING_DRAIN_MS, SERVER_KINDS, type HashingResult, type LatencySummary, type PhaseResult, type ServerRun } from './shared';

export interface BenchMeta {
  startedAt: string;
  /** Wall time of the whole run. */
  totalS?: number;
  scenarios: string[];
  clients: number;
  rooms: number;
  roomSize: string;
  rate: number;
  bodyBytes: number;
  warmupS: number;
  windowS: number;
  ladder: number[];
  ladderWarmupS: number;
  ladderDurationS: number;
  ladderMaxP99Ms: number;
  ackTimeoutMs: number;
  idleTabs: number;
  idleRooms: number;
  idleDurationS: number;
  /** The adapter's heartbeat interval (lib/realtime/adapter.ts ADAPTER_HEARTBEAT_MS). */
  heartbeatMs: number;
  pinning: string;
  sourceAddresses: string;
  node: string;
  cpu: string;
  cores: number;
}

const n0 = (v: number | null | undefined) => (v !== null && v !== undefined && Number.isFinite(v) ? Math.round(v).toLocaleString('en-US') : '—');
const n1 = (v: number | null | undefined) => (v !== null && v !== undefined && Number.isFinite(v) ? v.toFixed(1) : '—');
const ms = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? '—' : v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));
const pct = (v: number) => (Number.isFinite(v) ? `${(Math.floor(v * 10000) / 100).toFixed(2)} %` : '—');
const lat = (l: LatencySummary) => `${ms(l.p50)} / ${ms(l.p99)} / ${ms(l.p999)} / ${ms(l.max)}`;
const errs = (e: Record<string, number>) =>
  Object.keys(e).length === 0 ? '—' : Object.entries(e).map(([k, v]) => `${k} ${v}`).join(', ');
const events = (p: PhaseResult) =>
  !p.dbEvents ? '—' : [p.dbEvents.checkpoints ? `checkpoint ${p.dbEvents.checkpoints}` : '', p.dbEvents.autovacuums ? `autovacuum ${p.dbEvents.autovacuums}` : ''].filter(Boolean).join(', ') || '0';
const label = (r: ServerRun) => r.label ?? SERVER_KINDS[r.server]?.label ?? r.server;

/** The generator is the bottleneck (its numbers, not the server's, set the limit). */
export function generatorSaturated(g: PhaseResult['generator']): boolean {
  return g.cpuPct >= 90 || g.loopDelayP99 >= 50;
}

const genCell = (g: PhaseResult['generator']) => `${n1(g.cpuPct)} / ${ms(g.loopDelayP99)}${generatorSaturated(g) ? ' ⚠' : ''}`;

/** The highest ladder rate that passed (in either attempt) with every lower rate passing too. */
export function highestSustained(run: ServerRun): { rate: number; deliveredPerS: number; persistedPerS?: number; sentPerS: number; exhausted: boolean } | null {
  const steps = run.phases.filter((p) => p.kind === 'ladder');
  const rates = [...new Set(steps.map((s) => s.ratePerClient))];
  let best: PhaseResult | null = null;
  let exhausted = true;
  for (const rate of rates) {
    const passed = steps.find((s) => s.ratePerClient === rate && s.pass);
    if (!passed) {
      exhausted = false;
      break;
    }
    best = passed;
  }
  if (run.ladderSkipped?.length) exhausted = true; // not a limit found: the budget ran out first
  return best
    ? { rate: best.ratePerClient, deliveredPerS: best.deliveredPerS, persistedPerS: best.persistedPerS, sentPerS: best.sentPerS, exhausted }
    : null;
}

/** Heartbeat NOTIFYs per second to expect: only the main namespace runs on the adapter (room namespaces are local, lib/realtime/bus.ts), so one per instance per interval when otherwise silent, whatever the number of rooms. */
function expectedHeartbeats(run: ServerRun, meta: BenchMeta): number | null {
  const idle = run.idle?.idle;
  if (!idle) return null;
  return run.instances / (meta.heartbeatMs / 1000);
}

/** The event-loop delay p99 an instance hashing passwords must stay under (issue 9). */
export const HASHING_LOOP_DELAY_TARGET_MS = 20;

const HASHING_LABELS: Record<HashingResult['mode'], string> = {
  'main-thread': 'main thread (the old way: bcryptjs async on the event loop)',
  pool: 'worker pool (lib/password.ts)',
};

function renderHashing(results: HashingResult[]): string[] {
  const out: string[] = [];
  out.push(`## (e) Password hashing: one instance asked for a fixed rate of bcrypt hashes (cost 11), open loop`, '');
  out.push(
    '| mode | hashes/s asked | event-loop delay p50 / p99 / p99.9 / max (ms) | HTTP probe p50 / p99 / max (ms) | finished/s | due / done / refused / unfinished | hash p50 / p99 / max (ms) | threads / queue | instance CPU % | other CPU % | loop delay p99 < ' +
      `${HASHING_LOOP_DELAY_TARGET_MS} ms |`,
    '|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|:-:|',
  );
  for (const r of results) {
    if (r.error) {
      out.push(`| ${HASHING_LABELS[r.mode]} | ${r.rate} | **failed**: ${r.error} | | | | | | | | |`);
      continue;
    }
    const lower = r.unfinished > 0 ? '≥ ' : '';
    out.push(
      `| ${HASHING_LABELS[r.mode]} | ${r.rate} | ${ms(r.loopDelay.p50)} / **${ms(r.loopDelay.p99)}** / ${ms(r.loopDelay.p999)} / ${ms(r.loopDelay.max)} | ` +
        `${r.probe ? `${ms(r.probe.p50)} / ${ms(r.probe.p99)} / ${ms(r.probe.max)}` : '—'} | ${n1(r.finishedPerS)} | ${r.due} / ${r.done} / ${r.refused} / ${r.unfinished} | ` +
        `${ms(r.hash.p50)} / ${lower}${ms(r.hash.p99)} / ${lower}${ms(r.hash.max)} | ${r.threads ? `${r.threads} / ${r.queueLimit}` : '— / unbounded'} | ${n1(r.cpuPct)} | ${n1(r.machine?.otherPct)} | ` +
        `${r.loopDelay.p99 < HASHING_LOOP_DELAY_TARGET_MS ? 'yes' : '**no**'} |`,
    );
  }
  out.push(
    '',
    'Each mode in a fresh process with the whole machine (not pinned). Hash k is due at k ÷ rate whether or not earlier ones finished; latencies from the intended time. ' +
      'Event-loop delay: `monitorEventLoopDelay` (1 ms resolution) over the window. HTTP probe: another process GETs the instance\'s tiny HTTP server every 20 ms of the window (open loop, timed from the intended send), as another user\'s request waits. ' +
      `Due = hashes due in the window; done by the end of a ${HASHING_DRAIN_MS / 1000} s drain; refused = the pool's queue was full (UNAVAILABLE); unfinished hashes count at the drain's end in the hash latency (≥). ` +
      'Instance CPU is all its threads (% of one core).',
    '',
  );
  return out;
}

export function renderMarkdown(meta: BenchMeta, runs: ServerRun[], hashing: HashingResult[] = []): string {
  const out: string[] = [];
  out.push(`# Parley realtime bench — ${meta.startedAt}`, '');
  if (runs.length === 0) {
    out.push(`Scenarios: ${meta.scenarios.join(', ')}. ${meta.pinning} · Node ${meta.node} · ${meta.cpu} × ${meta.cores}${meta.totalS ? ` · ${meta.totalS} s in all` : ''}`, '');
    return [...out, ...(hashing.length ? renderHashing(hashing) : [])].join('\n') + '\n';
  }
  return [...out, renderServerRuns(meta, runs), ...(hashing.length ? renderHashing(hashing) : [])].join('\n') + '\n';
}

/** (a): every ladder step of every run, then each run's highest sustained rate. Empty without ladder steps. */
export function renderLadder(meta: BenchMeta, runs: ServerRun[], heading = '## (a) Rate ladder'): string[] {
  const out: string[] = [];
  const best = new Map(runs.map((r) => [r, highestSustained(r)] as const));
  const ladders = runs.flatMap((r) => r.phases.filter((p) => p.kind === 'ladder').map((p) => [r, p] as const));
  if (ladders.length) {
    out.push(
      heading,
      '',
      `Each step: ${meta.ladderWarmupS} s warm-up + ${meta.ladderDurationS} s window on the same connections; a step passes with 100 % delivered and e2e p99 ≤ ${meta.ladderMaxP99Ms} ms; a failing step is tried once more, and a server's ladder stops at the first step that fails twice.`,
      '',
      '| server | msg/s per client | sent/s | accepted/s | persisted/s | delivered/s | delivered/expected | e2e p50 / p99 / max (ms) | ack p99 (ms) | errors | NOTIFY/s | gen CPU % / loop delay p99 (ms) | server CPU % | DB CPU % | DB events | other CPU % | pass |',
      '|---|--:|--:|--:|--:|--:|--:|--:|--:|---|--:|--:|--:|--:|--:|--:|:-:|',
    );
    for (const [run, p] of ladders) {
      out.push(
        `| ${label(run)} | ${p.ratePerClient} | ${n0(p.sentPerS)} | ${n0(p.acceptedPerS)} | ${n0(p.persistedPerS)} | ${n0(p.deliveredPerS)} | ${pct(p.deliveryRatio)} | ${ms(p.e2e.p50)} / ${ms(p.e2e.p99)} / ${ms(p.e2e.max)} | ` +
          `${ms(p.ack.p99)} | ${errs(p.errors)} | ${n0(p.notify?.sentPerS)} | ${genCell(p.generator)} | ${n1(p.server?.cpuPct)} | ${n1(p.database?.cpuPct)} | ${events(p)} | ${n1(p.machine?.otherPct)} | ` +
          `${p.pass ? 'yes' : '**no**'}${(p.attempt ?? 1) > 1 ? ' (retry)' : ''} |`,
      );
    }
    out.push('');
    const lines = runs.map((r) => {
      const b = best.get(r);
      return b
        ? `${label(r)} ${b.exhausted ? '≥ ' : ''}${b.rate} msg/s per client (${n0(b.sentPerS)} sends/s, ${n0(b.deliveredPerS)} deliveries/s)`
        : `${label(r)}: no step passed`;
    });
    out.push(`**Highest sustained rate:** ${lines.join('; ')}.`);
    for (const r of runs) if (r.ladderSkipped?.length) out.push(`${label(r)}: the ladder's time budget ran out before ${r.ladderSkipped.join(', ')} msg/s (--ladder-budget).`);
    if (ladders.some(([, p]) => generatorSaturated(p.generator)))
      out.push(`⚠ = the load generator was saturated in that step (CPU ≥ 90 % or loop delay p99 ≥ 50 ms): the limit measured there may be the generator's.`);
    out.push('');
  }
  return out;
}

function renderServerRuns(meta: BenchMeta, runs: ServerRun[]): string {
  const out: string[] = [];
  const has = (s: string) => meta.scenarios.includes(s);
  out.push(`Servers, in order, on the same load generator: ${runs.map(label).join(' · ')}. Scenarios: ${meta.scenarios.join(', ')}.`, '');
  if (has('ladder') || has('latency'))
    out.push(
      `Message path: ${meta.clients} clients in ${meta.rooms} rooms (${meta.roomSize} each, fan-out ${Number(meta.roomSize) - 1 || 'n−1'}); with two instances each room's members alternate between them · ` +
        `${meta.bodyBytes}-byte bodies · ack timeout ${meta.ackTimeoutMs} ms.`,
    );
  if (has('connections') || has('idle'))
    out.push(
      `Idle tabs: ${meta.idleTabs} (one WebSocket each, main namespace + one room namespace, as a browser tab) over ${meta.idleRooms} rooms; adapter heartbeat every ${meta.heartbeatMs / 1000} s from the main namespace of each instance (room namespaces are local and do not heartbeat).`,
    );
  out.push(`${meta.pinning} · client source addresses: ${meta.sourceAddresses} · Node ${meta.node} · ${meta.cpu} × ${meta.cores}${meta.totalS ? ` · ${meta.totalS} s in all` : ''}`, '');

  for (const run of runs) {
    if (run.startError) out.push(`**${label(run)}: did not start** — ${run.startError}`, '');
    if (run.loadError) out.push(`**${label(run)}: load generator failed** — ${run.loadError}`, '');
    if (run.idleError) out.push(`**${label(run)}: idle tabs failed** — ${run.idleError}`, '');
    if (run.connect?.failed) out.push(`**${label(run)}: ${run.connect.failed} clients failed to connect** (${errs(run.connect.errors)})`, '');
    if (run.idle?.failed) out.push(`**${label(run)}: ${run.idle.failed} idle tabs failed to connect** (${errs(run.idle.errors)})`, '');
  }

  // ── summary: the key ratios against the issue's targets ──
  const bare = runs.find((r) => r.server === 'bare');
  const p1 = runs.find((r) => r.server === 'parley');
  const p2 = runs.find((r) => r.server === 'parley2');
  const main = (r?: ServerRun) => r?.phases.find((p) => p.kind === 'main');
  const best = new Map(runs.map((r) => [r, highestSustained(r)] as const));
  const cols = runs;
  const summaryNotes: string[] = [];
  const row = (metric: string, cell: (r: ServerRun) => string, target: string) =>
    out.push(`| ${metric} | ${cols.map(cell).join(' | ')} | ${target} |`);
  out.push('## Summary', '');
  out.push(`| | ${cols.map(label).join(' | ')} | target (issue; not asserted) |`, `|---|${cols.map(() => '--:').join('|')}|---|`);
  if (has('ladder')) {
    const bareBest = bare ? best.get(bare) : null;
    // Bare's ladder ended on a step where the generator, not the server, was the limit: its true ceiling is higher.
    const bareGenLimited = Boolean(bare?.phases.some((p) => p.kind === 'ladder' && !p.pass && generatorSaturated(p.generator)));
    const upper = bareBest?.exhausted || bareGenLimited;
    row(
      '(a) highest passing ladder rate, sends/s (msg/s per client)',
      (r) => {
        const b = best.get(r);
        return b ? `${b.exhausted || (r === bare && bareGenLimited) ? '≥ ' : ''}${n0(b.sentPerS)} (${b.rate})${r === bare && bareGenLimited ? ' ⚠' : ''}` : 'none passed';
      },
      '—',
    );
    row(
      '(a) … as % of bare',
      (r) => {
        const b = best.get(r);
        if (r === bare || !b || !bareBest) return r === bare ? '100 %' : '—';
        return `${upper ? '≤ ' : ''}${((b.rate / bareBest.rate) * 100).toFixed(0)} %`;
      },
      '≥ 75 % of bare',
    );
    if (bareGenLimited) summaryNotes.push("⚠ bare's ladder stopped where the load generator was saturated: its true ceiling is higher, so the % of bare are upper bounds.");
    row('(a) persisted msgs/s at that rate', (r) => (r === bare ? '—' : n0(best.get(r)?.persistedPerS)), `≥ 10,000 on one instance with fan-out 2 (this run: fan-out ${Number(meta.roomSize) - 1 || '?'})`);
  }
  if (has('latency')) {
    row(`(b) e2e p99 at ${n0(meta.clients * meta.rate)} sends/s (ms)`, (r) => ms(main(r)?.e2e.p99), '—');
    const d = main(p1) && main(p2) ? main(p2)!.e2e.p99 - main(p1)!.e2e.p99 : undefined;
    row('(b) cross-instance p99 delta (×2 − ×1, ms)', (r) => (r === p2 && d !== undefined ? `${d >= 0 ? '+' : ''}${ms(d)}` : '—'), '≤ +10 ms');
  }
  if (has('connections')) {
    row(
      '(c) server RSS per tab after GC, KiB: marginal net of V8 young gen (raw marginal)',
      (r) => (r.idle ? `${n1(r.idle.kibPerTabMarginalNet)} (${n1(r.idle.kibPerTabMarginal)})` : '—'),
      `≤ 8 KiB each at ~19,900 sockets on one instance (this run: ${n0(meta.idleTabs)})`,
    );
  }
  if (has('idle')) {
    row(
      `(d) NOTIFY/s with ${meta.idleRooms} idle rooms (expected from heartbeats)`,
      (r) => {
        const n = r.idle?.idle?.notify;
        const e = expectedHeartbeats(r, meta);
        return n ? `${n1(n.sentPerS)} (${n1(e)})` : '—';
      },
      'report (issue: with 1,000 idle rooms)',
    );
    row('(d) server CPU % / DB CPU % idle', (r) => (r.idle?.idle ? `${n1(r.idle.idle.server.cpuPct)} / ${n1(r.idle.idle.database?.cpuPct)}` : '—'), 'report');
  }
  out.push('', ...summaryNotes, ...(summaryNotes.length ? [''] : []));

  // ── (b) latency ──
  const mains = runs.flatMap((r) => r.phases.filter((p) => p.kind === 'main').map((p) => [r, p] as const));
  if (mains.length) {
    out.push(`## (b) Latency at a fixed rate: ${meta.rate} msg/s per client, open loop, ${meta.warmupS} s warm-up + ${meta.windowS} s window`, '');
    out.push(
      '| server | sent/s | accepted/s | persisted/s | delivered/s | delivered/expected | ack p50 / p99 / p99.9 / max (ms) | e2e p50 / p99 / p99.9 / max (ms) | errors | out of order | NOTIFY/s | gen CPU % / loop delay p99 (ms) | server CPU % | DB CPU % | DB events | other CPU % | server RSS MB | connect (s) |',
      '|---|--:|--:|--:|--:|--:|--:|--:|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|',
    );
    for (const [run, p] of mains) {
      out.push(
        `| ${label(run)} | ${n0(p.sentPerS)} | ${n0(p.acceptedPerS)} | ${n0(p.persistedPerS)} | ${n0(p.deliveredPerS)} | ${pct(p.deliveryRatio)} | ${lat(p.ack)} | ${lat(p.e2e)} | ` +
          `${errs(p.errors)} | ${p.outOfOrder} | ${n0(p.notify?.sentPerS)} | ${genCell(p.generator)} | ${n1(p.server?.cpuPct)} | ${n1(p.database?.cpuPct)} | ${events(p)} | ${n1(p.machine?.otherPct)} | ${n1(p.server?.rssMB)} | ${run.connect ? (run.connect.ms / 1000).toFixed(1) : '—'} |`,
      );
    }
    out.push('');
  }

  // ── (a) ladder ──
  out.push(...renderLadder(meta, runs));

  // ── (c) connections ──
  const idles = runs.filter((r) => r.idle);
  if (has('connections') && idles.length) {
    out.push('## (c) Connections: idle authenticated tabs, server RSS after GC (all instances summed)', '');
    out.push(
      '| server | tabs | failed | connect rate (tabs/s) | connect CPU ms per tab: server / DB | RSS MB at 0 / 10 % / 50 % / 100 % | V8 new space MB at 0 / 100 % | heap MB at 0 / 100 % | RSS KiB per tab, marginal net of new space | RSS KiB per tab, marginal raw | RSS KiB per tab from zero | heap KiB per tab, marginal |',
      '|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|',
    );
    for (const r of idles) {
      const i = r.idle!;
      const first = i.ramp[0];
      const last = i.ramp[i.ramp.length - 1];
      out.push(
        `| ${label(r)} | ${n0(i.tabs)} | ${i.failed} | ${n0(i.connectPerS)} | ${ms(i.connectCpuMsPerTab?.server ?? NaN)} / ${ms(i.connectCpuMsPerTab?.database ?? NaN)} | ${i.ramp.map((p) => n1(p.rssMB)).join(' / ')} | ${n1(first?.newSpaceMB)} / ${n1(last?.newSpaceMB)} | ${n1(first?.heapUsedMB)} / ${n1(last?.heapUsedMB)} | ` +
          `**${n1(i.kibPerTabMarginalNet)}** | ${n1(i.kibPerTabMarginal)} | ${n1(i.kibPerTabOverall)} | ${n1(i.heapKibPerTabMarginal)} |`,
      );
    }
    out.push(
      '',
      'Each point after a full GC with compaction forced (a connect storm leaves the old space fragmented). Marginal = growth from the 10 % step to the top ÷ the tabs between: one-time costs (code loaded and compiled by the first connections, pools) excluded. ' +
        "Net of new space: V8's young generation grows once under load (8 → 32 MiB), whatever the number of tabs; at a few thousand tabs that alone is ~10 KiB per tab. " +
        'Tabs connect with bounded concurrency, from source addresses spread over 127.0.0.x.',
      '',
    );
  }

  // ── (d) idle cost ──
  if (has('idle') && idles.some((r) => r.idle?.idle)) {
    out.push(`## (d) Idle cost: ${meta.idleRooms} rooms open, ${n0(meta.idleTabs)} idle tabs, ${meta.idleDurationS} s window`, '');
    out.push(
      '| server | room namespaces (all instances) | NOTIFY/s sent (heartbeats) | expected heartbeats/s | notifications received/s | server CPU % | DB CPU % | gen CPU % / loop delay p99 (ms) | other CPU % | server RSS MB |',
      '|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|',
    );
    for (const r of idles) {
      const d = r.idle!.idle;
      if (!d) continue;
      out.push(
        `| ${label(r)} | ${n0(d.namespaces)} | ${d.notify ? `${n1(d.notify.sentPerS)} (${n1(d.notify.heartbeatPerS)})` : '—'} | ${r.server === 'bare' || r.server === 'parley-mem' ? '—' : n1(expectedHeartbeats(r, meta))} | ` +
          `${n1(d.notify?.receivedPerS)} | ${n1(d.server.cpuPct)} | ${n1(d.database?.cpuPct)} | ${genCell(d.generator)} | ${n1(d.machine.otherPct)} | ${n1(d.server.rssMB)} |`,
      );
    }
    out.push(
      '',
      `NOTIFYs are counted at the adapter's pool (\`SELECT pg_notify\`), received notifications at its LISTEN connection: every instance receives every NOTIFY on the channels it listens to, its own included. Expected heartbeats = one per instance (its main namespace, the only one on the adapter) ÷ ${meta.heartbeatMs / 1000} s (it heartbeats after ${meta.heartbeatMs / 1000} s without another publish).`,
      '',
    );
  }
  out.push(
    'CPU columns are % of one core over the window (from /proc); "other CPU %" is machine-wide busy CPU not used by the servers, the database or the generator: anything above a few % means the machine was shared and the numbers are noisier.',
  );
  if (has('ladder') || has('latency'))
    out.push('DB events: checkpoints and autovacuum/autoanalyze runs that finished during the window (pg_stat_checkpointer, pg_stat_user_tables); a checkpoint\'s fsync can stall commits for hundreds of ms on a shared disk.');
  if (has('ladder') || has('latency'))
    out.push("Latencies are measured from each message's intended send time (open loop, no coordinated omission): ack = at the sender, e2e = at every other member of the room. Persisted = rows in `messages` for the window's sends, counted after the drain.");
  return out.join('\n') + '\n';
}
