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
