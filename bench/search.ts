/**
 * The `search` scenario (issue 11): message search latency over HTTP at 1M (or 5M) messages.
 *
 * 1. A dedicated, persistent database (an embedded PostgreSQL in `.data/bench-search/`, as Parley ships by
 *    default, or `--search-database-url`), one database per dataset size, migrated as server start does and
 *    seeded by bench/search-seed.ts unless it already holds the dataset.
 * 2. One Parley instance as shipped — server.ts with Next.js (production build, built first when stale) —
 *    on that database, the search rate limit raised for the bench.
 * 3. For each probe user (in 5 rooms, in 200), query class (common word, rare word, prefix, phrase,
 *    substring), filter (none, in:#room, from:@author, after:/before:) and sort (relevance; newest too for
 *    the unfiltered rows): a warm-up, then N timed `GET /api/search` requests, one at a time, each with the
 *    next word of the class and the next filter value (so consecutive requests do not reuse a cached page),
 *    timed from the request to the last byte of the response (HdrHistogram, µs).
 * 4. Index sizes from the catalog; with the embedded database, the plan of the slowest statement of one
 *    request per row, EXPLAIN (ANALYZE, BUFFERS) as auto_explain logs it (the app's own SQL, unchanged).
 */
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as hdr from 'hdr-histogram-js';
import pg from 'pg';
import { PROBES, seedSearchDatabase, searchDatabaseName, type SeedReport } from './search-seed';
import { QUERY_CLASSES, QUERY_WORDS, expectedShare, type QueryClass } from './search-text';
import { waitParleyReady } from './shared';

export const SEARCH_FILTERS = ['none', 'room', 'author', 'date'] as const;
export type SearchFilter = (typeof SEARCH_FILTERS)[number];
export type ProbeKey = keyof typeof PROBES;
/** The issue's target: p95 under this for every query type. */
export const SEARCH_P95_TARGET_MS = 100;

export interface SearchConfig {
  messages: number;
  iterations: number;
  warmup: number;
  /** Stop a row after this many seconds of requests (a pathological query must not hold the run for hours). */
  rowBudgetS: number;
  /** Page size asked for (the UI's default is 20). */
  limit: number;
  dataDir: string;
  databaseUrl: string | undefined;
  explain: boolean;
  latency: boolean;
}

export interface SearchContext {
  repoRoot: string;
  log: (message: string) => void;
  /** Starts a node script (path relative to bench/) with an IPC channel; the orchestrator stops it on exit. */
  spawn: (script: string, env: NodeJS.ProcessEnv) => ChildProcess;
  stopChild: (child: ChildProcess) => Promise<void>;
  boost: (pid: number) => void;
  interrupted: () => boolean;
  authSecret: string;
  /** Registers the embedded PostgreSQL so the orchestrator stops it on exit. */
  ownDatabase: (stop: () => Promise<void>) => void;
}

export interface SearchRow {
  probe: ProbeKey;
  probeRooms: number;
  queryClass: QueryClass;
  filter: SearchFilter;
  sort: 'relevance' | 'newest';
  /** The queries sent, in order (cycled). */
  queries: string[];
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
  /** Average hits per page, and the share of pages that were near matches (no exact match: a second query). */
  hitsAvg: number;
  approximatePct: number;
  errors: Record<string, number>;
  /** The row was cut short by --search-row-budget. */
  truncated: boolean;
  /** Machine-wide busy CPU during the row, % of one core (all cores: up to cores × 100): ours is ≤ ~100. */
  machineBusyPct: number | null;
  /**
   * One more request with auto_explain on: its HTTP time, every statement's time summed (how much of the
   * request was the database), and EXPLAIN (ANALYZE, BUFFERS) of its slowest statement.
   */
  plan?: { query: string; durationMs: number; text: string; statements: number; totalDbMs: number; httpMs: number };
  /**
   * A statement of that request hit the app's statement_timeout (auto_explain never sees it): the bench ran
   * it again from the log (text and parameters) with EXPLAIN (ANALYZE, BUFFERS) and a longer timeout, as a
   * generic plan (what the app's named statements use after five executions) and as a custom plan.
   */
  timedOut?: { query: string; generic: string; custom: string };
}

export interface IndexSize {
  name: string;
  method: string;
  bytes: number;
  search: boolean;
  definition: string;
}

export interface SearchResult {
  messages: number;
  database: string;
  postgres: string;
  settings: Record<string, string>;
  seed: SeedReport;
  probes: Record<ProbeKey, { username: string; rooms: number; visibleMessages: number; roomFilters: string[]; authorFilters: string[] }>;
  dateFilters: string[];
  iterations: number;
  warmup: number;
  limit: number;
  rows: SearchRow[];
  sizes: {
    heapBytes: number;
    toastBytes: number;
    totalBytes: number;
    indexes: IndexSize[];
    /** Σ pg_column_size of the tsvector column(s) and of body. */
    columns: { name: string; bytes: number; avgBytes: number }[];
    databaseBytes: number;
  };
  /** Words' expected share of messages (from the vocabulary model), for reading the rows. */
  classShares: Record<QueryClass, string>;
  buildS: number | null;
  explainNote?: string;
  error?: string;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function histogram(): hdr.Histogram {
  return hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: 3 });
}

/** The queries of one row: each word of the class with the filter's values, interleaved so both vary. */
function rowQueries(queryClass: QueryClass, filterValues: string[]): string[] {
  const words = QUERY_WORDS[queryClass];
  if (filterValues.length === 0) return [...words];
  const out: string[] = [];
  const n = Math.max(words.length, filterValues.length);
  for (let i = 0; i < n; i += 1) out.push(`${words[i % words.length]} ${filterValues[(i * 3) % filterValues.length]}`);
  return out;
}

/** Where the scenario's database lives and how to reach it: the persistent embedded cluster, or a URL. */
async function openSearchDatabase(cfg: SearchConfig, ctx: SearchContext, logSink: (text: string) => void): Promise<{ url: string; embedded: boolean }> {
  const name = searchDatabaseName(cfg.messages);
  if (cfg.databaseUrl) {
    const url = new URL(cfg.databaseUrl);
    const admin = new pg.Client({ connectionString: cfg.databaseUrl });
    await admin.connect();
    try {
      const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
      if (!exists.rowCount) await admin.query(`CREATE DATABASE "${name}"`);
    } finally {
      await admin.end();
    }
    url.pathname = `/${name}`;
    return { url: url.toString(), embedded: false };
  }
  const { startEmbeddedPostgres } = await import('../lib/postgres/embedded');
  const { freePort } = await import('../lib/testing/free-port');
  mkdirSync(cfg.dataDir, { recursive: true });
  const server = await startEmbeddedPostgres({
    dataDir: path.join(cfg.dataDir, 'pg'),
    port: await freePort(),
    database: name,
    persistent: true,
    log: (level, message) => {
      if (level === 'debug') logSink(message);
      else ctx.log(`search database: ${message}`);
    },
  });
  ctx.ownDatabase(() => server.stop());
  if (server.pid) ctx.boost(server.pid);
  return { url: server.url, embedded: true };
}

/**
 * A migration edited after this database applied it (a branch still shaping its migration) is never applied
 * again, so the database would be measured with a schema the code no longer has: start it over.
 */
async function recreateIfMigrationsChanged(url: string, log: (message: string) => void): Promise<void> {
  const { readMigrations } = await import('../lib/postgres/migrate');
  const files = new Map(readMigrations().map((m) => [m.name, m.checksum]));
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  let changed: string[] = [];
  try {
    const exists = (await client.query(`SELECT to_regclass('_prisma_migrations') IS NOT NULL AS ok`)).rows[0]?.ok === true;
    if (!exists) return;
    const { rows } = await client.query<{ migration_name: string; checksum: string }>('SELECT migration_name, checksum FROM _prisma_migrations WHERE rolled_back_at IS NULL');
    changed = rows.filter((r) => files.has(r.migration_name) && files.get(r.migration_name) !== r.checksum).map((r) => r.migration_name);
  } finally {
    await client.end();
  }
  if (!changed.length) return;
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  log(`search database: ${changed.join(', ')} changed since ${name} was made: recreating it`);
  target.pathname = '/postgres';
  const admin = new pg.Client({ connectionString: target.toString() });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE "${name.replaceAll('"', '""')}" WITH (FORCE)`);
    await admin.query(`CREATE DATABASE "${name.replaceAll('"', '""')}"`);
  } finally {
    await admin.end();
  }
}

interface Probe {
  key: ProbeKey;
  userId: string;
  username: string;
  cookie: string;
  rooms: number;
  visibleMessages: number;
  roomFilters: string[];
  authorFilters: string[];
}

async function loadProbes(client: pg.Client, cookies: Record<ProbeKey, string>): Promise<Probe[]> {
  const probes: Probe[] = [];
  for (const key of Object.keys(PROBES) as ProbeKey[]) {
    const { username } = PROBES[key];
    const user = (await client.query<{ id: string }>('SELECT id::text FROM users WHERE username = $1', [username])).rows[0];
    if (!user) throw new Error(`probe user ${username} is missing from the search database`);
    const rooms = (
      await client.query<{ id: string; name: string; kind: string; last_seq: number; peer: string | null }>(
        `SELECT r.id, r.name, r.kind::text, r.last_seq,
                (SELECT u.username FROM memberships p JOIN users u ON u.id = p.user_id WHERE p.room_id = r.id AND p.user_id <> $1::uuid LIMIT 1) AS peer
         FROM memberships m JOIN rooms r ON r.id = m.room_id WHERE m.user_id = $1::uuid ORDER BY r.last_seq DESC`,
        [user.id],
      )
    ).rows;
    const named = rooms.filter((r) => r.kind !== 'direct');
    // A spread of activity: the busiest rooms and quieter ones; and one direct conversation (in:@peer).
    const n = named.length;
    const picks = [0, 1, 2, 3, Math.floor(n / 4), Math.floor(n / 2), Math.floor((3 * n) / 4), n - 1].filter((i) => i >= 0 && i < n);
    const roomFilters = [...new Set(picks.map((i) => `in:#${named[i]!.name}`))];
    const direct = rooms.find((r) => r.kind === 'direct' && r.peer);
    if (direct) roomFilters.push(`in:@${direct.peer}`);
    const roomIds = rooms.map((r) => r.id);
    const authors = (
      await client.query<{ username: string }>(
        `SELECT u.username FROM (SELECT author_id, count(*) AS n FROM messages WHERE room_id = ANY($1::text[]) AND author_id <> $2::uuid
                                 GROUP BY author_id ORDER BY n DESC LIMIT 8) a
         JOIN users u ON u.id = a.author_id ORDER BY a.n DESC`,
        [roomIds, user.id],
      )
    ).rows;
    const visible = rooms.reduce((t, r) => t + r.last_seq, 0);
    probes.push({
      key,
      userId: user.id,
      username,
      cookie: cookies[key],
      rooms: rooms.length,
      visibleMessages: visible,
      roomFilters,
      authorFilters: authors.map((a) => `from:@${a.username}`),
    });
  }
  return probes;
}

/** 60-day windows at eight points of the dataset's two years: `after:… before:…`. */
async function dateFilters(client: pg.Client): Promise<string[]> {
  const { rows } = await client.query<{ lo: Date; hi: Date }>('SELECT min(created_at) AS lo, max(created_at) AS hi FROM messages');
  const lo = rows[0]!.lo.getTime();
  const hi = rows[0]!.hi.getTime();
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  const window = 60 * 86_400_000;
  return Array.from({ length: 8 }, (_, i) => {
    const from = lo + ((hi - lo - window) * i) / 7;
    return `after:${day(from)} before:${day(from + window)}`;
  });
}

async function catalogSizes(client: pg.Client): Promise<SearchResult['sizes']> {
  const table = (
    await client.query<{ heap: string; toast: string; total: string; db: string }>(
      `SELECT pg_relation_size('messages') AS heap,
              coalesce(pg_total_relation_size(nullif(reltoastrelid, 0)), 0) AS toast,
              pg_total_relation_size('messages') AS total,
              pg_database_size(current_database()) AS db
       FROM pg_class WHERE oid = 'messages'::regclass`,
    )
  ).rows[0]!;
  const indexes = (
    await client.query<{ name: string; method: string; bytes: string; definition: string }>(
      `SELECT c.relname AS name, am.amname AS method, pg_relation_size(c.oid) AS bytes, pg_get_indexdef(c.oid) AS definition
       FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am am ON am.oid = c.relam
       WHERE i.indrelid = 'messages'::regclass ORDER BY pg_relation_size(c.oid) DESC`,
    )
  ).rows.map((r) => ({
    name: r.name,
    method: r.method,
    bytes: Number(r.bytes),
    definition: r.definition,
    // The same rule as the writer ladder's (run.ts searchSchema): GIN/GiST, or any index on body.
    search: r.method === 'gin' || r.method === 'gist' || /\bbody\b/.test(r.definition),
  }));
  const tsColumns = (
    await client.query<{ name: string }>(
      `SELECT attname AS name FROM pg_attribute WHERE attrelid = 'messages'::regclass AND atttypid = 'tsvector'::regtype AND NOT attisdropped AND attnum > 0`,
    )
  ).rows.map((r) => r.name);
  const cols = ['body', ...tsColumns];
  const sums = (
    await client.query<Record<string, string>>(
      `SELECT count(*) AS n, ${cols.map((c, i) => `coalesce(sum(pg_column_size("${c.replaceAll('"', '""')}")), 0) AS c${i}`).join(', ')} FROM messages`,
    )
  ).rows[0]!;
  const n = Number(sums.n) || 1;
  return {
    heapBytes: Number(table.heap),
    toastBytes: Number(table.toast),
    totalBytes: Number(table.total),
    indexes,
    columns: cols.map((name, i) => ({ name, bytes: Number(sums[`c${i}`]), avgBytes: Math.round((Number(sums[`c${i}`]) / n) * 10) / 10 })),
    databaseBytes: Number(table.db),
  };
}

interface Measured {
  hist: hdr.Histogram;
  hits: number;
  approximate: number;
  ok: number;
  errors: Record<string, number>;
  truncated: boolean;
}

async function searchOnce(base: string, probe: Probe, q: string, sort: string, limit: number): Promise<{ status: number; hits: number; approximate: boolean; error?: string }> {
  const url = `${base}/api/search?${new URLSearchParams({ q, sort, limit: String(limit) }).toString()}`;
  const res = await fetch(url, { headers: { cookie: probe.cookie } });
  const text = await res.text();
  if (res.status !== 200) {
    let code = `HTTP ${res.status}`;
    try {
      const body = JSON.parse(text) as { error?: { code?: string } };
      if (body.error?.code) code += ` ${body.error.code}`;
    } catch {
      /* not JSON */
    }
    return { status: res.status, hits: 0, approximate: false, error: code };
  }
  const page = JSON.parse(text) as { hits?: unknown[]; approximate?: boolean };
  return { status: 200, hits: page.hits?.length ?? 0, approximate: page.approximate === true };
}

async function measureRow(base: string, probe: Probe, queries: string[], sort: string, cfg: SearchConfig, offset: number): Promise<Measured> {
  const hist = histogram();
  const m: Measured = { hist, hits: 0, approximate: 0, ok: 0, errors: {}, truncated: false };
  // The warm-up takes the cycle's first queries; the timed requests go on from there.
  for (let i = 0; i < cfg.warmup; i += 1) await searchOnce(base, probe, queries[(offset + i) % queries.length]!, sort, cfg.limit).catch(() => undefined);
  offset += cfg.warmup;
  const started = performance.now();
  for (let i = 0; i < cfg.iterations; i += 1) {
    if ((performance.now() - started) / 1000 > cfg.rowBudgetS) {
      m.truncated = true;
      break;
    }
    const q = queries[(offset + i) % queries.length]!;
    const t = performance.now();
    let r: Awaited<ReturnType<typeof searchOnce>>;
    try {
      r = await searchOnce(base, probe, q, sort, cfg.limit);
    } catch (error) {
      r = { status: 0, hits: 0, approximate: false, error: error instanceof Error ? error.message : String(error) };
    }
    hist.recordValue(Math.max(1, Math.round((performance.now() - t) * 1000)));
    if (r.error) m.errors[r.error] = (m.errors[r.error] ?? 0) + 1;
    else {
      m.ok += 1;
      m.hits += r.hits;
      if (r.approximate) m.approximate += 1;
    }
  }
  return m;
}

/**
 * auto_explain, switched on for the whole cluster only during the explain pass (ALTER SYSTEM + reload reach
 * the app's pooled connections too); the plans arrive in PostgreSQL's log, which the embedded server hands us.
 */
async function withAutoExplain<T>(admin: pg.Client, on: boolean, body: () => Promise<T>): Promise<T> {
  const settings: [string, string][] = [
    ['auto_explain.log_min_duration', on ? '0' : '-1'],
    ['auto_explain.log_analyze', 'on'],
    ['auto_explain.log_buffers', 'on'],
    ['auto_explain.log_timing', 'on'],
    ['auto_explain.log_format', 'text'],
    // A statement cancelled by the app's statement_timeout is not explained: log its parameters, to re-run it.
    ['log_parameter_max_length_on_error', on ? '-1' : '0'],
  ];
  await admin.query(`LOAD 'auto_explain'`);
  for (const [name, value] of settings) await admin.query(`ALTER SYSTEM SET ${name} = '${value}'`);
  await admin.query('SELECT pg_reload_conf()');
  await sleep(300);
  try {
    return await body();
  } finally {
    for (const [name] of settings) await admin.query(`ALTER SYSTEM RESET ${name}`);
    await admin.query('SELECT pg_reload_conf()');
  }
}

/** The plan of the slowest statement in a chunk of PostgreSQL log (auto_explain text format), and all statements' time. */
function slowestPlan(log: string, httpMs: number): SearchRow['plan'] | undefined {
  const entries = log.split(/(?=^.*LOG:\s+duration: [\d.]+ ms\s+plan:)/m);
  let best: Omit<NonNullable<SearchRow['plan']>, 'statements' | 'totalDbMs' | 'httpMs'> | undefined;
  let statements = 0;
  let totalDbMs = 0;
  for (const entry of entries) {
    const m = /LOG:\s+duration: ([\d.]+) ms\s+plan:\n([\s\S]*)/.exec(entry);
    if (!m) continue;
    const durationMs = Number(m[1]);
    statements += 1;
    totalDbMs += durationMs;
    // Keep only the plan's own lines (tab-indented), not later, unrelated log lines.
    const lines = m[2]!.split('\n');
    const planLines: string[] = [];
    for (const line of lines) {
      if (planLines.length > 0 && !/^\s/.test(line) && line.trim() !== '') break;
      planLines.push(line.replace(/^\t/, ''));
    }
    const text = planLines.join('\n').trim();
    const query = /Query Text: ([\s\S]*?)\n(?=\S|\s*[A-Z][a-zA-Z ]+\()/.exec(text)?.[1]?.trim() ?? '';
    if (!best || durationMs > best.durationMs) best = { query, durationMs, text };
  }
  return best && { ...best, statements, totalDbMs: Math.round(totalDbMs * 100) / 100, httpMs: Math.round(httpMs * 100) / 100 };
}

/** A statement cancelled by statement_timeout in a chunk of log: its text and parameters. */
function timedOutStatement(log: string): { sql: string; params: (string | null)[] } | undefined {
  const at = log.indexOf('canceling statement due to statement timeout');
  if (at < 0) return undefined;
  const rest = log.slice(at);
  const context = /with parameters: (.*)/.exec(rest)?.[1] ?? '';
  const statement = /STATEMENT:\s+([\s\S]*)/.exec(rest)?.[1];
  if (!statement) return undefined;
  const lines = statement.split('\n');
  const sqlLines = [lines[0]!];
  for (const line of lines.slice(1)) {
    if (!line.startsWith('\t')) break; // continuation lines of a logged statement are tab-indented
    sqlLines.push(line.slice(1));
  }
  const params: (string | null)[] = [];
  for (const m of context.matchAll(/\$(\d+) = (NULL|'((?:[^']|'')*)')/g)) params[Number(m[1]) - 1] = m[2] === 'NULL' ? null : m[3]!.replaceAll("''", "'");
  return { sql: sqlLines.join('\n'), params };
}

/** EXPLAIN (ANALYZE, BUFFERS) of a logged statement, generic and custom plans, with a long timeout, on a connection of our own. */
async function explainStatement(url: string, sql: string, params: (string | null)[]): Promise<{ generic: string; custom: string }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`SET statement_timeout = '120s'`);
    const args = params.map((p) => (p === null ? 'NULL' : client.escapeLiteral(p))).join(', ');
    const explain = async (mode: 'force_generic_plan' | 'force_custom_plan') => {
      try {
        await client.query(`SET plan_cache_mode = ${mode}`);
        await client.query(`PREPARE bench_search AS ${sql}`);
        const { rows } = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) EXECUTE bench_search${args ? `(${args})` : ''}`);
        return rows.map((r) => r['QUERY PLAN']).join('\n');
      } catch (error) {
        return `(failed: ${error instanceof Error ? error.message : String(error)})`;
      } finally {
        await client.query('DEALLOCATE ALL').catch(() => undefined);
      }
    };
    return { generic: await explain('force_generic_plan'), custom: await explain('force_custom_plan') };
  } finally {
    await client.end();
  }
}

/** Busy ticks of the whole machine (/proc/stat: all but idle and iowait), for "was the machine shared?". */
function machineTicks(): number | null {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    return f.reduce((a, b) => a + b, 0) - (f[3] ?? 0) - (f[4] ?? 0);
  } catch {
    return null;
  }
}

export async function runSearchScenario(cfg: SearchConfig, ctx: SearchContext): Promise<SearchResult> {
  const { log } = ctx;
  let capture: string[] | null = null;
  const logSink = (text: string) => {
    if (capture) capture.push(text);
  };
  const { url, embedded } = await openSearchDatabase(cfg, ctx, logSink);
  await recreateIfMigrationsChanged(url, log);
  const { migrateDatabase } = await import('../lib/postgres/migrate');
  const migrated = await migrateDatabase(url, { log: (m) => log(`search database: ${m}`) });
  if (migrated.applied.length) log(`search database: applied ${migrated.applied.join(', ')}`);
  const seed = await seedSearchDatabase({ url, messages: cfg.messages, log });

  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  let server: ChildProcess | undefined;
  try {
    if (embedded) await admin.query(`ALTER DATABASE "${searchDatabaseName(cfg.messages)}" SET session_preload_libraries = 'auto_explain'`);
    const settings = Object.fromEntries(
      (
        await admin.query<{ name: string; setting: string }>(
          `SELECT name, current_setting(name) AS setting FROM pg_settings WHERE name IN ('shared_buffers', 'work_mem', 'effective_cache_size', 'random_page_cost', 'max_parallel_workers_per_gather', 'jit')`,
        )
      ).rows.map((r) => [r.name, r.setting]),
    );
    const postgres = (await admin.query<{ server_version: string }>('SHOW server_version')).rows[0]!.server_version;

    // Sessions for the probes, minted as the integration tests do (a session row + the Auth.js cookie).
    const { configureDatabase, disconnectDb } = await import('../lib/db');
    const { signInAs } = await import('../lib/testing/realtime');
    configureDatabase(url);
    const cookies = {} as Record<ProbeKey, string>;
    try {
      for (const key of Object.keys(PROBES) as ProbeKey[]) {
        const row = (await admin.query<{ id: string; display_name: string }>('SELECT id::text, display_name FROM users WHERE username = $1', [PROBES[key].username])).rows[0]!;
        cookies[key] = (await signInAs({ id: row.id, username: PROBES[key].username, displayName: row.display_name })).cookie;
      }
    } finally {
      await disconnectDb();
    }
    const probes = await loadProbes(admin, cookies);
    const dates = await dateFilters(admin);

    // The web app must be built for server.ts in production mode.
    const { buildIfStale } = await import('../scripts/build-if-stale');
    const tBuild = performance.now();
    log('search: checking the Next.js production build (builds when stale: a few minutes)');
    const built = await buildIfStale({ ...process.env, NODE_ENV: 'production' }, { root: ctx.repoRoot });
    if (built !== 0) throw new Error(`next build failed (exit ${built})`);
    const buildS = Math.round((performance.now() - tBuild) / 100) / 10;

    const { freePort } = await import('../lib/testing/free-port');
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    server = ctx.spawn('../server.ts', {
      ...process.env,
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: String(port),
      DATABASE_URL: url,
      AUTH_SECRET: ctx.authSecret,
      LOG_LEVEL: 'warn',
      RATE_LIMIT_SEARCHES_PER_10S: '1000000',
      RATE_LIMIT_API_PER_SECOND: '1000000', // a few users ask at machine speed: the per-user API budget is not measured here
    });
    log(`search: starting Parley (server.ts, production) on ${base}`);
    await waitParleyReady(base, server, 180_000);

    const rows: SearchRow[] = [];
    const plan: { probe: Probe; queryClass: QueryClass; filter: SearchFilter; sort: 'relevance' | 'newest'; queries: string[] }[] = [];
    for (const probe of probes) {
      for (const queryClass of QUERY_CLASSES) {
        for (const filter of SEARCH_FILTERS) {
          const values = filter === 'room' ? probe.roomFilters : filter === 'author' ? probe.authorFilters : filter === 'date' ? dates : [];
          const queries = rowQueries(queryClass, values);
          plan.push({ probe, queryClass, filter, sort: 'relevance', queries });
          if (filter === 'none') plan.push({ probe, queryClass, filter, sort: 'newest', queries });
        }
      }
    }
    log(`search: ${plan.length} rows × (${cfg.warmup} warm-up + ${cfg.iterations}) requests, one at a time`);
    for (const [i, p] of plan.entries()) {
      if (ctx.interrupted()) break;
      const ticks0 = machineTicks();
      const t0 = performance.now();
      const m = await measureRow(base, p.probe, p.queries, p.sort, cfg, i);
      const ticks1 = machineTicks();
      // USER_HZ is 100 on Linux: ticks per second per core.
      const machineBusyPct = ticks0 === null || ticks1 === null ? null : Math.round(((ticks1 - ticks0) / ((performance.now() - t0) / 1000)) * 10) / 10;
      const h = m.hist;
      const msOf = (us: number) => Math.round(us) / 1000;
      const row: SearchRow = {
        probe: p.probe.key,
        probeRooms: p.probe.rooms,
        queryClass: p.queryClass,
        filter: p.filter,
        sort: p.sort,
        queries: p.queries,
        count: h.totalCount,
        p50: msOf(h.getValueAtPercentile(50)),
        p95: msOf(h.getValueAtPercentile(95)),
        p99: msOf(h.getValueAtPercentile(99)),
        max: msOf(h.maxValue),
        mean: msOf(h.mean),
        hitsAvg: m.ok ? Math.round((m.hits / m.ok) * 10) / 10 : 0,
        approximatePct: m.ok ? Math.round((m.approximate / m.ok) * 1000) / 10 : 0,
        errors: m.errors,
        truncated: m.truncated,
        machineBusyPct,
      };
      rows.push(row);
      log(
        `search: ${p.probe.username} ${p.queryClass} ${p.filter} ${p.sort}: p50 ${row.p50} / p95 ${row.p95} / p99 ${row.p99} / max ${row.max} ms, ` +
          `${row.hitsAvg} hits${row.approximatePct ? `, ${row.approximatePct} % near matches` : ''}${Object.keys(m.errors).length ? `, errors ${JSON.stringify(m.errors)}` : ''}` +
          `${row.p95 >= SEARCH_P95_TARGET_MS ? ' — over target' : ''}`,
      );
    }

    let explainNote: string | undefined;
    if (cfg.explain && embedded && !ctx.interrupted()) {
      log('search: explain pass (auto_explain: EXPLAIN ANALYZE BUFFERS of one request per row)');
      await withAutoExplain(admin, true, async () => {
        for (const [i, p] of plan.entries()) {
          const row = rows[i];
          if (!row || ctx.interrupted()) break;
          capture = [];
          const t = performance.now();
          await searchOnce(base, p.probe, p.queries[0]!, p.sort, cfg.limit).catch(() => undefined);
          const httpMs = performance.now() - t;
          await sleep(150); // the log arrives through a pipe
          const logged = capture.join('\n');
          row.plan = slowestPlan(logged, httpMs);
          const timedOut = timedOutStatement(logged);
          capture = null;
          if (timedOut) {
            log(`search: ${p.probe.username} ${p.queryClass} ${p.filter} ${p.sort}: a statement timed out; explaining it again with a 120 s timeout`);
            row.timedOut = { query: timedOut.sql, ...(await explainStatement(url, timedOut.sql, timedOut.params)) };
          }
          capture = null;
        }
      });
    } else if (cfg.explain) {
      explainNote = embedded ? 'interrupted' : 'plans are captured only with the embedded database (auto_explain logs to its stderr)';
    }

    log('search: measuring index and column sizes');
    const sizes = await catalogSizes(admin);
    const share = (c: QueryClass) => {
      const shares = QUERY_WORDS[c].map((w) => expectedShare(w)).filter((s): s is number => s !== null);
      if (!shares.length) return '';
      const pct = (v: number) => `${(v * 100).toFixed(v < 0.001 ? 3 : 2)} %`;
      return `${pct(Math.min(...shares))}–${pct(Math.max(...shares))}`;
    };
    return {
      messages: cfg.messages,
      database: embedded ? `embedded PostgreSQL (${path.relative(ctx.repoRoot, cfg.dataDir) || cfg.dataDir})` : 'external (--search-database-url)',
      postgres,
      settings,
      seed,
      probes: Object.fromEntries(
        probes.map((p) => [p.key, { username: p.username, rooms: p.rooms, visibleMessages: p.visibleMessages, roomFilters: p.roomFilters, authorFilters: p.authorFilters }]),
      ) as SearchResult['probes'],
      dateFilters: dates,
      iterations: cfg.iterations,
      warmup: cfg.warmup,
      limit: cfg.limit,
      rows,
      sizes,
      classShares: Object.fromEntries(QUERY_CLASSES.map((c) => [c, share(c)])) as Record<QueryClass, string>,
      buildS,
      ...(explainNote ? { explainNote } : {}),
    };
  } finally {
    if (server) await ctx.stopChild(server);
    await admin.end().catch(() => undefined);
  }
}
