/** Renders the `search` scenario: latency per query type, filter and user; sizes; the writer ladder with and without the search indexes; plans. */
import { highestSustained, renderLadder, type BenchMeta } from './report';
import { SEARCH_P95_TARGET_MS, type SearchResult, type SearchRow } from './search';
import { QUERY_CLASSES, QUERY_WORDS } from './search-text';
import type { ServerRun } from './shared';

/** The writer ladder on the throwaway database, as migrated and then with the search indexes dropped. */
export interface SearchLadder {
  /** One run per round. */
  withIndexes: ServerRun[];
  withoutIndexes: ServerRun[];
  /** What was dropped between the two runs (index names, generated columns). */
  dropped: string[];
}

const ms = (v: number) => (!Number.isFinite(v) ? '—' : v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));
const n0 = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? '—' : Math.round(v).toLocaleString('en-US'));
const mib = (bytes: number) => (bytes >= 1024 ** 3 ? `${(bytes / 1024 ** 3).toFixed(2)} GiB` : `${(bytes / 1024 ** 2).toFixed(1)} MiB`);
const over = (r: SearchRow) => r.p95 >= SEARCH_P95_TARGET_MS;
const FILTER_LABEL: Record<SearchRow['filter'], string> = { none: '—', room: 'in:', author: 'from:', date: 'after: before:' };
const CLASS_LABEL: Record<SearchRow['queryClass'], string> = { common: 'common word', rare: 'rare word', prefix: 'prefix', phrase: 'phrase', substring: 'substring' };

function rowCells(r: SearchRow): string {
  const errors = Object.entries(r.errors).map(([k, v]) => `${k} ×${v}`).join(', ');
  const p95 = over(r) ? `**${ms(r.p95)}** ❌` : ms(r.p95);
  const db = r.plan ? `${ms(r.plan.totalDbMs)} of ${ms(r.plan.httpMs)} (${r.plan.statements})` : '—';
  return `${ms(r.p50)} | ${p95} | ${ms(r.p99)} | ${ms(r.max)} | ${r.count}${r.truncated ? ' (cut)' : ''} | ${r.hitsAvg} | ${r.approximatePct ? `${r.approximatePct} %` : '0'} | ${db} | ${r.machineBusyPct ?? '—'} | ${errors || '—'}`;
}

export function renderSearch(meta: BenchMeta, search: SearchResult | undefined, ladder: SearchLadder | undefined, searchError?: string): string[] {
  const out: string[] = [];
  out.push(`## Search (issue 11): \`GET /api/search\` over HTTP${search ? `, ${n0(search.messages)} messages` : ''}`, '');
  if (searchError) out.push(`**The search measurement failed** — ${searchError}`, '');
  else if (!search) out.push('Search latency not measured in this run (`--no-search-latency`).', '');
  if (search) {
    const s = search;
    const seeded = s.seed.seeded
      ? `seeded by this run in ${s.seed.totalS} s`
      : `reused (seeded by an earlier run in ${s.seed.totalS} s)`;
    out.push(
      `Dataset: 1,000 users; 500 rooms (420 public, 40 private, 40 direct; message volume Zipf over rooms); ${n0(s.messages)} messages over two years, ` +
        `words drawn from a ${'~4,800'}-word vocabulary with a Zipf (s = 1) frequency distribution, plus identifiers, URLs, ticket ids, accented words and some CJK (bench/search-text.ts). ` +
        `Database ${s.database}, PostgreSQL ${s.postgres} (${Object.entries(s.settings).map(([k, v]) => `${k} ${v}`).join(', ')}); ${seeded}: ` +
        `messages ${s.seed.loadS} s, index rebuild ${s.seed.indexS} s (${Object.entries(s.seed.indexBuilds).map(([k, v]) => `${k} ${v} s`).join(', ') || '—'}), VACUUM ANALYZE ${s.seed.vacuumS} s.`,
      '',
      `Probe users: ${Object.values(s.probes).map((p) => `\`${p.username}\` in ${p.rooms} rooms (${n0(p.visibleMessages)} messages readable)`).join('; ')}. ` +
        `One Parley instance (server.ts, Next.js production build, PostgreSQL adapter) on the whole machine (not pinned), search rate limit raised; ` +
        `each row: ${s.warmup} warm-up + ${s.iterations} timed requests, **one at a time**, \`limit=${s.limit}\`, \`scope=mine\`, ` +
        `cycling through the class's words and the filter's values; latency from the request to the response's last byte (HdrHistogram). ` +
        `Target: **p95 < ${SEARCH_P95_TARGET_MS} ms** for every query type (❌ = missed). Node ${meta.node} · ${meta.cpu} × ${meta.cores}.`,
      '',
    );

    // Summary: worst p95 per class and user.
    const probes = Object.keys(s.probes) as SearchRow['probe'][];
    out.push('### Summary: worst p95 per query type (ms), over filters and sorts', '');
    out.push(`| query type | ${probes.map((p) => `\`${s.probes[p].username}\` (${s.probes[p].rooms} rooms)`).join(' | ')} | p95 < ${SEARCH_P95_TARGET_MS} ms |`, `|---|${probes.map(() => '--:').join('|')}|:-:|`);
    for (const c of QUERY_CLASSES) {
      const cells = probes.map((p) => {
        const rows = s.rows.filter((r) => r.queryClass === c && r.probe === p);
        if (!rows.length) return '—';
        const worst = rows.reduce((a, b) => (b.p95 > a.p95 ? b : a));
        return `${ms(worst.p95)} (${FILTER_LABEL[worst.filter]}${worst.filter === 'none' ? ` ${worst.sort}` : ''})`;
      });
      const rows = s.rows.filter((r) => r.queryClass === c);
      out.push(`| ${CLASS_LABEL[c]} | ${cells.join(' | ')} | ${rows.length === 0 ? '—' : rows.some(over) ? '**no**' : 'yes'} |`);
    }
    out.push('');

    out.push('### All rows (ms)', '');
    out.push(
      '| user | query type | filter | sort | p50 | p95 | p99 | max | requests | hits per page | near matches | DB ms of HTTP ms (statements), one request | machine busy % | errors |',
      '|---|---|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|',
    );
    for (const r of s.rows) {
      out.push(`| ${s.probes[r.probe].username} | ${CLASS_LABEL[r.queryClass]} | ${FILTER_LABEL[r.filter]} | ${r.sort} | ${rowCells(r)} |`);
    }
    out.push(
      '',
      'hits per page: average over the timed requests (a full page is the limit). Near matches: pages marked `approximate` (nothing matched exactly, so the server ran its typo query too). ' +
        'DB ms: one extra request after the timings with auto_explain on (ANALYZE timing adds overhead): the sum of its statements\' execution times (rate limit, session, term preparation, filters, the search) against its HTTP time. ' +
        `Machine busy: all CPU in use during the row, % of one core (${meta.cores} cores = ${meta.cores * 100} %); the bench itself uses up to ~100 % (one request at a time: server, then PostgreSQL): more means another load shared the machine.`,
      '',
    );
    out.push('Queries (each row cycles through them):', '');
    for (const c of QUERY_CLASSES) {
      const share = s.classShares[c] ? ` (each in ${s.classShares[c]} of messages, by the vocabulary model)` : '';
      out.push(`- ${CLASS_LABEL[c]}${share}: ${QUERY_WORDS[c].map((w) => `\`${w}\``).join(', ')}`);
    }
    for (const p of probes) {
      out.push(`- \`${s.probes[p].username}\`: in: ${s.probes[p].roomFilters.map((f) => `\`${f}\``).join(', ')}; from: ${s.probes[p].authorFilters.map((f) => `\`${f}\``).join(', ')}`);
    }
    out.push(`- dates: ${s.dateFilters.map((f) => `\`${f}\``).join(', ')}`, '');

    // Sizes.
    const z = s.sizes;
    out.push(`### On disk (${n0(s.messages)} messages)`, '');
    out.push('| object | size | per message |', '|---|--:|--:|');
    const per = (b: number) => `${n0(b / s.messages)} B`;
    out.push(`| \`messages\` heap | ${mib(z.heapBytes)} | ${per(z.heapBytes)} |`, `| \`messages\` TOAST | ${mib(z.toastBytes)} | ${per(z.toastBytes)} |`);
    for (const i of z.indexes) out.push(`| ${i.search ? '**search** ' : ''}index \`${i.name}\` (${i.method}) | ${mib(i.bytes)} | ${per(i.bytes)} |`);
    const searchIdx = z.indexes.filter((i) => i.search).reduce((t, i) => t + i.bytes, 0);
    out.push(`| **search indexes, all** | **${mib(searchIdx)}** | ${per(searchIdx)} |`);
    for (const c of z.columns) out.push(`| column \`${c.name}\` (Σ pg_column_size) | ${mib(c.bytes)} | ${c.avgBytes} B |`);
    out.push(`| \`messages\` total (pg_total_relation_size) | ${mib(z.totalBytes)} | ${per(z.totalBytes)} |`, `| database | ${mib(z.databaseBytes)} | |`, '');
    const defs = z.indexes.filter((i) => i.search);
    if (defs.length) out.push('Search indexes: ' + defs.map((i) => `\`${i.definition}\``).join('; '), '');
  }

  // The writer ladder with and without the search indexes.
  if (ladder) out.push(...renderSearchLadder(meta, ladder));

  // Plans.
  if (search) {
    const planned = search.rows.filter((r) => r.plan || r.timedOut);
    if (search.explainNote) out.push(`Plans: ${search.explainNote}.`, '');
    if (planned.length) {
      // Every timed-out statement, and per user and query type the row with the worst p95 (the JSON has them all).
      const worst = new Set<SearchRow>();
      for (const r of planned) {
        const rival = [...worst].find((w) => w.probe === r.probe && w.queryClass === r.queryClass);
        if (!rival) worst.add(r);
        else if (r.p95 > rival.p95) {
          worst.delete(rival);
          worst.add(r);
        }
      }
      const wanted = planned.filter((r) => r.timedOut || worst.has(r));
      out.push(
        '### Plans (EXPLAIN ANALYZE, BUFFERS via auto_explain: the slowest statement of one request)',
        '',
        'Shown: for each user and query type, the row with the worst p95, and every row whose search statement hit the statement timeout (re-run by the bench); all plans are in the JSON. ' +
          'A plan showing `$n` in its conditions is a generic plan (planned without the values).',
        '',
      );
      for (const r of wanted) {
        if (r.timedOut) {
          out.push(
            `<details><summary>${search.probes[r.probe].username} · ${CLASS_LABEL[r.queryClass]} · ${FILTER_LABEL[r.filter]} · ${r.sort} — <code>${r.queries[0]}</code> — ` +
              'the search statement hit the 5 s statement_timeout; re-run by the bench (120 s timeout), generic plan (as the app\'s named statement) then custom plan</summary>',
            '',
            '```',
            r.timedOut.query.trim(),
            '```',
            '',
            'Generic plan:',
            '',
            '```',
            r.timedOut.generic,
            '```',
            '',
            'Custom plan:',
            '',
            '```',
            r.timedOut.custom,
            '```',
            '',
            '</details>',
            '',
          );
        }
        if (!r.plan || r.timedOut) continue; // a timed-out request's slowest *completed* statement says nothing
        out.push(
          `<details><summary>${search.probes[r.probe].username} · ${CLASS_LABEL[r.queryClass]} · ${FILTER_LABEL[r.filter]} · ${r.sort} — <code>${r.queries[0]}</code> — ` +
            `slowest statement ${ms(r.plan!.durationMs)} ms; ${r.plan!.statements} statements ${ms(r.plan!.totalDbMs)} ms; HTTP ${ms(r.plan!.httpMs)} ms${over(r) ? ' (row over target)' : ''}</summary>`,
          '',
          '```',
          r.plan!.text,
          '```',
          '',
          '</details>',
          '',
        );
      }
    }
  }
  return out;
}

type Sustained = ReturnType<typeof highestSustained>;

/** The best of the rounds (noise only ever lowers a ceiling). */
function bestOf(runs: ServerRun[]): Sustained {
  return runs.map(highestSustained).reduce<Sustained>((a, b) => (!a || (b && b.sentPerS > a.sentPerS) ? b : a), null);
}

function renderSearchLadder(meta: BenchMeta, ladder: SearchLadder): string[] {
  const out: string[] = [];
  const rounds = ladder.withIndexes.length;
  const shape = `${meta.clients} clients in ${meta.rooms} rooms (fan-out ${Number(meta.roomSize) - 1 || 'n−1'})`;
  out.push('### The message writer with and without the search indexes', '');
  out.push(
    `The ladder (a) on a throwaway database, ${shape}, bodies of realistic text (the dataset's generator, not padding), on fresh servers each time: as migrated, ` +
      `and after dropping ${ladder.dropped.length ? ladder.dropped.map((d) => `\`${d}\``).join(', ') : '**nothing (no search indexes found: both runs have the same schema)**'}` +
      `${rounds > 1 ? `; ${rounds} rounds in alternating order (with → without, then without → with, …), best of the rounds` : ''}. ` +
      "Every run starts from the seeded history only (earlier runs' messages deleted, then VACUUM ANALYZE).",
    '',
  );
  const a = bestOf(ladder.withIndexes);
  const b = bestOf(ladder.withoutIndexes);
  const cell = (h: Sustained) => (h ? `${h.exhausted ? '≥ ' : ''}${n0(h.sentPerS)} (${h.rate})` : 'none passed');
  out.push('| | highest passing rate, sends/s (msg/s per client) | persisted msgs/s there |', '|---|--:|--:|');
  out.push(`| with the search indexes | ${cell(a)} | ${n0(a?.persistedPerS)} |`, `| without | ${cell(b)} | ${n0(b?.persistedPerS)} |`);
  if (a && b && b.sentPerS > 0) {
    const ratio = a.sentPerS / b.sentPerS;
    const drop = (1 - ratio) * 100;
    const bound = a.exhausted || b.exhausted ? ' (a ladder passed every step or ran out of budget: a bound, not a ceiling)' : '';
    out.push(`| **with ÷ without** | **${(ratio * 100).toFixed(0)} %** (drop ${Math.max(0, drop).toFixed(0)} %${drop > 10 ? ' ❌ more than the 10 % allowed' : ', within the 10 % allowed'})${bound} | |`);
  }
  out.push('', 'The ladder compares ceilings in steps; the cost per message at the same rate is finer. Per step (mean over rounds and attempts):', '');
  out.push(
    '| msg/s per client | persisted/s with / without | DB CPU ms per message with / without | server CPU ms per message with / without | e2e p50 with / without (ms) | e2e p99 with / without (ms) | passed with / without |',
    '|--:|--:|--:|--:|--:|--:|:-:|',
  );
  const steps = (runs: ServerRun[], rate: number) => runs.flatMap((r) => r.phases.filter((p) => p.kind === 'ladder' && p.ratePerClient === rate));
  const mean = (xs: number[]) => (xs.length ? xs.reduce((t, x) => t + x, 0) / xs.length : NaN);
  const perMsg = (ps: ReturnType<typeof steps>, pick: (p: (typeof ps)[number]) => number | null | undefined) =>
    mean(ps.flatMap((p) => (p.persistedPerS && pick(p) != null ? [(pick(p)! * 10) / p.persistedPerS] : [])));
  for (const rate of meta.ladder) {
    const w = steps(ladder.withIndexes, rate);
    const o = steps(ladder.withoutIndexes, rate);
    if (!w.length && !o.length) continue;
    const f = (v: number) => (Number.isFinite(v) ? v.toFixed(3) : '—');
    const passed = (ps: typeof w) => (ps.length ? `${ps.filter((p) => p.pass).length}/${ps.length}` : '—');
    out.push(
      `| ${rate} | ${n0(mean(w.map((p) => p.persistedPerS ?? NaN)))} / ${n0(mean(o.map((p) => p.persistedPerS ?? NaN)))} | ` +
        `${f(perMsg(w, (p) => p.database?.cpuPct))} / ${f(perMsg(o, (p) => p.database?.cpuPct))} | ${f(perMsg(w, (p) => p.server?.cpuPct))} / ${f(perMsg(o, (p) => p.server?.cpuPct))} | ` +
        `${ms(mean(w.map((p) => p.e2e.p50)))} / ${ms(mean(o.map((p) => p.e2e.p50)))} | ${ms(mean(w.map((p) => p.e2e.p99)))} / ${ms(mean(o.map((p) => p.e2e.p99)))} | ${passed(w)} / ${passed(o)} |`,
    );
  }
  out.push('', 'CPU per message = the process\'s CPU over the window (% of one core, from /proc) ÷ persisted msgs/s; PostgreSQL is all its processes.', '');
  out.push(...renderLadder(meta, [...ladder.withIndexes, ...ladder.withoutIndexes], '#### Ladder steps'));
  return out;
}
