import { describe, expect, it } from 'vitest';
import { getDb } from '@/lib/db';
import { uniqueName } from '@/lib/testing/realtime';
import { POST } from './route';

function post(body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return POST(
    new Request('http://localhost/api/register', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-parley-client-ip': '10.9.9.9', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    }),
  );
}

const valid = () => ({ username: uniqueName('api'), displayName: 'API User', password: 'a long password', confirmPassword: 'a long password' });

describe('POST /api/register', () => {
  it('creates the account and returns the public user (201)', async () => {
    const body = valid();
    const response = await post(body);
    expect(response.status).toBe(201);
    const json = (await response.json()) as { user: Record<string, unknown> };
    expect(json.user).toEqual({ id: expect.any(String), username: body.username, displayName: 'API User', avatar: null });
    expect(JSON.stringify(json)).not.toMatch(/password/i);
  });

  it('answers invalid input with 422 and field issues, writing nothing', async () => {
    const before = await getDb().user.count();
    const response = await post({ username: 'x', displayName: '', password: 'short', confirmPassword: 'nope', extra: 1 });
    expect(response.status).toBe(422);
    const json = (await response.json()) as { error: { code: string; message: string; issues: { path: string }[] } };
    expect(json.error.code).toBe('INVALID_PAYLOAD');
    expect(json.error.issues.map((i) => i.path)).toEqual(expect.arrayContaining(['username', 'displayName', 'password']));
    expect(await getDb().user.count()).toBe(before);
  });

  it('answers a taken username (any case) with 409 on the username field', async () => {
    const body = valid();
    expect((await post(body)).status).toBe(201);
    const response = await post({ ...body, username: body.username.toUpperCase() });
    expect(response.status).toBe(409);
    expect(await response.json()).toEqual({
      error: { code: 'CONFLICT', message: 'That username is taken.', issues: [{ path: 'username', message: 'That username is taken.' }] },
    });
  });

  it('refuses oversized bodies (413), malformed JSON (422) and other media types (415)', async () => {
    const huge = await post({ ...valid(), displayName: 'x'.repeat(20_000) });
    expect(huge.status).toBe(413);
    expect(((await huge.json()) as { error: { code: string } }).error.code).toBe('PAYLOAD_TOO_LARGE');
    expect((await post('{"username":')).status).toBe(422);
    expect((await post('username=x', { 'content-type': 'text/plain' })).status).toBe(415);
  });
});
