/**
 * Parley without a mouse: every step below is a key press or typed text (no click, hover or focus()).
 * Sign in on the form, open a room from the sidebar (focus lands in the composer), send a message, react
 * to it (its toolbar by Tab, the emoji picker, Enter), search and open a result, Alt+↓ to the next room,
 * and Escape closing whatever was opened — focus returning where it was.
 */
import { expect, test, type Locator, type Page } from '@playwright/test';
import { PASSWORD } from './helpers';
import { contextFor, seedWorkspace, type Workspace } from './ui-seed';

let ws: Workspace;

test.beforeAll(async () => {
  test.setTimeout(90_000);
  ws = await seedWorkspace();
});

test.describe.configure({ timeout: 90_000 });

/** Presses `key` until `target` has focus (at most `max` times), the way a person tabs to a control. */
async function pressUntilFocused(page: Page, target: Locator, key = 'Tab', max = 60): Promise<void> {
  for (let i = 0; i < max; i += 1) {
    const focused = await target
      .first()
      .evaluate((el) => el === document.activeElement, undefined, { timeout: 500 })
      .catch(() => false);
    if (focused) return;
    await page.keyboard.press(key);
  }
  await expect(target.first(), `reached by ${key}`).toBeFocused({ timeout: 1_000 });
}

const composer = (page: Page): Locator => page.getByRole('textbox', { name: 'Message' });

test('keyboard only: sign in, open a room, send, react, search, next room, Escape', async ({ browser }) => {
  const context = await contextFor(browser, { theme: 'light', device: 'desktop' });
  const page = await context.newPage();

  // Sign in: the skip link comes first, then the form.
  await page.goto('/login');
  await pressUntilFocused(page, page.getByLabel('Username'));
  await page.keyboard.type(ws.alice.username);
  await page.keyboard.press('Tab');
  await expect(page.getByLabel('Password')).toBeFocused();
  await page.keyboard.type(PASSWORD);
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('current-user')).toContainText(ws.alice.displayName);

  // Open the room from the sidebar: focus goes to its composer.
  const nav = page.getByRole('navigation', { name: 'Rooms' });
  await pressUntilFocused(page, nav.locator(`a[href="/rooms/${ws.room.id}"]`));
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(new RegExp(`/rooms/${ws.room.id}$`));
  await expect(page.getByTestId('room-view')).toHaveAttribute('data-connected', 'true');
  await expect(composer(page)).toBeFocused();

  // Send.
  const text = `Typed without a mouse ${Date.now().toString(36)}`;
  await page.keyboard.type(text);
  await page.keyboard.press('Enter');
  const row = page.getByTestId('message').filter({ hasText: text });
  await expect(row).toHaveCount(1);
  await expect(composer(page)).toHaveValue('');

  // React: back from the composer into my new message's toolbar, open the picker, pick with Enter.
  const react = row.getByTestId('react-button');
  await pressUntilFocused(page, react, 'Shift+Tab', 20);
  await expect(row.getByTestId('message-toolbar')).toBeVisible();
  await page.keyboard.press('Enter');
  const emojiSearch = page.getByRole('textbox', { name: 'Search emoji' }).or(page.getByRole('searchbox', { name: 'Search emoji' }));
  await expect(emojiSearch).toBeFocused();
  // Escape closes the picker and gives focus back to the button that opened it…
  await page.keyboard.press('Escape');
  await expect(emojiSearch).toHaveCount(0);
  await expect(react).toBeFocused();
  // …and Enter opens it again; typing narrows it, Enter picks the first match.
  await page.keyboard.press('Enter');
  await expect(emojiSearch).toBeFocused();
  await page.keyboard.type('thumbs up');
  await page.keyboard.press('Enter');
  await expect(row.getByTestId('reaction')).toHaveAttribute('data-count', '1');
  await expect(emojiSearch).toHaveCount(0);

  // Search with Ctrl/Cmd+K; Escape closes it and focus comes back to where it was.
  await pressUntilFocused(page, composer(page), 'Tab', 20);
  const search = page.getByTestId('search-dialog');
  await page.keyboard.press('ControlOrMeta+k');
  await expect(search).toBeVisible();
  await expect(search.getByTestId('search-input')).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(search).toHaveCount(0);
  await expect(composer(page)).toBeFocused();

  // Open a result (a message in the other room): Enter on the first hit opens it at the message.
  await page.keyboard.press('ControlOrMeta+k');
  await expect(search.getByTestId('search-input')).toBeFocused();
  await page.keyboard.type('mock-ups');
  await expect(search.getByTestId('search-hit')).toHaveCount(1);
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  await expect(search).toHaveCount(0);
  await expect(page).toHaveURL(new RegExp(`/rooms/${ws.otherRoom.id}\\?(seq|m)=\\d+`));
  const target = page.getByTestId('message').filter({ hasText: 'New sidebar mock-ups are up for review.' });
  await expect(target).toHaveAttribute('data-highlighted', 'true');

  // Alt+↓ / Alt+↑: the next or previous conversation in the sidebar's order, its composer focused.
  await expect(page.getByTestId('room-view')).toHaveAttribute('data-connected', 'true');
  const order = (await nav.locator('a[href^="/rooms/"]').evaluateAll((links) => links.map((a) => a.getAttribute('href') ?? ''))).filter((href) =>
    /^\/rooms\/[^/?]+$/.test(href),
  );
  const here = order.indexOf(`/rooms/${ws.otherRoom.id}`);
  expect(here, `the room is in the sidebar: ${order.join(', ')}`).toBeGreaterThanOrEqual(0);
  // Down first unless this is the last one (then up first): wrapping around is not part of the contract.
  const [first, back] = here < order.length - 1 ? (['Alt+ArrowDown', 'Alt+ArrowUp'] as const) : (['Alt+ArrowUp', 'Alt+ArrowDown'] as const);
  const neighbour = order[here < order.length - 1 ? here + 1 : here - 1];
  await page.keyboard.press(first);
  await expect(page).toHaveURL(new RegExp(`${neighbour}$`));
  await expect(page.getByTestId('room-view')).toHaveAttribute('data-connected', 'true');
  await expect(composer(page)).toBeFocused();
  await page.keyboard.press(back);
  await expect(page).toHaveURL(new RegExp(`/rooms/${ws.otherRoom.id}$`));
  await expect(composer(page)).toBeFocused();

  await context.close();
});

test('keyboard only: the skip link jumps to the main content', async ({ browser }) => {
  const context = await contextFor(browser, { user: ws.alice, theme: 'dark', device: 'desktop' });
  const page = await context.newPage();
  // A room puts focus in its composer on arrival (nothing to skip); the directory starts at the top of the page,
  // with the header and the sidebar's links before its content.
  await page.goto('/rooms');
  await expect(page.getByRole('heading', { name: 'Room directory' })).toBeVisible();
  await page.keyboard.press('Tab');
  const skip = page.getByRole('link', { name: 'Skip to content' });
  await expect(skip).toBeFocused();
  await expect(skip).toBeVisible();
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/#main$/);
  await expect(page.locator('main#main')).toHaveCount(1);
  await expect(page.locator('main#main')).toBeFocused();
  await context.close();
});
