/**
 * Fills a dedicated database for the `search` scenario: 1,000 users, 500 rooms (public, private, direct),
 * memberships, and N messages (1,000,000 by default) of realistic text (bench/search-text.ts), fast:
 *
 * - the app's migrations first (lib/postgres/migrate.ts, as server start does);
 * - users, rooms and memberships as plain multi-row INSERTs (a few thousand rows);
 * - messages generated in Node, in global time order (ids grow with created_at, as in a live database),
 *   and sent as `INSERT … SELECT FROM unnest($arrays)`, batches of 10,000, on two connections at once,
 *   with every secondary index of `messages` dropped during the load and rebuilt afterwards (one sorted
 *   build is many times faster than a million GIN insertions) and foreign-key triggers off for those
 *   sessions (session_replication_role = replica: every reference is made valid by construction);
 * - rooms.last_seq set from the data, then VACUUM ANALYZE.
 *
 * Every row satisfies the migrations' CHECK constraints (they stay on). A marker table records what was
 * seeded: a database that already holds the requested dataset is used as it is (seeding 1M takes minutes).
 * The index definitions are parked in a table while they are dropped, so an interrupted seed is repaired by
 * the next one.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { prng, textGenerator, weightedSampler, zipfWeights } from './search-text';

/** Bump when the generated dataset changes: a database seeded by another version is seeded again. */
export const SEED_VERSION = 1;
const SEED = 11;

export const SEARCH_USERS = 1_000;
export const SEARCH_ROOMS = 500;
const DIRECT_ROOMS = 40;
const PRIVATE_ROOMS = 40;
const DAYS = 730;
/** The users whose searches are measured: one in exactly 5 rooms, one in exactly 200. */
export const PROBES = { few: { username: 'probe5', rooms: 5 }, many: { username: 'probe200', rooms: 200 } } as const;

const BATCH = 10_000;
const CONNECTIONS = 2;

export interface SeedOptions {
  url: string;
  messages: number;
  log: (message: string) => void;
}

export interface SeedReport {
  /** false: the database already held this dataset. */
  seeded: boolean;
  messages: number;
  /** Seconds: generating and inserting the messages, rebuilding the indexes, VACUUM ANALYZE, all (this run, or the run that seeded it). */
  loadS: number;
  indexS: number;
  vacuumS: number;
  totalS: number;
  /** Index rebuild times, name → seconds. */
  indexBuilds: Record<string, number>;
}

const MARKER = 'bench_search_seed';
const PARKED = 'bench_search_parked_indexes';

const FIRST_NAMES = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi', 'ivan', 'judy', 'mallory', 'niaj', 'olivia', 'peggy', 'rupert', 'sybil', 'trent', 'victor', 'walter', 'yasmin', 'zoe', 'amir', 'bea', 'chen', 'dmitri', 'elena', 'fatima', 'goran', 'hana', 'ines', 'jonas', 'kenji', 'lucia', 'marta', 'noor', 'oskar', 'priya', 'quinn', 'rosa', 'sven', 'tomas', 'uma', 'vera', 'wei', 'ximena', 'yusuf', 'zanele', 'aiko', 'bruno', 'chloé', 'diego'];
const LAST_INITIALS = 'abcdefghijklmnopqrstuvwxyz';
const TEAMS = ['backend', 'frontend', 'ops', 'design', 'sales', 'support', 'data', 'mobile', 'infra', 'security', 'qa', 'marketing', 'finance', 'people', 'legal', 'research', 'platform', 'payments', 'growth', 'search', 'billing', 'android', 'ios', 'web', 'api', 'docs', 'devrel', 'sre', 'ml', 'analytics'];
const TOPICS = ['', 'standup', 'alerts', 'random', 'help', 'releases', 'oncall', 'reviews', 'incidents', 'planning', 'announcements', 'hiring', 'social', 'builds', 'deploys', 'triage'];

function base62(bytes: Buffer, length: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let id = '';
  for (let i = 0; id.length < length; i += 1) id += alphabet[bytes[i % bytes.length]! % 62];
  return id;
}

function uuidFrom(random: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16));
  hex[12] = '4';
  hex[16] = ((Math.floor(random() * 4) & 0x3) | 0x8).toString(16);
  const h = hex.join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

interface SeedUser {
  id: string;
  username: string;
  displayName: string;
}
interface SeedRoom {
  id: string;
  name: string;
  kind: 'public' | 'private' | 'direct';
  members: number[];
  /** Messages are drawn by this weight (busy rooms first). */
  weight: number;
}

/** The database name the scenario uses for a dataset of `messages` (each size its own database, so 1M and 5M can coexist). */
export function searchDatabaseName(messages: number): string {
  return `parley_search_${messages >= 1_000_000 && messages % 1_000_000 === 0 ? `${messages / 1_000_000}m` : messages}`;
}

/** Users, rooms and memberships: deterministic for the seed, except ids. */
function buildPeople(): { users: SeedUser[]; rooms: SeedRoom[]; probeFew: number; probeMany: number } {
  const random = prng(SEED);
  const users: SeedUser[] = [];
  const taken = new Set<string>();
  for (let i = 0; users.length < SEARCH_USERS - 2; i += 1) {
    const first = FIRST_NAMES[i % FIRST_NAMES.length]!;
    const initial = LAST_INITIALS[Math.floor(random() * 26)]!;
    let username = `${first.normalize('NFD').replace(/\p{M}/gu, '')}.${initial}`;
    for (let n = 2; taken.has(username); n += 1) username = `${first.normalize('NFD').replace(/\p{M}/gu, '')}.${initial}${n}`;
    taken.add(username);
    users.push({ id: uuidFrom(random), username, displayName: `${first[0]!.toUpperCase()}${first.slice(1)} ${initial.toUpperCase()}.` });
  }
  const probeFew = users.push({ id: uuidFrom(random), username: PROBES.few.username, displayName: 'Probe Five' }) - 1;
  const probeMany = users.push({ id: uuidFrom(random), username: PROBES.many.username, displayName: 'Probe Two Hundred' }) - 1;

  // Rooms by activity rank: message weight ~ 1 / (rank + 4); direct conversations are quieter.
  const kinds: SeedRoom['kind'][] = Array.from({ length: SEARCH_ROOMS }, (_, i) => (i < DIRECT_ROOMS ? 'direct' : i < DIRECT_ROOMS + PRIVATE_ROOMS ? 'private' : 'public'));
  for (let i = kinds.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [kinds[i], kinds[j]] = [kinds[j]!, kinds[i]!];
  }
  kinds[0] = 'public'; // the busiest rooms are public, as #general is
  kinds[1] = 'public';
  const names = new Set<string>();
  const roomName = (rank: number) => {
    const special = ['general', 'random', 'announcements', 'watercooler'];
    if (rank < special.length && !names.has(special[rank]!)) return special[rank]!;
    for (;;) {
      const team = TEAMS[Math.floor(random() * TEAMS.length)]!;
      const topic = TOPICS[Math.floor(random() * TOPICS.length)]!;
      let name = topic ? `${team}-${topic}` : team;
      if (names.has(name)) name = `${name}-${2 + Math.floor(random() * 30)}`;
      if (!names.has(name)) return name;
    }
  };
  // Sociability: some people are in many rooms; the probes are placed by hand.
  const userWeights = zipfWeights(SEARCH_USERS - 2, 0.7, 20);
  const sampleUser = weightedSampler(userWeights);
  const rooms: SeedRoom[] = [];
  for (let rank = 0; rank < SEARCH_ROOMS; rank += 1) {
    const kind = kinds[rank]!;
    const name = kind === 'direct' ? '' : roomName(rank);
    if (name) names.add(name);
    const weight = (kind === 'direct' ? 0.3 : 1) / (rank + 4);
    let members: number[] = [];
    if (kind !== 'direct') {
      const target = Math.max(3, Math.min(350, Math.round(350 * Math.pow(rank + 1, -0.55))));
      const set = new Set<number>();
      for (let tries = 0; set.size < target && tries < target * 20; tries += 1) set.add(sampleUser(random()));
      while (set.size < target) set.add(Math.floor(random() * (SEARCH_USERS - 2)));
      members = [...set];
    }
    rooms.push({ id: base62(randomBytes(16), 10), name, kind, members, weight });
  }
  // Direct conversations: 15 of probe200's, 1 of probe5's, the rest between others (distinct pairs).
  const directs = rooms.filter((r) => r.kind === 'direct');
  const pairs = new Set<string>();
  directs.forEach((room, i) => {
    const a = i < 15 ? probeMany : i === 15 ? probeFew : Math.floor(random() * (SEARCH_USERS - 2));
    let b: number;
    do b = Math.floor(random() * (SEARCH_USERS - 2));
    while (b === a || pairs.has(`${Math.min(a, b)}:${Math.max(a, b)}`));
    pairs.add(`${Math.min(a, b)}:${Math.max(a, b)}`);
    room.members = [a, b];
  });
  // probe5: four named rooms of very different activity (ranks ~2, ~10, ~40, ~150) + one direct conversation.
  const named = rooms.filter((r) => r.kind !== 'direct');
  for (const rank of [2, 10, 40, 150]) named[rank]!.members.push(probeFew);
  // probe200: the 100 busiest named rooms, 85 more spread over the rest, 15 direct conversations.
  const rest = named.slice(100);
  const step = rest.length / 85;
  for (let k = 0; k < 100; k += 1) named[k]!.members.push(probeMany);
  for (let k = 0; k < 85; k += 1) rest[Math.floor(k * step)]!.members.push(probeMany);
  return { users, rooms, probeFew, probeMany };
}

async function parkedIndexes(client: pg.Client): Promise<{ name: string; def: string }[]> {
  return (await client.query<{ name: string; def: string }>(`SELECT name, def FROM ${PARKED} ORDER BY name`)).rows;
}

/** Rebuilds indexes parked by an earlier (possibly interrupted) seed; returns seconds per index. */
async function restoreIndexes(client: pg.Client, log: SeedOptions['log']): Promise<Record<string, number>> {
  const builds: Record<string, number> = {};
  await client.query(`SET maintenance_work_mem = '1GB'`);
  await client.query(`SET max_parallel_maintenance_workers = 2`);
  for (const { name, def } of await parkedIndexes(client)) {
    const t = performance.now();
    const exists = (await client.query(`SELECT 1 FROM pg_class WHERE relname = $1 AND relkind = 'i'`, [name])).rowCount;
    if (!exists) await client.query(def);
    await client.query(`DELETE FROM ${PARKED} WHERE name = $1`, [name]);
    builds[name] = Math.round((performance.now() - t) / 100) / 10;
    if (!exists) log(`search seed: index ${name} built in ${builds[name]} s`);
  }
  await client.query(`RESET maintenance_work_mem`);
  await client.query(`RESET max_parallel_maintenance_workers`);
  return builds;
}

/** Seeds `url` unless it already holds this dataset (see the file comment). */
export async function seedSearchDatabase(options: SeedOptions): Promise<SeedReport> {
  const { url, messages, log } = options;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`CREATE TABLE IF NOT EXISTS ${MARKER} (
      id int PRIMARY KEY DEFAULT 1, version int NOT NULL, messages int NOT NULL, finished_at timestamptz,
      load_s float8, index_s float8, vacuum_s float8, total_s float8, index_builds jsonb)`);
    await client.query(`CREATE TABLE IF NOT EXISTS ${PARKED} (name text PRIMARY KEY, def text NOT NULL)`);
    const marker = (
      await client.query<{ version: number; messages: number; finished_at: Date | null; load_s: number; index_s: number; vacuum_s: number; total_s: number; index_builds: Record<string, number> }>(
        `SELECT * FROM ${MARKER} WHERE id = 1`,
      )
    ).rows[0];
    const parked = await parkedIndexes(client);
    if (marker && marker.finished_at && marker.version === SEED_VERSION && marker.messages === messages && parked.length === 0) {
      log(`search seed: the database already holds ${messages.toLocaleString('en-US')} messages (seeded ${marker.finished_at.toISOString()}); not seeding`);
      return { seeded: false, messages, loadS: marker.load_s, indexS: marker.index_s, vacuumS: marker.vacuum_s, totalS: marker.total_s, indexBuilds: marker.index_builds ?? {} };
    }

    const t0 = performance.now();
    log(`search seed: seeding ${messages.toLocaleString('en-US')} messages, ${SEARCH_USERS} users, ${SEARCH_ROOMS} rooms`);
    await restoreIndexes(client, log); // an interrupted earlier seed: its indexes come back before the TRUNCATE
    await client.query(`DELETE FROM ${MARKER}`);
    // Every table that references users or rooms goes too (CASCADE), whatever later migrations add.
    await client.query('TRUNCATE users, rooms, rate_limit_counters RESTART IDENTITY CASCADE');

    const { users, rooms } = buildPeople();
    const passwordHash = `$2b$11$${randomBytes(40).toString('base64').replace(/[^A-Za-z0-9]/g, '').slice(0, 53)}`;
    const now = Date.now();
    const start = now - DAYS * 86_400_000;
    const ts = (ms: number) => new Date(ms).toISOString();
    await client.query(
      `INSERT INTO users (id, username, display_name, password_hash, created_at)
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::timestamptz[])`,
      [users.map((u) => u.id), users.map((u) => u.username), users.map((u) => u.displayName), users.map(() => passwordHash), users.map(() => ts(start - 30 * 86_400_000))],
    );
    const owner = (r: SeedRoom) => users[r.members[0]!]!.id;
    await client.query(
      `INSERT INTO rooms (id, name, name_key, direct_key, description, kind, password_hash, owner_id, created_at)
       SELECT id, name, name_key, direct_key, '', kind::room_kind, password_hash, owner_id, created_at
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::uuid[], $8::timestamptz[])
         AS t(id, name, name_key, direct_key, kind, password_hash, owner_id, created_at)`,
      [
        rooms.map((r) => r.id),
        rooms.map((r) => r.name),
        rooms.map((r) => (r.kind === 'direct' ? null : r.name.toLowerCase())),
        rooms.map((r) => {
          if (r.kind !== 'direct') return null;
          const [a, b] = [users[r.members[0]!]!.id, users[r.members[1]!]!.id];
          return a < b ? `${a}:${b}` : `${b}:${a}`;
        }),
        rooms.map((r) => r.kind),
        rooms.map((r) => (r.kind === 'private' ? passwordHash : null)),
        rooms.map(owner),
        rooms.map(() => ts(start - 7 * 86_400_000)),
      ],
    );
    const memberRows = rooms.flatMap((r) => r.members.map((m, k) => ({ roomId: r.id, userId: users[m]!.id, role: k === 0 && r.kind !== 'direct' ? 'owner' : 'member' })));
    // Normal session: the member-count trigger keeps rooms.member_count.
    await client.query(
      `INSERT INTO memberships (room_id, user_id, role, joined_at)
       SELECT room_id, user_id, role::member_role, $4::timestamptz FROM unnest($1::text[], $2::uuid[], $3::text[]) AS t(room_id, user_id, role)`,
      [memberRows.map((m) => m.roomId), memberRows.map((m) => m.userId), memberRows.map((m) => m.role), ts(start - 7 * 86_400_000)],
    );
    log(`search seed: ${users.length} users, ${rooms.length} rooms, ${memberRows.length} memberships`);

    // Park and drop the secondary indexes of messages (the primary key stays: other tables reference it).
    const indexes = (
      await client.query<{ name: string; def: string }>(
        `SELECT c.relname AS name, pg_get_indexdef(i.indexrelid) AS def
         FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
         WHERE i.indrelid = 'messages'::regclass AND NOT i.indisprimary`,
      )
    ).rows;
    for (const { name, def } of indexes) {
      await client.query(`INSERT INTO ${PARKED} (name, def) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET def = EXCLUDED.def`, [name, def]);
      await client.query(`DROP INDEX "${name.replaceAll('"', '""')}"`);
    }

    // Messages, in global time order.
    const tLoad = performance.now();
    const random = prng(SEED + 1);
    const text = textGenerator(SEED + 2);
    const sampleRoom = weightedSampler(rooms.map((r) => r.weight));
    const authorSamplers = rooms.map((r) => weightedSampler(zipfWeights(r.members.length, 1.1)));
    // Members talk in a room in an order of their own (not the membership order, whose first is the owner).
    const talkers = rooms.map((r) => {
      const order = [...r.members];
      for (let i = order.length - 1; i > 0; i -= 1) {
        const j = Math.floor(random() * (i + 1));
        [order[i], order[j]] = [order[j]!, order[i]!];
      }
      return order;
    });
    const seqs = new Int32Array(rooms.length);
    const span = now - 3_600_000 - start;
    const pool = Array.from({ length: CONNECTIONS }, () => new pg.Client({ connectionString: url }));
    await Promise.all(pool.map((c) => c.connect()));
    try {
      // Every room and author exists (inserted above): skip the per-row foreign-key triggers (superuser
      // only) — unless `messages` has triggers of its own, which replica mode would skip too.
      const ownTriggers = (await client.query(`SELECT 1 FROM pg_trigger WHERE tgrelid = 'messages'::regclass AND NOT tgisinternal`)).rowCount;
      for (const c of pool) {
        if (!ownTriggers) {
          await c.query(`SET session_replication_role = replica`).catch(() => log('search seed: cannot turn foreign-key triggers off (not a superuser); loading with them'));
        }
        await c.query(`SET synchronous_commit = off`);
      }
      const inFlight: Promise<unknown>[] = new Array(CONNECTIONS).fill(Promise.resolve());
      let lastLog = performance.now();
      for (let from = 0, batch = 0; from < messages; from += BATCH, batch += 1) {
        const n = Math.min(BATCH, messages - from);
        const roomIds = new Array<string>(n);
        const seqCol = new Array<number>(n);
        const authors = new Array<string>(n);
        const bodies = new Array<string>(n);
        const times = new Array<number>(n);
        for (let k = 0; k < n; k += 1) {
          const i = from + k;
          const r = sampleRoom(random());
          const room = rooms[r]!;
          roomIds[k] = room.id;
          seqs[r] = seqs[r]! + 1;
          seqCol[k] = seqs[r]!;
          authors[k] = users[talkers[r]![authorSamplers[r]!(random())]!]!.id;
          bodies[k] = text.message();
          times[k] = (start + ((i + random()) / messages) * span) / 1000;
        }
        const slot = batch % CONNECTIONS;
        await inFlight[slot];
        inFlight[slot] = pool[slot]!.query(
          `INSERT INTO messages (room_id, seq, author_id, client_id, body, created_at)
           SELECT room_id, seq, author_id, gen_random_uuid(), body, to_timestamp(t)
           FROM unnest($1::text[], $2::int[], $3::uuid[], $4::text[], $5::float8[]) AS u(room_id, seq, author_id, body, t)`,
          [roomIds, seqCol, authors, bodies, times],
        );
        if (performance.now() - lastLog > 10_000) {
          lastLog = performance.now();
          const s = (performance.now() - tLoad) / 1000;
          log(`search seed: ${(from + n).toLocaleString('en-US')} messages (${Math.round((from + n) / s).toLocaleString('en-US')}/s)`);
        }
      }
      await Promise.all(inFlight);
    } finally {
      await Promise.all(pool.map((c) => c.end().catch(() => undefined)));
    }
    await client.query(`UPDATE rooms r SET last_seq = s.n FROM unnest($1::text[], $2::int[]) AS s(id, n) WHERE r.id = s.id`, [rooms.map((r) => r.id), Array.from(seqs)]);
    const loadS = Math.round((performance.now() - tLoad) / 100) / 10;
    log(`search seed: ${messages.toLocaleString('en-US')} messages inserted in ${loadS} s; rebuilding ${indexes.length} indexes`);

    const tIndex = performance.now();
    const indexBuilds = await restoreIndexes(client, log);
    const indexS = Math.round((performance.now() - tIndex) / 100) / 10;

    const tVacuum = performance.now();
    await client.query('VACUUM (ANALYZE) users, rooms, memberships, messages');
    await client.query('CHECKPOINT');
    const vacuumS = Math.round((performance.now() - tVacuum) / 100) / 10;
    const totalS = Math.round((performance.now() - t0) / 100) / 10;
    await client.query(
      `INSERT INTO ${MARKER} (id, version, messages, finished_at, load_s, index_s, vacuum_s, total_s, index_builds) VALUES (1, $1, $2, now(), $3, $4, $5, $6, $7)`,
      [SEED_VERSION, messages, loadS, indexS, vacuumS, totalS, JSON.stringify(indexBuilds)],
    );
    log(`search seed: done in ${totalS} s (messages ${loadS} s, indexes ${indexS} s, VACUUM ANALYZE ${vacuumS} s)`);
    return { seeded: true, messages, loadS, indexS, vacuumS, totalS, indexBuilds };
  } finally {
    await client.end();
  }
}
