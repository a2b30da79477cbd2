/**
 * Message search on PostgreSQL alone (docs/protocol.md "GET /api/search").
 *
 * Two indexes do the matching, both kept by PostgreSQL on every write (migration 20261130010000):
 * - `messages.search_vector`, a generated tsvector (English word forms, accents folded), GIN-indexed: words,
 *   word prefixes, phrases, and the relevance rank;
 * - a trigram GIN index on `parley_fold(body)`: substrings (inside words, in scripts without spaces) and,
 *   when nothing matches exactly, near matches for typos.
 *
 * Privacy lives in the main query: every hit must be in a room the searcher is a member of at that moment
 * (or, with scope "all", a public room), as a semi-join in the same statement, so nothing read before it
 * (filters, cursors) can widen what it returns. User text reaches SQL only as bound parameters: words go
 * through plainto_tsquery / phraseto_tsquery (which accept any text) and LIKE patterns are escaped.
 */
import { Prisma } from '@/generated/prisma/client.ts';
import { z } from 'zod';
import { getDb } from '../db';
import { getEnv } from '../env';
import { AppError } from '../errors';
import { consumeAttempt, sharedLimiter, type LimitPolicy } from '../rate-limit';
import type { ChatMessage } from '../schemas/message';
import type { RoomKind } from '../schemas/room';
import type { SearchHit, SearchPage, SearchQuery, SearchRoom } from '../schemas/search';
import type { PublicUser } from '../schemas/user';
import { dayBounds } from '../search/days';
import { parseSearch, SearchSyntaxError, wordRuns, type ParsedSearch, type SearchTerm } from '../search/query';
import { buildSnippet, fold, type Highlighter } from '../search/snippet';
import { messageColumns, toChatMessage, type MessageRow } from './message-rows';

/** A search that runs longer is stopped: one user's query must not hold a connection and a core. */
const SEARCH_STATEMENT_TIMEOUT_MS = 5_000;
/** Looking for near matches is a bonus: it gets less time, and running out of it is not an error. */
const NEAR_MATCH_TIMEOUT_MS = 1_500;
/** pg_trgm word_similarity a near match needs ("deplyoment" ~ "deployment" is 0.47). */
const NEAR_MATCH_THRESHOLD = 0.45;

const searchPolicy = (): LimitPolicy => ({
  keyPrefix: 'search',
  points: getEnv().RATE_LIMIT_SEARCHES_PER_10S,
  duration: 10,
  blockDuration: 10,
});

// ---------------------------------------------------------------------------------------------------------
// Cursors: the sort key of the last hit. "r" relevance (score, id), "n" newest (id), "a" near matches.

// Scores are ts_rank (0…1) or a sum of at most 10 similarities (0…10): the bound keeps a forged cursor
// inside float4 (PostgreSQL's real), and ids inside bigint.
const cursorScore = z.number().finite().min(0).max(1_000);
const cursorId = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
const cursorSchema = z.union([
  z.tuple([z.literal('n'), cursorId]),
  z.tuple([z.literal('r'), cursorScore, cursorId]),
  z.tuple([z.literal('a'), cursorScore, cursorId]),
]);
type Cursor = z.infer<typeof cursorSchema>;

function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

function badCursor(): AppError {
  return new AppError('INVALID_PAYLOAD', 'The request is invalid.', {
    issues: [{ path: 'cursor', message: 'Not a cursor from this search (use nextCursor as given).' }],
  });
}

function decodeCursor(raw: string): Cursor {
  try {
    return cursorSchema.parse(JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')));
  } catch {
    throw badCursor();
  }
}

// ---------------------------------------------------------------------------------------------------------
// Preparing a query: terms → tsquery text and LIKE patterns (made by PostgreSQL, from bound parameters),
// in:/from: → ids.

interface PreparedTerm extends SearchTerm {
  /** Normalised tsquery text ("'deploy':*"), or null when the term has no lexeme (stop words only). */
  tsquery: string | null;
  /** `%folded text%` with LIKE wildcards escaped, or null when too short for substring search. */
  like: string | null;
  folded: string;
}

/** Substring search needs 3 characters, or 2 in scripts without Latin letters (東京), for the trigram index to help. */
function substringEligible(folded: string): boolean {
  const length = [...folded].length;
  return length >= 3 || (length === 2 && !/\p{Script=Latin}/u.test(folded));
}

/** Each quoted lexeme of a word's tsquery also matches words it begins: `'deplo'` → `'deplo':*`. */
function asPrefixQuery(tsquery: string): string {
  return tsquery.replace(/'((?:[^']|'')*)'(:\*)?/g, (_all, lexeme: string) => `'${lexeme}':*`);
}

async function prepareTerms(tx: Tx, terms: SearchTerm[]): Promise<PreparedTerm[]> {
  if (terms.length === 0) return [];
  const rows = await tx.$queryRaw<{ tsquery: string; folded: string }[]>`
    SELECT CASE WHEN t.kind = 'phrase' THEN phraseto_tsquery('public.parley_search', t.text)::text
                ELSE plainto_tsquery('public.parley_search', t.text)::text END AS tsquery,
           parley_fold(t.text) AS folded
    FROM unnest(${terms.map((term) => term.text)}::text[], ${terms.map((term) => term.kind)}::text[])
      WITH ORDINALITY AS t(text, kind, i)
    ORDER BY t.i`;
  return terms.map((term, i) => {
    const row = rows[i]!;
    const tsquery = row.tsquery.trim() === '' ? null : term.kind === 'word' ? asPrefixQuery(row.tsquery) : row.tsquery;
    // A phrase is matched by its words; by its text only when it has none PostgreSQL indexes ("to be or not").
    const wantsSubstring = term.kind === 'word' || tsquery === null;
    const like = wantsSubstring && substringEligible(row.folded) ? `%${row.folded.replace(/[\\%_]/g, '\\$&')}%` : null;
    return { ...term, tsquery, like, folded: row.folded };
  });
}

interface ResolvedFilters {
  roomIds: string[] | null;
  authorIds: string[] | null;
  notes: string[];
}

async function resolveFilters(tx: Tx, userId: string, parsed: ParsedSearch, includePublic: boolean): Promise<ResolvedFilters> {
  const notes: string[] = [];
  let roomIds: string[] | null = null;
  let authorIds: string[] | null = null;
  if (parsed.rooms.length > 0) {
    const names = parsed.rooms.flatMap((ref) => (ref.kind === 'name' ? [ref.name] : []));
    const peers = parsed.rooms.flatMap((ref) => (ref.kind === 'direct' ? [ref.username] : []));
    // Only rooms the searcher may search are found, so a private room they are not in reads exactly
    // like a room that does not exist.
    const rows = await tx.$queryRaw<{ id: string; ref: string; direct: boolean }[]>`
      SELECT r.id, r.name_key AS ref, false AS direct
      FROM rooms r
      WHERE r.name_key = ANY (${names}::text[]) AND r.kind <> 'direct'
        AND (EXISTS (SELECT 1 FROM memberships ms WHERE ms.room_id = r.id AND ms.user_id = ${userId}::uuid)
             OR (${includePublic} AND r.kind = 'public'))
      UNION ALL
      SELECT r.id, pu.username AS ref, true AS direct
      FROM memberships mine
      JOIN rooms r ON r.id = mine.room_id AND r.kind = 'direct'
      JOIN memberships peer ON peer.room_id = r.id AND peer.user_id <> mine.user_id
      JOIN users pu ON pu.id = peer.user_id
      WHERE mine.user_id = ${userId}::uuid AND pu.username = ANY (${peers}::text[])`;
    roomIds = rows.map((row) => row.id);
    for (const ref of parsed.rooms) {
      const found = rows.some((row) => row.direct === (ref.kind === 'direct') && row.ref === (ref.kind === 'direct' ? ref.username : ref.name));
      if (!found) {
        notes.push(
          ref.kind === 'direct'
            ? `No conversation with @${ref.username} that you can search.`
            : `No room named "${ref.name}" that you can search.`,
        );
      }
    }
  }
  if (parsed.authors.length > 0) {
    const rows = await tx.$queryRaw<{ id: string; username: string }[]>`
      SELECT id::text, username FROM users WHERE username = ANY (${parsed.authors}::text[])`;
    authorIds = rows.map((row) => row.id);
    for (const name of parsed.authors) {
      if (!rows.some((row) => row.username === name)) notes.push(`No user named @${name}.`);
    }
  }
  return { roomIds, authorIds, notes };
}

// ---------------------------------------------------------------------------------------------------------
// The main query.

type Tx = Parameters<Parameters<ReturnType<typeof getDb>['$transaction']>[0]>[0];
type Mode = 'exact' | 'near';

interface HitRow extends MessageRow {
  score: number;
  roomName: string;
  roomKind: RoomKind;
  peer: PublicUser | null;
  isMember: boolean;
}

interface Plan {
  userId: string;
  /** The rooms to search: searchable now, narrowed by in:. */
  roomIds: string[];
  includePublic: boolean;
  terms: PreparedTerm[];
  filters: ResolvedFilters;
  bounds: { from: Date | null; to: Date | null };
  parsed: ParsedSearch;
  sort: SearchQuery['sort'];
  limit: number;
}

/** A term matched exactly: its words (and word forms, prefixes) or its text as a substring. */
function exactMatch(term: PreparedTerm): Prisma.Sql {
  const branches: Prisma.Sql[] = [];
  if (term.tsquery !== null) branches.push(Prisma.sql`m.search_vector @@ ${term.tsquery}::tsquery`);
  if (term.like !== null) branches.push(Prisma.sql`parley_fold(m.body) LIKE ${term.like} ESCAPE '\\'`);
  if (branches.length === 0) return Prisma.sql`false`; // nothing searchable in it (a lone stop word of 1–2 letters)
  return Prisma.sql`(${Prisma.join(branches, ' OR ')})`;
}

function termConditions(plan: Plan, mode: Mode): Prisma.Sql[] {
  return plan.terms.map((term) => {
    if (term.negated) return Prisma.sql`NOT ${exactMatch(term)}`;
    // Near matches are for misspelt words; a phrase asks for exactly what it says.
    if (mode === 'exact' || term.kind === 'phrase') return exactMatch(term);
    return Prisma.sql`${term.folded} <% parley_fold(m.body)`;
  });
}

function filterConditions(plan: Plan): Prisma.Sql[] {
  const { filters, bounds, parsed, userId } = plan;
  const conditions: Prisma.Sql[] = [];
  if (filters.authorIds !== null) conditions.push(Prisma.sql`m.author_id = ANY (${filters.authorIds}::uuid[])`);
  if (bounds.from) conditions.push(Prisma.sql`m.created_at >= ${bounds.from}`);
  if (bounds.to) conditions.push(Prisma.sql`m.created_at < ${bounds.to}`);
  // Written as the predicate of messages_links_idx, so the planner can use it.
  if (parsed.hasLink) conditions.push(Prisma.sql`m.body ~* 'https?://'`);
  if (parsed.hasAttachments.length > 0) {
    // The first condition is messages_files_idx's predicate, so the planner can use it.
    conditions.push(Prisma.sql`m.attachments <> '[]'::jsonb`);
    for (const kind of parsed.hasAttachments) {
      if (kind !== 'file') conditions.push(Prisma.sql`m.attachments @> ${JSON.stringify([{ kind }])}::jsonb`);
    }
  }
  if (parsed.isThread) conditions.push(Prisma.sql`(m.thread_root_seq IS NOT NULL OR m.reply_count > 0)`);
  if (parsed.mentionsMe) {
    conditions.push(Prisma.sql`(${userId}::uuid = ANY (m.mentions) OR (m.mentions_room AND m.author_id <> ${userId}::uuid))`);
  }
  return conditions;
}

/**
 * The hit's score, over the candidates `c` (columns search_vector, body): ts_rank of the words (exact), or
 * how close the words come (near). null when hits go newest first.
 */
function scoreExpression(plan: Plan, mode: Mode): Prisma.Sql | null {
  if (plan.sort === 'newest') return null;
  const positive = plan.terms.filter((term) => !term.negated);
  if (mode === 'near') {
    const words = positive.filter((term) => term.kind === 'word');
    if (words.length === 0) return null;
    return Prisma.sql`(${Prisma.join(
      words.map((term) => Prisma.sql`word_similarity(${term.folded}, parley_fold(c.body))`),
      ' + ',
    )})::real`;
  }
  const ranked = positive.flatMap((term) => (term.tsquery === null ? [] : [`(${term.tsquery})`]));
  if (ranked.length === 0) return null;
  // Normalisation 1 (divide by 1 + log(length)): a short message that is about the words ranks above a
  // long one that mentions them once.
  return Prisma.sql`ts_rank(c.search_vector, ${ranked.join(' & ')}::tsquery, 1)`;
}

/** The rooms a user may search: theirs, and with scope "all" every public room. */
function searchableRooms(userId: string, includePublic: boolean): Prisma.Sql {
  return includePublic
    ? Prisma.sql`SELECT ms.room_id FROM memberships ms WHERE ms.user_id = ${userId}::uuid
                 UNION SELECT r.id FROM rooms r WHERE r.kind = 'public'
                   -- a banned user reads no more of a public room than they could by joining it (§4.13)
                   AND NOT EXISTS (SELECT 1 FROM room_bans b WHERE b.room_id = r.id AND b.user_id = ${userId}::uuid)`
    : Prisma.sql`SELECT ms.room_id FROM memberships ms WHERE ms.user_id = ${userId}::uuid`;
}

/**
 * Relevance ranks the newest RANK_WINDOW matches. Ranking every match of a word found in half of a
 * million messages costs a second; the newest few hundred are found by walking the primary key
 * backwards (or from the indexes, for rarer words) in milliseconds, and in a chat the message you want
 * is far more often recent. Older matches are reached with sort=newest or a narrower search.
 */
export const RANK_WINDOW = 300;

async function findHits(tx: Tx, plan: Plan, mode: Mode, cursor: Cursor | null): Promise<HitRow[]> {
  const score = scoreExpression(plan, mode);
  const conditions = [...termConditions(plan, mode), ...filterConditions(plan)];
  // The rooms come as a list read in this transaction's snapshot (so it is the membership this statement
  // sees): a list tells the planner the rows it will meet (a user in 5 rooms: those rooms' rows; in 200: a
  // walk down the primary key), where a semi-join's estimate sent it scanning whole rooms.
  const matches = Prisma.sql`
    FROM messages m
    WHERE m.room_id = ANY (${plan.roomIds}::text[])
      AND m.deleted_at IS NULL
      ${conditions.length > 0 ? Prisma.sql`AND ${Prisma.join(conditions, ' AND ')}` : Prisma.empty}`;
  const lastId = cursor ? BigInt(cursor.at(-1) as number) : null;
  const hits =
    score === null
      ? Prisma.sql`
        SELECT m.id, m.room_id, 0::real AS score ${matches}
          ${lastId !== null ? Prisma.sql`AND m.id < ${lastId}` : Prisma.empty}
        ORDER BY m.id DESC LIMIT ${plan.limit + 1}`
      : Prisma.sql`
        SELECT c.id, c.room_id, ${score} AS score
        FROM (SELECT m.id, m.room_id, m.search_vector, m.body ${matches} ORDER BY m.id DESC LIMIT ${RANK_WINDOW}) c
        ${cursor && cursor[0] !== 'n' ? Prisma.sql`WHERE (${score}::float8, c.id) < (${cursor[1]}::float8, ${lastId})` : Prisma.empty}
        ORDER BY score DESC, c.id DESC LIMIT ${plan.limit + 1}`;
  return tx.$queryRaw<HitRow[]>`
    WITH hits AS MATERIALIZED (${hits})
    SELECT ${messageColumns('m')}, h.score::float8 AS score,
      -- a group has no name: its other members' names label it (§4.14)
      CASE WHEN r.kind = 'group' THEN (
        SELECT string_agg(gu.display_name, ', ' ORDER BY gm.joined_at)
        FROM memberships gm JOIN users gu ON gu.id = gm.user_id
        WHERE gm.room_id = r.id AND gm.user_id <> ${plan.userId}::uuid
      ) ELSE r.name END AS "roomName", r.kind::text AS "roomKind",
      CASE WHEN r.kind = 'direct' THEN (
        SELECT json_build_object('id', pu.id, 'username', pu.username, 'displayName', pu.display_name, 'avatar', pu.avatar)
        FROM memberships pm JOIN users pu ON pu.id = pm.user_id
        WHERE pm.room_id = r.id AND pm.user_id <> ${plan.userId}::uuid LIMIT 1
      ) END AS peer,
      EXISTS (SELECT 1 FROM memberships im WHERE im.room_id = r.id AND im.user_id = ${plan.userId}::uuid) AS "isMember"
    FROM hits h
    JOIN messages m ON m.id = h.id
    JOIN rooms r ON r.id = h.room_id
    -- Again, row by row: whatever the list held, a hit is only ever in a room the searcher may read.
    WHERE h.room_id IN (${searchableRooms(plan.userId, plan.includePublic)})
    ORDER BY h.score DESC, h.id DESC`;
}

/** How long the planner's own plan may take before the search retries with bitmap scans only. */
const FIRST_PLAN_BUDGET_MS = 400;

/**
 * The planner's plan, and if it is a bad bet, the other one. A search for the newest matches either walks the
 * primary key backwards until it has enough (right for a common word) or collects every match from the GIN
 * indexes and sorts them (right for a rare one). The planner chooses from estimates, which for substrings
 * (LIKE '%…%') can be off by orders of magnitude: a rare substring judged common walks the whole table. So
 * the first plan gets FIRST_PLAN_BUDGET_MS; if it runs out, the search runs again without index scans, which
 * leaves the bitmap scans of the GIN and room indexes.
 */
async function findHitsWithFallback(tx: Tx, plan: Plan, mode: Mode, cursor: Cursor | null): Promise<HitRow[]> {
  await tx.$executeRaw`SAVEPOINT first_plan`;
  try {
    await tx.$queryRaw`SELECT set_config('statement_timeout', ${String(FIRST_PLAN_BUDGET_MS)}, true)`;
    const rows = await findHits(tx, plan, mode, cursor);
    await tx.$executeRaw`RELEASE SAVEPOINT first_plan`;
    await tx.$queryRaw`SELECT set_config('statement_timeout', ${String(SEARCH_STATEMENT_TIMEOUT_MS)}, true)`;
    return rows;
  } catch (error) {
    if (!isStatementTimeout(error)) throw error;
    await tx.$executeRaw`ROLLBACK TO SAVEPOINT first_plan`; // also restores the statement timeout
  }
  await tx.$queryRaw`SELECT set_config('enable_indexscan', 'off', true)`;
  try {
    return await findHits(tx, plan, mode, cursor);
  } finally {
    await tx.$queryRaw`SELECT set_config('enable_indexscan', 'on', true)`;
  }
}

function highlighter(terms: PreparedTerm[], mode: Mode): Highlighter {
  const positive = terms.filter((term) => !term.negated);
  const prefixes: string[] = [];
  const needles: string[] = [];
  for (const term of positive) {
    if (mode === 'near' && term.kind === 'word') {
      for (const word of wordRuns(term.folded)) {
        prefixes.push([...word].slice(0, Math.max(3, Math.ceil([...word].length / 2))).join(''));
      }
      continue;
    }
    if (term.like !== null) needles.push(term.folded);
    if (term.kind === 'word') {
      prefixes.push(...wordRuns(term.folded));
      // The stems PostgreSQL matched ("deploy" for "deployment"), so "deploying" is marked too.
      for (const [, lexeme] of term.tsquery?.matchAll(/'((?:[^']|'')*)'/g) ?? []) prefixes.push(fold(lexeme!.replace(/''/g, "'")));
    } else if (term.like === null) {
      needles.push(term.folded); // a phrase too short for substring search is still marked where it stands
    }
  }
  return { prefixes, needles };
}

async function allowNearMatches(tx: Tx, timeoutMs?: number): Promise<void> {
  await tx.$queryRaw`
    SELECT set_config('pg_trgm.word_similarity_threshold', ${String(NEAR_MATCH_THRESHOLD)}, true),
           set_config('statement_timeout', ${String(timeoutMs ?? SEARCH_STATEMENT_TIMEOUT_MS)}, true)`;
}

/** Near matches need a word, and every searched word to have 3 characters: shorter ones are near to almost anything. */
function nearSearchable(terms: PreparedTerm[]): boolean {
  const words = terms.filter((term) => !term.negated && term.kind === 'word');
  return words.length > 0 && words.every((term) => [...term.folded].length >= 3);
}

function toHit(row: HitRow, marks: Highlighter): SearchHit {
  const message: ChatMessage = toChatMessage(row);
  const room: SearchRoom = { id: row.roomId, name: row.roomName, kind: row.roomKind, peer: row.peer, isMember: row.isMember };
  return { message, room, snippet: buildSnippet(row.body, marks) };
}

export function isStatementTimeout(error: unknown): boolean {
  const seen = new Set<unknown>();
  const visit = (value: unknown): boolean => {
    if (value === null || typeof value !== 'object' || seen.has(value)) return false;
    seen.add(value);
    const record = value as Record<string, unknown>;
    if (record.code === '57014' || record.originalCode === '57014') return true;
    if (typeof record.message === 'string' && record.message.includes('canceling statement due to statement timeout')) return true;
    return Object.values(record).some(visit) || visit(record.cause);
  };
  return visit(error);
}

export async function searchMessages(input: { userId: string } & SearchQuery): Promise<SearchPage> {
  let parsed: ParsedSearch;
  try {
    parsed = parseSearch(input.q);
  } catch (error) {
    if (error instanceof SearchSyntaxError) {
      throw new AppError('INVALID_PAYLOAD', error.message, { issues: [{ path: 'q', message: error.message }] });
    }
    throw error;
  }
  const cursor = input.cursor === undefined ? null : decodeCursor(input.cursor);
  if (cursor && cursor[0] !== 'a' && (cursor[0] === 'n') !== (input.sort === 'newest')) throw badCursor();
  const bounds = dayBounds(parsed, input.tz);
  // Spent before the work: parallel searches each cost one.
  await consumeAttempt(sharedLimiter(searchPolicy()), input.userId, 'searches');

  try {
    return await getDb().$transaction(
      async (tx) => {
        // A search may not hold a connection for long, nor take every core (parallel workers) from the others;
        // and it is planned for its own words and rooms every time: a generic plan of a cached statement,
        // blind to how common a word is or how many rooms there are, can be a thousand times slower.
        await tx.$queryRaw`
          SELECT set_config('statement_timeout', ${String(SEARCH_STATEMENT_TIMEOUT_MS)}, true),
                 set_config('max_parallel_workers_per_gather', '0', true),
                 set_config('plan_cache_mode', 'force_custom_plan', true)`;
        const includePublic = input.scope === 'all';
        // One connection, so one query at a time.
        const terms = await prepareTerms(tx, parsed.terms);
        const filters = await resolveFilters(tx, input.userId, parsed, includePublic);
        const rooms = await tx.$queryRaw<{ id: string }[]>`SELECT room_id AS id FROM (${searchableRooms(input.userId, includePublic)}) s`;
        const inRooms = filters.roomIds === null ? null : new Set(filters.roomIds);
        const roomIds = rooms.map((row) => row.id).filter((id) => inRooms === null || inRooms.has(id));
        const plan: Plan = { userId: input.userId, roomIds, includePublic, terms, filters, bounds, parsed, sort: input.sort, limit: input.limit };
        const empty = roomIds.length === 0 || (filters.authorIds !== null && filters.authorIds.length === 0);
        if (empty) return { hits: [], nextCursor: null, approximate: false, notes: filters.notes };

        const notes = [...filters.notes];
        let mode: Mode = cursor?.[0] === 'a' ? 'near' : 'exact';
        if (mode === 'near') await allowNearMatches(tx);
        let rows = await findHitsWithFallback(tx, plan, mode, cursor);
        // Nothing at all matched exactly: look for near matches (typos) of words long enough to be near to —
        // within a shorter budget, and without failing the search when it runs out.
        if (rows.length === 0 && cursor === null && nearSearchable(terms)) {
          await tx.$executeRaw`SAVEPOINT near_matches`;
          try {
            await allowNearMatches(tx, NEAR_MATCH_TIMEOUT_MS);
            rows = await findHits(tx, plan, 'near', null);
            if (rows.length > 0) mode = 'near'; // an empty page is not "similar results"
            await tx.$executeRaw`RELEASE SAVEPOINT near_matches`;
          } catch (error) {
            if (!isStatementTimeout(error)) throw error;
            await tx.$executeRaw`ROLLBACK TO SAVEPOINT near_matches`;
            notes.push('No exact matches, and looking for similar words took too long: check the spelling, or narrow the search.');
          }
        }
        const page = rows.slice(0, input.limit);
        const last = page.at(-1);
        const marks = highlighter(terms, mode);
        let nextCursor: string | null = null;
        if (rows.length > input.limit && last) {
          const id = Number(last.id);
          nextCursor = encodeCursor(mode === 'near' ? ['a', last.score, id] : input.sort === 'newest' ? ['n', id] : ['r', last.score, id]);
        }
        return { hits: page.map((row) => toHit(row, marks)), nextCursor, approximate: mode === 'near', notes };
      },
      // One snapshot for the room list and the search: the list is the membership the search sees.
      { maxWait: 5_000, timeout: SEARCH_STATEMENT_TIMEOUT_MS * 3, isolationLevel: 'RepeatableRead' },
    );
  } catch (error) {
    if (isStatementTimeout(error)) {
      throw new AppError('UNAVAILABLE', 'That search took too long. Narrow it, for example with in:#room or from:@someone.', { retryAfter: 1 });
    }
    throw error;
  }
}
