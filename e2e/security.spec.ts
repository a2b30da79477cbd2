/**
 * The HTTP edge as a browser meets it: security headers everywhere, a CSP that the app itself never trips,
 * post-login redirects that stay home, and no way for another origin on the same site to change anything.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, test, type APIResponse, type BrowserContext, type Page } from '@playwright/test';
import { createRoomViaApi, createUserViaApi, loginViaForm, newSignedInUser, openRoom, type ChatUser } from './helpers';

let users: ChatUser[] = [];
test.afterEach(async () => {
  await Promise.all(users.map((u) => u.context.close()));
  users = [];
});

function expectSecurityHeaders(response: APIResponse, what: string): void {
  const headers = response.headers();
  const csp = headers['content-security-policy'] ?? '';
  expect(csp, what).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/]+={0,2}' 'strict-dynamic'(;|$)/);
  expect(csp, what).toContain("frame-ancestors 'none'");
  expect(csp, what).not.toContain('unsafe-eval');
  expect(csp, what).not.toContain('unsafe-inline');
  expect(headers['x-content-type-options'], what).toBe('nosniff');
  expect(headers['x-frame-options'], what).toBe('DENY');
  expect(headers['referrer-policy'], what).toBe('strict-origin-when-cross-origin');
  // Calls and voice messages: Parley's own page only; what it does not use, nobody.
  expect(headers['permissions-policy'], what).toContain('camera=(self)');
  expect(headers['permissions-policy'], what).toContain('geolocation=()');
  expect(headers['cross-origin-opener-policy'], what).toBe('same-origin');
  // Plain http here: HSTS only over https (checked with a proxy in public-origin.spec.ts).
  expect(headers['strict-transport-security'], what).toBeUndefined();
}

test('pages, API answers, errors, Auth.js and static files all carry the security headers', async ({ request }) => {
  const login = await request.get('/login');
  expect(login.status()).toBe(200);
  const asset = (await login.text()).match(/\/_next\/static\/[^"']+\.js/)?.[0];
  expect(asset, 'a script of the login page').toBeTruthy();
  const responses: [string, APIResponse, number][] = [
    ['page', login, 200],
    ['API', await request.get('/api/health'), 200],
    ['API error', await request.get('/api/rooms'), 401],
    ['unknown page', await request.get('/no/such/page'), 404],
    ['Auth.js', await request.get('/api/auth/csrf'), 200],
    ['static file', await request.get(String(asset)), 200],
  ];
  for (const [what, response, status] of responses) {
    expect(response.status(), what).toBe(status);
    expectSecurityHeaders(response, what);
  }
  // A fresh nonce per response, and Next put it on the page's scripts.
  const again = await request.get('/login');
  const nonceOf = (r: APIResponse) => r.headers()['content-security-policy']?.match(/'nonce-([^']+)'/)?.[1];
  expect(nonceOf(again)).not.toBe(nonceOf(login));
  expect(await again.text()).toContain(`nonce="${nonceOf(again)}"`);
});

/** Records CSP violations and what Chromium says about our CSP or Permissions-Policy, from the start of every page. */
async function watchForViolations(context: BrowserContext, page: Page): Promise<() => Promise<string[]>> {
  await context.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { __violations: string[] }).__violations = seen;
    document.addEventListener('securitypolicyviolation', (e) => seen.push(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'} (${e.sourceFile}:${e.lineNumber})`));
  });
  const consoleErrors: string[] = [];
  page.on('console', (message) => {
    if (/Content[- ]Security[- ]Policy|Permissions[- ]Policy|Refused to/i.test(message.text())) consoleErrors.push(message.text());
  });
  return async () => [...consoleErrors, ...(await page.evaluate(() => (window as unknown as { __violations: string[] }).__violations))];
}

test('the main pages work under the CSP (scripts hydrate, the socket connects) without a single violation', async ({ browser }) => {
  const visitorContext = await browser.newContext();
  const visitor = await visitorContext.newPage();
  const visitorProblems = await watchForViolations(visitorContext, visitor);
  for (const path of ['/login', '/register']) {
    await visitor.goto(path);
    // Hydrated: the register form validates as you type, which only its script does.
    await expect(visitor.getByRole('button', { name: /Sign in|Create account/ })).toBeEnabled();
    expect(await visitorProblems(), path).toEqual([]);
  }
  await visitor.goto('/register');
  await visitor.getByLabel('Username').fill('x!');
  await visitor.getByLabel('Display name').focus();
  await expect(visitor.getByText('Username must be at least 3 characters.')).toBeVisible();
  expect(await visitorProblems()).toEqual([]);
  await visitorContext.close();

  const alice = await newSignedInUser(browser, 'csp');
  const bob = await newSignedInUser(browser, 'csp');
  users.push(alice, bob);
  const problems = await watchForViolations(alice.context, alice.page);
  const mine = await createRoomViaApi(alice.page);
  const theirs = await createRoomViaApi(bob.page);

  await alice.page.goto('/');
  await expect(alice.page.getByTestId('current-user')).toContainText(alice.displayName);
  expect(await problems(), '/').toEqual([]);
  await openRoom(alice.page, mine.id); // live: Socket.IO connected over the same origin
  expect(await problems(), 'a room').toEqual([]);
  // A dialog (Radix locks the page's scrolling with a <style> element of its own, which needs the nonce).
  await alice.page.getByTestId('search-button').click();
  await expect(alice.page.getByTestId('search-dialog')).toBeVisible();
  expect(await problems(), 'a dialog').toEqual([]);
  await alice.page.keyboard.press('Escape');
  await expect(alice.page.getByTestId('search-dialog')).toBeHidden();
  await alice.page.goto(`/rooms/${theirs.id}`);
  await expect(alice.page.getByRole('button', { name: 'Join room' })).toBeVisible();
  expect(await problems(), 'a room preview').toEqual([]);
  await alice.page.goto('/settings');
  await expect(alice.page.getByTestId('account-username')).toHaveText(`@${alice.username}`);
  expect(await problems(), '/settings').toEqual([]);
  const missing = await alice.page.goto('/no/such/page');
  expect(missing?.status()).toBe(404);
  await expect(alice.page.getByRole('heading', { name: 'Page not found' })).toBeVisible();
  expect(await problems(), '404').toEqual([]);
});

test('a callbackUrl that points elsewhere still lands on our own origin after signing in', async ({ browser, baseURL }) => {
  const bypasses = ['/\t/evil.example', '/\\evil.example', '/\n/evil.example', '///evil.example', '/.//evil.example', 'https://evil.example/', '/rooms/caf\u00e9'];
  const context = await browser.newContext();
  const page = await context.newPage();
  const { username } = await createUserViaApi(page);
  for (const callbackUrl of bypasses) {
    await context.clearCookies();
    await page.goto(`/login?callbackUrl=${encodeURIComponent(callbackUrl)}`);
    await loginViaForm(page, username);
    await expect(page.getByTestId('current-user'), callbackUrl).toBeVisible();
    expect(new URL(page.url()).origin, callbackUrl).toBe(new URL(String(baseURL)).origin);

    // Signed in already: the login page redirects at once, also for values a header cannot carry.
    const response = await page.goto(`/login?callbackUrl=${encodeURIComponent(callbackUrl)}`);
    expect(response?.status(), callbackUrl).toBeLessThan(500);
    expect(new URL(page.url()).origin, callbackUrl).toBe(new URL(String(baseURL)).origin);
  }
  await context.close();
});

/** A page on another origin of the same site (127.0.0.1, another port): what a sibling app or subdomain could serve. */
async function startAttackerSite(pages: Record<string, string>): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const body = pages[req.url ?? ''];
    res.writeHead(body ? 200 : 404, { 'content-type': 'text/html' }).end(body ?? 'not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

async function isMember(user: ChatUser, roomId: string): Promise<boolean> {
  const response = await user.page.request.get(`/api/rooms/${roomId}`);
  return response.status() === 200;
}

test('another origin on the same site cannot make a signed-in user join or leave rooms', async ({ browser, baseURL }) => {
  const owner = await newSignedInUser(browser, 'owner');
  const victim = await newSignedInUser(browser, 'victim');
  users.push(owner, victim);
  const toJoin = await createRoomViaApi(owner.page);
  const toLeave = await createRoomViaApi(owner.page);
  expect((await victim.page.request.post(`/api/rooms/${toLeave.id}/join`, { data: {} })).status()).toBe(200);
  const app = String(baseURL).replace(/\/$/, '');
  const autoSubmit = (action: string, extra = '') =>
    `<form id="f" method="POST" action="${app}${action}" ${extra}><input name="x" value="1"></form><script>document.getElementById('f').submit()</script>`;
  const attacker = await startAttackerSite({
    '/join': autoSubmit(`/api/rooms/${toJoin.id}/join`),
    '/join-empty': `<form id="f" method="POST" action="${app}/api/rooms/${toJoin.id}/join"></form><script>document.getElementById('f').submit()</script>`,
    '/join-json-ish': autoSubmit(`/api/rooms/${toJoin.id}/join`, 'enctype="text/plain"'),
    '/leave': autoSubmit(`/api/rooms/${toLeave.id}/leave`),
    '/fetch': `<script>fetch('${app}/api/rooms/${toJoin.id}/join', { method: 'POST', mode: 'no-cors', credentials: 'include', body: '{}' }).finally(() => { document.title = 'sent' })</script>`,
    '/link': `<a id="a" href="${app}/rooms/${toJoin.id}">a room</a>`,
  });
  try {
    for (const path of ['/join', '/join-empty', '/join-json-ish', '/leave']) {
      const navigation = victim.page.waitForURL(new RegExp(`^${app}/api/rooms/`));
      await victim.page.goto(`${attacker.url}${path}`);
      await navigation;
      await expect(victim.page.locator('body'), path).toContainText(/FORBIDDEN/);
    }
    await victim.page.goto(`${attacker.url}/fetch`);
    await expect(victim.page).toHaveTitle('sent');

    // Following a link to a room shows it; it does not join it.
    await victim.page.goto(`${attacker.url}/link`);
    await victim.page.locator('#a').click();
    await expect(victim.page.getByRole('button', { name: 'Join room' })).toBeVisible();
    await expect(victim.page.getByTestId('room-preview-members')).toHaveText('Public room · 1 member');

    expect(await isMember(victim, toJoin.id)).toBe(false);
    expect(await isMember(victim, toLeave.id)).toBe(true);
  } finally {
    await new Promise((resolve) => attacker.server.close(resolve));
  }

  // The victim's own click on Join still works.
  await victim.page.getByRole('button', { name: 'Join room' }).click();
  await expect(victim.page.getByRole('textbox', { name: 'Message' })).toBeEnabled();
  expect(await isMember(victim, toJoin.id)).toBe(true);
});
