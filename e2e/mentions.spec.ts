/**
 * Mentions end to end: the composer's @-autocomplete, the mention badge in the sidebar (live, after a
 * reload, cleared by reading), a browser notification while the page is hidden (the Notification
 * constructor observed), the per-room notification menu, and the notification prompt's memory.
 */
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { createRoomViaApi, joinRoomViaPage, newSignedInUser, openRoom, sendMessage, type ChatUser } from './helpers';

let users: ChatUser[] = [];

test.afterEach(async () => {
  await Promise.all(users.map((u) => u.context.close()));
  users = [];
});

interface RecordedNotification {
  title: string;
  body: string;
  tag: string;
}

declare global {
  interface Window {
    __notifications?: RecordedNotification[];
  }
}

/** Runs in the page before its scripts: records every `new Notification(…)` and still shows it. */
function recordNotifications(): void {
  const calls: RecordedNotification[] = [];
  window.__notifications = calls;
  const Real = window.Notification;
  function Recorded(title: string, options?: NotificationOptions): Notification {
    calls.push({ title, body: options?.body ?? '', tag: options?.tag ?? '' });
    try {
      return new Real(title, options);
    } catch {
      return new EventTarget() as Notification;
    }
  }
  Object.defineProperty(Recorded, 'permission', { get: () => Real.permission });
  Object.defineProperty(Recorded, 'requestPermission', { value: Real.requestPermission.bind(Real) });
  window.Notification = Recorded as unknown as typeof Notification;
}

const notifications = (page: Page) => page.evaluate(() => window.__notifications ?? []);

/** Pretends the tab was hidden or shown again (headless pages are always visible). */
async function setHidden(page: Page, hidden: boolean): Promise<void> {
  await page.evaluate((value) => {
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => (value ? 'hidden' : 'visible') });
    document.dispatchEvent(new Event('visibilitychange'));
  }, hidden);
}

const sidebarLink = (page: Page, roomName: string) =>
  page.getByRole('navigation', { name: 'Rooms' }).getByTestId('room-link').filter({ hasText: roomName });

test('@mention: autocomplete inserts the name, the mentioned sees a badge and gets one notification per message while hidden', async ({ browser }) => {
  test.setTimeout(120_000); // two browsers and many steps: a busy machine needs more than the default
  const alice = await newSignedInUser(browser, 'alice');
  const bob = await newSignedInUser(browser, 'bob');
  users.push(alice, bob);
  const room = await createRoomViaApi(alice.page, { name: `mentions ${Date.now().toString(36)}` });
  const elsewhere = await createRoomViaApi(bob.page);
  await joinRoomViaPage(bob.page, room.id);

  // Bob allows notifications, looks at another room, and hides the tab.
  await bob.context.grantPermissions(['notifications']);
  await bob.page.addInitScript(recordNotifications);
  await openRoom(bob.page, elsewhere.id);
  await setHidden(bob.page, true);

  await openRoom(alice.page, room.id);
  const box = alice.page.getByRole('textbox', { name: 'Message' });
  await box.pressSequentially('Hi @bo');
  const options = alice.page.getByRole('listbox', { name: 'People to mention' }).getByRole('option');
  await expect(options.first()).toContainText(bob.displayName);
  await expect(options.first()).toHaveAttribute('aria-selected', 'true');
  await expect(box).toHaveAttribute('aria-activedescendant', (await options.first().getAttribute('id'))!);
  await expect(box).toHaveAttribute('aria-controls', /.+/);
  const axe = await new AxeBuilder({ page: alice.page }).include('form').withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  expect(axe.violations.map((v) => `${v.id}: ${v.help}`)).toEqual([]);

  await box.press('Enter'); // takes the option, does not send
  await expect(box).toHaveValue(`Hi @${bob.username} `);
  await expect(alice.page.getByRole('listbox', { name: 'People to mention' })).toHaveCount(0);
  await box.pressSequentially('can you look at this?');
  await box.press('Enter');
  await expect(box).toHaveValue('');

  // Bob, in another room: a mention badge apart from the unread count, and one notification.
  const link = sidebarLink(bob.page, room.name);
  await expect(link.getByTestId('mention-badge')).toHaveText('@1');
  await expect(link.getByTestId('mention-badge')).toHaveAttribute('aria-label', '1 mention');
  await expect(link.getByTestId('unread-badge')).toHaveText('1');
  await expect.poll(() => notifications(bob.page)).toEqual([
    { title: `${alice.displayName} in #${room.name}`, body: `Hi @${bob.username} can you look at this?`, tag: expect.stringMatching(new RegExp(`^${room.id}:\\d+$`)) },
  ]);

  // A message that does not mention him: counted as unread, no notification (the room notifies mentions).
  // Then another mention: one more notification, its own tag.
  await sendMessage(alice.page, 'no mention here');
  await expect(link.getByTestId('unread-badge')).toHaveText('2');
  await sendMessage(alice.page, `@${bob.username} ping`);
  await expect(link.getByTestId('mention-badge')).toHaveText('@2');
  await expect.poll(async () => (await notifications(bob.page)).length).toBe(2);
  const [first, second] = await notifications(bob.page);
  expect(second!.body).toBe(`@${bob.username} ping`);
  expect(second!.tag).not.toBe(first!.tag);

  // After a reload the count comes from the server.
  await bob.page.reload();
  await expect(sidebarLink(bob.page, room.name).getByTestId('mention-badge')).toHaveText('@2');

  // Reading the room clears it, also after going elsewhere.
  await sidebarLink(bob.page, room.name).click();
  await expect(bob.page.getByTestId('room-name')).toHaveText(room.name);
  await sidebarLink(bob.page, elsewhere.name).click();
  await expect(bob.page.getByTestId('room-name')).toHaveText(elsewhere.name);
  await expect(sidebarLink(bob.page, room.name).getByTestId('mention-badge')).toHaveCount(0);
  await expect(sidebarLink(bob.page, room.name).getByTestId('unread-badge')).toHaveCount(0);
});

test('notification menu: a muted room shows mentions only; the owner limits @room; keyboard and Escape', async ({ browser }) => {
  test.setTimeout(120_000); // two browsers and many steps: a busy machine needs more than the default
  const alice = await newSignedInUser(browser, 'alice');
  const bob = await newSignedInUser(browser, 'bob');
  users.push(alice, bob);
  const room = await createRoomViaApi(alice.page);
  const elsewhere = await createRoomViaApi(bob.page);
  await joinRoomViaPage(bob.page, room.id);

  // Bob mutes the room with the keyboard.
  const trigger = bob.page.getByRole('button', { name: 'Notifications: Mentions only' });
  await trigger.focus();
  await bob.page.keyboard.press('Enter');
  const menu = bob.page.getByRole('menu');
  await expect(menu.getByRole('menuitemradio', { name: /Mentions only/ })).toHaveAttribute('aria-checked', 'true');
  await expect(menu.getByRole('group', { name: 'Who can use @room' })).toHaveCount(0); // not the owner
  await bob.page.keyboard.press('Escape');
  await expect(menu).toHaveCount(0);
  await expect(trigger).toBeFocused();
  await bob.page.keyboard.press('Enter');
  await expect(menu.getByRole('menuitemradio', { name: /All messages/ })).toBeFocused();
  // One key at a time, each waited for: a key pressed before the menu has moved focus is lost on a busy machine.
  await bob.page.keyboard.press('ArrowDown');
  await expect(menu.getByRole('menuitemradio', { name: /Mentions only/ })).toBeFocused();
  await bob.page.keyboard.press('ArrowDown');
  await expect(menu.getByRole('menuitemradio', { name: /Muted/ })).toBeFocused();
  await bob.page.keyboard.press('Enter');
  await expect(bob.page.getByRole('button', { name: 'Notifications: Muted' })).toBeVisible();
  await expect(sidebarLink(bob.page, room.name).getByTestId('muted-icon')).toBeVisible();

  // Kept by the server.
  await openRoom(bob.page, elsewhere.id);
  await openRoom(alice.page, room.id);
  await sendMessage(alice.page, 'just chatting');
  await sendMessage(alice.page, `@${bob.username} but this is for you`);
  const link = sidebarLink(bob.page, room.name);
  await expect(link.getByTestId('mention-badge')).toHaveText('@1');
  await expect(link.getByTestId('unread-badge')).toHaveCount(0); // muted: no plain unread count

  // The owner: who may use @room.
  await alice.page.getByRole('button', { name: 'Notifications: Mentions only' }).click();
  const ownerMenu = alice.page.getByRole('menu');
  await expect(ownerMenu.getByRole('group', { name: 'Who can use @room' })).toBeVisible();
  await ownerMenu.getByRole('menuitemradio', { name: 'The owner and admins' }).click();
  await expect(ownerMenu).toHaveCount(0);
  await alice.page.getByRole('button', { name: 'Notifications: Mentions only' }).click();
  await expect(alice.page.getByRole('menu').getByRole('menuitemradio', { name: 'The owner and admins' })).toHaveAttribute('aria-checked', 'true');
  await alice.page.keyboard.press('Escape');
  const response = await alice.page.request.get(`/api/rooms/${room.id}`);
  expect(((await response.json()) as { room: { roomMentions: string } }).room.roomMentions).toBe('owner');
});

test('notification prompt: not on page load; offered after my first message; "Not now" is remembered', async ({ browser }) => {
  const alice = await newSignedInUser(browser, 'alice');
  users.push(alice);
  const room = await createRoomViaApi(alice.page);
  await openRoom(alice.page, room.id);
  const permission = await alice.page.evaluate(() => Notification.permission);
  test.skip(permission !== 'default', `this browser answers notification permission "${permission}" without asking`);
  await expect(alice.page.getByTestId('room-view')).toBeVisible();
  await expect(alice.page.getByTestId('notification-prompt')).toHaveCount(0);

  await sendMessage(alice.page, 'hello');
  const prompt = alice.page.getByRole('region', { name: 'Browser notifications' });
  await expect(prompt).toContainText('Get notified of mentions and direct messages');
  await prompt.getByRole('button', { name: 'Not now' }).click();
  await expect(prompt).toHaveCount(0);
  await alice.page.reload();
  await expect(alice.page.getByTestId('room-view')).toHaveAttribute('data-connected', 'true');
  await expect(alice.page.getByTestId('notification-prompt')).toHaveCount(0);
});

for (const [size, viewport] of Object.entries({ desktop: { width: 1280, height: 800 }, phone: { width: 360, height: 740 } })) {
  test(`screenshots: the mention badge and the notification menu (${size})`, async ({ browser }) => {
    const alice = await newSignedInUser(browser, 'alice');
    const bob = await newSignedInUser(browser, 'bob');
    users.push(alice, bob);
    await bob.page.setViewportSize(viewport);
    const tag = Math.random().toString(36).slice(2, 6);
    const room = await createRoomViaApi(alice.page, { name: `design-review-${tag}` });
    const muted = await createRoomViaApi(alice.page, { name: `random-${tag}` });
    const elsewhere = await createRoomViaApi(bob.page, { name: `bob-notes-${tag}` });
    await joinRoomViaPage(bob.page, room.id);
    await joinRoomViaPage(bob.page, muted.id);
    await bob.page.request.put(`/api/rooms/${muted.id}/notifications`, { data: { level: 'none' } });
    await openRoom(bob.page, elsewhere.id);

    await openRoom(alice.page, room.id);
    await sendMessage(alice.page, `@${bob.username} could you review this?`);
    await sendMessage(alice.page, 'and the second part');
    await openRoom(alice.page, muted.id);
    await sendMessage(alice.page, 'lunch?');
    await sendMessage(alice.page, `@room who is in?`);

    if (size === 'phone') await bob.page.getByRole('button', { name: 'Rooms' }).click();
    const nav = bob.page.getByRole('navigation', { name: 'Rooms' });
    await expect(sidebarLink(bob.page, room.name).getByTestId('mention-badge')).toHaveText('@1');
    await expect(sidebarLink(bob.page, muted.name).getByTestId('mention-badge')).toHaveText('@1');
    await bob.page.screenshot({ path: test.info().outputPath(`sidebar-badges-${size}.png`) });
    await nav.screenshot({ path: test.info().outputPath(`sidebar-badges-${size}-nav.png`) });

    await sidebarLink(bob.page, muted.name).click();
    await expect(bob.page.getByTestId('room-name')).toHaveText(muted.name);
    await bob.page.getByRole('button', { name: 'Notifications: Muted' }).click();
    await expect(bob.page.getByRole('menu')).toBeVisible();
    await bob.page.screenshot({ path: test.info().outputPath(`notification-menu-${size}.png`) });
    // What this feature drew: the sidebar, the room header and the open menu (the timeline is checked elsewhere).
    const axe = await new AxeBuilder({ page: bob.page })
      .include('nav')
      .include('header')
      .include('[role="menu"]')
      .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
      .analyze();
    expect(
      axe.violations
        .filter((v) => v.impact === 'critical' || v.impact === 'serious')
        .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => `${n.target.join(' ')}: ${n.failureSummary ?? ''}`).join('; ')})`),
    ).toEqual([]);

    // The owner's menu, with "Who can use @room".
    await alice.page.setViewportSize(viewport);
    await openRoom(alice.page, room.id);
    await alice.page.getByRole('button', { name: /^Notifications:/ }).click();
    await expect(alice.page.getByRole('menu').getByRole('group', { name: 'Who can use @room' })).toBeVisible();
    await alice.page.screenshot({ path: test.info().outputPath(`notification-menu-owner-${size}.png`) });
  });
}
