import { expect, type Page } from '@playwright/test';

export function randomUsername(prefix = 'e2e'): string {
  return `${prefix}${Date.now().toString(36)}${Math.random().toString(36).slice(2, 7)}`.slice(0, 32);
}

export const PASSWORD = 'a sturdy passphrase';

/** Registers through the real form and waits for the signed-in home page. */
export async function registerViaForm(page: Page, username: string, displayName = `User ${username}`): Promise<void> {
  await page.goto('/register');
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Display name').fill(displayName);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByLabel('Confirm password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByTestId('current-user')).toContainText(displayName);
}

/** Creates a user over HTTP (for tests that are not about registration). */
export async function createUserViaApi(page: Page, username = randomUsername()): Promise<{ username: string; displayName: string }> {
  const displayName = `User ${username}`;
  const response = await page.request.post('/api/register', {
    data: { username, displayName, password: PASSWORD, confirmPassword: PASSWORD },
  });
  expect(response.status()).toBe(201);
  return { username, displayName };
}

export async function loginViaForm(page: Page, username: string, password = PASSWORD): Promise<void> {
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}
