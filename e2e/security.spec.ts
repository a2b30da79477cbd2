/**
 * The HTTP edge as a browser meets it: post-login redirects that stay home.
 */
import { expect, test } from '@playwright/test';
import { createUserViaApi, loginViaForm } from './helpers';

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
