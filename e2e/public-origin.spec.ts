/**
 * Auth.js's redirects point at the public origin, not at the address the server binds to (HOST=0.0.0.0):
 * real server.ts processes of the e2e build, directly and behind a (pretend) proxy with TRUST_PROXY, with and
 * without PUBLIC_URL. Also HSTS, which depends on the same decision.
 */
import { expect, test } from '@playwright/test';
import { createUserViaApi, PASSWORD } from './helpers';
import { startServerProcess, type ServerProcess } from './server-process';

const running: ServerProcess[] = [];
test.afterEach(async () => {
  await Promise.all(running.splice(0).map((i) => i.stop()));
});

/** Cookies as a browser would send them back (name=value of each Set-Cookie). */
function cookiesOf(response: Response, previous = ''): string {
  const jar = new Map(previous.split('; ').filter(Boolean).map((c) => [c.split('=')[0], c] as const));
  for (const c of response.headers.getSetCookie()) jar.set(c.split('=')[0] ?? '', c.split(';')[0] ?? '');
  return [...jar.values()].join('; ');
}

/** Signs in and out through Auth.js's own endpoints; returns both Location headers and a response's HSTS. */
async function signInAndOut(base: string, username: string, headers: Record<string, string>, callbackUrl?: string) {
  const csrf = await fetch(`${base}/api/auth/csrf`, { headers });
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  let cookie = cookiesOf(csrf);
  const form = new URLSearchParams({ csrfToken, username, password: PASSWORD, ...(callbackUrl ? { callbackUrl } : {}) });
  const signIn = await fetch(`${base}/api/auth/callback/credentials`, { method: 'POST', redirect: 'manual', headers: { ...headers, cookie }, body: form });
  cookie = cookiesOf(signIn, cookie);
  expect(cookie, 'signed in').toMatch(/authjs\.session-token=/);
  const signOut = await fetch(`${base}/api/auth/signout`, { method: 'POST', redirect: 'manual', headers: { ...headers, cookie }, body: new URLSearchParams({ csrfToken }) });
  return {
    signInStatus: signIn.status,
    signIn: signIn.headers.get('location'),
    signOutStatus: signOut.status,
    signOut: signOut.headers.get('location'),
    hsts: csrf.headers.get('strict-transport-security'),
  };
}

const PROXIED = { 'x-forwarded-host': 'chat.example.org', 'x-forwarded-proto': 'https', 'x-forwarded-for': '203.0.113.9' };
const HSTS = 'max-age=31536000; includeSubDomains';

test.describe('Auth.js redirects use the public origin', () => {
  test.skip(!process.env.DATABASE_URL, 'starts extra servers against the e2e database (npm run test:e2e sets DATABASE_URL)');
  test.setTimeout(120_000);

  test('directly: the address the browser used, whatever forwarded headers a client sends', async ({ page }) => {
    const { username } = await createUserViaApi(page);
    const server = await startServerProcess({});
    running.push(server);
    for (const headers of [{}, PROXIED]) {
      const result = await signInAndOut(server.base, username, headers);
      expect(result).toEqual({ signInStatus: 302, signIn: `${server.base}/`, signOutStatus: 302, signOut: `${server.base}/`, hsts: null });
    }
    // A post-login destination elsewhere, or one a header cannot carry, still lands at home.
    for (const callbackUrl of ['https://evil.example/', '//evil.example', '/\n/evil.example', '/\t/evil.example']) {
      expect((await signInAndOut(server.base, username, {}, callbackUrl)).signIn, callbackUrl).toBe(`${server.base}/`);
    }
    expect((await signInAndOut(server.base, username, {}, '/settings?tab=1')).signIn).toBe(`${server.base}/settings?tab=1`);
  });

  test('behind a proxy (TRUST_PROXY=true): the forwarded host and scheme, and HSTS over https', async ({ page }) => {
    const { username } = await createUserViaApi(page);
    const server = await startServerProcess({ TRUST_PROXY: 'true' });
    running.push(server);
    expect(await signInAndOut(server.base, username, PROXIED)).toEqual({
      signInStatus: 302,
      signIn: 'https://chat.example.org/',
      signOutStatus: 302,
      signOut: 'https://chat.example.org/',
      hsts: HSTS,
    });
    // Reached without the proxy's headers: this connection.
    expect((await signInAndOut(server.base, username, {})).signIn).toBe(`${server.base}/`);
  });

  test('with PUBLIC_URL: always that origin, with or without a proxy', async ({ page }) => {
    const { username } = await createUserViaApi(page);
    const variants: Record<string, string>[] = [{ PUBLIC_URL: 'https://chat.example.com' }, { PUBLIC_URL: 'https://chat.example.com', TRUST_PROXY: 'true' }];
    for (const settings of variants) {
      const server = await startServerProcess(settings);
      running.push(server);
      for (const headers of [{}, PROXIED]) {
        expect(await signInAndOut(server.base, username, headers), JSON.stringify([settings, headers])).toEqual({
          signInStatus: 302,
          signIn: 'https://chat.example.com/',
          signOutStatus: 302,
          signOut: 'https://chat.example.com/',
          hsts: HSTS,
        });
      }
      await running.pop()?.stop();
    }
  });
});
