/** The room creation limits follow RATE_LIMIT_ROOMS_PER_HOUR and MAX_ROOMS_PER_USER. */
import { describe, expect, it, vi } from 'vitest';
import { getDb } from '@/lib/db';
import { apiRequest, createTestUser, uniqueName } from '@/lib/testing/realtime';
import * as rooms from './route';

// Read once, on first use (lib/env.ts); every test file runs in its own process.
vi.stubEnv('RATE_LIMIT_ROOMS_PER_HOUR', '3');
vi.stubEnv('MAX_ROOMS_PER_USER', '2');

describe('room creation limits (configured)', () => {
  it('takes the hourly budget and the cap from the environment', async () => {
    const owner = await createTestUser();
    const responses = await Promise.all(
      Array.from({ length: 5 }, async () => rooms.POST(await apiRequest(owner, 'POST', '/api/rooms', { kind: 'public', name: uniqueName('Env') }))),
    );
    // Three attempts pass the limiter; of those, two fit under the cap.
    expect(responses.map((r) => r.status).sort()).toEqual([201, 201, 403, 429, 429]);
    const forbidden = responses.find((r) => r.status === 403)!;
    expect(((await forbidden.json()) as { error: { message: string } }).error.message).toMatch(/You own 2 rooms, the most allowed/);
    expect(await getDb().room.count({ where: { ownerId: owner.id } })).toBe(2);
  });
});
