import { expect, test } from '@playwright/test';
import { createUserViaApi, loginViaForm, randomUsername, registerViaForm, signOutViaMenu } from './helpers';

test('register → signed in at home → sign out → sign in → home', async ({ page }) => {
  const username = randomUsername('reg');
  await registerViaForm(page, username, 'Ada Lovelace');
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole('heading', { name: 'Welcome, Ada Lovelace' })).toBeVisible();

  await signOutViaMenu(page);
  await page.goto('/');
  await expect(page).toHaveURL(/\/login\?callbackUrl=%2F/);

  await loginViaForm(page, username.toUpperCase()); // usernames are case-insensitive
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByTestId('current-user')).toContainText('Ada Lovelace');
});

test('a wrong password shows one generic error and stays on the login page', async ({ page }) => {
  const { username } = await createUserViaApi(page);
  await page.goto('/login');
  await loginViaForm(page, username, 'not the password');
  await expect(page.getByRole('alert').filter({ hasText: 'Invalid' })).toHaveText('Invalid username or password.');
  await expect(page).toHaveURL(/\/login/);
  await expect(page.getByLabel('Username')).toHaveValue(username);
});

test('an unauthenticated visit to a protected page goes to login and back after signing in', async ({ page }) => {
  const { username } = await createUserViaApi(page);
  await page.goto('/settings');
  await expect(page).toHaveURL(/\/login\?callbackUrl=%2Fsettings$/);
  await loginViaForm(page, username);
  await expect(page).toHaveURL(/\/settings$/);
  await expect(page.getByTestId('account-username')).toHaveText(`@${username}`);
});

test('the register form shows zod rules inline and a taken username as a field error', async ({ page }) => {
  const { username } = await createUserViaApi(page);
  await page.goto('/register');
  await page.getByLabel('Username').fill('x!');
  await page.getByLabel('Display name').focus();
  await expect(page.getByText('Username must be at least 3 characters.')).toBeVisible();

  await page.getByLabel('Username').fill(username.toUpperCase());
  await page.getByLabel('Display name').fill('Someone Else');
  await page.getByLabel('Password', { exact: true }).fill('short');
  await page.getByLabel('Confirm password').focus();
  await expect(page.getByText('Password must be at least 8 bytes.')).toBeVisible();

  await page.getByLabel('Password', { exact: true }).fill('long enough pw');
  await page.getByLabel('Confirm password').fill('long enough pw');
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByText('That username is taken.')).toBeVisible();
  await expect(page).toHaveURL(/\/register/);
});
