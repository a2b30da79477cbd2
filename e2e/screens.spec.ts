/**
 * Screenshots of the main screens for a reviewer: login, home, a room with a real-looking conversation
 * (three authors, a thread, reactions, an image, a code block, day separators, read receipts), a DM,
 * settings and the room directory — light and dark, desktop (1440×900) and phone (390×844).
 *
 * Saved as test-results/screens/<screen>-<theme>-<device>.png (outside Playwright's outputDir, which it
 * empties on every run, so `npm test` leaves them for the reviewer) and attached to the HTML report.
 * Deterministic pixels: animations disabled, caret hidden, fonts and images loaded before each shot.
 */
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { contextFor, devices, roomReady, seedWorkspace, themes, type Device, type ThemeName, type Workspace } from './ui-seed';

let ws: Workspace;
const screensDir = (): string => path.resolve(test.info().config.rootDir, '..', 'test-results', 'screens');

test.beforeAll(async () => {
  test.setTimeout(90_000);
  // Only this run's screens: a reviewer must not mistake last week's for today's.
  rmSync(screensDir(), { recursive: true, force: true });
  mkdirSync(screensDir(), { recursive: true });
  ws = await seedWorkspace();
});

test.describe.configure({ timeout: 60_000 });

/** Waits for web fonts and every image, then saves and attaches one deterministic screenshot. */
async function shoot(page: Page, screen: string, theme: ThemeName, device: Device): Promise<void> {
  await page.evaluate(async () => {
    await document.fonts.ready;
    await Promise.all(
      [...document.images].filter((img) => !img.complete).map((img) => new Promise((resolve) => img.addEventListener('load', resolve, { once: true }))),
    );
  });
  // (Where the timeline rests is checked in e2e/timeline.spec.ts, not here: these are pictures for review, and
  // they show the room as it opens — including the known defect named there for rooms opened with unread.)
  const name = `${screen}-${theme}-${device}.png`;
  const file = path.join(screensDir(), name);
  await page.screenshot({ path: file, animations: 'disabled', caret: 'hide' });
  await test.info().attach(name, { path: file, contentType: 'image/png' });
}

for (const device of Object.keys(devices) as Device[]) {
  for (const theme of themes) {
    test(`screens: login, home, room, DM, settings, directory (${device}, ${theme})`, async ({ browser }) => {
      const signedOut = await contextFor(browser, { theme, device, reducedMotion: true });
      const login = await signedOut.newPage();
      await login.goto('/login');
      await expect(login.getByRole('button', { name: 'Sign in' })).toBeVisible();
      await shoot(login, 'login', theme, device);
      await signedOut.close();

      const context = await contextFor(browser, { user: ws.alice, theme, device, reducedMotion: true });
      const page = await context.newPage();
      await page.goto('/');
      await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
      await shoot(page, 'home', theme, device);

      await page.goto(`/rooms/${ws.room.id}`);
      await roomReady(page);
      await expect(page.getByTestId('message')).toHaveCount(7);
      await expect(page.getByTestId('message').last()).toBeInViewport();
      await expect(page.locator('[data-testid="message"] img').first()).toBeVisible();
      await shoot(page, 'room', theme, device);

      await page.goto(`/rooms/${ws.dm.id}`);
      await roomReady(page);
      await expect(page.getByTestId('message')).toHaveCount(3);
      await shoot(page, 'dm', theme, device);

      await page.goto('/settings');
      await expect(page.getByTestId('session-row').first()).toBeVisible();
      await shoot(page, 'settings', theme, device);

      await page.goto('/rooms');
      await expect(page.getByTestId('directory-room').first()).toBeVisible();
      await shoot(page, 'directory', theme, device);
      await context.close();
    });
  }
}
