/**
 * NUL and other control characters in input are refused with 422 and field issues on every path the
 * security review found them reaching PostgreSQL as a 500 (room description, user search, history author).
 */
import { describe, expect, it } from 'vitest';
import { getDb } from '@/lib/db';
import { apiRequest, createTestUser, roomParams, uniqueName } from '@/lib/testing/realtime';
import * as messages from './rooms/[roomId]/messages/route';
import * as rooms from './rooms/route';
import * as users from './users/route';

async function issuesOf(response: Response): Promise<{ status: number; paths: string[] }> {
  const body = (await response.json()) as { error: { code: string; issues?: { path: string }[] } };
  expect(body.error.code).toBe('INVALID_PAYLOAD');
  return { status: response.status, paths: (body.error.issues ?? []).map((i) => i.path) };
}

describe('control characters at the HTTP edge', () => {
  it('a NUL in a room description or name is a 422 naming the field, and nothing is created', async () => {
    const owner = await createTestUser();
    const before = await getDb().room.count();
    for (const [field, value] of [['description', 'a\u0000b'], ['name', `x${uniqueName()}\u0000`], ['name', `x${uniqueName()}\u001b[31m`]] as const) {
      const body = { kind: 'public', name: uniqueName('Nul'), description: '', [field]: value };
      expect(await issuesOf(await rooms.POST(await apiRequest(owner, 'POST', '/api/rooms', body))), field).toEqual({ status: 422, paths: [field] });
    }
    expect(await getDb().room.count()).toBe(before);
  });

  it('a NUL in ?q= of the user search and in ?author= of history is a 422', async () => {
    const user = await createTestUser();
    expect(await issuesOf(await users.GET(await apiRequest(user, 'GET', `/api/users?q=${encodeURIComponent('al\u0000')}`)))).toEqual({ status: 422, paths: ['q'] });
    const created = (await (await rooms.POST(await apiRequest(user, 'POST', '/api/rooms', { kind: 'public', name: uniqueName('Hist') }))).json()) as { room: { id: string } };
    const roomId = created.room.id;
    const response = await messages.GET(await apiRequest(user, 'GET', `/api/rooms/${roomId}/messages?author=${encodeURIComponent('a\u0000')}`), roomParams(roomId));
    expect(await issuesOf(response)).toEqual({ status: 422, paths: ['author'] });
  });
});
