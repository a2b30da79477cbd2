/** Renders the `search` scenario: latency per query type, filter and user; sizes; the writer ladder with and without the search indexes; plans. */
import { highestSustained, renderLadder, type BenchMeta } from './report';
import { SEARCH_P95_TARGET_MS, type SearchResult, type SearchRow } from './search';
import { QUERY_CLASSES, QUERY_WORDS } from './search-text';
import type { ServerRun } from './shared';

/** The writer ladder on the throwaway database, as migrated and then with the search indexes dropped. */
export interface SearchLadder {
  withIndexes: ServerRun;
  withoutIndexes: ServerRun;
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
  return `${ms(r.p50)} | ${p95} | ${ms(r.p99)} | ${ms(r.max)} | ${r.count}${r.truncated ? ' (cut)' : ''} | ${r.hitsAvg} | ${r.approximatePct ? `${r.approximatePct} %` : '0'} | ${errors || '—'}`;
}

export function renderSearch(meta: BenchMeta, search: SearchResult | undefined, ladder: SearchLadder | undefined, searchError?: string): string[] {
  const out: string[] = [];
  out.push(`## Search (issue 11): \`GET /api/search\` over HTTP${search ? `, ${n0(search.messages)} messages` : ''}`, '');
  if (searchError) out.push(`**The search measurement failed** — ${searchError}`, '');
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
    out.push('| user | query type | filter | sort | p50 | p95 | p99 | max | requests | hits per page | near matches | errors |', '|---|---|---|---|--:|--:|--:|--:|--:|--:|--:|---|');
    for (const r of s.rows) {
      out.push(`| ${s.probes[r.probe].username} | ${CLASS_LABEL[r.queryClass]} | ${FILTER_LABEL[r.filter]} | ${r.sort} | ${rowCells(r)} |`);
    }
    out.push(
      '',
      'hits per page: average over the timed requests (a full page is the limit). Near matches: pages marked `approximate` (nothing matched exactly, so the server ran its typo query too).',
      '',
    );
    out.push('Queries (each row cycles through them):', '');
    for (const c of QUERY_CLASSES) out.push(`- ${CLASS_LABEL[c]} (${s.classShares[c]} of messages each, by the vocabulary model where it applies): ${QUERY_WORDS[c].map((w) => `\`${w}\``).join(', ')}`);
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
  if (ladder) {
    const a = highestSustained(ladder.withIndexes);
    const b = highestSustained(ladder.withoutIndexes);
    out.push('### The message writer with and without the search indexes', '');
    out.push(
      `The ladder (a) on a throwaway database, bodies of realistic text (the same generator as the dataset, not padding), run twice on fresh servers: as migrated, ` +
        `then after dropping ${ladder.dropped.length ? ladder.dropped.map((d) => `\`${d}\``).join(', ') : '**nothing (no search indexes found: both runs have the same schema)**'}. ` +
        'The first run\'s messages are deleted (and vacuumed) before each run, so both start from the same table.',
      '',
    );
    out.push('| | highest passing rate, sends/s (msg/s per client) | persisted msgs/s there |', '|---|--:|--:|');
    const cell = (h: ReturnType<typeof highestSustained>) => (h ? `${h.exhausted ? '≥ ' : ''}${n0(h.sentPerS)} (${h.rate})` : 'none passed');
    out.push(`| with the search indexes | ${cell(a)} | ${n0(a?.persistedPerS)} |`, `| without | ${cell(b)} | ${n0(b?.persistedPerS)} |`);
    if (a && b && b.sentPerS > 0) {
      const ratio = a.sentPerS / b.sentPerS;
      const drop = (1 - ratio) * 100;
      const bound = a.exhausted || b.exhausted ? ' (a ladder ran out of steps or budget: a bound, not a ceiling)' : '';
      out.push(`| **with ÷ without** | **${(ratio * 100).toFixed(0)} %** (drop ${drop.toFixed(0)} %${drop > 10 ? ' ❌ over the 10 % allowed' : ', within the 10 % allowed'})${bound} | |`);
    }
    out.push('');
    out.push(...renderLadder(meta, [ladder.withIndexes, ladder.withoutIndexes], '#### Ladder steps'));
  }

  // Plans.
  if (search) {
    const planned = search.rows.filter((r) => r.plan);
    if (search.explainNote) out.push(`Plans: ${search.explainNote}.`, '');
    if (planned.length) {
      const wanted = planned.filter((r) => over(r) || (r.probe === 'many' && r.filter === 'none' && r.sort === 'relevance'));
      out.push(
        '### Plans (EXPLAIN ANALYZE, BUFFERS via auto_explain: the slowest statement of one request)',
        '',
        `Shown: every query type unfiltered for \`${search.probes.many?.username ?? 'probe200'}\`, and every row over the target; all plans are in the JSON.`,
        '',
      );
      for (const r of wanted) {
        out.push(
          `<details><summary>${search.probes[r.probe].username} · ${CLASS_LABEL[r.queryClass]} · ${FILTER_LABEL[r.filter]} · ${r.sort} — <code>${r.queries[0]}</code> — ${ms(r.plan!.durationMs)} ms${over(r) ? ' (row over target)' : ''}</summary>`,
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
