/**
 * Every page and every dialog or menu, checked with axe (WCAG 2.x A and AA: no critical or serious
 * violation) in the light and the dark theme, at desktop (1440×900) and phone (390×844) size.
 *
 * Fast and robust by construction: the workspace (people, rooms, a conversation, a DM, a group, an
 * invitation) is seeded once over HTTP in beforeAll; each test is one set of pages in one browser context,
 * signed in from saved cookies (storageState), waiting on states only. Screenshots live in
 * e2e/screens.spec.ts; a failing check attaches axe's findings instead.
 */
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Browser, type Page } from '@playwright/test';
import { contextFor, devices, roomReady, seedWorkspace, showSidebar, themes, type Device, type SeedUser, type ThemeName, type Workspace } from './ui-seed';

let ws: Workspace;

test.beforeAll(async () => {
  test.setTimeout(90_000);
  ws = await seedWorkspace();
});

// One page set, at most six axe runs (1–5 s each on a busy 2-core machine, ~10 s with five suites running
// on it): 120 s is room enough, and a hang still fails well before the suite notices.
test.describe.configure({ timeout: 120_000 });

async function expectAccessible(page: Page, name: string): Promise<void> {
  // Violations only: axe skips building the (large) passes and incomplete lists, a good part of its time.
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).options({ resultTypes: ['violations'] }).analyze();
  const serious = results.violations.filter((v) => v.impact === 'critical' || v.impact === 'serious');
  if (serious.length > 0) {
    await test.info().attach(`${name}-axe.json`, { body: JSON.stringify(serious, null, 2), contentType: 'application/json' });
    await test.info().attach(`${name}.png`, { body: await page.screenshot({ fullPage: true }), contentType: 'image/png' });
  }
  expect
    .soft(
      serious.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`),
      `${name}: critical or serious axe violations`,
    )
    .toEqual([]);
}

/** A page of one user (or signed out) in one theme and size; closed by the caller's context. */
async function open(browser: Browser, theme: ThemeName, device: Device, user?: SeedUser): Promise<Page> {
  const context = await contextFor(browser, { user, theme, device });
  return context.newPage();
}

for (const device of Object.keys(devices) as Device[]) {
  for (const theme of themes) {
    const label = `${device}, ${theme}`;

    test.describe(label, () => {
      test(`signed out: login, register, an invitation, 404 (${label})`, async ({ browser }) => {
        const page = await open(browser, theme, device);
        await page.goto('/login');
        await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
        await expectAccessible(page, `login-${device}-${theme}`);

        await page.goto('/register');
        await expect(page.getByRole('button', { name: 'Create account' })).toBeVisible();
        await expectAccessible(page, `register-${device}-${theme}`);

        await page.goto(ws.invitePath);
        await expect(page.getByRole('main')).toContainText(/sign in/i);
        await expectAccessible(page, `invite-signed-out-${device}-${theme}`);

        const missing = await page.goto('/no/such/page');
        expect(missing?.status()).toBe(404);
        await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible();
        await expectAccessible(page, `not-found-${device}-${theme}`);
        await page.context().close();
      });

      test(`a newcomer: empty home, settings, directory, a room preview, a locked room, an invitation (${label})`, async ({ browser }) => {
        const page = await open(browser, theme, device, ws.newcomer);
        await page.goto('/');
        await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
        await expectAccessible(page, `home-empty-${device}-${theme}`);

        await page.goto('/settings');
        await expect(page.getByTestId('session-row').first()).toBeVisible();
        await expectAccessible(page, `settings-${device}-${theme}`);

        await page.goto('/rooms');
        await page.getByLabel('Search rooms').fill(ws.publicRoom.name);
        await expect(page.getByTestId('directory-room')).toHaveCount(1);
        await expectAccessible(page, `directory-${device}-${theme}`);

        await page.goto(`/rooms/${ws.publicRoom.id}`);
        await expect(page.getByRole('button', { name: 'Join room' })).toBeVisible();
        await expectAccessible(page, `room-preview-${device}-${theme}`);

        await page.goto(`/rooms/${ws.lockedRoom.id}`);
        await expect(page.getByLabel('Room password')).toBeVisible();
        await expectAccessible(page, `locked-room-${device}-${theme}`);

        await page.goto(ws.invitePath);
        await expect(page.getByRole('button', { name: 'Join room' })).toBeVisible();
        await expectAccessible(page, `invite-${device}-${theme}`);
        await page.context().close();
      });

      test(`conversations: a room, its thread, a DM, a group (${label})`, async ({ browser }) => {
        const page = await open(browser, theme, device, ws.alice);
        await page.goto(`/rooms/${ws.room.id}`);
        await roomReady(page);
        await expect(page.getByTestId('message')).toHaveCount(7);
        await expect(page.locator('[data-mentions-me]')).toHaveCount(1);
        await expectAccessible(page, `room-${device}-${theme}`);

        await page.getByTestId('thread-summary').first().click();
        const thread = page.getByTestId('thread-panel');
        await expect(thread.getByRole('textbox', { name: 'Reply in thread' })).toBeVisible();
        await expectAccessible(page, `thread-${device}-${theme}`);
        await thread.getByTestId('close-thread').click();

        await page.goto(`/rooms/${ws.dm.id}`);
        await roomReady(page);
        await expectAccessible(page, `dm-${device}-${theme}`);

        await page.goto(`/rooms/${ws.group.id}`);
        await roomReady(page);
        await expectAccessible(page, `group-${device}-${theme}`);
        await page.context().close();
      });

      test(`a room's dialogs: emoji picker, delete, room settings (${label})`, async ({ browser }) => {
        const page = await open(browser, theme, device, ws.alice);
        await page.goto(`/rooms/${ws.room.id}`);
        await roomReady(page);
        const rows = page.getByTestId('message');

        // The emoji picker, opened from a message's toolbar by keyboard (the toolbar shows on focus).
        const react = rows.first().getByTestId('react-button');
        await react.focus();
        await react.press('Enter');
        const emojiSearch = page.getByRole('textbox', { name: 'Search emoji' }).or(page.getByRole('searchbox', { name: 'Search emoji' }));
        await expect(emojiSearch).toBeFocused();
        await expectAccessible(page, `emoji-picker-${device}-${theme}`);
        await page.keyboard.press('Escape');
        await expect(emojiSearch).toHaveCount(0);

        // Deleting one of my messages asks first (cancelled: the workspace is shared by the other tests).
        const mine = rows.filter({ hasText: 'On it: I will post an update at noon.' });
        await mine.getByTestId('delete-button').focus();
        await mine.getByTestId('delete-button').press('Enter');
        await expect(page.getByRole('alertdialog')).toBeVisible();
        await expectAccessible(page, `delete-dialog-${device}-${theme}`);
        await page.keyboard.press('Escape');
        await expect(page.getByRole('alertdialog')).toHaveCount(0);

        await page.getByRole('button', { name: 'Room settings' }).click();
        const settings = page.getByRole('dialog', { name: 'Room settings' });
        await expect(settings).toBeVisible();
        await expectAccessible(page, `room-settings-${device}-${theme}`);
        await settings.getByRole('tab', { name: 'Members' }).click();
        await expect(settings.getByTestId('settings-member')).toHaveCount(3);
        await expectAccessible(page, `room-settings-members-${device}-${theme}`);
        await page.keyboard.press('Escape');
        await expect(settings).toHaveCount(0);

        await page.context().close();
      });

      test(`search, new message, create room, account menu (${label})`, async ({ browser }) => {
        const page = await open(browser, theme, device, ws.alice);
        await page.goto(`/rooms/${ws.room.id}`);
        await roomReady(page);

        // Search: tips, results, approximate results, nothing found.
        const search = page.getByTestId('search-dialog');
        await expect(async () => {
          await page.keyboard.press('Control+k');
          await expect(search).toBeVisible({ timeout: 1_000 });
        }).toPass();
        await expectAccessible(page, `search-tips-${device}-${theme}`);
        const box = search.getByTestId('search-input');
        await box.fill(ws.searchWord);
        await expect(search.getByTestId('search-hit').first()).toBeVisible();
        await expectAccessible(page, `search-results-${device}-${theme}`);
        await box.fill('deplyoment'); // a typo: only similar words match
        await expect(search.getByTestId('search-approximate')).toBeVisible();
        await expectAccessible(page, `search-approximate-${device}-${theme}`);
        await box.fill('zebracorn');
        await expect(search.getByTestId('search-empty')).toBeVisible();
        await expectAccessible(page, `search-empty-${device}-${theme}`);
        await page.keyboard.press('Escape');
        await expect(search).toHaveCount(0);

        // A new direct message: the people picker (in the rooms drawer on a phone).
        await showSidebar(page);
        const nav = page.getByRole('navigation', { name: 'Rooms' });
        const newMessage = nav.getByRole('button', { name: 'New message' });
        await newMessage.click();
        await expect(newMessage).toHaveAttribute('aria-expanded', 'true');
        await expect(nav.getByRole('searchbox', { name: 'Find people' })).toBeVisible();
        await expectAccessible(page, `new-message-${device}-${theme}`);
        await page.keyboard.press('Escape');

        // Creating a room: a dialog or the home page's form, wherever "New room" leads.
        await showSidebar(page);
        await nav.getByRole('link', { name: 'New room' }).or(nav.getByRole('button', { name: 'New room' })).click();
        await expect(page.getByLabel('Room name')).toBeVisible();
        await expectAccessible(page, `create-room-${device}-${theme}`);
        await page.keyboard.press('Escape');

        // The header's account menu, with the theme choice (shell work, issue 15).
        const header = page.getByRole('banner');
        await header.getByRole('button', { name: new RegExp(`account|${ws.alice.displayName}`, 'i') }).click();
        const menu = page.getByRole('menu');
        await expect(menu).toBeVisible();
        await expect(menu.getByRole('menuitemradio', { name: 'Dark' }).or(menu.getByRole('radio', { name: 'Dark' }))).toBeVisible();
        await expectAccessible(page, `account-menu-${device}-${theme}`);
        await page.keyboard.press('Escape');
        await expect(menu).toHaveCount(0);
        await page.context().close();
      });

      test(`instance admin (${label})`, async ({ browser }) => {
        const page = await open(browser, theme, device, ws.admin);
        await page.goto('/admin');
        await expect(page.getByRole('tab').first()).toBeVisible();
        await expect(page.getByTestId('admin-user').first()).toBeVisible();
        await expectAccessible(page, `admin-${device}-${theme}`);
        await page.context().close();
      });
    });
  }
}
