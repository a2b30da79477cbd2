import { expect, type Browser, type BrowserContext, type Locator, type Page } from '@playwright/test';

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

// ── Chat helpers (rooms.spec.ts) ──

/** Signs in over HTTP (Auth.js credentials callback), for tests that are not about the login form. */
export async function loginViaApi(page: Page, username: string, password = PASSWORD): Promise<void> {
  const csrf = await page.request.get('/api/auth/csrf');
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  await page.request.post('/api/auth/callback/credentials', {
    form: { username, password, csrfToken, callbackUrl: '/' },
    maxRedirects: 0,
  });
  const cookies = await page.context().cookies();
  expect(cookies.some((c) => c.name.endsWith('authjs.session-token')), 'signed in over HTTP').toBe(true);
}

export interface ChatUser {
  context: BrowserContext;
  page: Page;
  username: string;
  displayName: string;
}

/** A fresh browser context with a new user, signed in over HTTP. Close `context` when done. */
export async function newSignedInUser(browser: Browser, prefix = 'u'): Promise<ChatUser> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const { username, displayName } = await createUserViaApi(page, randomUsername(prefix));
  await loginViaApi(page, username);
  return { context, page, username, displayName };
}

export function randomRoomName(prefix = 'room'): string {
  return `${prefix} ${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
}

export interface CreatedRoom {
  id: string;
  name: string;
}

export async function createRoomViaApi(
  page: Page,
  input: { name?: string; kind?: 'public' | 'private'; password?: string; description?: string } = {},
): Promise<CreatedRoom> {
  const name = input.name ?? randomRoomName();
  const kind = input.kind ?? 'public';
  const response = await page.request.post('/api/rooms', {
    data: { kind, name, description: input.description ?? '', ...(kind === 'private' ? { password: input.password ?? 'letmein' } : {}) },
  });
  expect(response.status()).toBe(201);
  const { room } = (await response.json()) as { room: { id: string; name: string } };
  return { id: room.id, name: room.name };
}

/** Opens a room I am a member of and waits until it is live (its namespace connected), as a person would see it settle. */
export async function openRoom(page: Page, roomId: string): Promise<void> {
  await page.goto(`/rooms/${roomId}`);
  await waitUntilLive(page);
}

/** Opens a public room I am not in (its preview: opening never joins), clicks Join, and waits until it is live. */
export async function joinRoomViaPage(page: Page, roomId: string): Promise<void> {
  await page.goto(`/rooms/${roomId}`);
  await page.getByRole('button', { name: 'Join room' }).click();
  await waitUntilLive(page);
}

async function waitUntilLive(page: Page): Promise<void> {
  await expect(page.getByRole('textbox', { name: 'Message' })).toBeEnabled();
  await expect(page.getByTestId('room-view')).toHaveAttribute('data-connected', 'true');
}

/** Types into the composer and presses Enter. */
export async function sendMessage(page: Page, text: string): Promise<void> {
  const box = page.getByRole('textbox', { name: 'Message' });
  await box.fill(text);
  await box.press('Enter');
  await expect(box).toHaveValue('');
}

/** Message rows whose body is exactly `text`. */
export function messageRows(page: Page, text: string): Locator {
  return page.getByTestId('message').filter({ has: page.getByTestId('message-body').getByText(text, { exact: true }) });
}

/** The bodies of all message rows, top to bottom. */
export async function messageBodies(page: Page): Promise<string[]> {
  return page.getByTestId('message').getByTestId('message-body').allTextContents();
}

/** GET /api/metrics is enabled on the e2e server with this token (playwright.config.ts). */
export const METRICS_TOKEN = 'e2e-only-metrics-token-0123456789';

/** Opens the header's account menu (profile, settings, theme, admin, sign out). */
export async function openAccountMenu(page: Page): Promise<Locator> {
  await page.getByTestId('current-user').click();
  const menu = page.getByRole('menu');
  await expect(menu).toBeVisible();
  return menu;
}

/** Signs out through the header's account menu and waits for the login page. */
export async function signOutViaMenu(page: Page): Promise<void> {
  const menu = await openAccountMenu(page);
  await menu.getByRole('menuitem', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/login/);
}
