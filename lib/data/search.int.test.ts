/**
 * The search query against a real PostgreSQL: what each kind of term finds, and that membership is part of
 * the query. (The HTTP contract, the nasty-input corpus and the privacy sweep are in
 * app/api/search/search.int.test.ts.)
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createTestUser, uniqueName } from '../testing/realtime';
import type { SearchPage, SearchQuery } from '../schemas/search';
import { createMessage } from './messages';
import { deleteMessage, editMessage } from './message-changes';
import { createRoom, leaveRoom } from './rooms';
import { isStatementTimeout, searchMessages } from './search';
import { getDb } from '../db';

type User = Awaited<ReturnType<typeof createTestUser>>;

/** Other test files share the database: every test searches for words of its own. */
// Letters only: a word with digits in it is one token to PostgreSQL's parser, kept as typed (no word forms).
const token = () => `zq${Array.from({ length: 8 }, () => String.fromCharCode(97 + Math.floor(Math.random() * 26))).join('')}`;

async function search(user: User, q: string, options: Partial<SearchQuery> = {}): Promise<SearchPage> {
  return searchMessages({ userId: user.id, q, scope: 'mine', sort: 'relevance', limit: 20, tz: 'UTC', ...options });
}

async function post(user: User, roomId: string, body: string) {
  return createMessage({ roomId, authorId: user.id, clientId: randomUUID(), body });
}

async function roomOf(owner: User, kind: 'public' | 'private' = 'public') {
  const name = uniqueName('Search');
  const data = kind === 'private' ? { kind, name, description: '', password: 'letmein-123' } : { kind, name, description: '' };
  return createRoom({ ownerId: owner.id, data, ip: null });
}

const bodies = (page: SearchPage) => page.hits.map((hit) => hit.message.body);
const marked = (page: SearchPage) => page.hits.map((hit) => hit.snippet.filter((part) => part.match).map((part) => part.text));

describe('searchMessages', () => {
  it('finds whole words, prefixes, word forms, phrases, substrings and accents; marks what matched', async () => {
    const me = await createTestUser();
    const room = await roomOf(me);
    const t = token();
    await post(me, room.id, `The **${t}deployment** of the café is done`);
    await post(me, room.id, `we are ${t}deploying the release train now`);
    await post(me, room.id, `train ${t} release`);

    expect(bodies(await search(me, `${t}deployment`))).toHaveLength(2); // word forms: deployment ~ deploying
    expect(bodies(await search(me, `${t}deplo`))).toHaveLength(2); // prefix
    expect(bodies(await search(me, `${t.slice(2)}deploym`))).toEqual([`The **${t}deployment** of the café is done`]); // substring
    // A phrase: adjacent and in order ("train <t> release" has both words, apart).
    expect(bodies(await search(me, `"release train" ${t}`))).toEqual([`we are ${t}deploying the release train now`]);
    expect(bodies(await search(me, `"train release" ${t}`))).toEqual([]);
    const cafe = await search(me, `CAFE ${t}deplo`);
    expect(bodies(cafe)).toEqual([`The **${t}deployment** of the café is done`]);
    expect(marked(cafe)[0]).toEqual([`${t}deployment`, 'café']);
    expect(cafe.hits[0]!.snippet.map((part) => part.text).join('')).toBe(`The ${t}deployment of the café is done`);
  });

  it('leaves out negated terms, applies filters, pages without repeats', async () => {
    const [me, other] = await Promise.all([createTestUser(), createTestUser()]);
    const room = await roomOf(me);
    const second = await roomOf(me);
    const t = token();
    for (let i = 0; i < 7; i++) await post(me, room.id, `${t} number ${i}`);
    await post(me, room.id, `${t} with a link https://example.com/x`);
    await post(me, second.id, `${t} elsewhere`);
    await getDb().membership.create({ data: { roomId: room.id, userId: other.id } });
    await post(other, room.id, `${t} from someone else`);

    expect(bodies(await search(me, `${t} -elsewhere -"someone else"`))).toHaveLength(8);
    expect(bodies(await search(me, `${t} in:#${second.name}`))).toEqual([`${t} elsewhere`]);
    expect(bodies(await search(me, `${t} in:"${second.name}"`))).toEqual([`${t} elsewhere`]);
    expect(bodies(await search(me, `${t} from:@${other.username}`))).toEqual([`${t} from someone else`]);
    expect(bodies(await search(me, `${t} has:link`))).toEqual([`${t} with a link https://example.com/x`]);
    expect(bodies(await search(me, `${t} before:2000-01-01`))).toEqual([]);
    expect(bodies(await search(me, `${t} on:today`, { tz: 'Pacific/Kiritimati' })).length + bodies(await search(me, `${t} on:yesterday`, { tz: 'Pacific/Kiritimati' })).length).toBe(10);
    const unknown = await search(me, `${t} in:#no-such-room-${t}`);
    expect(unknown).toMatchObject({ hits: [], notes: [`No room named "no-such-room-${t}" that you can search.`] });

    for (const sort of ['relevance', 'newest'] as const) {
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await search(me, t, { sort, limit: 3, cursor });
        seen.push(...page.hits.map((hit) => hit.message.id));
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      expect(seen).toHaveLength(10);
      expect(new Set(seen).size).toBe(10);
    }
  });

  it('finds edits at once, forgets deletes at once, and finds near matches when nothing matches exactly', async () => {
    const me = await createTestUser();
    const room = await roomOf(me);
    const t = token();
    const sent = await post(me, room.id, `${t} alpha wording`);
    await editMessage({ roomId: room.id, userId: me.id, seq: sent.message.seq, clientId: randomUUID(), body: `${t} omega wording` });
    expect(bodies(await search(me, `${t} omega`))).toEqual([`${t} omega wording`]);
    expect(bodies(await search(me, `${t} alpha`))).toEqual([]);
    await deleteMessage({ roomId: room.id, userId: me.id, seq: sent.message.seq });
    expect(bodies(await search(me, t))).toEqual([]);

    await post(me, room.id, `the ${t}reconciliation finished`);
    const near = await search(me, `${t}reconcilaition`);
    expect(near.approximate).toBe(true);
    expect(bodies(near)).toEqual([`the ${t}reconciliation finished`]);
  });

  it('finds text in scripts without spaces by substring', async () => {
    const me = await createTestUser();
    const room = await roomOf(me);
    const t = token();
    await post(me, room.id, `${t} 日本語のテキストです`);
    expect(bodies(await search(me, `テキスト ${t}`))).toHaveLength(1);
    expect(bodies(await search(me, `日本 ${t}`))).toHaveLength(1);
  });

  it('never returns a message of a room the searcher is not in (any more)', async () => {
    const [owner, outsider, leaver] = await Promise.all([createTestUser(), createTestUser(), createTestUser()]);
    const secret = await roomOf(owner, 'private');
    const t = token();
    await getDb().membership.create({ data: { roomId: secret.id, userId: leaver.id } });
    await post(owner, secret.id, `${t} the secret plan`);
    expect(bodies(await search(leaver, t))).toHaveLength(1);
    await leaveRoom({ roomId: secret.id, userId: leaver.id });
    for (const user of [outsider, leaver]) {
      for (const q of [t, t.slice(0, 7), t.slice(2), `"${t} the secret"`, `${t}x`, `in:#${secret.name}`, `from:@${owner.username}`]) {
        for (const scope of ['mine', 'all'] as const) expect(bodies(await search(user, q, { scope }))).toEqual([]);
      }
    }
    const publicRoom = await roomOf(owner);
    await post(owner, publicRoom.id, `${t} in the open`);
    expect(bodies(await search(outsider, t))).toEqual([]);
    const all = await search(outsider, t, { scope: 'all' });
    expect(all.hits.map((hit) => [hit.message.body, hit.room.isMember])).toEqual([[`${t} in the open`, false]]);
  });

  it('recognises PostgreSQL stopping a statement that ran out of time (how a too-slow search becomes a 503)', async () => {
    const error = await getDb()
      .$transaction(async (tx) => {
        await tx.$queryRaw`SELECT set_config('statement_timeout', '50', true)`;
        await tx.$queryRaw`SELECT pg_sleep(2)`;
      })
      .catch((caught: unknown) => caught);
    expect(isStatementTimeout(error)).toBe(true);
    expect(isStatementTimeout(new Error('connection refused'))).toBe(false);
  });
});
