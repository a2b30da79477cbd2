import { describe, expect, it } from 'vitest';
import { getDb } from '@/lib/db';
import { startDirect } from '@/lib/data/rooms';
import type { ErrorBody } from '@/lib/errors';
import type { RoomDirectoryPage, RoomSummary } from '@/lib/schemas/room';
import { apiRequest, createTestUser, roomParams, uniqueName } from '@/lib/testing/realtime';
import * as join from '../[roomId]/join/route';
import * as leave from '../[roomId]/leave/route';
import * as rooms from '../route';
import * as directory from './route';

type User = Awaited<ReturnType<typeof createTestUser>>;

// Other test files share the database: every test searches for its own token.
const token = () => `Dq${Math.random().toString(36).slice(2, 10)}`;

async function browse(user: User | null, query: Record<string, string>): Promise<Response> {
  return directory.GET(await apiRequest(user, 'GET', `/api/rooms/directory?${new URLSearchParams(query).toString()}`));
}

async function page(user: User, query: Record<string, string>): Promise<RoomDirectoryPage> {
  const response = await browse(user, query);
  expect(response.status).toBe(200);
  return (await response.json()) as RoomDirectoryPage;
}

async function createOk(user: User, body: Record<string, unknown>): Promise<RoomSummary> {
  const response = await rooms.POST(await apiRequest(user, 'POST', '/api/rooms', body));
  expect(response.status).toBe(201);
  return ((await response.json()) as { room: RoomSummary }).room;
}

/** Adds `count` members besides the owner, directly (this file is not about joining). */
async function addMembers(roomId: string, count: number): Promise<void> {
  const users = await Promise.all(Array.from({ length: count }, () => createTestUser()));
  await getDb().membership.createMany({ data: users.map((u) => ({ roomId, userId: u.id, role: 'member' as const })) });
}

describe('GET /api/rooms/directory', () => {
  it('requires a session', async () => {
    const response = await browse(null, {});
    expect(response.status).toBe(401);
  });

  it('finds rooms I am not in by name or description, case-insensitively; never direct rooms or mine', async () => {
    const [me, owner] = await Promise.all([createTestUser(), createTestUser()]);
    const tok = token();
    const byName = await createOk(owner, { kind: 'public', name: `${tok} Lobby` });
    const byDescription = await createOk(owner, { kind: 'private', name: uniqueName('Vault'), description: `The ${tok.toUpperCase()} vault`, password: 'letmein' });
    await createOk(owner, { kind: 'public', name: uniqueName('Unrelated'), description: 'nothing to see' });
    const mine = await createOk(me, { kind: 'public', name: `${tok} mine` });
    const joined = await createOk(owner, { kind: 'public', name: `${tok} joined` });
    await getDb().membership.create({ data: { roomId: joined.id, userId: me.id } });
    const { room: direct } = await startDirect({ userId: me.id, peerId: owner.id });
    await getDb().room.update({ where: { id: byDescription.id }, data: { lastSeq: 12 } }); // activity exists

    const found = await page(me, { q: tok.toLowerCase() });
    expect(found.rooms.map((r) => r.id).sort()).toEqual([byName.id, byDescription.id].sort());
    expect(found.nextCursor).toBeNull();
    expect(found.rooms.map((r) => r.id)).not.toContain(mine.id);
    expect(found.rooms.map((r) => r.id)).not.toContain(joined.id);
    expect(found.rooms.map((r) => r.id)).not.toContain(direct.id);

    // Private rooms are listed, behind their lock, with no activity and no secret.
    const vault = found.rooms.find((r) => r.id === byDescription.id)!;
    expect(vault).toMatchObject({ kind: 'private', memberCount: 1, isMember: false, role: null, lastSeq: null, lastReadSeq: null, peer: null });
    expect(JSON.stringify(found)).not.toMatch(/passwordHash|password_hash|\$2[aby]\$/); // hasPassword says only whether there is one

    // Browsing without a term: still nothing of mine and no direct rooms.
    const all = await page(me, { limit: '50' });
    for (const room of all.rooms) {
      expect(room.kind).not.toBe('direct');
      expect([mine.id, joined.id, direct.id]).not.toContain(room.id);
    }
    // The owner does not see their own rooms in the directory.
    expect((await page(owner, { q: tok })).rooms.map((r) => r.id)).toEqual([mine.id]);
  });

  it('orders by member count, then name, and pages with a cursor to the end', async () => {
    const [me, owner] = await Promise.all([createTestUser(), createTestUser()]);
    const tok = token();
    const names = ['echo', 'Bravo', 'delta', 'alpha', 'Charlie'].map((n) => `${tok} ${n}`);
    const created = new Map<string, RoomSummary>();
    for (const name of names) created.set(name, await createOk(owner, { kind: 'public', name }));
    await addMembers(created.get(`${tok} delta`)!.id, 2); // 3 members
    await addMembers(created.get(`${tok} Charlie`)!.id, 1); // 2 members

    const expected = [`${tok} delta`, `${tok} Charlie`, `${tok} alpha`, `${tok} Bravo`, `${tok} echo`];
    const seen: string[] = [];
    const counts: number[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const next: RoomDirectoryPage = await page(me, { q: tok, limit: '2', ...(cursor ? { cursor } : {}) });
      expect(next.rooms.length).toBeLessThanOrEqual(2);
      seen.push(...next.rooms.map((r) => r.name));
      counts.push(...next.rooms.map((r) => r.memberCount));
      cursor = next.nextCursor;
      pages += 1;
    } while (cursor && pages < 10);
    expect(seen).toEqual(expected);
    expect(counts).toEqual([3, 2, 1, 1, 1]);
    expect(pages).toBe(3);

    // The default page holds all five.
    expect((await page(me, { q: tok })).rooms.map((r) => r.name)).toEqual(expected);
  });

  it('member counts follow joins and leaves', async () => {
    const [me, owner, guest] = await Promise.all([createTestUser(), createTestUser(), createTestUser()]);
    const tok = token();
    const pub = await createOk(owner, { kind: 'public', name: `${tok} Square` });
    const count = async () => (await page(me, { q: tok })).rooms[0]?.memberCount;
    expect(await count()).toBe(1);
    const joined = await join.POST(await apiRequest(guest, 'POST', `/api/rooms/${pub.id}/join`, {}), roomParams(pub.id));
    expect(joined.status).toBe(200);
    expect(await count()).toBe(2);
    const left = await leave.POST(await apiRequest(guest, 'POST', `/api/rooms/${pub.id}/leave`, {}), roomParams(pub.id));
    expect(left.status).toBe(200);
    expect(await count()).toBe(1);
  });

  it('matches "%", "_" and "\\" literally', async () => {
    const [me, owner] = await Promise.all([createTestUser(), createTestUser()]);
    const tok = token();
    const [percent, underscore, backslash] = await Promise.all([
      createOk(owner, { kind: 'public', name: `${tok} 100% sure` }),
      createOk(owner, { kind: 'public', name: `${tok} a_b` }),
      createOk(owner, { kind: 'public', name: `${tok} back\\slash` }),
      createOk(owner, { kind: 'public', name: `${tok} 1000 sure` }),
      createOk(owner, { kind: 'public', name: `${tok} axb` }),
      createOk(owner, { kind: 'public', name: `${tok} backslash` }),
    ]);
    const ids = async (q: string) => (await page(me, { q })).rooms.map((r) => r.id);
    expect(await ids(`${tok} 100%`)).toEqual([percent!.id]);
    expect(await ids(`${tok} a_b`)).toEqual([underscore!.id]);
    expect(await ids(`${tok} back\\`)).toEqual([backslash!.id]);
    expect(await ids(`${tok}%`)).toEqual([]);
    expect(await ids(`${tok}_`)).toEqual([]);
    expect(await ids(tok)).toHaveLength(6);
  });

  it('refuses bad queries with the documented error', async () => {
    const me = await createTestUser();
    const issuesOf = async (query: Record<string, string>) => {
      const response = await browse(me, query);
      expect(response.status, JSON.stringify(query)).toBe(422);
      return ((await response.json()) as { error: ErrorBody }).error.issues?.map((i) => i.path);
    };
    expect(await issuesOf({ limit: '51' })).toEqual(['limit']);
    expect(await issuesOf({ limit: '0' })).toEqual(['limit']);
    expect(await issuesOf({ q: 'x'.repeat(65) })).toEqual(['q']);
    expect(await issuesOf({ cursor: 'not-a-cursor' })).toEqual(['cursor']);
    expect(await issuesOf({ cursor: Buffer.from(JSON.stringify([-1, 'a'])).toString('base64url') })).toEqual(['cursor']);
    expect(await issuesOf({ sort: 'name' })).toEqual(['']);
    expect((await page(me, { q: '   ' })).rooms.length).toBeGreaterThanOrEqual(0); // blank = browse all
  });
});
