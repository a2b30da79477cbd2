/**
 * What a fuzzer's requests to Auth.js leave in the log: garbage session cookies, missing CSRF tokens, bad
 * callback URLs and unknown paths are client mistakes — at most one short warning per kind and minute,
 * never a stack — and unknown paths do not reach Auth.js at all.
 */
import { Writable } from 'node:stream';
import { NextRequest } from 'next/server';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { GET, POST } from './route';

interface LogLine {
  level: number;
  msg: string;
  kind?: string;
  suppressed?: number;
  err?: { stack?: string };
}

const globals = globalThis as unknown as { parleyLogger?: pino.Logger; parleyAuthLogThrottle?: unknown };
let lines: LogLine[] = [];
let previousLogger: pino.Logger | undefined;

beforeEach(() => {
  lines = [];
  previousLogger = globals.parleyLogger;
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as LogLine);
      done();
    },
  });
  globals.parleyLogger = pino({ level: 'debug' }, sink);
  delete globals.parleyAuthLogThrottle;
});

afterEach(() => {
  globals.parleyLogger = previousLogger;
  delete globals.parleyAuthLogThrottle;
  vi.useRealTimers();
});

const BASE = 'http://127.0.0.1:3000';
const headers = { host: '127.0.0.1:3000', 'x-forwarded-host': '127.0.0.1:3000', 'x-forwarded-proto': 'http' };
const get = (path: string, extra: Record<string, string> = {}) => GET(new NextRequest(`${BASE}${path}`, { headers: { ...headers, ...extra } }));
const post = (path: string, body = 'username=a&password=b') =>
  POST(new NextRequest(`${BASE}${path}`, { method: 'POST', headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' }, body }));

async function times(n: number, send: () => Promise<Response>): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < n; i += 1) statuses.push((await send()).status);
  return statuses;
}

describe('Auth.js endpoints under a fuzzer', () => {
  it('log garbage session cookies and missing CSRF tokens once per kind, as warnings without stacks', async () => {
    await times(40, () => get('/api/auth/session', { cookie: 'authjs.session-token=garbage' }));
    await times(40, () => post('/api/auth/callback/credentials'));
    await times(40, () => post('/api/auth/signout', ''));

    expect(lines.map((l) => [l.level, l.kind])).toEqual([
      [40, 'JWTSessionError'],
      [40, 'MissingCSRF'],
    ]);
    expect(lines.every((l) => l.err === undefined && !JSON.stringify(l).includes('    at '))).toBe(true);
  });

  it('reduce callback URLs from the query or the cookie to same-origin paths: never a 500, nothing logged', async () => {
    const statuses = [
      ...(await times(5, () => get('/api/auth/session?callbackUrl=javascript:alert(1)'))),
      ...(await times(5, () => get('/api/auth/providers?callbackUrl=17cv5ic5wae'))),
      ...(await times(5, () => get('/api/auth/csrf?callbackUrl=%EF%BF%BD'))),
      ...(await times(5, () => get('/api/auth/session', { cookie: 'authjs.callback-url=false; authjs.session-token=x' }))),
      ...(await times(5, () => post('/api/auth/signout?callbackUrl=https://evil.example/', ''))),
    ];
    expect(statuses.filter((s) => s >= 500)).toEqual([]);
    expect(lines.filter((l) => l.kind === 'InvalidCallbackUrl')).toEqual([]);
  });

  it('say how many were held back when the next minute logs again', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-12-01T10:00:00Z'));
    await times(25, () => get('/api/auth/session', { cookie: 'authjs.session-token=garbage' }));
    vi.setSystemTime(new Date('2026-12-01T10:01:00Z'));
    await get('/api/auth/session', { cookie: 'authjs.session-token=garbage' });
    expect(lines.map((l) => [l.kind, l.suppressed])).toEqual([
      ['JWTSessionError', 0],
      ['JWTSessionError', 24],
    ]);
  });

  it('answer unknown paths with a 404 in the documented shape, without a log line', async () => {
    const statuses = [
      ...(await times(10, () => get('/api/auth/nonsense'))),
      ...(await times(10, () => get('/api/auth/signin/nope'))),
      ...(await times(10, () => post('/api/auth/callback/nope'))),
      ...(await times(10, () => post('/api/auth/webauthn-options/x'))),
    ];
    expect(new Set(statuses)).toEqual(new Set([404]));
    const response = await get('/api/auth/..%2Fnothing');
    expect(await response.json()).toEqual({ error: { code: 'NOT_FOUND', message: 'There is no such sign-in endpoint.' } });
    expect(lines).toEqual([]);
  });

  it('still serve the endpoints a credentials sign-in uses', async () => {
    const csrf = await get('/api/auth/csrf');
    expect(csrf.status).toBe(200);
    expect(await csrf.json()).toMatchObject({ csrfToken: expect.any(String) });
    expect((await get('/api/auth/session')).status).toBe(200);
    expect((await get('/api/auth/providers')).status).toBe(200);
  });
});
