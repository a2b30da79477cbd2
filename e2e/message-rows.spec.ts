/**
 * How a message looks and what can be done on it: read-receipt avatars that sit on the newest message each
 * member has read (and move when they read on), the toolbar by keyboard (one tab stop, arrows, Enter), Copy
 * link, the actions menu on a long press, and screenshots of the rows in both themes at desktop and phone width.
 */
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { createRoomViaApi, joinRoomViaPage, messageRows, newSignedInUser, openRoom, sendMessage, type ChatUser } from './helpers';

let users: ChatUser[] = [];

test.afterEach(async () => {
  await Promise.all(users.map((u) => u.context.close()));
  users = [];
});

async function leaveToHome(page: Page): Promise<void> {
  await page.getByRole('link', { name: 'Parley' }).click();
  await expect(page).toHaveURL(/\/$/);
}

test('read receipts: each reader once, on the newest message they have read; they move when the reader reads on', async ({ browser }) => {
  // Three people, four page loads: slow on a busy 2-core machine.
  test.setTimeout(180_000);
  const alice = await newSignedInUser(browser, 'alice');
  const bob = await newSignedInUser(browser, 'bob');
  const carol = await newSignedInUser(browser, 'carol');
  users.push(alice, bob, carol);
  const room = await createRoomViaApi(alice.page);
  await joinRoomViaPage(bob.page, room.id);
  await leaveToHome(bob.page);
  await joinRoomViaPage(carol.page, room.id);
  await leaveToHome(carol.page);
  await openRoom(alice.page, room.id);

  await sendMessage(alice.page, 'one');
  await sendMessage(alice.page, 'two');
  const receipts = alice.page.getByTestId('read-receipts');
  // Nobody else has read them; my own position is never shown.
  await expect(messageRows(alice.page, 'two')).toHaveAttribute('data-status', 'sent');
  await expect(receipts).toHaveCount(0);

  await openRoom(bob.page, room.id);
  await expect(messageRows(alice.page, 'two').getByTestId('read-receipts')).toHaveAttribute('aria-label', `Seen by ${bob.displayName}`);
  await expect(receipts).toHaveCount(1);
  await expect(messageRows(alice.page, 'two').getByTestId('read-receipts').getByTestId('avatar')).toHaveCount(1);
  // No "Seen by N" line under every message any more.
  await expect(alice.page.getByTestId('seen-by')).toHaveCount(0);

  // Bob looks away; a new message; his avatar stays where he stopped.
  await leaveToHome(bob.page);
  await sendMessage(alice.page, 'three');
  await expect(messageRows(alice.page, 'three')).toHaveAttribute('data-status', 'sent');
  await expect(messageRows(alice.page, 'two').getByTestId('read-receipts')).toHaveCount(1);
  await expect(messageRows(alice.page, 'three').getByTestId('read-receipts')).toHaveCount(0);

  // Carol reads everything; then Bob catches up: both on "three", nobody left on "two".
  await openRoom(carol.page, room.id);
  await expect(messageRows(alice.page, 'three').getByTestId('read-receipts')).toHaveAttribute('aria-label', `Seen by ${carol.displayName}`);
  await expect(messageRows(alice.page, 'two').getByTestId('read-receipts')).toHaveAttribute('aria-label', `Seen by ${bob.displayName}`);
  await openRoom(bob.page, room.id);
  const both = [bob.displayName, carol.displayName].sort((a, b) => a.localeCompare(b));
  await expect(messageRows(alice.page, 'three').getByTestId('read-receipts')).toHaveAttribute('aria-label', `Seen by ${both[0]} and ${both[1]}`);
  await expect(messageRows(alice.page, 'two').getByTestId('read-receipts')).toHaveCount(0);
  await expect(receipts).toHaveCount(1);

  // Anyone's message carries them, not only mine: Bob writes, Alice and Carol read it (as Bob sees it).
  await sendMessage(bob.page, 'four, from Bob');
  await expect(messageRows(bob.page, 'four, from Bob').getByTestId('read-receipts')).toHaveAttribute('data-count', '2');
  await expect(bob.page.getByTestId('read-receipts')).toHaveCount(1);
});

test('toolbar by keyboard: one tab stop, arrows between actions, Enter opens the reaction picker and copies the link', async ({ browser }) => {
  const alice = await newSignedInUser(browser, 'alice');
  users.push(alice);
  await alice.context.grantPermissions(['clipboard-read', 'clipboard-write']);
  const room = await createRoomViaApi(alice.page);
  await openRoom(alice.page, room.id);
  await sendMessage(alice.page, 'a message to act on');
  const row = messageRows(alice.page, 'a message to act on');
  await expect(row).toHaveAttribute('data-status', 'sent');
  const seq = await row.getAttribute('data-seq');
  const toolbar = row.getByRole('toolbar');

  // Hidden until the row has focus (or the pointer); Tab from the row lands on its first action.
  await alice.page.mouse.move(0, 0);
  await expect(toolbar).toHaveCSS('opacity', '0');
  await row.focus();
  await alice.page.keyboard.press('Tab');
  await expect(row.getByTestId('react-button')).toBeFocused();
  await expect(toolbar).toHaveCSS('opacity', '1');

  await alice.page.keyboard.press('Enter');
  const picker = alice.page.getByRole('dialog');
  await expect(picker).toBeVisible();
  await alice.page.keyboard.press('Escape');
  await expect(picker).toHaveCount(0);
  await expect(row.getByTestId('react-button')).toBeFocused();

  // Arrows move within the toolbar; End is its last button (More).
  await alice.page.keyboard.press('ArrowRight');
  await expect(row.getByTestId('thread-button')).toBeFocused();
  await alice.page.keyboard.press('End');
  await expect(row.getByTestId('more-button')).toBeFocused();
  await alice.page.keyboard.press('ArrowLeft');
  await expect(row.getByTestId('delete-button')).toBeFocused();
  await alice.page.keyboard.press('ArrowLeft');
  await expect(row.getByTestId('copy-link-button')).toBeFocused();
  await alice.page.keyboard.press('Enter');
  await expect(row.getByTestId('toolbar-notice')).toHaveText('Link copied');
  const url = await alice.page.evaluate(() => navigator.clipboard.readText());
  expect(url).toBe(`${new URL(alice.page.url()).origin}/rooms/${room.id}?seq=${seq}`);

  // The same actions as a menu: More, by keyboard.
  await row.getByTestId('more-button').focus();
  await alice.page.keyboard.press('Enter');
  const menu = alice.page.getByRole('menu', { name: 'More actions' });
  await expect(menu).toBeVisible();
  await expect(menu.getByRole('menuitem')).toHaveText(['Add reaction', 'Reply in thread', 'Quote in reply', 'Edit', 'Copy link', 'Delete']);
  await menu.getByRole('menuitem', { name: 'Edit' }).press('Enter');
  await expect(alice.page.getByTestId('edit-input')).toBeFocused();
});

test('touch: a long press on a message opens its actions as a menu', async ({ browser }) => {
  const alice = await newSignedInUser(browser, 'alice');
  users.push(alice);
  const room = await createRoomViaApi(alice.page);
  await alice.page.setViewportSize({ width: 390, height: 800 });
  await openRoom(alice.page, room.id);
  await sendMessage(alice.page, 'press and hold me');
  const row = messageRows(alice.page, 'press and hold me');
  await expect(row).toHaveAttribute('data-status', 'sent');
  const body = row.getByTestId('message-body');
  const box = (await body.boundingBox())!;
  await body.dispatchEvent('pointerdown', { pointerType: 'touch', isPrimary: true, clientX: box.x + 5, clientY: box.y + 5, bubbles: true });
  const menu = alice.page.getByRole('menu', { name: 'More actions' });
  await expect(menu).toBeVisible();
  await expect(menu.getByRole('menuitem', { name: 'Copy link' })).toBeVisible();
  // Phone-sized targets.
  const item = (await menu.getByRole('menuitem').first().boundingBox())!;
  expect(item.height).toBeGreaterThanOrEqual(44);
  await alice.page.keyboard.press('Escape');
  await row.click();
  const react = (await row.getByTestId('react-button').boundingBox())!;
  expect(Math.min(react.width, react.height)).toBeGreaterThanOrEqual(44);
});

for (const colorScheme of ['light', 'dark'] as const) {
  for (const [size, viewport] of [
    ['desktop', { width: 1440, height: 900 }],
    ['phone', { width: 390, height: 844 }],
  ] as const) {
    test(`rows look right and pass axe: ${size}, ${colorScheme}`, async ({ browser }) => {
      test.setTimeout(90_000);
      const alice = await newSignedInUser(browser, 'alice');
      const bob = await newSignedInUser(browser, 'bob');
      users.push(alice, bob);
      for (const u of [alice, bob]) {
        await u.page.setViewportSize(viewport);
        await u.page.emulateMedia({ colorScheme });
      }
      const room = await createRoomViaApi(alice.page);
      await joinRoomViaPage(bob.page, room.id);
      await openRoom(alice.page, room.id);
      await sendMessage(alice.page, 'Morning! The release notes are at https://example.com/notes');
      await sendMessage(alice.page, 'Two things left: the **changelog** and the screenshots.');
      await sendMessage(bob.page, `@${alice.username} I can take the screenshots`);
      await sendMessage(bob.page, 'and `npm run shots` is ready');
      await expect(messageRows(alice.page, 'and npm run shots is ready')).toHaveCount(1);
      const first = alice.page.getByTestId('message').first();
      await first.hover();
      await first.getByTestId('react-button').click();
      await alice.page.getByRole('button', { name: /thumbs up/i }).first().click();
      await expect(first.getByTestId('reaction')).toHaveAttribute('data-count', '1');
      await expect(alice.page.getByTestId('read-receipts')).toHaveCount(1);
      await expect(alice.page.locator('[data-mentions-me]')).toHaveCount(1);
      // Continuation rows: no header of their own.
      await expect(alice.page.locator('[data-testid="message"][data-grouped]')).toHaveCount(2);

      const second = alice.page.getByTestId('message').nth(1);
      await second.hover();
      await expect(second.getByRole('toolbar')).toHaveCSS('opacity', '1');
      await alice.page.screenshot({ path: test.info().outputPath(`rows-${size}-${colorScheme}.png`) });
      const results = await new AxeBuilder({ page: alice.page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
      expect(results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
    });
  }
}
