import { expect, test, type Browser, type Page } from '@playwright/test';
import { createRoomViaApi, newSignedInUser, openRoom, sendMessage, type ChatUser, type CreatedRoom } from './helpers';

// The sidebar, moving between rooms, and the chat frame's keyboard and landmark behaviour.

const users: ChatUser[] = [];
test.afterEach(async () => {
  await Promise.all(users.splice(0).map((u) => u.context.close()));
});

const stamp = () => Date.now().toString(36) + Math.random().toString(36).slice(2, 5);
const nav = (page: Page) => page.getByRole('navigation', { name: 'Rooms' });
const sidebarLink = (page: Page, name: string) => nav(page).getByTestId('room-link').filter({ hasText: name });
const composer = (page: Page) => page.getByRole('textbox', { name: 'Message', exact: true });

async function join(user: ChatUser, room: CreatedRoom): Promise<void> {
  const response = await user.page.request.post(`/api/rooms/${room.id}/join`, { data: {} });
  expect(response.ok()).toBe(true);
}

/** Alice owns `names` (in that order); Bob is in all of them. */
async function aliceAndBob(browser: Browser, names: string[]) {
  const alice = await newSignedInUser(browser, 'alice');
  const bob = await newSignedInUser(browser, 'bob');
  users.push(alice, bob);
  const rooms: CreatedRoom[] = [];
  for (const name of names) {
    const room = await createRoomViaApi(alice.page, { name });
    await join(bob, room);
    rooms.push(room);
  }
  return { alice, bob, rooms };
}

test('sidebar: unread and mention badges differ, nothing else looks like a badge; filter; sections collapse and stay so', async ({ browser }) => {
  test.setTimeout(120_000);
  const s = stamp();
  const { alice, bob, rooms } = await aliceAndBob(browser, [`a plain ${s}`, `b mention ${s}`, `Café ${s}`]);
  const [plain, mention, cafe] = rooms as [CreatedRoom, CreatedRoom, CreatedRoom];
  await bob.page.goto('/');
  await expect(sidebarLink(bob.page, cafe.name)).toBeVisible();

  await openRoom(alice.page, plain.id);
  await sendMessage(alice.page, 'just saying hello');
  await openRoom(alice.page, mention.id);
  await sendMessage(alice.page, `Hi @${bob.username} can you look?`);

  const plainLink = sidebarLink(bob.page, plain.name);
  const mentionLink = sidebarLink(bob.page, mention.name);
  await expect(plainLink.getByTestId('unread-badge')).toHaveText('1');
  await expect(plainLink.getByTestId('mention-badge')).toHaveCount(0);
  await expect(mentionLink.getByTestId('mention-badge')).toHaveText('@1');
  const background = (page: Page, locator: ReturnType<Page['locator']>) => locator.evaluate((el) => getComputedStyle(el).backgroundColor);
  expect(await background(bob.page, mentionLink.getByTestId('mention-badge'))).not.toBe(await background(bob.page, plainLink.getByTestId('unread-badge')));
  // Unread rooms are bold; a read room is its name and nothing more (no member count).
  expect(Number(await plainLink.locator('span.truncate').evaluate((el) => getComputedStyle(el).fontWeight))).toBeGreaterThanOrEqual(600);
  await expect(sidebarLink(bob.page, cafe.name)).toHaveText(cafe.name);
  await expect(sidebarLink(bob.page, cafe.name).locator('.rounded-full')).toHaveCount(0);

  // Filter: accents and case ignored; Escape clears; Enter opens the first match, focus in its composer.
  const filter = nav(bob.page).getByRole('searchbox', { name: 'Filter rooms' });
  await filter.fill('CAFE');
  await expect(nav(bob.page).getByTestId('room-link')).toHaveCount(1);
  await expect(sidebarLink(bob.page, cafe.name)).toBeVisible();
  await filter.press('Escape');
  await expect(filter).toHaveValue('');
  await expect(nav(bob.page).getByTestId('room-link')).toHaveCount(3);
  await filter.fill(`mention ${s}`);
  await filter.press('Enter');
  await expect(bob.page).toHaveURL(new RegExp(`/rooms/${mention.id}$`));
  await expect(composer(bob.page)).toBeFocused();
  await expect(filter).toHaveValue('');

  // Collapse the Rooms section: read rooms hide (the open one stays), remembered across a reload.
  const roomsToggle = nav(bob.page).getByRole('button', { name: 'Rooms', exact: true });
  await expect(roomsToggle).toHaveAttribute('aria-expanded', 'true');
  await roomsToggle.click();
  await expect(roomsToggle).toHaveAttribute('aria-expanded', 'false');
  await expect(sidebarLink(bob.page, cafe.name)).toHaveCount(0);
  await expect(sidebarLink(bob.page, mention.name)).toBeVisible(); // the room on screen
  await expect(sidebarLink(bob.page, plain.name)).toBeVisible(); // still unread
  await bob.page.reload();
  await expect(roomsToggle).toHaveAttribute('aria-expanded', 'false');
  await expect(sidebarLink(bob.page, cafe.name)).toHaveCount(0);
  await roomsToggle.click();
  await expect(sidebarLink(bob.page, cafe.name)).toBeVisible();
  await expect(nav(bob.page).getByRole('button', { name: 'Direct messages' })).toHaveAttribute('aria-expanded', 'true');
});

test('tab title names the room with the unread count; the favicon shows a dot; Alt+↑/↓ move between rooms into the composer', async ({ browser }) => {
  test.setTimeout(120_000);
  const s = stamp();
  const { alice, bob, rooms } = await aliceAndBob(browser, [`nav a ${s}`, `nav b ${s}`, `nav c ${s}`]);
  const [a, b, c] = rooms as [CreatedRoom, CreatedRoom, CreatedRoom];
  // Next renders an ICO and an SVG icon link: the SVG is the one that says "unread" (the ICO shows it too then).
  const favicon = bob.page.locator('link[rel="icon"][type="image/svg+xml"]');
  const iconHrefs = () => bob.page.locator('link[rel="icon"]').evaluateAll((links) => [...new Set(links.map((l) => l.getAttribute('href')))].sort());

  await openRoom(bob.page, a.id);
  await expect(bob.page).toHaveTitle(`${a.name} · Parley`);
  await expect(favicon).toHaveAttribute('href', '/favicon.svg');

  await openRoom(alice.page, c.id);
  await sendMessage(alice.page, 'news in c');
  await expect(bob.page).toHaveTitle(`(1) ${a.name} · Parley`);
  await expect(favicon).toHaveAttribute('href', '/favicon-unread.svg');
  await expect.poll(iconHrefs).toEqual(['/favicon-unread.svg']);

  // Alt+↓ from the composer: the next room, focus in its composer.
  await composer(bob.page).focus();
  await bob.page.keyboard.press('Alt+ArrowDown');
  await expect(bob.page).toHaveURL(new RegExp(`/rooms/${b.id}$`));
  await expect(composer(bob.page)).toBeFocused();
  await expect(bob.page).toHaveTitle(`(1) ${b.name} · Parley`);
  await bob.page.keyboard.press('Alt+ArrowUp');
  await expect(bob.page).toHaveURL(new RegExp(`/rooms/${a.id}$`));
  await expect(composer(bob.page)).toBeFocused();

  // Alt+Shift+↓: the next room with something unread (c, past b); reading it clears the count and the dot.
  await bob.page.keyboard.press('Alt+Shift+ArrowDown');
  await expect(bob.page).toHaveURL(new RegExp(`/rooms/${c.id}$`));
  await expect(composer(bob.page)).toBeFocused();
  await expect(bob.page).toHaveTitle(`${c.name} · Parley`);
  await expect(favicon).toHaveAttribute('href', '/favicon.svg');
  await expect.poll(iconHrefs).toEqual(['/favicon.ico', '/favicon.svg']);
});

test('keyboard: opening a room from the sidebar focuses its composer; Escape closes the thread and returns focus', async ({ browser }) => {
  test.setTimeout(120_000);
  const s = stamp();
  const { bob, rooms } = await aliceAndBob(browser, [`keys ${s}`]);
  const [room] = rooms as [CreatedRoom];
  await bob.page.goto('/');
  const link = sidebarLink(bob.page, room.name);
  await expect(link).toBeVisible();
  // Tab from the top of the page to the room's link, then Enter: focus lands in the composer.
  let reached = false;
  for (let i = 0; i < 40 && !reached; i += 1) {
    await bob.page.keyboard.press('Tab');
    reached = await link.evaluate((el) => el === document.activeElement);
  }
  expect(reached, 'the room link is in the Tab order').toBe(true);
  await bob.page.keyboard.press('Enter');
  await expect(bob.page).toHaveURL(new RegExp(`/rooms/${room.id}$`));
  await expect(composer(bob.page)).toBeFocused();
  await expect(bob.page.getByTestId('room-view')).toHaveAttribute('data-connected', 'true');

  await sendMessage(bob.page, 'a message to discuss');
  const row = bob.page.getByTestId('message').first();
  await row.hover();
  const threadButton = row.getByTestId('thread-button');
  await threadButton.focus();
  await bob.page.keyboard.press('Enter');
  const panel = bob.page.getByTestId('thread-panel');
  await expect(panel).toBeVisible();
  await panel.getByRole('textbox', { name: 'Reply in thread' }).click();
  await bob.page.keyboard.press('Escape');
  await expect(panel).toHaveCount(0);
  await expect(threadButton).toBeFocused();
});

test('landmarks: one main#main, the Rooms navigation and a banner on every signed-in page', async ({ browser }) => {
  const { bob, rooms } = await aliceAndBob(browser, [`marks ${stamp()}`]);
  for (const path of ['/', '/rooms', `/rooms/${rooms[0]!.id}`, '/settings']) {
    await bob.page.goto(path);
    await expect(nav(bob.page)).toBeVisible();
    await expect(bob.page.locator('main'), path).toHaveCount(1);
    await expect(bob.page.getByRole('main'), path).toHaveAttribute('id', 'main');
    await expect(bob.page.getByRole('navigation', { name: 'Rooms' }), path).toHaveCount(1);
    await expect(bob.page.getByRole('banner'), path).toHaveCount(1);
  }
});

test('home for a new user: a purposeful empty state with ways in', async ({ browser }) => {
  const carol = await newSignedInUser(browser, 'carol');
  users.push(carol);
  await carol.page.goto('/');
  const empty = carol.page.getByTestId('home-empty');
  await expect(empty.getByRole('heading', { name: 'You are not in any rooms yet' })).toBeVisible();
  await expect(empty.getByRole('link', { name: /Browse rooms/ })).toHaveAttribute('href', '/rooms');
  await empty.getByRole('button', { name: /Create a room/ }).click();
  await expect(carol.page.getByLabel('Room name')).toBeFocused();
  await empty.getByRole('button', { name: /Message someone/ }).click();
  await expect(nav(carol.page).getByTestId('new-direct-message')).toBeVisible();
  await expect(nav(carol.page).getByRole('button', { name: 'New message' })).toHaveAttribute('aria-expanded', 'true');
});

test('phone at 320 px: no sideways scroll, a focus-managed drawer with touch-sized rows', async ({ browser }) => {
  test.setTimeout(90_000);
  const s = stamp();
  const { bob, rooms } = await aliceAndBob(browser, [`phone ${s}`]);
  const [room] = rooms as [CreatedRoom];
  await bob.page.setViewportSize({ width: 320, height: 640 });
  for (const path of ['/', '/rooms', `/rooms/${room.id}`]) {
    await bob.page.goto(path);
    await expect(bob.page.getByRole('main')).toBeVisible();
    const overflow = await bob.page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow, `${path} scrolls sideways`).toBeLessThanOrEqual(0);
  }
  // The room header's actions are touch-sized too (call, add, settings, notifications, files, members, leave).
  const actions = bob.page.getByTestId('room-header').getByRole('button');
  // They show once the room is live and their code is here (components/ui/deferred.tsx): the last one is Files.
  await expect(bob.page.getByTestId('room-view')).toHaveAttribute('data-connected', 'true');
  await expect(bob.page.getByTestId('room-header').getByRole('button', { name: /^Notifications/ })).toBeVisible();
  await expect(bob.page.getByTestId('room-header').getByRole('button', { name: /files/i })).toBeVisible();
  const sizes = await actions.evaluateAll((buttons) =>
    buttons.map((b) => ({ name: b.getAttribute('aria-label') ?? b.textContent?.trim() ?? '', ...b.getBoundingClientRect().toJSON() }) as { name: string; width: number; height: number }),
  );
  expect(sizes.length).toBeGreaterThanOrEqual(5);
  for (const { name, width, height } of sizes) expect(Math.min(width, height), `room header "${name}" is ${width}×${height}`).toBeGreaterThanOrEqual(44);

  await bob.page.goto('/');
  const toggle = bob.page.getByRole('button', { name: 'Rooms', exact: true });
  await toggle.click();
  const drawer = bob.page.getByRole('dialog', { name: 'Rooms' });
  await expect(drawer).toBeVisible();
  await expect(drawer.getByRole('searchbox', { name: 'Filter rooms' })).toBeFocused();
  const box = await sidebarLink(bob.page, room.name).boundingBox();
  expect(box?.height ?? 0).toBeGreaterThanOrEqual(44);
  await bob.page.keyboard.press('Escape');
  await expect(drawer).toHaveCount(0);
  await expect(toggle).toBeFocused();

  await toggle.click();
  await sidebarLink(bob.page, room.name).click();
  await expect(drawer).toHaveCount(0);
  await expect(bob.page).toHaveURL(new RegExp(`/rooms/${room.id}$`));
  await expect(composer(bob.page)).toBeFocused();
});
