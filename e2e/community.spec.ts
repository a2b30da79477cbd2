/**
 * Running a room and group conversations in the browser (docs/protocol.md §4.13, §4.14): settings changed
 * live for everyone, a moderator's ban closing the room for the banned person, people brought into a
 * private room directly and by invitation link, a group of three — and the settings dialog under axe at
 * desktop and phone width.
 */
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Browser, type Locator, type Page } from '@playwright/test';
import {
  createRoomViaApi,
  createUserViaApi,
  loginViaApi,
  loginViaForm,
  messageRows,
  newSignedInUser,
  openRoom,
  randomRoomName,
  sendMessage,
  type ChatUser,
} from './helpers';

// Three browsers at once on a shared two-core machine: more time than a one-browser test.
test.describe.configure({ timeout: 90_000 });

let users: ChatUser[] = [];

test.afterEach(async () => {
  await Promise.all(users.map((u) => u.context.close()));
  users = [];
});

/** New people, each signed in in a browser of their own (closed after the test). */
async function people<T extends string[]>(browser: Browser, ...prefixes: T): Promise<{ [K in keyof T]: ChatUser }> {
  const made = await Promise.all(prefixes.map((p) => newSignedInUser(browser, p)));
  users.push(...made);
  return made as { [K in keyof T]: ChatUser };
}

async function joinViaApi(page: Page, roomId: string): Promise<void> {
  expect((await page.request.post(`/api/rooms/${roomId}/join`, { data: {} })).status()).toBe(200);
}

/** The room's settings dialog, opened from the header (admins: "Room settings"; moderators: "Manage members"). */
async function openSettings(page: Page, name: 'Room settings' | 'Manage members' = 'Room settings'): Promise<Locator> {
  await page.getByRole('button', { name }).click();
  const dialog = page.getByRole('dialog', { name });
  await expect(dialog).toBeVisible();
  return dialog;
}

function sidebarLink(page: Page, text: string): Locator {
  return page.getByRole('navigation', { name: 'Rooms' }).getByTestId('room-link').filter({ hasText: text });
}

function eventLine(page: Page, text: string | RegExp): Locator {
  return page.getByTestId('event-line').filter({ hasText: text });
}

test('the owner renames a room and sets its topic: everyone sees it live, with the lines in the conversation', async ({ browser }) => {
  const [alice, bob] = await people(browser, 'alice', 'bob');
  const room = await createRoomViaApi(alice.page, { description: 'Where plans are made' });
  await joinViaApi(bob.page, room.id);
  await openRoom(alice.page, room.id);
  await openRoom(bob.page, room.id);
  await expect(sidebarLink(bob.page, room.name)).toBeVisible();

  const dialog = await openSettings(alice.page);
  await expect(dialog.getByRole('tab', { name: 'General', selected: true })).toBeVisible();
  const renamed = randomRoomName('design');
  await dialog.getByLabel('Room name').fill(renamed);
  await dialog.getByLabel(/^Topic/).fill('Pixels and plans');
  await dialog.getByRole('button', { name: 'Save changes' }).click();
  await expect(dialog.getByTestId('settings-done')).toHaveText('Saved.');
  await alice.page.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);
  // Focus goes back to the button that opened the dialog.
  await expect(alice.page.getByRole('button', { name: 'Room settings' })).toBeFocused();

  // Bob did nothing: header, sidebar and the conversation follow.
  await expect(bob.page.getByTestId('room-name')).toHaveText(renamed);
  await expect(bob.page.getByTestId('room-topic')).toHaveText('Pixels and plans');
  // The tab too (after any unread count the shell puts in front).
  await expect(bob.page).toHaveTitle(new RegExp(`(^|\\) )${renamed.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} · Parley$`));
  await expect(sidebarLink(bob.page, renamed)).toBeVisible();
  await expect(sidebarLink(bob.page, room.name)).toHaveCount(0);
  await expect(eventLine(bob.page, `${alice.displayName} renamed the room to ${renamed}`)).toBeVisible();
  await expect(eventLine(bob.page, `${alice.displayName} set the topic: Pixels and plans`)).toBeVisible();
  // A plain member has no settings to open, and a system line has no toolbar for them.
  await expect(bob.page.getByRole('button', { name: 'Room settings' })).toHaveCount(0);
  await eventLine(bob.page, 'renamed the room').hover();
  await expect(bob.page.locator('[data-event-type="renamed"]').getByTestId('message-toolbar')).toHaveCount(0);

  // A name already taken is refused on its field.
  const other = await createRoomViaApi(alice.page);
  const again = await openSettings(alice.page);
  await again.getByLabel('Room name').fill(other.name);
  await again.getByRole('button', { name: 'Save changes' }).click();
  await expect(again.getByLabel('Room name')).toHaveAttribute('aria-invalid', 'true');
  await expect(again.getByRole('alert')).toContainText(/name/i);
});

test('the owner makes a moderator, who bans a member: the banned person sees the room closed and cannot join again', async ({ browser }) => {
  const [alice, bob, carol] = await people(browser, 'alice', 'bob', 'carol');
  const room = await createRoomViaApi(alice.page);
  await joinViaApi(bob.page, room.id);
  await joinViaApi(carol.page, room.id);
  await Promise.all([openRoom(alice.page, room.id), openRoom(bob.page, room.id), openRoom(carol.page, room.id)]);

  // Alice makes Bob a moderator from the members tab.
  const dialog = await openSettings(alice.page);
  await dialog.getByRole('tab', { name: 'Members' }).click();
  const bobRow = dialog.locator(`[data-testid="settings-member"][data-username="${bob.username}"]`);
  await bobRow.getByRole('button', { name: `Actions for ${bob.displayName}` }).click();
  await alice.page.getByRole('menuitem', { name: 'Make moderator' }).click();
  await expect(bobRow).toHaveAttribute('data-role', 'moderator');
  await alice.page.keyboard.press('Escape');
  await expect(eventLine(carol.page, `${alice.displayName} made ${bob.displayName} a moderator`)).toBeVisible();

  // Bob's header now offers moderation (his role changed live); he bans Carol with a reason.
  const modDialog = await openSettings(bob.page, 'Manage members');
  await expect(modDialog.getByRole('tab', { name: 'General' })).toHaveCount(0);
  await modDialog.getByRole('tab', { name: 'Members' }).click();
  // Moderators act on members only: nothing to do about the owner.
  await expect(modDialog.locator(`[data-testid="settings-member"][data-username="${alice.username}"]`).getByTestId('member-actions')).toHaveCount(0);
  const carolRow = modDialog.locator(`[data-testid="settings-member"][data-username="${carol.username}"]`);
  await carolRow.getByRole('button', { name: `Actions for ${carol.displayName}` }).click();
  await expect(bob.page.getByRole('menuitem', { name: 'Make moderator' })).toHaveCount(0); // roles are for admins
  await bob.page.getByRole('menuitem', { name: 'Ban…' }).click();
  const confirm = bob.page.getByRole('alertdialog', { name: `Ban ${carol.displayName}?` });
  await confirm.getByLabel(/^Reason/).fill('spam');
  await confirm.getByRole('button', { name: 'Ban' }).click();
  await expect(confirm).toHaveCount(0);
  await expect(carolRow).toHaveCount(0);
  await expect(modDialog.getByTestId('settings-done')).toHaveText(`${carol.displayName} was banned.`);
  await bob.page.keyboard.press('Escape');
  await expect(modDialog).toHaveCount(0);

  // Carol's tab: the room is closed and says why; it is gone from her sidebar.
  const closed = carol.page.getByTestId('room-closed');
  await expect(closed).toHaveAttribute('data-reason', 'banned');
  await expect(closed.getByRole('heading')).toHaveText(`You were banned from this room by ${bob.displayName}`);
  await expect(carol.page.getByRole('textbox', { name: 'Message' })).toHaveCount(0);
  await expect(sidebarLink(carol.page, room.name)).toHaveCount(0);
  await expect(eventLine(alice.page, `${carol.displayName} was banned by ${bob.displayName} — spam`)).toBeVisible();

  // She cannot get back in: the Join button answers with the ban.
  await carol.page.goto(`/rooms/${room.id}`);
  await carol.page.getByRole('button', { name: 'Join room' }).click();
  await expect(carol.page.getByRole('main').getByRole('alert')).toHaveText('You are banned from this room.');

  // The ban is listed; lifting it lets her join again.
  const bans = await openSettings(bob.page, 'Manage members');
  await bans.getByRole('tab', { name: 'Bans' }).click();
  const ban = bans.locator(`[data-testid="ban-row"][data-username="${carol.username}"]`);
  await expect(ban).toContainText('spam');
  await ban.getByRole('button', { name: `Lift the ban on ${carol.displayName}` }).click();
  await expect(ban).toHaveCount(0);
  await carol.page.getByRole('button', { name: 'Join room' }).click();
  await expect(carol.page.getByRole('textbox', { name: 'Message' })).toBeEnabled();
});

test('people get into a private room by being added and by an invitation link (also when signed out first)', async ({ browser }) => {
  const [alice, bob] = await people(browser, 'alice', 'bob');
  const room = await createRoomViaApi(alice.page, { kind: 'private', password: 'not shared', description: 'Only the crew' });
  await openRoom(alice.page, room.id);
  await bob.page.goto('/');

  // Added directly: Bob did nothing, the room appears in his sidebar and opens.
  await alice.page.getByRole('button', { name: 'Add people' }).click();
  const add = alice.page.getByRole('dialog', { name: 'Add people' });
  await add.getByLabel('Find people to add').fill(bob.username);
  await add.locator(`[data-testid="pick-result"][data-username="${bob.username}"]`).click();
  await add.getByRole('button', { name: 'Add', exact: true }).click();
  await expect(add.getByTestId('add-people-done')).toHaveText(`Added ${bob.displayName}.`);
  await add.getByRole('button', { name: 'Done' }).click();
  await expect(eventLine(alice.page, `${alice.displayName} added ${bob.displayName}`)).toBeVisible();
  await sidebarLink(bob.page, room.name).click();
  await expect(bob.page.getByTestId('room-name')).toHaveText(room.name);
  await expect(bob.page.getByRole('textbox', { name: 'Message' })).toBeEnabled();

  // By link: Alice makes one and copies it from the one place it is shown.
  const dialog = await openSettings(alice.page);
  await dialog.getByRole('tab', { name: 'Invitations' }).click();
  await dialog.getByLabel('Can be used').selectOption({ label: '5 uses' });
  await dialog.getByRole('button', { name: 'Create link' }).click();
  const link = await dialog.getByTestId('invite-link').inputValue();
  expect(link).toMatch(/\/invite\/[A-Za-z0-9_-]{32}$/);
  await expect(dialog.getByTestId('invite-row').first()).toContainText('0 of 5 uses');
  await alice.page.keyboard.press('Escape');

  // Carol is not signed in: the invitation shows the room and leads through sign-in back to itself.
  const context = await browser.newContext();
  const page = await context.newPage();
  users.push({ context, page, username: '', displayName: '' });
  const carol = await createUserViaApi(page);
  await page.goto(link);
  await expect(page.getByRole('heading', { name: room.name })).toBeVisible();
  await expect(page.getByTestId('invite-room-members')).toHaveText('Private room · 2 members');
  await expect(page.getByText('Only the crew')).toBeVisible();
  await page.getByRole('link', { name: 'Sign in to join' }).click();
  await loginViaForm(page, carol.username);
  await expect(page).toHaveURL(link);
  await page.getByRole('button', { name: 'Join room' }).click();
  await expect(page).toHaveURL(new RegExp(`/rooms/${room.id}$`));
  await expect(page.getByRole('textbox', { name: 'Message' })).toBeEnabled();
  await expect(eventLine(alice.page, `${carol.displayName} joined with an invitation`)).toBeVisible();
  await sendMessage(page, 'Thanks for the link');
  await expect(messageRows(bob.page, 'Thanks for the link')).toBeVisible();

  // A link that is not one answers with a friendly page.
  await page.goto(`/invite/${'x'.repeat(32)}`);
  await expect(page.getByRole('heading', { name: 'This invitation is not valid' })).toBeVisible();
});

test('a group of three: started from New message, a message reaches the others, someone leaves', async ({ browser }) => {
  const [alice, bob, carol] = await people(browser, 'alice', 'bob', 'carol');
  await Promise.all([bob.page.goto('/'), carol.page.goto('/')]);
  await alice.page.goto('/');

  await alice.page.getByRole('button', { name: 'New message' }).click();
  const search = alice.page.getByLabel('Find people');
  for (const person of [bob, carol]) {
    await search.fill(person.username);
    await alice.page.getByRole('button', { name: `Add ${person.displayName} to a group` }).click();
    await expect(alice.page.locator(`[data-testid="chosen-person"][data-username="${person.username}"]`)).toBeVisible();
  }
  await alice.page.getByRole('button', { name: 'Start a group with 2 people' }).click();
  await expect(alice.page).toHaveURL(/\/rooms\/[A-Za-z0-9]{10}$/);
  await expect(alice.page.getByTestId('room-name')).toHaveText(`${bob.displayName} and ${carol.displayName}`);
  await sendMessage(alice.page, 'Lunch at noon?');

  // The others did nothing: the group is in their sidebar, named by the other two, and holds the message.
  for (const [me, others] of [
    [bob, [alice, carol]],
    [carol, [alice, bob]],
  ] as const) {
    const link = me.page.getByRole('region', { name: 'Direct messages' }).getByTestId('room-link').filter({ hasText: others[0].displayName });
    await expect(link).toHaveAttribute('data-kind', 'group');
    await expect(link).toContainText(others[1].displayName);
    await link.click();
    await expect(messageRows(me.page, 'Lunch at noon?')).toBeVisible();
  }
  await sendMessage(bob.page, 'Yes!');
  await expect(messageRows(alice.page, 'Yes!')).toBeVisible();

  // Carol leaves (after confirming); the others see the line, and the group is gone from her sidebar.
  await carol.page.getByRole('button', { name: 'Leave' }).click();
  await carol.page.getByRole('button', { name: 'Leave conversation' }).click();
  await expect(carol.page).toHaveURL(/\/$/);
  await expect(eventLine(alice.page, `${carol.displayName} left the conversation`)).toBeVisible();
  await expect(alice.page.getByTestId('room-name')).toHaveText(bob.displayName);
});

/** axe (WCAG 2 A/AA, critical and serious) with a screenshot kept for review. */
async function expectAccessible(page: Page, name: string): Promise<void> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const serious = results.violations.filter((v) => v.impact === 'critical' || v.impact === 'serious');
  const path = test.info().outputPath(`${name}.png`);
  await page.screenshot({ path });
  await test.info().attach(name, { path, contentType: 'image/png' });
  expect(
    serious.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`),
    `${name}: critical or serious axe violations`,
  ).toEqual([]);
}

for (const [size, viewport] of Object.entries({ desktop: { width: 1280, height: 860 }, phone: { width: 360, height: 740 } })) {
  test(`the room settings dialog passes axe and works by keyboard (${size})`, async ({ browser }) => {
    test.setTimeout(150_000);
    /** Someone signed in, in a browser at this test's size. */
    const sized = async () => {
      const context = await browser.newContext({ viewport });
      const page = await context.newPage();
      const { username, displayName } = await createUserViaApi(page);
      await loginViaApi(page, username);
      const user = { context, page, username, displayName };
      users.push(user);
      return user;
    };
    const { page } = await sized();
    const bob = await sized();
    const room = await createRoomViaApi(page, { description: 'A room to look at' });
    await joinViaApi(bob.page, room.id);
    await openRoom(page, room.id);
    await openRoom(bob.page, room.id);

    // Keyboard: open, move between tabs with the arrow keys, close with Escape, focus back on the button.
    await page.getByRole('button', { name: 'Room settings' }).focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Room settings' });
    await expect(dialog).toBeVisible();
    await dialog.getByRole('tab', { name: 'General' }).focus();
    await page.keyboard.press('ArrowRight');
    await expect(dialog.getByRole('tab', { name: 'Members' })).toBeFocused();
    await expect(dialog.getByRole('tab', { name: 'Members' })).toHaveAttribute('aria-selected', 'true');
    await expect(dialog.getByTestId('settings-member')).toHaveCount(2);
    await expectAccessible(page, `settings-members-${size}`);
    await dialog.getByRole('button', { name: /^Actions for / }).click();
    await page.getByRole('menuitem', { name: 'Mute…' }).click();
    const mute = page.getByRole('alertdialog', { name: /^Mute / });
    await mute.getByLabel('8 hours').check();
    await expectAccessible(page, `settings-mute-${size}`);
    await mute.getByRole('button', { name: 'Mute' }).click();
    await expect(dialog.getByTestId('mute-badge')).toBeVisible();
    // Bob's composer says so at once, and is closed to him.
    await expect(bob.page.getByTestId('composer-notice')).toContainText('You are muted until');
    await expect(bob.page.getByRole('textbox', { name: 'Message' })).toBeDisabled();

    await dialog.getByRole('tab', { name: 'Members' }).focus();
    await page.keyboard.press('End');
    await expect(dialog.getByRole('tab', { name: 'Danger zone' })).toBeFocused();
    await expectAccessible(page, `settings-danger-${size}`);
    await dialog.getByRole('tab', { name: 'Invitations' }).click();
    await dialog.getByRole('button', { name: 'Create link' }).click();
    await expect(dialog.getByTestId('invite-link')).toBeFocused();
    await expectAccessible(page, `settings-invitations-${size}`);
    const link = await dialog.getByTestId('invite-link').inputValue();
    await dialog.getByRole('tab', { name: 'General' }).click();
    await expectAccessible(page, `settings-general-${size}`);
    await page.emulateMedia({ colorScheme: 'dark' });
    await expectAccessible(page, `settings-general-${size}-dark`);
    await page.keyboard.press('Escape');
    await expect(dialog).toHaveCount(0);
    await expect(page.getByRole('button', { name: 'Room settings' })).toBeFocused();

    // The invitation's page (Bob is in the room already: joining again just opens it).
    await bob.page.goto(link);
    await expect(bob.page.getByRole('heading', { name: room.name })).toBeVisible();
    await expectAccessible(bob.page, `invite-page-${size}`);
    await bob.page.getByRole('button', { name: 'Join room' }).click();
    await expect(bob.page).toHaveURL(new RegExp(`/rooms/${room.id}$`));
    await expect(bob.page.getByTestId('room-view')).toHaveAttribute('data-connected', 'true');

    // Removed: Bob's view closes and says by whom.
    const members = await openSettings(page);
    await members.getByRole('tab', { name: 'Members' }).click();
    await members.getByRole('button', { name: `Actions for ${bob.displayName}` }).click();
    await page.getByRole('menuitem', { name: 'Remove from room…' }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Remove' }).click();
    await expect(members.getByTestId('settings-member')).toHaveCount(1);
    await page.keyboard.press('Escape');
    await expect(bob.page.getByTestId('room-closed')).toHaveAttribute('data-reason', 'kicked');
    await expect(bob.page.getByRole('heading', { name: /^You were removed from this room by / })).toBeFocused();
    await expectAccessible(bob.page, `removed-${size}`);

    // Archived: a badge, and a read-only composer for everyone.
    const danger = await openSettings(page);
    await danger.getByRole('tab', { name: 'Danger zone' }).click();
    await danger.getByRole('button', { name: 'Archive room' }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Archive' }).click();
    await expect(danger.getByRole('button', { name: 'Restore room' })).toBeFocused();
    await page.keyboard.press('Escape');
    await expect(page.getByTestId('archived-badge')).toBeVisible();
    await expect(page.getByTestId('composer-notice')).toHaveText('This room is archived — read-only.');
    await expect(page.getByRole('textbox', { name: 'Message' })).toBeDisabled();
    await expectAccessible(page, `archived-room-${size}`);
  });
}
