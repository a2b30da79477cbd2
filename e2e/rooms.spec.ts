import { expect, test } from '@playwright/test';
import {
  createRoomViaApi,
  joinRoomViaPage,
  messageBodies,
  messageRows,
  newSignedInUser,
  openRoom,
  randomRoomName,
  sendMessage,
  type ChatUser,
} from './helpers';

let users: ChatUser[] = [];

test.afterEach(async () => {
  await Promise.all(users.map((u) => u.context.close()));
  users = [];
});

test('two users chat live in a public room, in the same order on both screens', async ({ browser }) => {
  const alice = await newSignedInUser(browser, 'alice');
  const bob = await newSignedInUser(browser, 'bob');
  users.push(alice, bob);
  const name = randomRoomName('lobby');

  // Alice creates the room with the form.
  await alice.page.goto('/');
  await alice.page.getByLabel('Room name').fill(name);
  await alice.page.getByLabel('Description').fill('Where everyone meets');
  await alice.page.getByRole('button', { name: 'Create room' }).click();
  await expect(alice.page).toHaveURL(/\/rooms\/[A-Za-z0-9]{10}$/);
  await expect(alice.page.getByTestId('room-name')).toHaveText(name);
  await expect(alice.page.getByRole('textbox', { name: 'Message' })).toBeEnabled();

  // Bob follows a link to it: its public face (a GET never joins), then he joins.
  await bob.page.goto(alice.page.url());
  await expect(bob.page.getByRole('heading', { name })).toBeVisible();
  await expect(bob.page.getByText('Where everyone meets')).toBeVisible();
  await expect(bob.page.getByTestId('room-preview-members')).toHaveText('Public room · 1 member');
  await bob.page.getByRole('button', { name: 'Join room' }).click();
  await expect(bob.page.getByTestId('room-name')).toHaveText(name);
  await expect(bob.page.getByRole('textbox', { name: 'Message' })).toBeEnabled();

  // Alice sees Bob join and come online.
  await expect(alice.page.getByTestId('system-line').filter({ hasText: `${bob.displayName} joined the room` })).toBeVisible();
  await expect(alice.page.getByTestId('member-list').getByTestId('member').filter({ hasText: bob.displayName })).toHaveAttribute('data-online', 'true');

  const script: [ChatUser, string][] = [
    [alice, 'Hello from Alice'],
    [bob, 'Hi Alice, Bob here'],
    [alice, 'Welcome, Bob'],
    [bob, 'Thanks!'],
  ];
  for (const [sender, text] of script) {
    await sendMessage(sender.page, text);
    // Confirmed (acked) before the next one is typed, so the order is the script's.
    await expect(messageRows(sender.page, text)).toHaveAttribute('data-status', 'sent');
  }

  const expected = script.map(([, text]) => text);
  for (const { page } of [alice, bob]) {
    await expect(messageRows(page, 'Thanks!')).toHaveAttribute('data-status', 'sent');
    await expect.poll(() => messageBodies(page)).toEqual(expected);
    const seqs = await page.getByTestId('message').evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-seq'))));
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(expected.length);
  }
});

test('private room: a wrong password is refused, the right one admits, history survives a reload', async ({ browser }) => {
  const owner = await newSignedInUser(browser, 'owner');
  const guest = await newSignedInUser(browser, 'guest');
  users.push(owner, guest);
  const room = await createRoomViaApi(owner.page, { kind: 'private', password: 'open sesame' });
  await openRoom(owner.page, room.id);

  // Listed in the guest's room directory with a lock, behind a password.
  await guest.page.goto('/rooms');
  await guest.page.getByLabel('Search rooms').fill(room.name);
  const entry = guest.page.getByTestId('directory-room').filter({ hasText: room.name });
  await expect(entry.getByRole('img', { name: 'Private room' })).toBeVisible();
  await entry.getByRole('link', { name: `Open ${room.name}` }).click();
  await expect(guest.page.getByRole('heading', { name: room.name })).toBeVisible();
  await guest.page.getByLabel('Room password').fill('not it');
  await guest.page.getByRole('button', { name: 'Join room' }).click();
  await expect(guest.page.getByRole('alert').filter({ hasText: 'Wrong room password.' })).toBeVisible();
  await expect(guest.page.getByRole('textbox', { name: 'Message' })).toHaveCount(0);

  await guest.page.getByLabel('Room password').fill('open sesame');
  await guest.page.getByRole('button', { name: 'Join room' }).click();
  await expect(guest.page.getByRole('textbox', { name: 'Message' })).toBeEnabled();
  await expect(guest.page.getByTestId('member-list')).toContainText(owner.displayName);

  await sendMessage(guest.page, 'Psst, it is me');
  await expect(messageRows(guest.page, 'Psst, it is me')).toHaveAttribute('data-status', 'sent');
  await expect(messageRows(owner.page, 'Psst, it is me')).toHaveAttribute('data-status', 'sent');

  await guest.page.reload();
  await expect(messageRows(guest.page, 'Psst, it is me')).toHaveCount(1);
  await expect(messageRows(guest.page, 'Psst, it is me')).toHaveAttribute('data-status', 'sent');
  await expect(guest.page.getByRole('textbox', { name: 'Message' })).toBeEnabled();
});

test('a message written offline fails visibly, then is sent exactly once after reconnecting', async ({ browser }) => {
  test.setTimeout(90_000);
  const alice = await newSignedInUser(browser, 'alice');
  const bob = await newSignedInUser(browser, 'bob');
  users.push(alice, bob);
  const room = await createRoomViaApi(alice.page, {});
  await openRoom(alice.page, room.id);
  await joinRoomViaPage(bob.page, room.id);
  await sendMessage(bob.page, 'before the outage');
  await expect(messageRows(alice.page, 'before the outage')).toHaveCount(1);

  await bob.context.setOffline(true);
  await expect(bob.page.getByTestId('connection-banner')).toContainText('Offline');

  const text = `written offline ${Date.now()}`;
  await sendMessage(bob.page, text);
  const row = messageRows(bob.page, text);
  await expect(row).toHaveAttribute('data-status', 'pending');
  // No connection within the send timeout: failed, with a Retry.
  await expect(row).toHaveAttribute('data-status', 'failed', { timeout: 20_000 });
  await expect(row.getByRole('button', { name: 'Retry' })).toBeVisible();
  // Meanwhile Alice keeps talking; Bob catches up on reconnect.
  await sendMessage(alice.page, 'while Bob was away');

  await bob.context.setOffline(false);
  await expect(bob.page.getByTestId('connection-banner')).toHaveCount(0, { timeout: 20_000 });
  await expect(row).toHaveAttribute('data-status', 'sent', { timeout: 20_000 });

  for (const { page } of [alice, bob]) {
    await expect(messageRows(page, text)).toHaveCount(1);
    await expect(messageRows(page, text)).toHaveAttribute('data-status', 'sent');
    await expect(messageRows(page, 'while Bob was away')).toHaveCount(1);
  }
  // And the server stored it once.
  const history = await alice.page.request.get(`/api/rooms/${room.id}/messages`);
  const { messages } = (await history.json()) as { messages: { body: string }[] };
  expect(messages.filter((m) => m.body === text)).toHaveLength(1);
});

test('when the owner deletes a room, a member watching it is told and it leaves the sidebar', async ({ browser }) => {
  const owner = await newSignedInUser(browser, 'owner');
  const member = await newSignedInUser(browser, 'member');
  users.push(owner, member);
  const room = await createRoomViaApi(owner.page, {});
  await joinRoomViaPage(member.page, room.id);
  await expect(member.page.getByTestId('room-link').filter({ hasText: room.name })).toBeVisible();
  await openRoom(owner.page, room.id);

  await owner.page.getByRole('button', { name: 'Delete' }).click();
  await owner.page.getByRole('button', { name: 'Delete room' }).click();
  await expect(owner.page).toHaveURL(/\/$/);
  await expect(owner.page.getByTestId('room-link').filter({ hasText: room.name })).toHaveCount(0);

  await expect(member.page.getByRole('alert').filter({ hasText: 'This room was deleted' })).toBeVisible();
  await expect(member.page.getByTestId('room-link').filter({ hasText: room.name })).toHaveCount(0);
  await expect(member.page.getByRole('textbox', { name: 'Message' })).toBeDisabled();
});

test('a member can leave a room; the create form shows a taken name on its field', async ({ browser }) => {
  const owner = await newSignedInUser(browser, 'owner');
  const member = await newSignedInUser(browser, 'member');
  users.push(owner, member);
  const room = await createRoomViaApi(owner.page, {});

  await joinRoomViaPage(member.page, room.id);
  await member.page.getByRole('button', { name: 'Leave' }).click();
  await expect(member.page).toHaveURL(/\/$/);
  const link = member.page.getByRole('navigation', { name: 'Rooms' }).getByRole('region', { name: 'Rooms', exact: true }).getByTestId('room-link');
  await expect(link.filter({ hasText: room.name })).toHaveCount(0);

  await member.page.getByLabel('Room name').fill(room.name.toUpperCase());
  await member.page.getByRole('button', { name: 'Create room' }).click();
  await expect(member.page.getByText('A room with that name already exists.')).toBeVisible();
  await member.page.getByLabel('Room name').fill('x');
  await member.page.getByLabel('Description').focus();
  await expect(member.page.getByText('Room name must be at least 2 characters.')).toBeVisible();
});
