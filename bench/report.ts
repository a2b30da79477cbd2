/** Renders bench results as markdown. */
import type { LatencySummary, PhaseResult, ServerRun } from './shared';

export interface BenchMeta {
  startedAt: string;
  /** Wall time of the whole run. */
  totalS?: number;
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
  pinning: string;
  sourceAddresses: string;
  node: string;
  cpu: string;
  cores: number;
}

const n0 = (v: number) => (Number.isFinite(v) ? Math.round(v).toLocaleString('en-US') : '—');
const n1 = (v: number | null | undefined) => (v !== null && v !== undefined && Number.isFinite(v) ? v.toFixed(1) : '—');
const ms = (v: number) => (!Number.isFinite(v) ? '—' : v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));
const pct = (v: number) => (Number.isFinite(v) ? `${(Math.floor(v * 10000) / 100).toFixed(2)} %` : '—');
const lat = (l: LatencySummary) => `${ms(l.p50)} / ${ms(l.p99)} / ${ms(l.p999)} / ${ms(l.max)}`;
const errs = (e: Record<string, number>) =>
  Object.keys(e).length === 0 ? '—' : Object.entries(e).map(([k, v]) => `${k} ${v}`).join(', ');

/** The generator is the bottleneck (its numbers, not the server's, set the limit). */
export function generatorSaturated(p: PhaseResult): boolean {
  return p.generator.cpuPct >= 90 || p.generator.loopDelayP99 >= 50;
}

const genCell = (p: PhaseResult) => `${n1(p.generator.cpuPct)} / ${ms(p.generator.loopDelayP99)}${generatorSaturated(p) ? ' ⚠' : ''}`;

/** The highest ladder rate that passed (in either attempt) with every lower rate passing too. */
export function highestSustained(run: ServerRun): { rate: number; deliveredPerS: number; exhausted: boolean } | null {
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
  return best ? { rate: best.ratePerClient, deliveredPerS: best.deliveredPerS, exhausted } : null;
}

export function renderMarkdown(meta: BenchMeta, runs: ServerRun[]): string {
  const out: string[] = [];
  out.push(`# Parley message-path bench — ${meta.startedAt}`, '');
  out.push(
    `${meta.clients} clients in ${meta.rooms} rooms (${meta.roomSize} each) · ${meta.rate} msg/s per client, open loop · ` +
      `${meta.bodyBytes}-byte bodies · ${meta.warmupS} s warm-up + ${meta.windowS} s window · ack timeout ${meta.ackTimeoutMs} ms`,
  );
  out.push(`${meta.pinning} · client source addresses: ${meta.sourceAddresses} · Node ${meta.node} · ${meta.cpu} × ${meta.cores}`, '');

  for (const run of runs) {
    if (!run.started) out.push(`**${run.server}: did not start** — ${run.startError ?? 'unknown error'}`, '');
    else if (run.loadError) out.push(`**${run.server}: load generator failed** — ${run.loadError}`, '');
    if (run.connect?.failed) out.push(`**${run.server}: ${run.connect.failed} clients failed to connect** (${errs(run.connect.errors)})`, '');
  }

  const mains = runs.flatMap((r) => r.phases.filter((p) => p.kind === 'main').map((p) => [r, p] as const));
  if (mains.length) {
    out.push('## Main scenario', '');
    out.push(
      '| server | sent/s | accepted/s | delivered/s | delivered/expected | ack p50 / p99 / p99.9 / max (ms) | e2e p50 / p99 / p99.9 / max (ms) | errors | out of order | gen CPU % / loop delay p99 (ms) | server CPU % | DB CPU % | other CPU % | server RSS MB | connect (s) |',
      '|---|--:|--:|--:|--:|--:|--:|---|--:|--:|--:|--:|--:|--:|--:|',
    );
    for (const [run, p] of mains) {
      out.push(
        `| ${run.server} | ${n0(p.sentPerS)} | ${n0(p.acceptedPerS)} | ${n0(p.deliveredPerS)} | ${pct(p.deliveryRatio)} | ${lat(p.ack)} | ${lat(p.e2e)} | ` +
          `${errs(p.errors)} | ${p.outOfOrder} | ${genCell(p)} | ${n1(p.server?.cpuPct)} | ${n1(p.database?.cpuPct)} | ${n1(p.machine?.otherPct)} | ${n1(p.server?.rssMB)} | ${run.connect ? (run.connect.ms / 1000).toFixed(1) : '—'} |`,
      );
    }
    out.push('');
  }

  const ladders = runs.flatMap((r) => r.phases.filter((p) => p.kind === 'ladder').map((p) => [r, p] as const));
  if (ladders.length) {
    out.push(
      `## Rate ladder`,
      '',
      `Each step: ${meta.ladderWarmupS} s warm-up + ${meta.ladderDurationS} s window on the same connections; a step passes with 100 % delivered and e2e p99 ≤ ${meta.ladderMaxP99Ms} ms; a failing step is tried once more, and a server's ladder stops at the first step that fails twice.`,
      '',
      '| server | msg/s per client | sent/s | delivered/s | delivered/expected | e2e p50 / p99 / max (ms) | ack p99 (ms) | errors | gen CPU % / loop delay p99 (ms) | server CPU % | DB CPU % | other CPU % | pass |',
      '|---|--:|--:|--:|--:|--:|--:|---|--:|--:|--:|--:|:-:|',
    );
    for (const [run, p] of ladders) {
      out.push(
        `| ${run.server} | ${p.ratePerClient} | ${n0(p.sentPerS)} | ${n0(p.deliveredPerS)} | ${pct(p.deliveryRatio)} | ${ms(p.e2e.p50)} / ${ms(p.e2e.p99)} / ${ms(p.e2e.max)} | ` +
          `${ms(p.ack.p99)} | ${errs(p.errors)} | ${genCell(p)} | ${n1(p.server?.cpuPct)} | ${n1(p.database?.cpuPct)} | ${n1(p.machine?.otherPct)} | ` +
          `${p.pass ? 'yes' : '**no**'}${(p.attempt ?? 1) > 1 ? ' (retry)' : ''} |`,
      );
    }
    out.push('');
    const best = runs.map((r) => [r, highestSustained(r)] as const);
    const lines = best.map(([r, b]) =>
      b
        ? `${r.server} ${b.exhausted ? '≥ ' : ''}${b.rate} msg/s per client (${n0(b.rate * meta.clients)} sends/s, ${n0(b.deliveredPerS)} deliveries/s)`
        : `${r.server}: no step passed`,
    );
    out.push(`**Highest sustained rate:** ${lines.join('; ')}.`);
    for (const r of runs) if (r.ladderSkipped?.length) out.push(`${r.server}: the ladder's time budget ran out before ${r.ladderSkipped.join(', ')} msg/s (--ladder-budget).`);
    const bare = best.find(([r]) => r.server === 'bare')?.[1];
    const parley = best.find(([r]) => r.server === 'parley')?.[1];
    if (bare && parley) out.push(`Parley sustains ${((parley.rate / bare.rate) * 100).toFixed(0)} % of the bare baseline's rate${bare.exhausted ? ' (the baseline passed every step it ran: its true ceiling is higher)' : ''}.`);
    const saturated = ladders.filter(([, p]) => generatorSaturated(p));
    if (saturated.length) out.push(`⚠ = the load generator was saturated in that step (CPU ≥ 90 % or loop delay p99 ≥ 50 ms): the limit measured there may be the generator's.`);
    out.push('');
  }
  out.push(
    'CPU columns are % of one core over the window (from /proc); "other CPU %" is machine-wide busy CPU not used by the server, its database or the generator: anything above a few % means the machine was shared and the numbers are noisier.',
  );
  out.push('Latencies are measured from each message\'s intended send time (open loop, no coordinated omission): ack = at the sender, e2e = at every other member of the room.');
  return out.join('\n') + '\n';
}
