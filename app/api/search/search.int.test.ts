/**
 * GET /api/search through the real route handler against a real PostgreSQL, tested against the contract
 * in docs/protocol.md ("### `GET /api/search`"): privacy first (no query, filter, scope or cursor ever
 * reaches a message of a room the caller cannot read now), then the search language, ordering, paging,
 * the message lifecycle, snippets, and a corpus of hostile input.
 *
 * Other test files share the database: most tests use fresh users whose own rooms are the whole of
 * `scope=mine`, and words made up for the test where `scope=all` reaches everyone's public rooms.
 */
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { getDb } from '@/lib/db';
import { createMessage } from '@/lib/data/messages';
import { RANK_WINDOW } from '@/lib/data/search';
import { deleteMessage, editMessage } from '@/lib/data/message-changes';
import { createRoom, joinRoom, leaveRoom, startDirect } from '@/lib/data/rooms';
import type { ErrorBody } from '@/lib/errors';
import type { ChatMessage } from '@/lib/schemas/message';
import type { SearchHit, SearchPage } from '@/lib/schemas/search';
import { apiRequest, createTestUser, signInAs, uniqueName } from '@/lib/testing/realtime';
import * as search from './route';

// This file searches hundreds of times per user; the limits themselves are tested in search-rate-limit.int.test.ts
// and app/api/api-budget.int.test.ts.
vi.stubEnv('RATE_LIMIT_SEARCHES_PER_10S', '1000000');
vi.stubEnv('RATE_LIMIT_API_PER_SECOND', '1000000');
vi.stubEnv('RATE_LIMIT_ROOMS_PER_HOUR', '100000');
vi.stubEnv('MAX_ROOMS_PER_USER', '100000');
vi.stubEnv('RATE_LIMIT_DIRECTS_PER_HOUR', '100000');

type TestUser = Awaited<ReturnType<typeof createTestUser>>;
interface Person extends TestUser {
  cookie: string;
}
interface TestRoom {
  id: string;
  name: string;
  kind: 'public' | 'private' | 'direct';
}
type Params = Record<string, string>;

const ROOM_PASSWORD = 'search test password';

// ── Made-up words ──

const CONSONANTS = 'bdfgkmprtvz';
const VOWELS = 'aiou';
/**
 * A made-up word no other test writes, that the English stemmer leaves alone (consonant-vowel syllables
 * ending in "k": no suffix it strips), so its prefixes and substrings are prefixes and substrings of
 * what is indexed.
 */
function madeUpWord(syllables = 5): string {
  let word = '';
  for (let i = 0; i < syllables; i += 1) {
    word += CONSONANTS[Math.floor(Math.random() * CONSONANTS.length)]!;
    word += VOWELS[Math.floor(Math.random() * VOWELS.length)]!;
  }
  return `${word}k`;
}

/** A near-typo: two letters in the middle swapped. */
function typo(word: string): string {
  const i = Math.floor(word.length / 2) - 1;
  return `${word.slice(0, i)}${word[i + 1]}${word[i]}${word.slice(i + 2)}`;
}

// ── People, rooms, messages ──

async function person(): Promise<Person> {
  const user = await createTestUser();
  const { cookie } = await signInAs(user);
  return { ...user, cookie };
}

async function newRoom(owner: Person, kind: 'public' | 'private', name = uniqueName('sr')): Promise<TestRoom> {
  const data = kind === 'private' ? { kind, name, description: '', password: ROOM_PASSWORD } : { kind, name, description: '' };
  const room = await createRoom({ ownerId: owner.id, data, ip: null });
  return { id: room.id, name: room.name, kind };
}

async function join(room: TestRoom, user: Person): Promise<void> {
  await joinRoom({ roomId: room.id, userId: user.id, password: room.kind === 'private' ? ROOM_PASSWORD : undefined, ip: null });
}

async function direct(a: Person, b: Person): Promise<TestRoom> {
  const { room } = await startDirect({ userId: a.id, peerId: b.id });
  return { id: room.id, name: '', kind: 'direct' };
}

async function say(room: TestRoom, author: Person, body: string, options: { threadRootSeq?: number; createdAt?: Date } = {}): Promise<ChatMessage> {
  const { message } = await createMessage({ roomId: room.id, authorId: author.id, clientId: randomUUID(), body, threadRootSeq: options.threadRootSeq });
  if (options.createdAt) {
    await getDb().message.updateMany({ where: { roomId: room.id, seq: message.seq }, data: { createdAt: options.createdAt } });
    return { ...message, createdAt: options.createdAt.toISOString() };
  }
  return message;
}

// ── Talking to the route ──

async function get(who: Person | null, params: Params): Promise<Response> {
  const query = new URLSearchParams(params).toString();
  return search.GET(await apiRequest(who ? { cookie: who.cookie } : null, 'GET', `/api/search?${query}`));
}

/** Rooms `who` is in (for the invariants every page is checked against), when the test knows them. */
const knownRooms = new Map<string, Set<string>>();
function knowRoom(who: Person, room: TestRoom): void {
  const rooms = knownRooms.get(who.id) ?? new Set<string>();
  rooms.add(room.id);
  knownRooms.set(who.id, rooms);
}
function forgetRoom(who: Person, room: TestRoom): void {
  knownRooms.get(who.id)?.delete(room.id);
}

/**
 * A 200 page, checked against what every SearchPage must be: hits in rooms `who` is in (or, with
 * `scope=all`, public rooms marked `isMember: false`), never a tombstone, message and room agreeing.
 */
async function find(who: Person, params: Params): Promise<SearchPage> {
  const response = await get(who, params);
  const text = await response.text();
  expect(response.status, `${JSON.stringify(params)} → ${text.slice(0, 300)}`).toBe(200);
  const page = JSON.parse(text) as SearchPage;
  expect(Object.keys(page).sort()).toEqual(['approximate', 'hits', 'nextCursor', 'notes']);
  expect(typeof page.approximate).toBe('boolean');
  expect(Array.isArray(page.notes) && page.notes.every((n) => typeof n === 'string')).toBe(true);
  expect(page.nextCursor === null || typeof page.nextCursor === 'string').toBe(true);
  const mine = knownRooms.get(who.id);
  for (const hit of page.hits) {
    const where = `${JSON.stringify(params)}: hit ${hit.message.roomId}/${hit.message.seq}`;
    expect(hit.room.id, where).toBe(hit.message.roomId);
    expect(hit.message.deletedAt, where).toBeNull();
    if (!hit.room.isMember) {
      expect(hit.room.kind, `${where} is a non-member hit in a non-public room`).toBe('public');
      expect(params.scope, `${where} is a non-member hit without scope=all`).toBe('all');
    }
    if (mine) expect(mine.has(hit.room.id) || !hit.room.isMember, `${where} claims membership of a room the user is not in`).toBe(true);
    if (mine && hit.room.isMember === false) expect(mine.has(hit.room.id), `${where} is marked isMember: false in a room the user is in`).toBe(false);
    expect(Array.isArray(hit.snippet)).toBe(true);
  }
  return page;
}

const idsOf = (page: SearchPage) => page.hits.map((h) => h.message.id);
const sortedIds = (page: SearchPage) => idsOf(page).sort();
const ids = (...messages: ChatMessage[]) => messages.map((m) => m.id).sort();

/** A 422 with issues in the documented shape; returns the fields with issues (each once). */
async function refused(who: Person, params: Params): Promise<string[]> {
  const response = await get(who, params);
  const text = await response.text();
  expect(response.status, `${JSON.stringify(params)} → ${text.slice(0, 300)}`).toBe(422);
  const { error } = JSON.parse(text) as { error: ErrorBody };
  expect(error.code).toBe('INVALID_PAYLOAD');
  expect(typeof error.message).toBe('string');
  expect(error.issues?.length, JSON.stringify(params)).toBeGreaterThan(0);
  for (const issue of error.issues!) {
    expect(typeof issue.path).toBe('string');
    expect(typeof issue.message).toBe('string');
    expect(issue.message.length).toBeGreaterThan(0);
  }
  return [...new Set(error.issues!.map((i) => i.path))];
}

/** Every page of a search, following nextCursor (bounded). */
async function allPages(who: Person, params: Params, maxPages = 30): Promise<SearchPage[]> {
  const pages: SearchPage[] = [];
  let cursor: string | null = null;
  do {
    const page: SearchPage = await find(who, { ...params, ...(cursor ? { cursor } : {}) });
    pages.push(page);
    cursor = page.nextCursor;
  } while (cursor && pages.length < maxPages);
  expect(cursor, `${JSON.stringify(params)} did not end within ${maxPages} pages`).toBeNull();
  return pages;
}

/** Runs `work` over `items`, a few at a time (a busy machine, a bounded pool). */
async function inBatches<T>(items: T[], work: (item: T) => Promise<void>, size = 6): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(work));
}

// ── Dates ──

const DAY_MS = 86_400_000;
const utcDay = (offsetDays = 0) => new Date(Date.now() + offsetDays * DAY_MS).toISOString().slice(0, 10);

/** The calendar day (YYYY-MM-DD) it is in `tz` at `at`. */
function dayIn(tz: string, at = Date.now()): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(at);
  const part = (type: string) => parts.find((p) => p.type === type)!.value;
  return `${part('year')}-${part('month')}-${part('day')}`;
}
function addDays(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}
/** `tz`'s offset from UTC in minutes at `at` (+840 for Pacific/Kiritimati). */
function offsetMinutes(tz: string, at: number): number {
  const name = new Intl.DateTimeFormat('en', { timeZone: tz, timeZoneName: 'longOffset' }).formatToParts(at).find((p) => p.type === 'timeZoneName')!.value;
  const match = /GMT([+-])(\d{2}):(\d{2})/.exec(name);
  return match ? (match[1] === '-' ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3])) : 0;
}
/** Noon of `day` in `tz`, as an instant. */
function noonIn(tz: string, day: string): Date {
  const guess = Date.parse(`${day}T12:00:00Z`);
  return new Date(guess - offsetMinutes(tz, guess) * 60_000);
}

// ═══════════════════════════════════════════════════════════════════════════════════════════════════

describe('GET /api/search: access', () => {
  it('requires a session', async () => {
    const response = await get(null, { q: 'anything' });
    expect(response.status).toBe(401);
    expect(((await response.json()) as { error: ErrorBody }).error.code).toBe('UNAUTHORIZED');
  });
});

/**
 * The privacy world: a public room, a private room and a direct conversation, each with its own made-up
 * secret word, and people in every relation to them.
 *
 *   alice   owns the public and the private room; talks with bob directly
 *   bob     in the public and the private room; alice's direct peer
 *   ex      in the public room; joins the private room, finds it, leaves it
 *   third   in the public room; has a direct conversation of their own with alice
 *   outsider in nothing
 */
describe('GET /api/search: privacy', () => {
  let alice: Person, bob: Person, ex: Person, third: Person, outsider: Person;
  let pub: TestRoom, priv: TestRoom, dm: TestRoom, thirdDm: TestRoom;
  const W = { pub: madeUpWord(), priv: madeUpWord(), privNext: madeUpWord(), dm: madeUpWord(), dmNext: madeUpWord(), third: madeUpWord() };
  /** The private room's and the alice–bob conversation's messages. */
  const privMessages: ChatMessage[] = [];
  const dmMessages: ChatMessage[] = [];
  let pubMessage: ChatMessage;
  let thirdMessage: ChatMessage;

  beforeAll(async () => {
    [alice, bob, ex, third, outsider] = await Promise.all([person(), person(), person(), person(), person()]);
    pub = await newRoom(alice, 'public', uniqueName('pub'));
    priv = await newRoom(alice, 'private', uniqueName('priv'));
    for (const p of [bob, ex, third]) await join(pub, p);
    await join(priv, bob);
    await join(priv, ex);
    dm = await direct(alice, bob);
    thirdDm = await direct(third, alice);
    for (const p of [alice, bob, ex, third]) knowRoom(p, pub);
    for (const p of [alice, bob, ex]) knowRoom(p, priv);
    for (const p of [alice, bob]) knowRoom(p, dm);
    for (const p of [alice, third]) knowRoom(p, thirdDm);
    knownRooms.set(outsider.id, new Set());

    pubMessage = await say(pub, alice, `${W.pub} is what we say in public`);
    thirdMessage = await say(thirdDm, third, `${W.third} between third and alice`);
    // The private room: a plain message with a link, a thread (root and reply), mentions of ex and of everyone.
    privMessages.push(await say(priv, alice, `${W.priv} ${W.privNext} deployment plan, see https://intranet.example/${W.priv}`));
    const root = await say(priv, alice, `${W.priv} thread root`);
    privMessages.push(root);
    privMessages.push(await say(priv, bob, `${W.priv} thread reply`, { threadRootSeq: root.seq }));
    privMessages.push(await say(priv, bob, `hey @${ex.username} and @room: ${W.priv} again`));
    // The direct conversation: the same shapes, alice mentioned by name.
    dmMessages.push(await say(dm, bob, `${W.dm} ${W.dmNext} hey @${alice.username}, see https://dm.example/${W.dm}`));
    const dmRoot = await say(dm, alice, `${W.dm} dm root`);
    dmMessages.push(dmRoot);
    dmMessages.push(await say(dm, bob, `${W.dm} dm reply`, { threadRootSeq: dmRoot.seq }));
  }, 60_000);

  interface Secret {
    label: string;
    word: string;
    next: string;
    room: () => TestRoom;
    messages: () => ChatMessage[];
    /** Filters that name the conversation or its people; `aliceFinds`: whether alice (a reader) finds it by them. */
    filters: () => { filter: string; aliceFinds: boolean }[];
  }
  const secrets: Secret[] = [
    {
      label: 'private room',
      word: W.priv,
      next: W.privNext,
      room: () => priv,
      messages: () => privMessages,
      filters: () =>
        [`in:#${priv.name}`, `in:${priv.name}`, `in:"${priv.name}"`, `IN:#${priv.name.toUpperCase()}`, `from:@${alice.username}`, `from:${bob.username}`].map((filter) => ({ filter, aliceFinds: true })),
    },
    {
      label: 'direct conversation',
      word: W.dm,
      next: W.dmNext,
      room: () => dm,
      messages: () => dmMessages,
      filters: () => [
        { filter: `in:@${bob.username}`, aliceFinds: true },
        { filter: `in:@${alice.username}`, aliceFinds: false }, // alice has no conversation with herself; bob's name for it
        { filter: `from:@${bob.username}`, aliceFinds: true },
        { filter: `from:@${alice.username}`, aliceFinds: true },
      ],
    },
  ];

  /** Every way of asking for a secret: the word in every form, with every filter, both scopes and sorts. */
  function queriesFor(secret: Secret): { params: Params; /** a reader must find the conversation with it */ readerFinds: boolean; approximate?: boolean }[] {
    const { word, next } = secret;
    const today = utcDay();
    const wordForms: { q: string; approximate?: boolean }[] = [
      { q: word },
      { q: word.toUpperCase() },
      { q: word.slice(0, 5) }, // a prefix
      { q: word.slice(2, 7) }, // a substring from the middle
      { q: `${word}*` },
      { q: `"${word} ${next}"` }, // a phrase
      { q: `"${word} ${next}` }, // an unclosed phrase
      { q: `${word} ${next}` },
      { q: `${word} -nothingofthekind` },
      { q: typo(word), approximate: true },
    ];
    const filters = secret.filters();
    const first = filters[0]!.filter;
    const traits = ['on:today', 'after:yesterday', `before:${utcDay(1)}`, `on:${today}`, 'has:link', 'is:thread', '@me'].map((filter) => ({ filter, aliceFinds: true }));
    const queries: { q: string; aliceFinds: boolean; approximate?: boolean }[] = [
      ...wordForms.map((form) => ({ ...form, aliceFinds: true })),
      ...[...filters, ...traits].map(({ filter, aliceFinds }) => ({ q: `${filter} ${word}`, aliceFinds })),
      // No message both has a link and is in a thread: found by no one.
      { q: `has:link is:thread @me ${word}`, aliceFinds: false },
      ...filters.map(({ filter, aliceFinds }) => ({ q: filter, aliceFinds })),
      { q: `${first} -nothingofthekind`, aliceFinds: true },
      { q: `${first} has:link is:thread`, aliceFinds: false },
    ];
    return queries.flatMap(({ q, aliceFinds, approximate }) =>
      (['mine', 'all'] as const).map((scope) => ({
        params: { q, scope, ...(q === word ? { sort: 'newest' } : {}), limit: '50' },
        readerFinds: aliceFinds,
        approximate,
      })),
    );
  }

  /** Nothing of the secret's conversation anywhere in the pages (hits, snippets, cursors followed). */
  function assertNothingOf(secret: Secret, pages: SearchPage[], context: string): void {
    const forbidden = new Set([secret.room().id]);
    for (const page of pages) {
      for (const hit of page.hits) expect(forbidden.has(hit.room.id), `${context}: a hit in the ${secret.label}`).toBe(false);
      const hitsText = JSON.stringify(page.hits).toLowerCase();
      expect(hitsText.includes(secret.word), `${context}: the ${secret.label}'s word in the hits`).toBe(false);
      expect(hitsText.includes(secret.next), `${context}: the ${secret.label}'s second word in the hits`).toBe(false);
      for (const message of secret.messages()) expect(hitsText.includes(`"id":"${message.id}"`), `${context}: a ${secret.label} message id`).toBe(false);
    }
  }

  async function assertFindsNothingOf(who: Person, secret: Secret, label: string): Promise<void> {
    await inBatches(queriesFor(secret), async ({ params }) => {
      const context = `${label} ${JSON.stringify(params)}`;
      const pages = await allPages(who, params, 5).catch(async () => [await find(who, params)]);
      assertNothingOf(secret, pages, context);
    });
  }

  async function assertFindsAllOf(who: Person, secret: Secret, label: string): Promise<void> {
    const missing: string[] = [];
    await inBatches(queriesFor(secret), async ({ params, readerFinds, approximate }) => {
      const page = await find(who, params);
      if (readerFinds && !page.hits.some((h) => h.room.id === secret.room().id)) missing.push(JSON.stringify(params));
      if (approximate !== undefined && page.approximate !== approximate) missing.push(`${JSON.stringify(params)} approximate ${page.approximate}`);
    });
    expect(missing, `${label} should find the ${secret.label} by each of these`).toEqual([]);
  }

  it('alice, a member, finds the private room and the direct conversation by every query (the control for what follows)', async () => {
    await assertFindsAllOf(alice, secrets[0]!, 'alice');
    await assertFindsAllOf(alice, secrets[1]!, 'alice');
    // bob reads both too, but is mentioned in neither: all but @me.
    const page = await find(bob, { q: `in:@${alice.username} ${W.dm}` });
    expect(sortedIds(page)).toEqual(ids(...dmMessages));
    expect(page.hits.every((h) => h.room.kind === 'direct' && h.room.peer?.id === alice.id && h.room.name === '' && h.room.isMember)).toBe(true);
  });

  it('an outsider finds nothing of the private room or the direct conversation, by any query, scope or page', async () => {
    for (const secret of secrets) await assertFindsNothingOf(outsider, secret, 'outsider');
    // In no room at all, their own scope holds nothing whatever they ask.
    for (const q of [W.priv, W.dm, W.pub, 'on:today', 'has:link', 'is:thread', '@me', `from:@${alice.username}`]) {
      const page = await find(outsider, { q });
      expect(page.hits, q).toEqual([]);
      expect(page.nextCursor, q).toBeNull();
    }
  });

  it('a third party finds nothing of a direct conversation they are not in, but their own', async () => {
    for (const secret of secrets) await assertFindsNothingOf(third, secret, 'third');
    const own = await find(third, { q: `in:@${alice.username}` });
    expect(idsOf(own)).toEqual([thirdMessage.id]);
    expect(own.hits[0]!.room).toMatchObject({ id: thirdDm.id, kind: 'direct', name: '', isMember: true, peer: { id: alice.id, username: alice.username } });
    // Naming bob, with whom third has no conversation: an empty page that says so.
    const none = await find(third, { q: `in:@${bob.username} ${W.dm}` });
    expect(none.hits).toEqual([]);
    expect(none.notes.length).toBeGreaterThan(0);
  });

  it('an ex-member found the private room while a member, and nothing of it after leaving', async () => {
    const secret = secrets[0]!;
    const before = await find(ex, { q: W.priv });
    expect(sortedIds(before)).toEqual(ids(...privMessages));
    expect((await find(ex, { q: '@me' })).hits.map((h) => h.message.id)).toContain(privMessages[3]!.id);
    expect((await find(ex, { q: typo(W.priv) })).hits.some((h) => h.room.id === priv.id)).toBe(true);
    for (const q of [W.priv.slice(0, 5), W.priv.slice(2, 7), `"${W.priv} ${W.privNext}"`, `in:#${priv.name}`, 'is:thread', 'has:link']) {
      expect((await find(ex, { q })).hits.some((h) => h.room.id === priv.id), q).toBe(true);
    }
    // A cursor taken while a member, used after leaving.
    const firstPage = await find(ex, { q: W.priv, limit: '1' });
    expect(firstPage.nextCursor).not.toBeNull();

    await leaveRoom({ roomId: priv.id, userId: ex.id });
    forgetRoom(ex, priv);

    await assertFindsNothingOf(ex, secret, 'ex-member');
    assertNothingOf(secret, [await find(ex, { q: W.priv, limit: '1', cursor: firstPage.nextCursor! })], 'ex-member, old cursor');
    for (const secretOf of secrets) assertNothingOf(secretOf, [await find(ex, { q: '@me' })], 'ex-member @me');
    // They are still in the public room, and find it.
    expect(idsOf(await find(ex, { q: W.pub }))).toEqual([pubMessage.id]);
  });

  it('scope=all finds public rooms I have not joined (isMember: false), never private rooms or direct conversations', async () => {
    const mine = await find(outsider, { q: W.pub });
    expect(mine.hits).toEqual([]);
    const all = await find(outsider, { q: W.pub, scope: 'all' });
    expect(idsOf(all)).toEqual([pubMessage.id]);
    expect(all.hits[0]!.room).toEqual({ id: pub.id, name: pub.name, kind: 'public', peer: null, isMember: false });
    expect(all.hits[0]!.message.body).toBe(pubMessage.body);
    // A member sees the same hit as theirs.
    const member = await find(bob, { q: W.pub, scope: 'all' });
    expect(member.hits[0]!.room.isMember).toBe(true);
    // The public room by name, as a non-member.
    expect(idsOf(await find(outsider, { q: `in:#${pub.name}`, scope: 'all' }))).toEqual([pubMessage.id]);
    for (const q of [W.priv, W.dm, W.third, `in:#${priv.name}`]) {
      const page = await find(outsider, { q, scope: 'all' });
      expect(page.hits.filter((h) => h.room.kind !== 'public'), q).toEqual([]);
    }
  });

  it('a cursor from one user, replayed by another, reveals nothing', async () => {
    for (const secret of secrets) {
      for (const sort of ['relevance', 'newest']) {
        const params = { q: secret.word, sort, limit: '1' };
        const page = await find(alice, params);
        expect(page.hits).toHaveLength(1);
        expect(page.nextCursor).not.toBeNull();
        for (const [who, label] of [
          [outsider, 'outsider'],
          [ex, 'ex-member'],
          [third, 'third'],
        ] as const) {
          for (const scope of ['mine', 'all']) {
            const response = await get(who, { ...params, scope, cursor: page.nextCursor! });
            expect([200, 422], `${label} replaying alice's cursor`).toContain(response.status);
            if (response.status === 200) {
              const replayed = (await response.json()) as SearchPage;
              assertNothingOf(secret, [replayed], `${label} replaying alice's ${sort} cursor with scope=${scope}`);
              // …nor with a different query that matches nothing of theirs.
            }
            if (response.status === 422) {
              const { error } = (await response.json()) as { error: ErrorBody };
              expect(error.issues?.map((i) => i.path)).toEqual(['cursor']);
            }
          }
        }
      }
    }
  });

  it('garbage cursors are refused with an issue on cursor', async () => {
    const forged = [
      'not-a-cursor',
      '%%%',
      '!!!!',
      Buffer.from('null').toString('base64url'),
      Buffer.from('{}').toString('base64url'),
      Buffer.from('[]').toString('base64url'),
      Buffer.from('"x"').toString('base64url'),
      Buffer.from('["a","b","c"]').toString('base64url'),
      Buffer.from('[{"$ne":null}]').toString('base64url'),
      Buffer.from("'; drop table messages; --").toString('base64url'),
      'x'.repeat(201),
      'abc\u0000',
    ];
    for (const cursor of forged) {
      expect(await refused(alice, { q: W.priv, cursor }), cursor).toEqual(['cursor']);
    }
  });

  it('cursors that look well-formed but were not given, or belong to another query, never leak and never fail', async () => {
    const cursors = [
      (await find(alice, { q: W.priv, limit: '1' })).nextCursor!,
      (await find(alice, { q: W.priv, limit: '1', sort: 'newest' })).nextCursor!,
      (await find(alice, { q: typo(W.priv), limit: '1' })).nextCursor!, // near matches page on with their own cursor
    ];
    const failures: string[] = [];
    for (const cursor of cursors) failures.push(...(await probeCursor(cursor)));
    expect(failures).toEqual([]);
  }, 180_000);

  /** Sends variants of a cursor as other people and queries: the answers that were neither 200 nor 422. */
  async function probeCursor(cursor: string): Promise<string[]> {
    expect(cursor).toEqual(expect.any(String));
    const variants = new Set<string>([cursor]);
    // Whatever the cursor's inside, flipping characters or decoding and re-encoding numbers in it must stay safe.
    for (let i = 0; i < cursor.length; i += Math.max(1, Math.floor(cursor.length / 8))) {
      variants.add(`${cursor.slice(0, i)}${cursor[i] === 'A' ? 'B' : 'A'}${cursor.slice(i + 1)}`);
    }
    try {
      const decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
      if (Array.isArray(decoded)) {
        // One element at a time, the others as given: extreme numbers, wrong types.
        for (let i = 0; i < decoded.length; i += 1) {
          for (const replacement of [0, -1, 1e308, -1e308, 5e-324, 3.5e38, 9_007_199_254_740_991, 1, '1', null, 0.5, 'n', 'r', 'a']) {
            const changed: unknown[] = [...decoded];
            changed[i] = replacement;
            variants.add(Buffer.from(JSON.stringify(changed)).toString('base64url'));
          }
        }
      }
    } catch {
      // Not base64 JSON: the flipped variants are enough.
    }
    const failures = new Set<string>();
    const asks = [
      [outsider, { q: W.priv, scope: 'all' }],
      [third, { q: W.dm, scope: 'all' }],
      [outsider, { q: 'has:link', scope: 'mine' }],
      [third, { q: W.priv, sort: 'newest' }],
      [outsider, { q: typo(W.priv), scope: 'all' }],
      [alice, { q: W.dm, sort: 'newest', tz: 'Asia/Tokyo' }], // another query's cursor: her own rooms only
    ] as const;
    await inBatches([...variants], async (variant) => {
      for (const [who, params] of asks) {
        const response = await get(who, { ...params, cursor: variant });
        const text = await response.text();
        if (response.status !== 200 && response.status !== 422) {
          failures.add(`cursor ${Buffer.from(variant, 'base64url').toString('utf8')} (${variant}) with ${JSON.stringify(params)} → ${response.status} ${text.slice(0, 100)}`);
        }
        if (response.status === 200 && who !== alice) {
          for (const secret of secrets) assertNothingOf(secret, [JSON.parse(text) as SearchPage], `variant cursor ${variant}`);
        }
      }
    });
    return [...failures];
  }

  it('in:#<a private room I am not in> reads exactly like in:#<a room that does not exist>', async () => {
    const ghost = `${priv.name.slice(0, -3)}zzz`;
    expect(ghost).not.toBe(priv.name);
    const normalize = (notes: string[], name: string) => notes.map((n) => n.replaceAll(name, '<room>').replaceAll(name.toLowerCase(), '<room>').replaceAll(name.toUpperCase(), '<room>'));
    for (const who of [outsider, third]) {
      for (const [template, scope] of [
        [(n: string) => `in:#${n}`, 'mine'],
        [(n: string) => `in:#${n} ${W.priv}`, 'mine'],
        [(n: string) => `in:${n} deployment`, 'all'],
        [(n: string) => `in:"${n}"`, 'all'],
      ] as const) {
        const real = await find(who, { q: template(priv.name), scope });
        const missing = await find(who, { q: template(ghost), scope });
        expect(real.hits).toEqual([]);
        expect(missing.hits).toEqual([]);
        expect(real.nextCursor).toBeNull();
        expect(real.approximate).toBe(missing.approximate);
        expect(real.notes.length, 'a note says the room cannot be searched').toBeGreaterThan(0);
        expect(normalize(real.notes, priv.name)).toEqual(normalize(missing.notes, ghost));
      }
    }
    // from: an author whose only words are in rooms I cannot read reads like from: someone who never wrote.
    const silent = await person();
    const fromBob = await find(outsider, { q: `from:@${bob.username}` });
    const fromSilent = await find(outsider, { q: `from:@${silent.username}` });
    expect(fromBob.hits).toEqual([]);
    expect(normalize(fromBob.notes, bob.username)).toEqual(normalize(fromSilent.notes, silent.username));
  });
});

describe('GET /api/search: matching', () => {
  /** A fresh user with a room of their own: their `scope=mine` is exactly what the test writes. */
  async function solo(kind: 'public' | 'private' = 'public') {
    const me = await person();
    const room = await newRoom(me, kind);
    knowRoom(me, room);
    return { me, room, write: (body: string, options?: { threadRootSeq?: number; createdAt?: Date }) => say(room, me, body, options) };
  }

  it('a whole word, a word it begins, English word forms', async () => {
    const { me, write } = await solo();
    const deployment = await write('The deployment is done');
    const deploying = await write('We are deploying today');
    const deployed = await write('It deployed yesterday');
    const other = await write('Nothing to see here');
    expect(sortedIds(await find(me, { q: 'deployment' }))).toEqual(expect.arrayContaining([deployment.id]));
    expect(sortedIds(await find(me, { q: 'deplo' }))).toEqual(ids(deployment, deploying, deployed));
    expect(sortedIds(await find(me, { q: 'deploy' }))).toEqual(ids(deployment, deploying, deployed));
    expect(sortedIds(await find(me, { q: 'deploying' }))).toEqual(expect.arrayContaining(ids(deploying, deployed)));
    expect(sortedIds(await find(me, { q: 'deploys' }))).toEqual(expect.arrayContaining(ids(deploying, deployed)));
    for (const q of ['deployment', 'deplo', 'deploy', 'deploying']) expect(idsOf(await find(me, { q })), q).not.toContain(other.id);
    expect((await find(me, { q: 'deploy' })).approximate).toBe(false);
  });

  it('every term must match (order free)', async () => {
    const { me, write } = await solo();
    const both = await write('staging deploy finished');
    await write('deploy only');
    await write('staging only');
    expect(idsOf(await find(me, { q: 'deploy staging' }))).toEqual([both.id]);
    expect(idsOf(await find(me, { q: 'STAGING Deploy' }))).toEqual([both.id]);
  });

  it('an exact phrase, not the same words apart; an unclosed quote runs to the end', async () => {
    const { me, write } = await solo();
    const phrase = await write('the release train leaves at noon');
    const apart = await write('release the train');
    const reversed = await write('train release notes');
    const trainOnly = await write('train schedule');
    expect(idsOf(await find(me, { q: '"release train"' }))).toEqual([phrase.id]);
    expect(idsOf(await find(me, { q: '"Release Train' }))).toEqual([phrase.id]);
    expect(sortedIds(await find(me, { q: 'release train' }))).toEqual(ids(phrase, apart, reversed));
    expect(idsOf(await find(me, { q: '"release train" leaves' }))).toEqual([phrase.id]);
    expect(idsOf(await find(me, { q: 'train -release' }))).toEqual([trainOnly.id]);
    expect(sortedIds(await find(me, { q: 'train -"release train"' }))).toEqual(ids(apart, reversed, trainOnly));
  });

  it('negation alone is refused; with a filter it narrows', async () => {
    const { me, room, write } = await solo();
    const keep = await write('alpha bravo');
    await write('alpha charlie');
    expect(await refused(me, { q: '-charlie' })).toEqual(['q']);
    expect(await refused(me, { q: '-"alpha charlie" -bravo' })).toEqual(['q']);
    expect(idsOf(await find(me, { q: `in:#${room.name} -charlie` }))).toEqual([keep.id]);
    expect(idsOf(await find(me, { q: 'alpha -charlie' }))).toEqual([keep.id]);
  });

  it('case- and accent-insensitive', async () => {
    const { me, write } = await solo();
    const accented = await write('Café au lait');
    const upper = await write('CAFE OLE');
    const plain = await write('the cafe society');
    const decomposed = await write('Cafe\u0301 noir'); // é typed as e + combining acute (macOS input)
    await write('coffee shop');
    const all = ids(accented, upper, plain, decomposed);
    for (const q of ['cafe', 'Café', 'CAFÉ', 'café', 'CAFE', 'cafe\u0301']) {
      const page = await find(me, { q });
      expect(sortedIds(page), q).toEqual(all);
      expect(page.approximate, q).toBe(false);
    }
    expect(sortedIds(await find(me, { q: '"café au"' }))).toEqual([accented.id]);
  });

  it('substrings of 3+ characters; 2 for words with no Latin letters (CJK)', async () => {
    const { me, write } = await solo();
    const deployment = await write('The deployment is done');
    const japanese = await write('日本語のテキスト');
    const tokyo = await write('私は東京に住んでいます');
    const chinese = await write('我们明天去北京开会');
    expect(idsOf(await find(me, { q: 'ployme' }))).toEqual([deployment.id]);
    expect(idsOf(await find(me, { q: 'PLOYME' }))).toEqual([deployment.id]);
    expect(idsOf(await find(me, { q: 'loym' }))).toEqual([deployment.id]);
    expect(idsOf(await find(me, { q: '日本' }))).toEqual([japanese.id]);
    expect(idsOf(await find(me, { q: 'テキスト' }))).toEqual([japanese.id]);
    expect(idsOf(await find(me, { q: '東京' }))).toEqual([tokyo.id]);
    expect(idsOf(await find(me, { q: '北京' }))).toEqual([chinese.id]);
    expect(idsOf(await find(me, { q: '明天 北京' }))).toEqual([chinese.id]);
    for (const q of ['ployme', '日本', '東京']) expect((await find(me, { q })).approximate, q).toBe(false);
  });

  it('near matches for a typo, marked approximate; none when an exact match exists', async () => {
    const { me, write } = await solo();
    const deployment = await write('The deployment is done');
    await write('Lunch is at noon');
    const near = await find(me, { q: 'deplyoment' });
    expect(near.approximate).toBe(true);
    expect(idsOf(near)).toEqual([deployment.id]);
    const exact = await find(me, { q: 'deployment' });
    expect(exact.approximate).toBe(false);
    expect(idsOf(exact)).toEqual([deployment.id]);
    // Once the typo itself is written, it matches exactly: only that message, not approximate.
    const typoMessage = await write('oops, deplyoment');
    const exactTypo = await find(me, { q: 'deplyoment' });
    expect(exactTypo.approximate).toBe(false);
    expect(idsOf(exactTypo)).toEqual([typoMessage.id]);
    // Nothing near at all: empty, and nothing pretends to match.
    expect((await find(me, { q: 'xylophonist' })).hits).toEqual([]);
  });

  it('near matches page on, every page approximate, pages disjoint', async () => {
    const { me, write } = await solo();
    const written: ChatMessage[] = [];
    for (const body of ['deployment one', 'the deployment two', 'deployment three', 'a deployment, four', 'Deployment five']) written.push(await write(body));
    for (const sort of ['relevance', 'newest']) {
      const whole = await find(me, { q: 'deplyoment', sort, limit: '50' });
      expect(whole.approximate).toBe(true);
      expect(sortedIds(whole)).toEqual(ids(...written));
      const pages = await allPages(me, { q: 'deplyoment', sort, limit: '2' });
      expect(pages.every((page) => page.approximate), sort).toBe(true);
      expect(pages.flatMap(idsOf), sort).toEqual(idsOf(whole));
    }
  });

  it('LIKE wildcards (% _ \\) match literally', async () => {
    const { me, write } = await solo();
    const percent = await write('gorp%zint');
    const underscore = await write('mab_tul');
    const backslash = await write('kev\\rod');
    await write('gorpqqzint');
    await write('mabxtul');
    await write('kevrod');
    expect(idsOf(await find(me, { q: 'gorp%zint' }))).toEqual([percent.id]);
    expect(idsOf(await find(me, { q: 'mab_tul' }))).toEqual([underscore.id]);
    expect(idsOf(await find(me, { q: 'kev\\rod' }))).toEqual([backslash.id]);
    expect(idsOf(await find(me, { q: 'rp%zi' }))).toEqual([percent.id]);
    expect(idsOf(await find(me, { q: 'b_t' }))).toEqual([underscore.id]);
  });

  it('a key:value with an unknown key is text (times, URLs)', async () => {
    const { me, write } = await solo();
    const standup = await write('standup at 10:30 sharp');
    const link = await write('docs at https://example.com/guide?page=2 now');
    await write('standup moved to 11:00');
    expect(idsOf(await find(me, { q: '10:30' }))).toEqual([standup.id]);
    expect(idsOf(await find(me, { q: 'https://example.com/guide?page=2' }))).toEqual([link.id]);
    expect(idsOf(await find(me, { q: 'example.com/guide' }))).toEqual([link.id]);
  });

  it('operator characters are text: tsquery and search syntax in a word do not act', async () => {
    const { me, write } = await solo();
    const zint = await write('the zint gauge');
    const other = await write('the other gauge');
    for (const q of ['!zint', 'zint:*', 'zint*', '(zint)', 'zint:', '"zint', "'zint'", 'zint\\', 'zint|', '&zint']) {
      expect(idsOf(await find(me, { q })), q).toEqual([zint.id]);
    }
    // "a & b", "a | b", "a <-> b": the operators are ignored, both words must match.
    for (const q of ['zint & other', 'zint | other', 'zint <-> other', '!zint & !other']) {
      expect(idsOf(await find(me, { q })), q).toEqual([]);
    }
    expect(sortedIds(await find(me, { q: 'gauge | &' }))).toEqual(ids(zint, other));
    expect(idsOf(await find(me, { q: 'zint *** !!! ( )' }))).toEqual([zint.id]);
  });

  it('in: a room by name (#, bare, quoted, any case), repeated for any of several; in:@user', async () => {
    const me = await person();
    const tag = uniqueName('rm');
    const general = await newRoom(me, 'public', `${tag}-general`);
    const team = await newRoom(me, 'private', `${tag} Team chat`);
    const other = await newRoom(me, 'public', `${tag}-other`);
    const peer = await person();
    const conversation = await direct(me, peer);
    for (const room of [general, team, other, conversation]) knowRoom(me, room);
    const g = await say(general, me, 'hello lobby');
    const t = await say(team, me, 'hello team');
    const o = await say(other, me, 'hello other');
    const d = await say(conversation, peer, 'hello me');
    expect(idsOf(await find(me, { q: `in:#${general.name} hello` }))).toEqual([g.id]);
    expect(idsOf(await find(me, { q: `in:${general.name} hello` }))).toEqual([g.id]);
    expect(idsOf(await find(me, { q: `in:#${general.name.toUpperCase()}` }))).toEqual([g.id]);
    expect(idsOf(await find(me, { q: `in:"${team.name}" hello` }))).toEqual([t.id]);
    expect(idsOf(await find(me, { q: `in:"${team.name.toLowerCase()}"` }))).toEqual([t.id]);
    expect(sortedIds(await find(me, { q: `in:#${general.name} in:"${team.name}" hello` }))).toEqual(ids(g, t));
    expect(idsOf(await find(me, { q: `in:@${peer.username} hello` }))).toEqual([d.id]);
    expect(idsOf(await find(me, { q: `in:@${peer.username.toUpperCase()}` }))).toEqual([d.id]);
    expect(sortedIds(await find(me, { q: `in:@${peer.username} in:${other.name}` }))).toEqual(ids(d, o));
    // A room name that does not exist: empty, with a note (not an error).
    const none = await find(me, { q: `in:#${tag}-nowhere hello` });
    expect(none.hits).toEqual([]);
    expect(none.notes.length).toBeGreaterThan(0);
    // A note for a room that does not exist does not hide the rooms that do.
    expect(idsOf(await find(me, { q: `in:#${tag}-nowhere in:#${general.name} hello` }))).toEqual([g.id]);
  });

  it('from: an author, with or without @, any case, repeated for any of several', async () => {
    const { me, room } = await solo();
    const [bea, cy] = [await person(), await person()];
    await join(room, bea);
    await join(room, cy);
    knowRoom(bea, room);
    const mine = await say(room, me, 'status report');
    const beas = await say(room, bea, 'status report');
    const cys = await say(room, cy, 'status report');
    expect(idsOf(await find(me, { q: `from:@${bea.username} status` }))).toEqual([beas.id]);
    expect(idsOf(await find(me, { q: `from:${bea.username.toUpperCase()} status` }))).toEqual([beas.id]);
    expect(idsOf(await find(me, { q: `from:@${bea.username}` }))).toEqual([beas.id]);
    expect(sortedIds(await find(me, { q: `from:@${bea.username} from:${cy.username} report` }))).toEqual(ids(beas, cys));
    expect(idsOf(await find(me, { q: `from:@${me.username}` }))).toEqual([mine.id]);
    expect(idsOf(await find(bea, { q: `from:@${cy.username}` }))).toEqual([cys.id]);
  });

  it('on:, before:, after: are days in tz; before/after exclude the day itself', async () => {
    const { me, room, write } = await solo();
    // 23:30 UTC on 10 March 2026 is already 11 March in Tokyo and still 10 March in Los Angeles.
    const late = await write('dated entry', { createdAt: new Date('2026-03-10T23:30:00Z') });
    // Midnight in Tokyo, exactly: 11 March there.
    const midnight = await write('dated entry', { createdAt: new Date('2026-03-10T15:00:00Z') });
    const inRoom = `in:#${room.name}`;
    const found = async (q: string, tz?: string) => sortedIds(await find(me, { q: `${inRoom} ${q}`, ...(tz ? { tz } : {}) }));
    expect(await found('on:2026-03-10')).toEqual(ids(late, midnight));
    expect(await found('on:2026-03-10', 'UTC')).toEqual(ids(late, midnight));
    expect(await found('on:2026-03-11')).toEqual([]);
    expect(await found('before:2026-03-11')).toEqual(ids(late, midnight));
    expect(await found('before:2026-03-10')).toEqual([]);
    expect(await found('after:2026-03-09')).toEqual(ids(late, midnight));
    expect(await found('after:2026-03-10')).toEqual([]);
    expect(await found('after:2026-03-09 before:2026-03-11 dated')).toEqual(ids(late, midnight));
    expect(await found('on:2026-03-11', 'Asia/Tokyo')).toEqual(ids(late, midnight));
    expect(await found('on:2026-03-10', 'Asia/Tokyo')).toEqual([]);
    expect(await found('after:2026-03-10', 'Asia/Tokyo')).toEqual(ids(late, midnight));
    expect(await found('before:2026-03-11', 'Asia/Tokyo')).toEqual([]);
    expect(await found('on:2026-03-10', 'America/Los_Angeles')).toEqual(ids(late, midnight));
    expect(await found('ON:2026-03-10 dated', 'europe/london')).toEqual(ids(late, midnight));
  });

  it('days follow daylight saving time (23- and 25-hour days)', async () => {
    const { me, room, write } = await solo();
    const tz = 'America/New_York';
    // 8 March 2026 has 23 hours there (clocks go forward): it ends at 04:00 UTC on the 9th.
    const lastOfShortDay = await write('dst entry', { createdAt: new Date('2026-03-09T03:30:00Z') }); // 23:30 EDT, 8 March
    const firstAfterShortDay = await write('dst entry', { createdAt: new Date('2026-03-09T04:30:00Z') }); // 00:30 EDT, 9 March
    // 1 November 2026 has 25 hours (clocks go back): it ends at 05:00 UTC on the 2nd.
    const lastOfLongDay = await write('dst entry', { createdAt: new Date('2026-11-02T04:30:00Z') }); // 23:30 EST, 1 November
    const found = async (q: string) => sortedIds(await find(me, { q: `in:#${room.name} ${q}`, tz }));
    expect(await found('on:2026-03-08')).toEqual([lastOfShortDay.id]);
    expect(await found('on:2026-03-09')).toEqual([firstAfterShortDay.id]);
    expect(await found('after:2026-03-08 before:2026-11-01')).toEqual([firstAfterShortDay.id]);
    expect(await found('on:2026-11-01')).toEqual([lastOfLongDay.id]);
    expect(await found('before:2026-11-02 after:2026-10-31')).toEqual([lastOfLongDay.id]);
  });

  it('today and yesterday are read in tz', async () => {
    for (const tz of ['UTC', 'Pacific/Kiritimati', 'Etc/GMT+12', 'Asia/Kolkata']) {
      const { me, room, write } = await solo();
      const today = dayIn(tz);
      const now = await write('timely');
      const yesterday = await write('timely', { createdAt: noonIn(tz, addDays(today, -1)) });
      const twoDaysAgo = await write('timely', { createdAt: noonIn(tz, addDays(today, -2)) });
      const found = async (q: string) => sortedIds(await find(me, { q: `in:#${room.name} ${q}`, tz }));
      expect(await found('on:today'), `${tz} on:today`).toEqual([now.id]);
      expect(await found('on:TODAY timely'), `${tz} on:TODAY`).toEqual([now.id]);
      expect(await found('on:yesterday'), `${tz} on:yesterday`).toEqual([yesterday.id]);
      expect(await found('after:yesterday'), `${tz} after:yesterday`).toEqual([now.id]);
      expect(await found('before:yesterday'), `${tz} before:yesterday`).toEqual([twoDaysAgo.id]);
      expect(await found('before:today'), `${tz} before:today`).toEqual(ids(yesterday, twoDaysAgo));
      expect(await found(`after:${addDays(today, -2)}`), `${tz} after two days ago`).toEqual(ids(now, yesterday));
      expect(await found(`on:${addDays(today, -1)}`), `${tz} on yesterday's date`).toEqual([yesterday.id]);
    }
  });

  it('has:link finds http:// and https:// links only', async () => {
    const { me, write } = await solo();
    const https = await write('see https://example.com/docs');
    const http = await write('old one: http://example.org');
    const markdown = await write('[the docs](https://example.net/x) are here');
    await write('example.com without a scheme');
    await write('ftp://files.example.com is not a web link');
    await write('no link at all');
    expect(sortedIds(await find(me, { q: 'has:link' }))).toEqual(ids(https, http, markdown));
    expect(idsOf(await find(me, { q: 'HAS:Link docs' }))).toEqual(expect.arrayContaining([https.id]));
  });

  it('is:thread finds roots with replies and replies; a reply is found by its own words', async () => {
    const { me, write } = await solo();
    const root = await write('question about widgets');
    const reply = await write('answer about gadgets', { threadRootSeq: root.seq });
    const alone = await write('question about nothing');
    await write('plain message about widgets');
    expect(sortedIds(await find(me, { q: 'is:thread' }))).toEqual(ids(root, reply));
    expect(idsOf(await find(me, { q: 'is:thread widgets' }))).toEqual([root.id]);
    expect(idsOf(await find(me, { q: 'is:thread question' }))).toEqual([root.id]);
    const found = await find(me, { q: 'gadgets' });
    expect(idsOf(found)).toEqual([reply.id]);
    expect(found.hits[0]!.message.threadRootSeq).toBe(root.seq);
    expect(idsOf(await find(me, { q: 'is:thread nothing' }))).toEqual([]);
    expect(idsOf(await find(me, { q: 'nothing' }))).toEqual([alone.id]);
  });

  it('@me finds mentions of me, and @room/@here in rooms I am in', async () => {
    const { me, room } = await solo();
    const other = await person();
    await join(room, other);
    knowRoom(other, room);
    const byName = await say(room, other, `ping @${me.username} please`);
    const everyone = await say(room, other, 'heads up @room');
    const here = await say(room, other, 'anyone @here?');
    await say(room, other, `ping @${other.username} only`);
    await say(room, other, 'no mention');
    const codeOnly = await say(room, other, `\`@${me.username}\` in code is text`);
    const page = await find(me, { q: '@me' });
    expect(sortedIds(page)).toEqual(ids(byName, everyone, here));
    expect(idsOf(page)).not.toContain(codeOnly.id);
    expect(idsOf(await find(me, { q: '@ME please' }))).toEqual([byName.id]);
    // In a room I have left, nobody's @room is mine any more.
    const elsewhere = await newRoom(other, 'public');
    await join(elsewhere, me);
    knowRoom(me, elsewhere);
    const gone = await say(elsewhere, other, 'everyone @here, once');
    expect(idsOf(await find(me, { q: '@me once' }))).toEqual([gone.id]);
    await leaveRoom({ roomId: elsewhere.id, userId: me.id });
    forgetRoom(me, elsewhere);
    expect(idsOf(await find(me, { q: '@me once' }))).toEqual([]);
  });

  it("@me finds mentions of me (my own too) and someone else's @room/@here, not my own", async () => {
    const { me, room, write } = await solo();
    await write('heads up @room');
    await write('anyone @here?');
    const myself = await write(`note to self @${me.username}`);
    await write('no mention');
    const other = await person();
    await join(room, other);
    knowRoom(other, room);
    const theirs = await say(room, other, 'everyone, look @room');
    expect(sortedIds(await find(me, { q: '@me' }))).toEqual(ids(myself, theirs));
  });

  it('filters combine (all must hold)', async () => {
    const { me, room } = await solo();
    const bea = await person();
    await join(room, bea);
    knowRoom(bea, room);
    const root = await say(room, bea, 'launch plan https://plan.example');
    const match = await say(room, bea, `launch notes https://notes.example @${me.username}`, { threadRootSeq: root.seq });
    await say(room, bea, `launch notes without a link @${me.username}`, { threadRootSeq: root.seq });
    await say(room, me, `launch notes https://mine.example @${me.username}`, { threadRootSeq: root.seq });
    await say(room, bea, `launch notes https://top.example @${me.username}`);
    const q = `from:@${bea.username} in:#${room.name} has:link is:thread @me on:today launch`;
    expect(idsOf(await find(me, { q }))).toEqual([match.id]);
    expect(idsOf(await find(me, { q: `${q} -notes` }))).toEqual([]);
    expect(idsOf(await find(me, { q: `${q.replace('on:today', 'on:yesterday')}` }))).toEqual([]);
  });

  it('sort=newest: newest first, across rooms', async () => {
    const me = await person();
    const [a, b] = [await newRoom(me, 'public'), await newRoom(me, 'private')];
    knowRoom(me, a);
    knowRoom(me, b);
    const base = Date.parse('2026-06-01T12:00:00Z');
    const at = (hours: number) => new Date(base + hours * 3_600_000);
    // Written in the order of their times (as real messages are), in two rooms, the better matches first:
    // newest first must not fall back to relevance or to one room's order.
    const m1 = await say(b, me, 'ordering word ordering word', { createdAt: at(1) });
    const m2 = await say(a, me, 'ordering', { createdAt: at(2) });
    const m3 = await say(a, me, 'ordering word', { createdAt: at(3) });
    const m4 = await say(a, me, 'an ordering word, said once more', { createdAt: at(4) });
    const m5 = await say(b, me, 'ordering word', { createdAt: at(5) });
    const page = await find(me, { q: 'ordering', sort: 'newest' });
    expect(idsOf(page)).toEqual([m5, m4, m3, m2, m1].map((m) => m.id));
    const times = page.hits.map((h) => Date.parse(h.message.createdAt));
    expect(times).toEqual([...times].sort((x, y) => y - x));
  });

  it('sort=relevance (the default): newer first among equal matches', async () => {
    const me = await person();
    const [a, b] = [await newRoom(me, 'public'), await newRoom(me, 'public')];
    knowRoom(me, a);
    knowRoom(me, b);
    const base = Date.parse('2026-06-01T12:00:00Z');
    const oldest = await say(a, me, 'identical words here', { createdAt: new Date(base) });
    const middle = await say(b, me, 'identical words here', { createdAt: new Date(base + 3_600_000) });
    const newest = await say(a, me, 'identical words here', { createdAt: new Date(base + 7_200_000) });
    const page = await find(me, { q: 'identical words' });
    expect(idsOf(page)).toEqual([newest.id, middle.id, oldest.id]);
    expect(idsOf(await find(me, { q: 'identical words', sort: 'relevance' }))).toEqual(idsOf(page));
  });

  it('cursor paging: pages are disjoint and together equal the unpaged result, for both sorts and scopes', async () => {
    const { me, write } = await solo();
    const other = await newRoom(me, 'private');
    knowRoom(me, other);
    const word = madeUpWord();
    const base = Date.parse('2026-05-01T00:00:00Z');
    let n = 0;
    const written: ChatMessage[] = [];
    // Ties in rank and in time, different ranks, two rooms: what a cursor must get right.
    for (const body of [`${word}`, `${word}`, `${word} ${word}`, `${word} and more`, `${word}`, `the ${word} ${word} ${word}`, `${word}ing`, `${word}`, `pre${word}`]) {
      const createdAt = new Date(base + (n % 3) * 60_000); // three messages per minute: equal times
      written.push(n % 2 ? await say(other, me, body, { createdAt }) : await write(body, { createdAt }));
      n += 1;
    }
    const stranger = await person();
    const outsiderWritten = await say(await newRoom(stranger, 'public'), stranger, `${word} from elsewhere`);
    for (const sort of ['relevance', 'newest']) {
      for (const scope of ['mine', 'all']) {
        const whole = await find(me, { q: word, sort, scope, limit: '50' });
        expect(whole.nextCursor).toBeNull();
        const expected = scope === 'all' ? [...written, outsiderWritten] : written;
        expect(sortedIds(whole), `${sort}/${scope}`).toEqual(ids(...expected));
        for (const limit of ['1', '2', '4']) {
          const pages = await allPages(me, { q: word, sort, scope, limit });
          const paged = pages.flatMap(idsOf);
          expect(paged, `${sort}/${scope} limit ${limit}`).toEqual(idsOf(whole));
          expect(new Set(paged).size).toBe(paged.length);
          for (const page of pages.slice(0, -1)) expect(page.hits).toHaveLength(Number(limit));
          expect(pages.at(-1)!.hits.length).toBeGreaterThan(0);
        }
      }
    }
  });

  it(`relevance ranks among the ${RANK_WINDOW} most recent matches; newest reaches every match`, async () => {
    const { me, write } = await solo();
    const word = madeUpWord();
    expect(RANK_WINDOW, 'the window protocol.md documents').toBe(300);
    const oldest = await write(`${word} ${word} ${word}`); // as good a match as any, but the oldest
    for (let i = 0; i < RANK_WINDOW; i += 100) {
      await Promise.all(Array.from({ length: 100 }, (_, j) => write(`${word} in message number ${i + j}`)));
    }
    const relevance = (await allPages(me, { q: word, limit: '50' }, 25)).flatMap(idsOf);
    expect(relevance).toHaveLength(RANK_WINDOW);
    expect(new Set(relevance).size).toBe(RANK_WINDOW);
    expect(relevance).not.toContain(oldest.id);
    const newest = (await allPages(me, { q: word, sort: 'newest', limit: '50' }, 25)).flatMap(idsOf);
    expect(newest).toHaveLength(RANK_WINDOW + 1);
    expect(newest.at(-1)).toBe(oldest.id);
  }, 180_000);

  it('limit: default 20, 1–50', async () => {
    const { me, write } = await solo();
    for (let i = 0; i < 21; i += 1) await write(`counting sheep number ${i}`);
    const first = await find(me, { q: 'sheep' });
    expect(first.hits).toHaveLength(20);
    expect(first.nextCursor).not.toBeNull();
    const rest = await find(me, { q: 'sheep', cursor: first.nextCursor! });
    expect(rest.hits).toHaveLength(1);
    expect(rest.nextCursor).toBeNull();
    expect((await find(me, { q: 'sheep', limit: '50' })).hits).toHaveLength(21);
    expect((await find(me, { q: 'sheep', limit: '1' })).hits).toHaveLength(1);
    for (const limit of ['0', '51', '-1', '1.5', 'abc', '', '1e9', '9999999999999999999999', ' ']) {
      expect(await refused(me, { q: 'sheep', limit }), limit).toEqual(['limit']);
    }
  });
});

describe('GET /api/search: lifecycle and snippets', () => {
  async function solo() {
    const me = await person();
    const room = await newRoom(me, 'public');
    knowRoom(me, room);
    return { me, room };
  }

  it('an edit is searchable at once: new words found, old words not', async () => {
    const { me, room } = await solo();
    const message = await say(room, me, 'original marmalade recipe');
    expect(idsOf(await find(me, { q: 'marmalade' }))).toEqual([message.id]);
    await editMessage({ roomId: room.id, userId: me.id, seq: message.seq, clientId: randomUUID(), body: 'changed xylophone tune' });
    const now = await find(me, { q: 'xylophone' });
    expect(idsOf(now)).toEqual([message.id]);
    expect(now.hits[0]!.message.body).toBe('changed xylophone tune');
    expect(now.hits[0]!.message.editedAt).not.toBeNull();
    expect(idsOf(await find(me, { q: 'marmalade' }))).toEqual([]);
    expect(idsOf(await find(me, { q: 'armala' }))).toEqual([]);
    expect(idsOf(await find(me, { q: '"original marmalade"' }))).toEqual([]);
  });

  it('a deleted message is gone at once, by every query', async () => {
    const { me, room } = await solo();
    const message = await say(room, me, 'doomed pineapple https://doomed.example');
    const root = await say(room, me, 'doomed root');
    await say(room, me, 'survivor reply', { threadRootSeq: root.seq });
    expect(idsOf(await find(me, { q: 'pineapple' }))).toEqual([message.id]);
    await deleteMessage({ roomId: room.id, userId: me.id, seq: message.seq });
    await deleteMessage({ roomId: room.id, userId: me.id, seq: root.seq });
    for (const q of ['pineapple', 'doomed', 'neappl', 'pineaple', `in:#${room.name}`, 'has:link', 'is:thread', `from:@${me.username}`, 'on:today']) {
      const page = await find(me, { q });
      expect(idsOf(page), q).not.toContain(message.id);
      expect(idsOf(page), q).not.toContain(root.id);
    }
    // The reply under the deleted root is still there.
    expect((await find(me, { q: 'survivor' })).hits).toHaveLength(1);
  });

  it('hits carry the message in its current state and where it was said', async () => {
    const { me, room } = await solo();
    const message = await say(room, me, 'stateful walrus');
    const [hit] = (await find(me, { q: 'walrus' })).hits as [SearchHit];
    expect(hit.message).toMatchObject({ id: message.id, roomId: room.id, seq: message.seq, body: 'stateful walrus', author: { id: me.id, username: me.username }, deletedAt: null });
    expect(hit.room).toEqual({ id: room.id, name: room.name, kind: 'public', peer: null, isMember: true });
  });

  it('a snippet is plain text around the match, Markdown removed, matches marked', async () => {
    const { me, room } = await solo();
    await say(room, me, 'The **deployment** is _really_ done, see `make ship` and [the notes](https://notes.example/x)');
    const [hit] = (await find(me, { q: 'deployment' })).hits as [SearchHit];
    for (const part of hit.snippet) {
      expect(typeof part.text).toBe('string');
      expect(typeof part.match).toBe('boolean');
    }
    const text = hit.snippet.map((p) => p.text).join('');
    expect(text).toContain('deployment');
    expect(text).toContain('the notes');
    for (const markup of ['**', '_really_', '`', '](', 'https://notes.example']) expect(text, markup).not.toContain(markup);
    expect(hit.snippet.filter((p) => p.match).map((p) => p.text.toLowerCase())).toEqual(['deployment']);
    expect(text.startsWith('…') || text.endsWith('…')).toBe(false);
  });

  it('a snippet marks each matched word form, and cuts long text with …', async () => {
    const { me, room } = await solo();
    const filler = (n: number) => Array.from({ length: n }, (_, i) => `filler${i}`).join(' ');
    await say(room, me, `${filler(90)} the needle is deploying here ${filler(90)}`);
    const [hit] = (await find(me, { q: 'needle deploy' })).hits as [SearchHit];
    const text = hit.snippet.map((p) => p.text).join('');
    expect(text.startsWith('…')).toBe(true);
    expect(text.endsWith('…')).toBe(true);
    expect(text.length).toBeLessThanOrEqual(220);
    expect(text).toContain('the needle is deploying here');
    const marked = hit.snippet.filter((p) => p.match).map((p) => p.text.toLowerCase());
    expect(marked).toEqual(expect.arrayContaining(['needle', 'deploying']));
    // The start of a message is not cut at the front.
    await say(room, me, `haystack first ${filler(180)}`);
    const [start] = (await find(me, { q: 'haystack' })).hits as [SearchHit];
    const startText = start.snippet.map((p) => p.text).join('');
    expect(startText.startsWith('haystack first')).toBe(true);
    expect(startText.endsWith('…')).toBe(true);
  });

  it('every hit found by a word marks something in its snippet, whatever folding matched it', async () => {
    const { me, room } = await solo();
    for (const body of ['Die Straße ist lang', 'Æsir and Vanir', 'an œuvre indeed', 'the ﬁle is here', 'İstanbul trip', 'Ñandú sighting', 'Ça va', 'ＦＵＬＬ width']) {
      await say(room, me, body);
    }
    const unmarked: string[] = [];
    for (const q of ['strasse', 'straße', 'aesir', 'æsir', 'oeuvre', 'file', 'istanbul', 'nandu', 'ca va', 'full']) {
      for (const hit of (await find(me, { q })).hits) {
        if (!hit.snippet.some((part) => part.match)) unmarked.push(`${q} → ${hit.message.body}`);
      }
    }
    expect(unmarked).toEqual([]);
    // The plainly accented ones are found at all.
    for (const q of ['istanbul', 'nandu', 'ca va', 'full']) expect((await find(me, { q })).hits, q).toHaveLength(1);
  });

  it('a snippet for a prefix, a substring and an accent-folded word marks the matched text', async () => {
    const { me, room } = await solo();
    await say(room, me, 'The Café deployment');
    const marked = async (q: string) => ((await find(me, { q })).hits[0]?.snippet ?? []).filter((p) => p.match).map((p) => p.text);
    expect((await marked('deplo')).join(' ')).toMatch(/deplo/i);
    expect((await marked('ployme')).join(' ')).toMatch(/ployme/i);
    expect((await marked('cafe')).join(' ')).toMatch(/Café/);
  });
});

describe('GET /api/search: hostile input', () => {
  let me: Person;
  let room: TestRoom;
  let snapshotBefore: string;

  async function snapshot(): Promise<string> {
    const rows = await getDb().message.findMany({ where: { roomId: room.id }, orderBy: { seq: 'asc' }, select: { seq: true, body: true, rev: true, deletedAt: true, editedAt: true } });
    const roomRow = await getDb().room.findUniqueOrThrow({ where: { id: room.id }, select: { lastSeq: true, lastRev: true, name: true } });
    const members = await getDb().membership.count({ where: { roomId: room.id } });
    return JSON.stringify({ rows, roomRow, members });
  }

  beforeAll(async () => {
    me = await person();
    room = await newRoom(me, 'public');
    knowRoom(me, room);
    for (const body of ['deploy the thing', '100% sure', 'a_b', 'back\\slash', 'שלום עולם', 'emoji 🚀 launch', 'deplo\u200Byment', "O'Reilly's book", 'tsquery a:* & b | !c <-> d']) {
      await say(room, me, body);
    }
    snapshotBefore = await snapshot();
  });

  const ten = Array.from({ length: 10 }, (_, i) => `word${i}`).join(' ');
  /** [q, expected status] — `null` when the document allows either 200 or 422. */
  const corpus: [string, 200 | 422 | null][] = [
    ['&', 422],
    ['|', 422],
    ['!', 422],
    [':', 422],
    ['*', 422],
    ['( )', 422],
    ['<->', 422],
    ['\\', 422],
    ["'", 422],
    ['"', 422],
    ['""', 422],
    ['& | ! : * ( ) < - > \\ \' "', 422],
    ['-deploy', 422],
    ['-deploy -"the thing"', 422],
    ['🚀', 422],
    ['🚀🚀🚀 🎉', 422],
    ['\u200B', 422],
    ['%', 422],
    ['_', 422],
    ['%_%', 422],
    ['\u0000', 422],
    ['deploy\u0000', 422],
    ['a\u0007b', 422],
    ['\u001b[31mred', 422],
    ['deploy\u0085', 422],
    ['deploy\u007f', 422],
    ['deploy\nstaging', 422],
    ['deploy\tstaging', 422],
    ['x'.repeat(201), 422],
    [`${ten} word10`, 422],
    ['on:2026-02-30', 422],
    ['on:2026-13-01', 422],
    ['before:abc', 422],
    ['after:2026-1-1', 422],
    ['on:today before:2026-01-01', 422],
    ['before:2026-01-01 before:2026-02-01', 422],
    ['has:pdf', 422],
    ['is:open deploy', 422],
    ['in: deploy', 422],
    ['from:', 422],
    ['deploy -in:#general', 422],
    ['deploy -from:@alice', 422],
    ['x'.repeat(200), 200],
    [`  ${'y'.repeat(200)}  `, 200],
    [ten, 200],
    [`${ten} in:#x has:link`, 200],
    ['"unbalanced quote', 200],
    ['unbalanced "quote', 200],
    ['"deploy', 200],
    ['the a of', 200],
    ['the', 200],
    ['emoji 🚀', 200],
    ['launch 🚀', 200],
    ['שלום', 200],
    ['مرحبا بالعالم', 200],
    ['\u202Edeploy', 200],
    ['dep\u200Bloy', 200],
    ['deplo\u200Byment', 200],
    ['\uFEFFdeploy', 200],
    ["'; drop table messages; --", 200],
    ['"; DROP TABLE users; --', 200],
    ["' OR '1'='1", 200],
    ['1; SELECT pg_sleep(10)', 200],
    ['100%', 200],
    ['a_b', 200],
    ['back\\slash', 200],
    ['back\\', 200],
    ['a:*', 200],
    ['deploy:*', 200],
    ['a & b', 200],
    ['!a', 200],
    ['a <-> b', 200],
    ['a <2> b', 200],
    ["deploy' & 'x", 200],
    ['(deploy | x) & !y', 200],
    ["O'Reilly", 200],
    ['10:30', 200],
    ['https://example.com/?q=1&x=2#y', 200],
    ['foo:bar:baz', 200],
    ['in:#general deploy', 200],
    ['in:"unclosed room name', 200],
    ['from:@@@ deploy', null],
    ['in:### deploy', null],
    ['in:@ deploy', null],
    ['@me @me @me', 200],
    ['@', 422],
    ['@@me', null],
    ['-@me deploy', null],
    ['deploy -', 200],
    ['-- deploy', 200],
    ['- - - deploy', 200],
    ['\ud800deploy', null],
    ['deploy\ufffd', 200],
    ['Ａｂｃ', 200],
    ['ﬁle', 200],
    ['İstanbul', 200],
    ['ß', 200],
    ['ǅ', 200],
    ['a'.repeat(63) + ' ' + 'b'.repeat(63), 200],
    ['x'.repeat(10_000), 422],
    ['on:9999-12-31', 200],
    ['after:9999-12-31', 200],
    ['before:1000-01-01', 200],
    ['on:1970-01-01', 200],
    ['on:0001-01-01', null],
    ['on:0000-01-01', 422],
    ['before:2026-11-30 after:2026-12-01', 200],
  ];

  it.each(corpus)('q=%j → %s, never 500, and changes nothing', async (q, expected) => {
    const response = await get(me, { q });
    const text = await response.text();
    if (expected === null) expect([200, 422], text.slice(0, 300)).toContain(response.status);
    else expect(response.status, text.slice(0, 300)).toBe(expected);
    if (response.status === 422) {
      const { error } = JSON.parse(text) as { error: ErrorBody };
      expect(error.code).toBe('INVALID_PAYLOAD');
      expect(error.issues?.map((i) => i.path)).toEqual(['q']);
      expect(error.issues![0]!.message.length).toBeGreaterThan(0);
    } else {
      const page = JSON.parse(text) as SearchPage;
      expect(Array.isArray(page.hits)).toBe(true);
    }
  });

  it('finds hostile-looking text that was written (emoji, RTL, apostrophes, tsquery syntax)', async () => {
    const bodies = async (q: string) => (await find(me, { q })).hits.map((h) => h.message.body);
    expect(await bodies('launch 🚀')).toEqual(['emoji 🚀 launch']);
    expect(await bodies('שלום')).toEqual(['שלום עולם']);
    expect(await bodies("O'Reilly's")).toEqual(["O'Reilly's book"]);
    expect(await bodies('"a:* & b"')).toContain('tsquery a:* & b | !c <-> d');
    expect(await bodies('100%')).toEqual(['100% sure']);
  });

  it('other parameters: strict, bounded, and never a 500', async () => {
    expect(await refused(me, { q: 'deploy', foo: '1' })).toBeDefined();
    expect(await refused(me, { q: 'deploy', scope: 'everything' })).toEqual(['scope']);
    expect(await refused(me, { q: 'deploy', scope: '' })).toEqual(['scope']);
    expect(await refused(me, { q: 'deploy', sort: 'oldest' })).toEqual(['sort']);
    expect(await refused(me, { q: 'deploy', sort: 'RELEVANCE' })).toEqual(['sort']);
    for (const tz of ['Mars/Olympus', 'utc+2', '', ' ', 'x'.repeat(65), '../../etc/passwd', 'Europe/Paris\u0000', "UTC'; drop table messages; --", 'Local']) {
      expect(await refused(me, { q: 'deploy', tz }), JSON.stringify(tz)).toEqual(['tz']);
    }
    expect(await refused(me, {})).toEqual(['q']);
    expect(await refused(me, { q: '' })).toEqual(['q']);
    expect(await refused(me, { q: '   ' })).toEqual(['q']);
    for (const tz of ['UTC', 'utc', 'Etc/UTC', 'GMT', 'Europe/Paris', 'europe/paris', 'Asia/Kathmandu', 'America/St_Johns', 'Pacific/Chatham', 'EST5EDT', 'Etc/GMT-14']) {
      expect((await find(me, { q: 'deploy', tz })).hits.length, tz).toBeGreaterThan(0);
    }
    // Repeated parameters: whichever wins, not a 500.
    const repeated = await search.GET(await apiRequest({ cookie: me.cookie }, 'GET', '/api/search?q=deploy&q=thing&limit=1&limit=2'));
    expect([200, 422]).toContain(repeated.status);
  });

  it('every time zone the runtime accepts works in date filters', async () => {
    const zones = [...Intl.supportedValuesOf('timeZone'), 'Asia/Calcutta', 'US/Pacific', 'Europe/Kiev', 'Etc/GMT+12'];
    const failures: string[] = [];
    await inBatches(
      zones,
      async (tz) => {
        // Now is within a day of the UTC date in every zone: this window holds the room's messages anywhere.
        const response = await get(me, { q: `in:#${room.name} after:${utcDay(-2)} before:${utcDay(2)}`, tz });
        if (response.status !== 200) failures.push(`${tz}: ${response.status} ${(await response.text()).slice(0, 120)}`);
        else if (((await response.json()) as SearchPage).hits.length === 0) failures.push(`${tz}: the room's messages not found`);
      },
      8,
    );
    expect(failures).toEqual([]);
  }, 120_000);

  it('afterwards: nothing changed and the tables are intact', async () => {
    expect(await snapshot()).toBe(snapshotBefore);
    expect(await getDb().message.count({ where: { roomId: room.id } })).toBeGreaterThan(0);
    expect((await find(me, { q: 'deploy' })).hits.length).toBeGreaterThan(0);
  });
});
