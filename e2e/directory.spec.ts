import { expect, test, type Request } from '@playwright/test';
import { createRoomViaApi, newSignedInUser, openRoom, type ChatUser } from './helpers';

let users: ChatUser[] = [];

test.afterEach(async () => {
  await Promise.all(users.map((u) => u.context.close()));
  users = [];
});

/** A word no other test's room contains, so searches find this test's rooms only. */
const token = () => `zq${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;

test('a user finds a room in the directory by searching its description, and joins it', async ({ browser }) => {
  const owner = await newSignedInUser(browser, 'owner');
  const seeker = await newSignedInUser(browser, 'seeker');
  users.push(owner, seeker);
  const tok = token();
  const room = await createRoomViaApi(owner.page, { name: `Gardening ${tok}`, description: `Tomatoes, beans and ${tok.toUpperCase()} talk` });
  await createRoomViaApi(owner.page, { name: `Cooking ${tok}`, description: 'Recipes' });
  await openRoom(owner.page, room.id);

  // From the sidebar to the directory.
  await seeker.page.goto('/');
  await seeker.page.getByRole('navigation', { name: 'Rooms' }).getByRole('link', { name: 'Browse rooms' }).click();
  await expect(seeker.page).toHaveURL(/\/rooms$/);
  await expect(seeker.page.getByRole('heading', { name: 'Room directory' })).toBeVisible();

  await seeker.page.getByLabel('Search rooms').fill(`tomatoes, beans and ${tok}`);
  const results = seeker.page.getByTestId('directory-room');
  await expect(results).toHaveCount(1);
  await expect(results.first()).toContainText(room.name);
  await expect(results.first()).toContainText('Public · 1 member');

  const joinRequest = seeker.page.waitForRequest((r: Request) => r.method() === 'POST' && r.url().endsWith(`/api/rooms/${room.id}/join`));
  await seeker.page.getByRole('button', { name: `Join ${room.name}` }).click();
  expect((await joinRequest).headers()['content-type']).toMatch(/^application\/json/);

  await expect(seeker.page).toHaveURL(new RegExp(`/rooms/${room.id}$`));
  await expect(seeker.page.getByTestId('room-name')).toHaveText(room.name);
  await expect(seeker.page.getByRole('textbox', { name: 'Message' })).toBeEnabled();
  await expect(
    seeker.page.getByRole('region', { name: 'Rooms', exact: true }).getByTestId('room-link').filter({ hasText: room.name }),
  ).toBeVisible();
  await expect(owner.page.getByTestId('system-line').filter({ hasText: `${seeker.displayName} joined the room` })).toBeVisible();

  // A room I am in is no longer offered.
  await seeker.page.goto('/rooms');
  await seeker.page.getByLabel('Search rooms').fill(tok);
  await expect(results).toHaveCount(1);
  await expect(results.first()).toContainText(`Cooking ${tok}`);
});

test('the directory pages with "Load more", busiest rooms first; private rooms open on their password gate', async ({ browser }) => {
  const [first, second, seeker] = await Promise.all([
    newSignedInUser(browser, 'ownera'),
    newSignedInUser(browser, 'ownerb'),
    newSignedInUser(browser, 'seeker'),
  ]);
  users.push(first, second, seeker);
  const tok = token();
  // 22 rooms (one page is 20), from two owners: each may create 20 per hour.
  const busy = await createRoomViaApi(first.page, { name: `${tok} zz busy` });
  const secret = await createRoomViaApi(second.page, { name: `${tok} secret`, kind: 'private', password: 'open sesame' });
  for (let i = 0; i < 10; i += 1) {
    await createRoomViaApi(first.page, { name: `${tok} a${String(i).padStart(2, '0')}` });
    await createRoomViaApi(second.page, { name: `${tok} b${String(i).padStart(2, '0')}` });
  }
  const joined = await second.page.request.post(`/api/rooms/${busy.id}/join`, { data: {} });
  expect(joined.status()).toBe(200); // two members: listed first despite its name

  await seeker.page.goto('/rooms');
  await seeker.page.getByLabel('Search rooms').fill(tok);
  const results = seeker.page.getByTestId('directory-room');
  await expect(results).toHaveCount(20);
  await expect(results.first()).toContainText(busy.name);
  await expect(results.first()).toContainText('2 members');

  const loadMore = seeker.page.getByRole('button', { name: 'Load more' });
  await loadMore.click();
  await expect(results).toHaveCount(22);
  await expect(loadMore).toHaveCount(0);

  const entry = results.filter({ hasText: secret.name });
  await expect(entry.getByRole('img', { name: 'Private room' })).toBeVisible();
  await expect(entry).toContainText('Private · password needed · 1 member');
  await entry.getByRole('link', { name: `Open ${secret.name}` }).click();
  await expect(seeker.page.getByRole('heading', { name: secret.name })).toBeVisible();
  await expect(seeker.page.getByLabel('Room password')).toBeVisible();
});
