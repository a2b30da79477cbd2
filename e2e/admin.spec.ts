/**
 * The instance admin's page (docs/protocol.md §4.15): disabling someone signs their open browser out at
 * once; a reset password is shown once and works; rooms are archived, restored and deleted from the
 * page; the audit log records it all; registration by invitation works end to end through a link made
 * on the page. Everyone else finds no /admin. Screens are checked with axe and kept as screenshots at
 * desktop and phone width.
 *
 * The admin is named in ADMIN_USERNAMES (playwright.config.ts): the first account of a reused database
 * may be anyone's.
 */
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Browser, type Page } from '@playwright/test';
import { PASSWORD, createRoomViaApi, loginViaApi, loginViaForm, newSignedInUser, openAccountMenu, openRoom, randomRoomName, randomUsername } from './helpers';

const ADMIN = 'e2e-admin';
// Two or three browsers each, and a busy machine: room to finish.
test.describe.configure({ timeout: 120_000 });
const viewports = { desktop: { width: 1280, height: 860 }, phone: { width: 360, height: 740 } } as const;

/** The admin, signed in, in a fresh browser (created on first use: a taken name is fine). */
async function adminPage(browser: Browser, viewport: { width: number; height: number } = viewports.desktop): Promise<Page> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const created = await page.request.post('/api/register', {
    data: { username: ADMIN, displayName: 'Instance Admin', password: PASSWORD, confirmPassword: PASSWORD },
  });
  expect([201, 409]).toContain(created.status());
  await loginViaApi(page, ADMIN);
  return page;
}

async function checkScreen(page: Page, name: string): Promise<void> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const serious = results.violations.filter((v) => v.impact === 'critical' || v.impact === 'serious');
  const path = test.info().outputPath(`${name}.png`);
  await page.screenshot({ path, fullPage: true });
  await test.info().attach(name, { path, contentType: 'image/png' });
  expect(serious.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`), `${name}: axe`).toEqual([]);
}

function userRow(page: Page, username: string) {
  return page.getByTestId('admin-user').and(page.locator(`[data-username="${username}"]`));
}

async function findUser(page: Page, username: string) {
  await page.getByLabel('Search people').fill(username);
  const row = userRow(page, username);
  await expect(row).toHaveCount(1);
  return row;
}

// Registration modes are instance-wide: whatever a failed run left, every test starts open.
test.beforeEach(async ({ browser }) => {
  const page = await adminPage(browser);
  expect((await page.request.patch('/api/admin/settings', { data: { registrationMode: 'open' } })).status()).toBe(200);
  await page.context().close();
});

test('disabling someone signs their open browser out at once; enabled again, they sign in', async ({ browser }) => {
  const bob = await newSignedInUser(browser, 'dis');
  const room = await createRoomViaApi(bob.page);
  await openRoom(bob.page, room.id);
  await expect(bob.page.getByTestId('admin-link')).toHaveCount(0);

  const admin = await adminPage(browser);
  await admin.goto('/');
  await openAccountMenu(admin);
  await admin.getByTestId('admin-link').click();
  await expect(admin.getByRole('heading', { name: 'Administration' })).toBeVisible();
  const row = await findUser(admin, bob.username);
  await expect(row.getByTestId('admin-user-sessions')).toHaveText('1 open session');
  await row.getByTestId('disable-user').click();
  const dialog = admin.getByRole('alertdialog');
  await expect(dialog).toContainText(`Disable ${bob.displayName}?`);
  await dialog.getByRole('button', { name: 'Disable' }).click();
  await expect(row).toContainText('Disabled');
  await expect(row.getByTestId('admin-user-sessions')).toHaveText('0 open sessions');
  await expect(admin.getByText(`${bob.displayName} is disabled and signed out everywhere.`)).toBeVisible();

  // Bob's browser hears it at once: the room says the session is over; any page now goes to sign-in.
  await expect(bob.page.getByText('Your session has ended.').first()).toBeVisible({ timeout: 5_000 });
  await bob.page.goto('/');
  await expect(bob.page).toHaveURL(/\/login/);
  await loginViaForm(bob.page, bob.username);
  await expect(bob.page.getByText('Invalid username or password.')).toBeVisible();

  await row.getByTestId('enable-user').click();
  await admin.getByRole('alertdialog').getByRole('button', { name: 'Enable' }).click();
  await expect(row).not.toContainText('Disabled');
  await loginViaForm(bob.page, bob.username);
  await expect(bob.page.getByTestId('current-user')).toContainText(bob.displayName);

  // Both acts are in the audit log, by the admin.
  await admin.getByRole('tab', { name: 'Audit log' }).click();
  await admin.getByLabel('Kind').selectOption('admin.');
  await admin.getByLabel('Who (username)').fill(ADMIN);
  await admin.getByRole('button', { name: 'Apply filters' }).click();
  const events = admin.getByTestId('audit-event');
  await expect(events.first()).toHaveAttribute('data-kind', 'admin.user_enabled');
  await expect(events.nth(1)).toHaveAttribute('data-kind', 'admin.user_disabled');
  await Promise.all([bob.context.close(), admin.context().close()]);
});

test('a reset password is shown once, copies, and signs the person in; their old one and their sessions are gone', async ({ browser }) => {
  const carol = await newSignedInUser(browser, 'rst');
  const admin = await adminPage(browser);
  await admin.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  await admin.goto('/admin');
  const row = await findUser(admin, carol.username);
  await row.getByTestId('reset-password').click();
  await admin.getByRole('alertdialog').getByRole('button', { name: 'Reset password' }).click();
  const dialog = admin.getByRole('dialog');
  await expect(dialog).toContainText(`New password for ${carol.displayName}`);
  const field = dialog.getByLabel('New password');
  await expect(field).toBeFocused();
  const password = await field.inputValue();
  expect(password).toMatch(/^[A-Za-z0-9]{16}$/);
  await dialog.getByRole('button', { name: 'Copy' }).click();
  await expect(dialog.getByText('Copied.')).toBeVisible();
  expect(await admin.evaluate(() => navigator.clipboard.readText())).toBe(password);
  await dialog.getByRole('button', { name: 'Done' }).click();
  await expect(dialog).toBeHidden();
  await expect(row.getByTestId('reset-password')).toBeFocused(); // focus goes back where it was

  await carol.page.goto('/');
  await expect(carol.page).toHaveURL(/\/login/);
  await loginViaForm(carol.page, carol.username);
  await expect(carol.page.getByText('Invalid username or password.')).toBeVisible();
  await loginViaForm(carol.page, carol.username, password);
  await expect(carol.page.getByTestId('current-user')).toContainText(carol.displayName);
  await Promise.all([carol.context.close(), admin.context().close()]);
});

test('rooms: archive, restore and delete from the admin page', async ({ browser }) => {
  const owner = await newSignedInUser(browser, 'own');
  const name = randomRoomName('adm');
  const room = await createRoomViaApi(owner.page, { name });
  await openRoom(owner.page, room.id);
  const admin = await adminPage(browser);
  await admin.goto('/admin?tab=rooms');
  await admin.getByLabel('Search rooms').fill(name);
  const row = admin.getByTestId('admin-room');
  await expect(row).toHaveCount(1);
  await expect(row).toContainText(`Owner ${owner.displayName}`);

  await row.getByTestId('archive-room').click();
  await admin.getByRole('alertdialog').getByRole('button', { name: 'Archive' }).click();
  await expect(row).toContainText('Archived');
  const archivedAt = async () => ((await (await owner.page.request.get(`/api/rooms/${room.id}`)).json()) as { room: { archivedAt: string | null } }).room.archivedAt;
  expect(await archivedAt()).not.toBeNull();

  await row.getByTestId('restore-room').click();
  await admin.getByRole('alertdialog').getByRole('button', { name: 'Restore' }).click();
  await expect(row).not.toContainText('Archived');
  expect(await archivedAt()).toBeNull();

  await row.getByTestId('delete-room').click();
  await admin.getByRole('alertdialog').getByRole('button', { name: 'Delete room' }).click();
  await expect(row).toHaveCount(0);
  await expect(admin.getByText(`“${name}” was deleted.`)).toBeVisible();
  // The owner, in the room, is told at once.
  await expect(owner.page.getByTestId('room-status')).toHaveAttribute('data-status', 'deleted');
  expect((await owner.page.request.get(`/api/rooms/${room.id}`)).status()).toBe(404);
  await Promise.all([owner.context.close(), admin.context().close()]);
});

test('registration by invitation: the register page explains, a link made on the admin page lets one person in', async ({ browser }) => {
  const admin = await adminPage(browser);
  await admin.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  await admin.goto('/admin?tab=settings');
  try {
    await admin.getByRole('radio', { name: /By invitation/ }).check();
    await expect(admin.getByText('Saved: registration is by invitation.')).toBeVisible();

    const visitor = await browser.newContext();
    const page = await visitor.newPage();
    await page.goto('/register');
    await expect(page.getByRole('heading', { name: 'You need an invitation' })).toBeVisible();
    await expect(page.getByLabel('Username')).toHaveCount(0);
    await checkScreen(page, 'register-invitation-needed');

    await admin.getByLabel('Expires after').selectOption({ label: '1 day' });
    await admin.getByRole('radio', { name: 'At most' }).check();
    await admin.getByLabel('Most uses').fill('1');
    await admin.getByRole('button', { name: 'Create link' }).click();
    const link = await admin.getByTestId('signup-link').getByRole('textbox').inputValue();
    expect(link).toMatch(/\/register\?invite=[A-Za-z0-9_-]{32}$/);
    await expect(admin.getByTestId('signup-invite').first()).toContainText('0 of 1 use');

    const username = randomUsername('inv');
    await page.goto(link);
    await expect(page.getByText('You were invited to join this Parley.')).toBeVisible();
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Display name').fill('Invited Person');
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByLabel('Confirm password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    await expect(page.getByTestId('current-user')).toContainText('Invited Person');

    // Used up: the next person with the same link is told so.
    const second = await browser.newContext();
    const other = await second.newPage();
    await other.goto(link);
    await other.getByLabel('Username').fill(randomUsername('inv'));
    await other.getByLabel('Display name').fill('Too Late');
    await other.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await other.getByLabel('Confirm password').fill(PASSWORD);
    await other.getByRole('button', { name: 'Create account' }).click();
    await expect(other.getByText('This invitation is not valid (any more).')).toBeVisible();

    await admin.reload();
    await expect(admin.getByTestId('signup-invite').first()).toContainText('Used up');

    await admin.getByRole('radio', { name: /Closed/ }).check();
    await expect(admin.getByText('Saved: registration is closed.')).toBeVisible();
    await other.goto('/register');
    await expect(other.getByRole('heading', { name: 'Registration is closed' })).toBeVisible();
    await checkScreen(other, 'register-closed');
    await Promise.all([visitor.close(), second.close()]);
  } finally {
    await admin.request.patch('/api/admin/settings', { data: { registrationMode: 'open' } });
  }
  await admin.context().close();
});

test('people who are not instance admins find nothing at /admin and no link to it', async ({ browser }) => {
  const eve = await newSignedInUser(browser, 'eve');
  await eve.page.goto('/');
  await expect(eve.page.getByTestId('current-user')).toBeVisible();
  await expect(eve.page.getByTestId('admin-link')).toHaveCount(0);
  const response = await eve.page.goto('/admin');
  expect(response?.status()).toBe(404);
  await expect(eve.page.getByRole('heading', { name: 'Page not found' })).toBeVisible();
  expect((await eve.page.request.get('/api/admin/users')).status()).toBe(403);
  await eve.context.close();
});

for (const [size, viewport] of Object.entries(viewports)) {
  test(`the admin page's tabs pass axe (${size})`, async ({ browser }) => {
    test.setTimeout(240_000); // six axe runs, each slow on a busy machine
    const someone = await newSignedInUser(browser, 'look');
    await createRoomViaApi(someone.page, { name: randomRoomName('look') });
    const admin = await adminPage(browser, viewport);
    await admin.goto('/admin');
    await expect(admin.getByTestId('admin-user').first()).toBeVisible();
    await checkScreen(admin, `admin-users-${size}`);

    await admin.getByRole('tab', { name: 'Users' }).press('ArrowRight'); // the keyboard moves between tabs
    await expect(admin.getByRole('tab', { name: 'Rooms' })).toBeFocused();
    await expect(admin.getByTestId('admin-room').first()).toBeVisible();
    await checkScreen(admin, `admin-rooms-${size}`);

    await admin.getByRole('tab', { name: 'Audit log' }).click();
    await expect(admin.getByTestId('audit-event').first()).toBeVisible();
    await checkScreen(admin, `admin-audit-${size}`);

    await admin.getByRole('tab', { name: 'Settings' }).click();
    await expect(admin.getByRole('radio', { name: /Open/ })).toBeChecked();
    await checkScreen(admin, `admin-settings-${size}`);

    const row = await (async () => {
      await admin.getByRole('tab', { name: 'Users' }).click();
      return findUser(admin, someone.username);
    })();
    await row.getByTestId('disable-user').click();
    await expect(admin.getByRole('alertdialog')).toBeVisible();
    await checkScreen(admin, `admin-confirm-${size}`);
    await admin.getByRole('alertdialog').getByRole('button', { name: 'Cancel' }).click();
    await expect(row).not.toContainText('Disabled');
    await Promise.all([someone.context.close(), admin.context().close()]);
  });
}
