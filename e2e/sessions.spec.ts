import { expect, test, type BrowserContext } from '@playwright/test';
import pg from 'pg';
import { PASSWORD, createRoomViaApi, loginViaForm, newSignedInUser, openRoom, signOutViaMenu } from './helpers';

/** The session cookie of a context, as an attacker who copied it would hold it. */
async function sessionCookieOf(context: BrowserContext) {
  const cookie = (await context.cookies()).find((c) => c.name.endsWith('authjs.session-token'));
  expect(cookie, 'signed in').toBeDefined();
  return cookie!;
}

test('signing out ends the session itself: a copied token no longer works anywhere', async ({ browser }) => {
  const alice = await newSignedInUser(browser, 'so');
  const stolen = await browser.newContext();
  await stolen.addCookies([await sessionCookieOf(alice.context)]);
  const thief = await stolen.newPage();
  await thief.goto('/settings');
  await expect(thief.getByTestId('account-username')).toHaveText(`@${alice.username}`);

  await alice.page.goto('/');
  await signOutViaMenu(alice.page);

  await thief.goto('/settings');
  await expect(thief).toHaveURL(/\/login\?callbackUrl=%2Fsettings/);
  expect((await stolen.request.get('/api/rooms')).status()).toBe(401);
  await Promise.all([alice.context.close(), stolen.close()]);
});

test('settings: sign out another device; "sign out everywhere" ends them all, open tabs say so', async ({ browser }) => {
  const alice = await newSignedInUser(browser, 'dev');
  // A second device of the same person, with a room open.
  const other = await browser.newContext({ userAgent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 Version/18.0 Mobile/15E148 Safari/604.1' });
  const phone = await other.newPage();
  await phone.goto('/login');
  await loginViaForm(phone, alice.username);
  await expect(phone.getByTestId('current-user')).toBeVisible();
  const room = await createRoomViaApi(alice.page);
  await openRoom(phone, room.id);

  await alice.page.goto('/settings');
  const rows = alice.page.getByTestId('session-row');
  await expect(rows).toHaveCount(2);
  await expect(rows.filter({ hasText: 'This device' })).toHaveCount(1);
  const phoneRow = rows.filter({ hasText: 'Safari on iOS' });
  await expect(phoneRow).toHaveCount(1);
  await phoneRow.getByRole('button', { name: /^Sign out/ }).click();
  await expect(rows).toHaveCount(1);
  // The phone's open room learns at once that its session is over.
  await expect(phone.getByText('Your session has ended.').first()).toBeVisible({ timeout: 5_000 });

  await alice.page.getByRole('button', { name: 'Sign out everywhere' }).click();
  await expect(alice.page).toHaveURL(/\/login/);
  await alice.page.goto('/');
  await expect(alice.page).toHaveURL(/\/login/);
  await Promise.all([alice.context.close(), other.close()]);
});

test('settings: change the password (current one required); other sessions end, the new one signs in', async ({ browser }) => {
  const alice = await newSignedInUser(browser, 'pw');
  const copy = await browser.newContext();
  await copy.addCookies([await sessionCookieOf(alice.context)]);
  const elsewhere = await browser.newContext();
  const elsewherePage = await elsewhere.newPage();
  await elsewherePage.goto('/login');
  await loginViaForm(elsewherePage, alice.username);
  await expect(elsewherePage.getByTestId('current-user')).toBeVisible();

  const page = alice.page;
  await page.goto('/settings');
  await page.getByLabel('Current password').fill('not my password');
  await page.getByLabel('New password', { exact: true }).fill('a fresh passphrase');
  await page.getByLabel('Confirm new password').fill('a fresh passphrase');
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'The current password is wrong.' })).toBeVisible();

  await page.getByLabel('Current password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Password changed. 1 other session was signed out.' })).toBeVisible();
  await expect(page.getByTestId('session-row')).toHaveCount(1);

  await elsewherePage.goto('/settings');
  await expect(elsewherePage).toHaveURL(/\/login/);
  await loginViaForm(elsewherePage, alice.username, 'a fresh passphrase');
  await expect(elsewherePage.getByTestId('current-user')).toBeVisible();
  // The session this page was using is still this page's (the copy shares it).
  expect((await copy.request.get('/api/rooms')).status()).toBe(200);
  await Promise.all([alice.context.close(), copy.close(), elsewhere.close()]);
});

test('a deleted user’s session renders nothing: pages go to login, no 500 anywhere', async ({ browser }) => {
  const alice = await newSignedInUser(browser, 'del');
  const owner = await newSignedInUser(browser, 'own');
  const room = await createRoomViaApi(owner.page);
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  try {
    await client.query('DELETE FROM users WHERE username = $1', [alice.username]);
  } finally {
    await client.end();
  }
  for (const path of ['/', '/settings', `/rooms/${room.id}`]) {
    const response = await alice.page.goto(path);
    expect(response?.status(), path).toBeLessThan(500);
    await expect(alice.page).toHaveURL(/\/login\?callbackUrl=/);
  }
  expect((await alice.context.request.get('/api/rooms')).status()).toBe(401);
  await Promise.all([alice.context.close(), owner.context.close()]);
});
