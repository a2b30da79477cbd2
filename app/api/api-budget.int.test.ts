/**
 * The per-user API budget (docs/protocol.md §7): every signed-in API request spends one point of a steady rate
 * plus a burst, before the request's work, so parallel requests cannot slip past it. Avatar pictures and
 * requests without a session spend nothing. The defaults (20 a second plus 200) are checked in lib/env.test.ts;
 * here the rate is 1 a second, so a burst that takes a few seconds on a busy machine refills only a few points.
 */
import { describe, expect, it, vi } from 'vitest';
import type { ErrorBody } from '@/lib/errors';
import { apiRequest, createTestUser, signInAs } from '@/lib/testing/realtime';
import * as rooms from './rooms/route';
import * as avatar from './users/[userId]/avatar/route';

vi.stubEnv('RATE_LIMIT_API_PER_SECOND', '1');
vi.stubEnv('RATE_LIMIT_API_BURST', '30');
const BUDGET = 1 + 30; // what passes at once: one second's rate plus the burst
const EXTRA = 25;

async function signedIn(): Promise<{ id: string; cookie: string }> {
  const user = await createTestUser();
  return { id: user.id, cookie: (await signInAs(user)).cookie };
}

const listRooms = async (who: { cookie: string } | null) => rooms.GET(await apiRequest(who, 'GET', '/api/rooms'));
const picture = async (who: { cookie: string }, userId: string) =>
  avatar.GET(await apiRequest(who, 'GET', `/api/users/${userId}/avatar`), { params: Promise.resolve({ userId }) });

describe('API budget per user', () => {
  it(`allows ${BUDGET} requests at once, then 429 with Retry-After; others, pictures and the signed-out spend nothing`, async () => {
    const [me, someoneElse] = await Promise.all([signedIn(), signedIn()]);

    // Requests without a session are refused before they spend anything.
    const anonymous = await Promise.all(Array.from({ length: 30 }, () => listRooms(null)));
    expect(new Set(anonymous.map((r) => r.status))).toEqual(new Set([401]));

    // Pictures are outside the budget: a members page shows a hundred of them at once.
    const pictures = await Promise.all(Array.from({ length: 150 }, () => picture(me, someoneElse.id)));
    expect(new Set(pictures.map((r) => r.status))).toEqual(new Set([404])); // nobody has a picture here

    const started = performance.now();
    const burst = await Promise.all(Array.from({ length: BUDGET + EXTRA }, () => listRooms(me)));
    const refilled = Math.ceil((performance.now() - started) / 1000); // points the rate gave back meanwhile
    const statuses = burst.map((r) => r.status);
    expect(statuses.filter((s) => s !== 200 && s !== 429)).toEqual([]);
    const passed = statuses.filter((s) => s === 200).length;
    expect(passed).toBeGreaterThanOrEqual(BUDGET);
    expect(passed).toBeLessThanOrEqual(BUDGET + refilled);

    const refused = burst.find((r) => r.status === 429)!;
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(20); // the burst refills over 20 s
    const { error } = (await refused.json()) as { error: ErrorBody };
    expect(error.code).toBe('RATE_LIMITED');
    expect(error.retryAfter).toBe(retryAfter);
    expect(error.message).toMatch(/too fast/);

    // Pictures still answer for me; another user's budget is their own.
    expect((await picture(me, someoneElse.id)).status).toBe(404);
    expect((await listRooms(someoneElse)).status).toBe(200);
  });
});
