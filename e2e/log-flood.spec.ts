/**
 * What a fuzzer leaves in a production server's output: client mistakes — garbage session cookies, missing
 * CSRF tokens, bad callback URLs, unknown Auth.js paths, cross-origin posts, bodies cut off mid-way — are at
 * most one warning per kind (no stack), and nothing else is printed.
 */
import { connect } from 'node:net';
import { expect, test } from '@playwright/test';
import { startServerProcess, type ServerProcess } from './server-process';

let server: ServerProcess | undefined;
test.afterEach(async () => {
  await server?.stop();
  server = undefined;
});

/** A POST that promises 1000 bytes, sends a few and hangs up. */
function abortedPost(port: number, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(`POST ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"a":`);
      setTimeout(() => socket.destroy(), 200);
    });
    socket.once('close', () => resolve());
    socket.once('error', reject);
  });
}

test('a fuzzer leaves at most one warning per kind and no stack traces', async () => {
  test.skip(!process.env.DATABASE_URL, 'starts its own server against the e2e database (npm run test:e2e sets DATABASE_URL)');
  test.setTimeout(90_000);
  server = await startServerProcess({ LOG_LEVEL: 'info' });
  const { base, port } = server;
  const startedAt = server.output().length;
  const garbageSession = { cookie: 'authjs.session-token=garbage' };
  const form = { 'content-type': 'application/x-www-form-urlencoded' };
  const requests: [string, () => Promise<unknown>][] = [
    ['page with a garbage session', () => fetch(`${base}/`, { headers: garbageSession, redirect: 'manual' })],
    ['session with a garbage cookie', () => fetch(`${base}/api/auth/session`, { headers: garbageSession })],
    ['sign-in without CSRF', () => fetch(`${base}/api/auth/callback/credentials`, { method: 'POST', headers: form, body: 'username=a&password=b', redirect: 'manual' })],
    ['sign-out without CSRF', () => fetch(`${base}/api/auth/signout`, { method: 'POST', headers: form, body: '', redirect: 'manual' })],
    ['non-http callback URL', () => fetch(`${base}/api/auth/session?callbackUrl=javascript:alert(1)`)],
    ['unknown Auth.js path', () => fetch(`${base}/api/auth/nonsense`)],
    ['unknown provider', () => fetch(`${base}/api/auth/signin/nope`, { method: 'POST', headers: form, body: '' })],
    ['cross-origin post', () => fetch(`${base}/api/rooms`, { method: 'POST', headers: { origin: 'https://evil.example', 'content-type': 'application/json' }, body: '{}' })],
    ['form post to the API', () => fetch(`${base}/api/rooms/AbCdEfGh12/leave`, { method: 'POST', headers: form, body: 'x=1' })],
    ['bad callbackUrl on the login page', () => fetch(`${base}/login?callbackUrl=%2F%0A%2Fevil.example`)],
    ['aborted server action', () => abortedPost(port, '/login')],
    ['aborted API post', () => abortedPost(port, '/api/rooms')],
    ['aborted sign-in', () => abortedPost(port, '/api/auth/callback/credentials')],
  ];
  for (let round = 0; round < 15; round += 1) {
    for (const [, send] of requests) await send();
  }
  // An aborted sign-in is noticed after its hang-up: wait until the server has reported one.
  await expect.poll(() => server?.output().includes('"kind":"RequestAborted"')).toBe(true);

  const lines = server.output().slice(startedAt).split('\n').filter((line) => line.trim() !== '');
  const json = lines.filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as { level: number; msg: string; kind?: string });
  const other = lines.filter((line) => !line.startsWith('{'));
  expect(other, 'Next or Node printed something').toEqual([]);
  expect(json.filter((l) => l.level >= 50), 'error lines').toEqual([]);
  const warnings = json.filter((l) => l.level === 40);
  // A bad callback URL is not even a warning: the Auth.js route reduces it to one of our paths first.
  expect(warnings.map((l) => l.kind).sort()).toEqual(['JWTSessionError', 'MissingCSRF', 'RequestAborted']);
  expect(lines.filter((line) => /^\s+at /.test(line) || line.includes('"stack"'))).toEqual([]);
  // The requests themselves were served and logged.
  expect(json.filter((l) => l.msg === 'request').length).toBeGreaterThan(100);
});
