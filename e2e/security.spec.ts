/**
 * The HTTP edge as a browser meets it: post-login redirects that stay home, and no way for another origin
 * on the same site to change anything.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, test } from '@playwright/test';
import { createRoomViaApi, createUserViaApi, loginViaForm, newSignedInUser, type ChatUser } from './helpers';

let users: ChatUser[] = [];
test.afterEach(async () => {
  await Promise.all(users.map((u) => u.context.close()));
  users = [];
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
