/**
 * scripts/bundle-budget.ts reads the room page's JS from the build's manifests; this checks that list
 * against what Chromium really downloads when it opens a room: every counted script is downloaded, every entry
 * chunk downloaded is counted (so the budget counts what people pay for), and the bytes on the wire agree. The
 * rest of what Chromium fetches is what components/ui/deferred.tsx loads after the first paint, printed here.
 */
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { kb, manifestEntryFiles, measureRoute } from '../scripts/bundle-budget';
import { contextFor, roomReady, seedWorkspace } from './ui-seed';

test('the budget counts the JavaScript a browser downloads for a room', async ({ browser }) => {
  test.setTimeout(90_000);
  const ws = await seedWorkspace();
  const nextDir = path.resolve(test.info().config.rootDir, '..', '.next');
  const report = measureRoute(nextDir);
  const entries = manifestEntryFiles(nextDir);
  const context = await contextFor(browser, { user: ws.alice, theme: 'light', device: 'desktop' });
  const page = await context.newPage();
  const downloaded = new Map<string, number>();
  const pending: Promise<void>[] = [];
  page.on('requestfinished', (request) => {
    const url = new URL(request.url());
    if (request.resourceType() !== 'script' || !url.pathname.startsWith('/_next/')) return;
    pending.push(request.sizes().then((sizes) => void downloaded.set(url.pathname.replace(/^\/_next\//, ''), sizes.responseBodySize)));
  });
  await page.goto(`/rooms/${ws.room.id}`, { waitUntil: 'load' });
  await roomReady(page);
  await page.waitForLoadState('networkidle');
  await Promise.all(pending);

  const counted = new Set(report.files.map((f) => f.file));
  const initial = [...downloaded.keys()].filter((file) => counted.has(file));
  const lazy = [...downloaded.keys()].filter((file) => !counted.has(file));
  const onTheWire = initial.reduce((sum, file) => sum + (downloaded.get(file) ?? 0), 0);
  const lazyBytes = lazy.reduce((sum, file) => sum + (downloaded.get(file) ?? 0), 0);
  const summary = `budget list ${report.files.length} files ${kb(report.totalGzipBytes)} gz; browser: ${initial.length} of them ${kb(onTheWire)} on the wire, plus ${lazy.length} on demand ${kb(lazyBytes)} (${lazy.join(', ')})`;
  console.log(summary);
  await test.info().attach('bundle.json', { body: JSON.stringify({ report, downloaded: Object.fromEntries(downloaded) }, null, 2), contentType: 'application/json' });

  // Everything counted is something the browser fetched (no phantom chunks inflating the number)…
  expect([...counted].filter((file) => !downloaded.has(file)), summary).toEqual([]);
  // …every entry chunk of the route's segments that it fetched is counted (an error boundary's, say)…
  expect(lazy.filter((file) => entries.has(file)), summary).toEqual([]);
  // …and the gzip estimate is within 10% of the compressed bytes Chromium received for those files.
  expect(Math.abs(onTheWire - report.totalGzipBytes) / report.totalGzipBytes, summary).toBeLessThan(0.1);
  await context.close();
});

test('what the first paint leaves out arrives as the room opens, and is fetched again when a fetch fails', async ({ browser }) => {
  test.setTimeout(90_000);
  const ws = await seedWorkspace();
  const report = measureRoute(path.resolve(test.info().config.rootDir, '..', '.next'));
  const counted = new Set(report.files.map((f) => f.file));
  const context = await contextFor(browser, { user: ws.alice, theme: 'light', device: 'desktop', serviceWorkers: 'block' });
  const page = await context.newPage();
  // Every script that is not in the first load (the deferred components and everything opened on demand) fails
  // its first two fetches. Next's chunk loader does not try again by itself, so only components/ui/deferred.tsx's
  // retries (after 1 s, then 2 s) get the room past it; without them it stays an empty box.
  const failed = new Map<string, number>();
  await page.route(/\/_next\/static\/chunks\/[^/?]+\.js(?:\?.*)?$/, async (route) => {
    const file = new URL(route.request().url()).pathname.replace(/^\/_next\//, '');
    const failures = failed.get(file) ?? 0;
    if (counted.has(file) || failures >= 2) return route.continue();
    failed.set(file, failures + 1);
    return route.abort('connectionfailed');
  });
  await page.goto(`/rooms/${ws.room.id}`);
  // The timeline, with its Markdown: the code block is a real one, with its Copy button.
  const codeMessage = page.getByTestId('message').filter({ hasText: 'npm run deploy' });
  await expect(codeMessage.locator('pre')).toContainText('npm run deploy -- --env=production --canary 10%');
  await expect(codeMessage.getByRole('button', { name: 'Copy code' })).toBeVisible();
  await expect(page.getByTestId('room-view')).toHaveAttribute('data-connected', 'true');
  expect([...failed.values()].filter((n) => n >= 2).length, 'deferred chunks failed twice and were fetched again').toBeGreaterThan(0);

  // The message toolbar, and a menu behind it.
  await codeMessage.hover();
  await codeMessage.getByTestId('more-button').click();
  await expect(page.getByTestId('message-menu')).toBeVisible();
  await page.keyboard.press('Escape');
  // The header's actions and the account menu.
  await expect(page.getByTestId('room-view').getByRole('button', { name: /notifications/i }).first()).toBeVisible();
  await page.getByTestId('current-user').click();
  await expect(page.getByRole('menuitem', { name: 'Settings' })).toBeVisible();
  await context.close();
});
