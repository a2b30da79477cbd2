/**
 * The search rate limit (docs/protocol.md §7): 30 valid searches per 10 s per user (the default of
 * RATE_LIMIT_SEARCHES_PER_10S, left as it is here), then blocked for 10 s with 429 and Retry-After; spent
 * atomically, so parallel requests cannot slip past it. A file of its own: search.int.test.ts lifts the limit.
 */
import { describe, expect, it } from 'vitest';
import type { ErrorBody } from '@/lib/errors';
import { apiRequest, createTestUser, signInAs } from '@/lib/testing/realtime';
import * as search from './route';

const LIMIT = 30; // the documented default

async function signedIn(): Promise<{ cookie: string }> {
  return { cookie: (await signInAs(await createTestUser())).cookie };
}

async function searchAs(who: { cookie: string }, params: Record<string, string>): Promise<Response> {
  return search.GET(await apiRequest(who, 'GET', `/api/search?${new URLSearchParams(params).toString()}`));
}

describe('GET /api/search rate limit', () => {
  it(`allows ${LIMIT} valid searches per 10 s per user, even all at once, then 429 with Retry-After`, async () => {
    const [me, someoneElse] = await Promise.all([signedIn(), signedIn()]);
    // Invalid queries are not searches: they spend nothing.
    const invalid = await Promise.all(Array.from({ length: LIMIT + 5 }, () => searchAs(me, { q: '-only -negations' })));
    expect(invalid.map((r) => r.status)).toEqual(Array.from({ length: LIMIT + 5 }, () => 422));

    const burst = await Promise.all(Array.from({ length: LIMIT + 10 }, (_, i) => searchAs(me, { q: `anything ${i}` })));
    const statuses = burst.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(LIMIT);
    expect(statuses.filter((s) => s === 429)).toHaveLength(10);

    const refused = burst.find((r) => r.status === 429)!;
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(10);
    const { error } = (await refused.json()) as { error: ErrorBody };
    expect(error.code).toBe('RATE_LIMITED');
    expect(error.retryAfter).toBe(retryAfter);
    expect(error.message.length).toBeGreaterThan(0);

    // Still blocked, whatever the query; another user is not.
    expect((await searchAs(me, { q: 'later' })).status).toBe(429);
    expect((await searchAs(someoneElse, { q: 'later' })).status).toBe(200);
  });
});
