/**
 * The production build hashes and checks passwords in the worker pool (lib/password.ts): Next's bundle
 * must find the worker file (emitted under .next/) and share the pool with server.ts through globalThis.
 * Nothing hashes on the main thread, so the pool's own count of finished tasks is the proof.
 */
import { expect, test, type Page } from '@playwright/test';
import { createUserViaApi, loginViaApi, METRICS_TOKEN } from './helpers';

async function poolTasksCompleted(page: Page): Promise<number> {
  const response = await page.request.get('/api/metrics', { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  expect(response.status()).toBe(200);
  const match = /^parley_password_tasks_total\{outcome="completed"\} (\d+)$/m.exec(await response.text());
  expect(match, 'parley_password_tasks_total is exported').not.toBeNull();
  return Number(match![1]);
}

test('sign-up hashes and sign-in checks the password in worker threads', async ({ page }) => {
  const before = await poolTasksCompleted(page);
  const { username } = await createUserViaApi(page); // route handler → registerUser → hashPassword
  expect(await poolTasksCompleted(page)).toBe(before + 1);
  await loginViaApi(page, username); // Auth.js authorize → authenticate → verifyPassword
  expect(await poolTasksCompleted(page)).toBe(before + 2);
});
