/**
 * Room creation limits with the default settings (20 per hour, 50 owned): counted before any work,
 * exact under parallel requests. room-limits-env.int.test.ts checks that the settings are honoured.
 */
import { describe, expect, it, vi } from 'vitest';
import { getDb } from '@/lib/db';
import { createRoom, newRoomId, startDirect } from '@/lib/data/rooms';
import { hashPassword } from '@/lib/password';
import type { ErrorBody } from '@/lib/errors';
import { apiRequest, createTestUser, roomParams, uniqueName } from '@/lib/testing/realtime';
import * as room from './[roomId]/route';
import * as rooms from './route';

// Counts bcrypt work: a refused creation must not pay for hashing a private room's password.
vi.mock('@/lib/password', async (importOriginal) => {
  const original = await importOriginal<typeof import('@/lib/password')>();
  return { ...original, hashPassword: vi.fn(original.hashPassword) };
});

type User = Awaited<ReturnType<typeof createTestUser>>;

async function create(user: User, body: Record<string, unknown>): Promise<{ status: number; body: { room?: { id: string }; error?: ErrorBody }; retryAfter: string | null }> {
  const response = await rooms.POST(await apiRequest(user, 'POST', '/api/rooms', body));
  return { status: response.status, body: (await response.json()) as never, retryAfter: response.headers.get('retry-after') };
}

const ownedRooms = (ownerId: string) => getDb().room.count({ where: { ownerId, kind: { not: 'direct' } } });

/** Rooms owned by `ownerId`, inserted directly (the limits under test are the creation path's). */
async function seedOwned(ownerId: string, count: number): Promise<void> {
  await getDb().room.createMany({
    data: Array.from({ length: count }, () => {
      const name = uniqueName('Seed');
      return { id: newRoomId(), name, nameKey: name.toLowerCase(), kind: 'public' as const, ownerId };
    }),
  });
}

describe('room creation limits (defaults)', () => {
  it('rate-limits creation per user, counting every attempt before the work, also in parallel', async () => {
    const [owner, other] = await Promise.all([createTestUser(), createTestUser()]);
    vi.mocked(hashPassword).mockClear();

    const results = await Promise.all(
      Array.from({ length: 25 }, (_, i) =>
        create(owner, i % 2 ? { kind: 'public', name: uniqueName('Burst') } : { kind: 'private', name: uniqueName('Burst'), password: 'letmein' }),
      ),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses, JSON.stringify(results.filter((r) => r.status >= 500).map((r) => r.body))).toEqual([...Array<number>(20).fill(201), ...Array<number>(5).fill(429)]);
    const limited = results.find((r) => r.status === 429)!;
    expect(limited.body.error).toMatchObject({ code: 'RATE_LIMITED', message: expect.stringMatching(/Too many rooms created.*Try again in/) });
    expect(Number(limited.retryAfter)).toBeGreaterThan(0);
    expect(limited.body.error?.retryAfter).toBe(Number(limited.retryAfter));

    // The refused attempts changed nothing and hashed nothing.
    expect(await ownedRooms(owner.id)).toBe(20);
    expect(await getDb().auditEvent.count({ where: { actorId: owner.id, kind: 'room.created' } })).toBe(20);
    const privateCreated = results.filter((r, i) => r.status === 201 && i % 2 === 0).length;
    expect(vi.mocked(hashPassword)).toHaveBeenCalledTimes(privateCreated);

    // Another user's budget is their own.
    expect((await create(other, { kind: 'public', name: uniqueName('Calm') })).status).toBe(201);
  });

  it('a request refused by validation costs no attempt', async () => {
    const owner = await createTestUser();
    for (let i = 0; i < 25; i += 1) expect((await create(owner, { kind: 'public', name: 'x' })).status).toBe(422);
    expect((await create(owner, { kind: 'public', name: uniqueName('Valid') })).status).toBe(201);
  });

  it('caps the rooms a user owns, exactly under parallel creations; direct conversations do not count', async () => {
    const [owner, peer] = await Promise.all([createTestUser(), createTestUser()]);
    await startDirect({ userId: owner.id, peerId: peer.id }); // owned by `owner`, not counted
    await seedOwned(owner.id, 47);

    const results = await Promise.all(Array.from({ length: 8 }, () => create(owner, { kind: 'public', name: uniqueName('Last') })));
    expect(results.map((r) => r.status).sort()).toEqual([201, 201, 201, 403, 403, 403, 403, 403]);
    expect(results.find((r) => r.status === 403)!.body.error).toEqual({
      code: 'FORBIDDEN',
      message: 'You own 50 rooms, the most allowed. Delete one of them to create another.',
    });
    expect(await ownedRooms(owner.id)).toBe(50);

    // Deleting one makes room for one more.
    const created = results.find((r) => r.status === 201)!.body.room!;
    const deleted = await room.DELETE(await apiRequest(owner, 'DELETE', `/api/rooms/${created.id}`), roomParams(created.id));
    expect(deleted.status).toBe(204);
    expect((await create(owner, { kind: 'private', name: uniqueName('Again'), password: 'letmein' })).status).toBe(201);
    expect((await create(owner, { kind: 'public', name: uniqueName('Over') })).status).toBe(403);
  });

  it('the cap holds across instances too (each with its own queue of creations)', async () => {
    const owner = await createTestUser();
    await seedOwned(owner.id, 46);
    // A second copy of the data module stands in for another instance: same database, its own queue.
    vi.resetModules();
    const otherInstance = await import('@/lib/data/rooms');
    expect(otherInstance.createRoom).not.toBe(createRoom);
    const attempt = (create: typeof createRoom) =>
      create({ ownerId: owner.id, data: { kind: 'public', name: uniqueName('Twin'), description: '' }, ip: null }).then(
        () => 'created',
        (error: unknown) => (error as { code?: string }).code,
      );
    const outcomes = await Promise.all(Array.from({ length: 10 }, (_, i) => attempt(i % 2 ? createRoom : otherInstance.createRoom)));
    expect(outcomes.sort()).toEqual([...Array<string>(6).fill('FORBIDDEN'), ...Array<string>(4).fill('created')].sort());
    expect(await ownedRooms(owner.id)).toBe(50);
  });
});
