/**
 * The account page (docs/protocol.md §4.15) as a person uses it: change the display name and the picture
 * (chosen, previewed, saved — then seen in the header and on one's messages, by oneself and by someone else),
 * then delete the account and be signed out, while the other person's history keeps the messages under
 * "Deleted user". The page is checked with axe and kept as screenshots (desktop and 360 px, light).
 */
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import sharp from 'sharp';
import { createRoomViaApi, messageRows, newSignedInUser, openRoom, PASSWORD, sendMessage } from './helpers';

async function snapshot(page: Page, name: string): Promise<void> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const serious = results.violations.filter((v) => v.impact === 'critical' || v.impact === 'serious');
  const path = test.info().outputPath(`${name}.png`);
  await page.screenshot({ path, fullPage: true });
  await test.info().attach(name, { path, contentType: 'image/png' });
  expect(serious.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`), name).toEqual([]);
}

/** A real photo-sized PNG: orange with a blue centre (what a centre crop keeps). */
async function picture(): Promise<Buffer> {
  const centre = await sharp({ create: { width: 200, height: 200, channels: 3, background: '#1d4ed8' } }).png().toBuffer();
  return sharp({ create: { width: 800, height: 500, channels: 3, background: '#f97316' } })
    .composite([{ input: centre, left: 300, top: 150 }])
    .png()
    .toBuffer();
}

test('change display name and picture, then delete the account and be signed out', async ({ browser }) => {
  // Two people, four axe passes and screenshots.
  test.setTimeout(120_000);
  const alice = await newSignedInUser(browser, 'acc');
  const bob = await newSignedInUser(browser, 'accb');
  const room = await createRoomViaApi(alice.page);
  await bob.page.request.post(`/api/rooms/${room.id}/join`, { data: {} });
  await openRoom(alice.page, room.id);
  await sendMessage(alice.page, 'hello from before');

  const page = alice.page;
  await page.goto('/settings');
  await expect(page.getByRole('heading', { name: 'Profile' })).toBeVisible();
  // No picture yet: initials, on the page and in the header.
  await expect(page.getByRole('img', { name: `Your initials, ${alice.displayName}` })).toBeVisible();
  await snapshot(page, 'settings-desktop-light');

  // The display name.
  const name = page.getByLabel('Display name');
  await name.fill('Alice In Chains');
  await page.getByRole('button', { name: 'Save name' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Display name saved.' })).toBeVisible();
  await expect(page.getByTestId('current-user')).toContainText('Alice In Chains');

  // The picture: chosen, previewed, saved.
  await page.getByTestId('avatar-input').setInputFiles({ name: 'me.png', mimeType: 'image/png', buffer: await picture() });
  await expect(page.getByRole('img', { name: 'Preview of your new picture' })).toBeVisible();
  await page.getByRole('button', { name: 'Save picture' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Picture saved.' })).toBeVisible();
  const mine = page.getByRole('img', { name: 'Your picture' });
  await expect(mine).toHaveAttribute('data-kind', 'picture');
  await expect.poll(() => mine.locator('img').evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(256);
  const header = page.getByRole('banner').getByTestId('avatar');
  await expect(header).toHaveAttribute('data-kind', 'picture');
  await expect(page.getByRole('button', { name: 'Remove picture' })).toBeVisible();
  await snapshot(page, 'settings-with-picture-desktop-light');
  await page.setViewportSize({ width: 360, height: 740 });
  await snapshot(page, 'settings-phone-light');

  // Bob sees the new name and face on her message.
  await openRoom(bob.page, room.id);
  const row = messageRows(bob.page, 'hello from before');
  await expect(row).toContainText('Alice In Chains');
  // .first(): the author's avatar heads the row; read receipts (avatars too) may follow it.
  await expect(row.getByTestId('avatar').first()).toHaveAttribute('data-kind', 'picture');
  await expect(bob.page.getByTestId('member').filter({ hasText: 'Alice In Chains' }).getByTestId('avatar')).toHaveAttribute('data-kind', 'picture');
  await bob.page.screenshot({ path: test.info().outputPath('room-with-pictures-desktop-light.png') });

  // What deleting means, said before anything is asked.
  await page.getByRole('heading', { name: 'Delete your account' }).scrollIntoViewIfNeeded();
  await expect(page.getByText('shown under the name “Deleted user”')).toBeVisible();
  await page.screenshot({ path: test.info().outputPath('delete-section-phone-light.png') });

  // Deleting: the page says what happens; a wrong password is refused in the dialog; the right one signs out.
  await page.getByRole('button', { name: 'Delete my account…' }).click();
  const dialog = page.getByRole('alertdialog', { name: 'Delete your account for good?' });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByLabel('Password')).toBeFocused();
  await snapshot(page, 'delete-dialog-phone-light');
  await dialog.getByLabel('Password').fill('not my password');
  await dialog.getByRole('button', { name: 'Delete my account' }).click();
  await expect(dialog.getByRole('alert')).toHaveText('The password is wrong.');
  await dialog.getByLabel('Password').fill(PASSWORD);
  await dialog.getByRole('button', { name: 'Delete my account' }).click();
  await expect(page).toHaveURL(/\/login/);
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
  await page.goto('/settings');
  await expect(page).toHaveURL(/\/login\?callbackUrl=%2Fsettings$/);

  // Her message stays for bob, under "Deleted user", with initials again.
  await bob.page.reload();
  await expect(row).toContainText('Deleted user');
  await expect(row.getByTestId('avatar').first()).toHaveAttribute('data-kind', 'initials');
  await expect(bob.page.getByTestId('member')).toHaveCount(1);

  // And she cannot sign in any more.
  await page.getByLabel('Username').fill(alice.username);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toBeVisible();
  await expect(page).toHaveURL(/\/login/);

  await alice.context.close();
  await bob.context.close();
});
