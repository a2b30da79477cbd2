/**
 * The screens the hardening work added or changed — account settings (password, sessions), a room's
 * public face with its Join button, a private room's password gate, and the room directory — checked
 * with axe (WCAG 2.x A and AA) at desktop and phone width, in the light and dark color schemes the browser
 * may ask for (the app has one light theme until the design issue adds dark: both must pass), with a
 * screenshot of each kept in test-results for a reviewer.
 */
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Browser, type Page } from '@playwright/test';
import { createRoomViaApi, createUserViaApi, loginViaApi, randomRoomName } from './helpers';
import { connectRoomSocket, send } from './room-socket';

const viewports = { desktop: { width: 1280, height: 860 }, phone: { width: 360, height: 740 } } as const;
const schemes = ['light', 'dark'] as const;

async function signedInPage(browser: Browser, viewport: { width: number; height: number }, colorScheme: 'light' | 'dark'): Promise<Page> {
  const context = await browser.newContext({ viewport, colorScheme });
  const page = await context.newPage();
  const { username } = await createUserViaApi(page);
  await loginViaApi(page, username);
  return page;
}

async function expectAccessible(page: Page, name: string): Promise<void> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const serious = results.violations.filter((v) => v.impact === 'critical' || v.impact === 'serious');
  // Kept in the test's output folder (test-results/e2e/…) and attached to the report.
  const path = test.info().outputPath(`${name}.png`);
  await page.screenshot({ path, fullPage: true });
  await test.info().attach(name, { path, contentType: 'image/png' });
  expect(
    serious.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`),
    `${name}: critical or serious axe violations`,
  ).toEqual([]);
}

for (const [size, viewport] of Object.entries(viewports)) {
  for (const colorScheme of schemes) {
    test(`settings, room preview, private room gate and directory pass axe (${size}, ${colorScheme})`, async ({ browser }) => {
      const owner = await signedInPage(browser, viewport, colorScheme);
      const visitor = await signedInPage(browser, viewport, colorScheme);
      const name = randomRoomName('a11y');
      const open = await createRoomViaApi(owner, { name, description: 'A room to look at' });
      const locked = await createRoomViaApi(owner, { kind: 'private', password: 'open sesame' });

      await owner.goto('/settings');
      await expect(owner.getByTestId('session-row')).toHaveCount(1);
      await expectAccessible(owner, `settings-${size}-${colorScheme}`);

      await visitor.goto(`/rooms/${open.id}`);
      await expect(visitor.getByRole('button', { name: 'Join room' })).toBeVisible();
      await expectAccessible(visitor, `room-preview-${size}-${colorScheme}`);

      await visitor.goto(`/rooms/${locked.id}`);
      await expect(visitor.getByLabel('Room password')).toBeVisible();
      await expectAccessible(visitor, `private-gate-${size}-${colorScheme}`);

      await visitor.goto('/rooms');
      await visitor.getByLabel('Search rooms').fill(name);
      await expect(visitor.getByTestId('directory-room')).toHaveCount(1);
      await expectAccessible(visitor, `directory-${size}-${colorScheme}`);

      await Promise.all([owner.context().close(), visitor.context().close()]);
    });
  }
}

/** Sends a message through the composer and waits for its ack. */
async function say(page: Page, text: string): Promise<void> {
  const box = page.getByRole('textbox', { name: 'Message' });
  await box.fill(text);
  await box.press('Enter');
  await expect(page.locator('[data-testid="message"][data-status="pending"]')).toHaveCount(0);
}

for (const [size, viewport] of Object.entries(viewports)) {
  for (const colorScheme of schemes) {
    test(`a working conversation passes axe: Markdown, reactions, threads, quotes, mentions, toolbar, picker, dialog (${size}, ${colorScheme})`, async ({ browser }) => {
      test.setTimeout(150_000); // eight axe runs and two browsers: room for a busy machine
      const alice = await signedInPage(browser, viewport, colorScheme);
      const bob = await signedInPage(browser, viewport, colorScheme);
      const bobName = ((await (await bob.request.get('/api/auth/session')).json()) as { user: { username: string } }).user.username;
      const room = await createRoomViaApi(alice, {});
      await bob.request.post(`/api/rooms/${room.id}/join`, { data: {} });
      await alice.goto(`/rooms/${room.id}`);
      await expect(alice.getByTestId('room-view')).toHaveAttribute('data-connected', 'true');

      await say(alice, `Hi @${bobName}, the **deploy** is at https://example.com/deploy`);
      await say(alice, '```\nnpm run deploy -- --env=prod\n```');
      await say(alice, 'A message to take back');
      const rows = alice.getByTestId('message');
      // A reaction, a thread reply, a quote, an edit and a tombstone.
      await rows.first().hover();
      await rows.first().getByTestId('react-button').click();
      await alice.getByRole('button', { name: /thumbs up/i }).first().click();
      await expect(rows.first().getByTestId('reaction')).toHaveAttribute('data-count', '1');
      await rows.first().getByTestId('thread-button').click();
      const panel = alice.getByTestId('thread-panel');
      await panel.getByRole('textbox', { name: 'Reply in thread' }).fill('Thread reply with `inline code`');
      await panel.getByRole('textbox', { name: 'Reply in thread' }).press('Enter');
      await expect(rows.first().getByTestId('thread-summary')).toHaveAttribute('data-count', '1');
      await expectAccessible(alice, `thread-panel-${size}-${colorScheme}`);
      await panel.getByTestId('close-thread').click();
      const last = rows.filter({ hasText: 'A message to take back' });
      await last.hover();
      await last.getByTestId('delete-button').click();
      await expectAccessible(alice, `delete-dialog-${size}-${colorScheme}`);
      await alice.getByTestId('confirm-delete').click();
      await expect(rows.filter({ hasText: 'This message was deleted.' })).toHaveCount(1);
      await rows.first().hover();
      await rows.first().getByTestId('quote-button').click();
      await say(alice, 'Quoting the deploy note');

      // Bob's view: the mention of him highlighted; then the toolbar shown by keyboard focus, and the picker.
      await bob.goto(`/rooms/${room.id}`);
      await expect(bob.getByTestId('room-view')).toHaveAttribute('data-connected', 'true');
      await expect(bob.locator('[data-mentions-me]')).toHaveCount(1);
      await expectAccessible(bob, `conversation-${size}-${colorScheme}`);
      await bob.getByTestId('message').first().getByTestId('react-button').focus();
      await expect(bob.getByTestId('message').first().getByTestId('message-toolbar')).toBeVisible();
      await bob.getByTestId('message').first().getByTestId('react-button').press('Enter');
      // The emoji picker's own search (the sidebar's "Filter rooms" is a searchbox too).
      await expect(bob.getByLabel('Search emoji')).toBeFocused();
      await expectAccessible(bob, `emoji-picker-${size}-${colorScheme}`);

      await Promise.all([alice.context().close(), bob.context().close()]);
    });
  }
}

/** The search dialog over a room, down to a 320 px phone (where it fills the screen). */
const searchViewports = { desktop: viewports.desktop, phone: { width: 320, height: 640 } } as const;

for (const [size, viewport] of Object.entries(searchViewports)) {
  for (const colorScheme of schemes) {
    test(`the search dialog passes axe: results with rooms and people, similar results, no results (${size}, ${colorScheme})`, async ({ browser }) => {
      test.setTimeout(120_000);
      const alice = await signedInPage(browser, viewport, colorScheme);
      const room = await createRoomViaApi(alice, { name: randomRoomName('deploys') });
      const socket = await connectRoomSocket(alice.context(), room.id);
      try {
        await send(socket, { body: 'The **deployment** finished at noon, see https://example.com/run/1' });
        const root = await send(socket, { body: 'Who reviews the deploy checklist this week?' });
        await send(socket, { body: 'I can review the deployment checklist', threadRootSeq: root.seq });
      } finally {
        socket.close();
      }
      await alice.goto(`/rooms/${room.id}`);
      await expect(alice.getByTestId('room-view')).toHaveAttribute('data-connected', 'true');

      const dialog = alice.getByTestId('search-dialog');
      await expect(async () => {
        await alice.keyboard.press('Control+k');
        await expect(dialog).toBeVisible({ timeout: 1_000 });
      }).toPass();
      const box = dialog.getByTestId('search-input');
      await expectAccessible(alice, `search-tips-${size}-${colorScheme}`);

      await box.fill('deploy');
      await expect(dialog.getByTestId('search-hit')).toHaveCount(3);
      await expect(dialog.getByTestId('search-room')).toHaveCount(1);
      await expect(dialog.getByTestId('search-status')).toHaveText('3 messages found');
      await expectAccessible(alice, `search-results-${size}-${colorScheme}`);

      await box.fill('deplyoment');
      await expect(dialog.getByTestId('search-approximate')).toBeVisible();
      await expectAccessible(alice, `search-approximate-${size}-${colorScheme}`);

      await box.fill('zebracorn');
      await expect(dialog.getByTestId('search-empty')).toBeVisible();
      await expectAccessible(alice, `search-empty-${size}-${colorScheme}`);

      await alice.context().close();
    });
  }
}
