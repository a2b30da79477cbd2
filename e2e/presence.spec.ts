import { expect, test, type Page } from '@playwright/test';
import pg from 'pg';
import { createRoomViaApi, joinRoomViaPage, messageRows, newSignedInUser, openRoom, randomUsername, sendMessage, type ChatUser } from './helpers';

let users: ChatUser[] = [];
let pool: pg.Pool | null = null;

test.afterEach(async () => {
  await Promise.all(users.map((u) => u.context.close()));
  users = [];
});

test.afterAll(async () => {
  await pool?.end();
});

/** Members who never sign in, straight into the database (signing up 150 people would be the whole test). */
async function addMembersWhoStayAway(roomId: string, count: number): Promise<void> {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is needed to seed members');
  pool ??= new pg.Pool({ connectionString: url, max: 1 });
  await pool.query(
    `WITH added AS (
       INSERT INTO users (id, username, display_name, password_hash)
       SELECT gen_random_uuid(), $2 || lpad(i::text, 3, '0'), 'Filler ' || lpad(i::text, 3, '0'), 'x' FROM generate_series(1, $3::int) AS i
       RETURNING id)
     INSERT INTO memberships (room_id, user_id) SELECT $1, id FROM added`,
    [roomId, randomUsername('f').slice(0, 20), count],
  );
}

/** The user ids of every `presence:watch` the page sends (Socket.IO frames: `42["presence:watch",{…}]`, ack id or not). */
function watchesSentBy(page: Page): string[][] {
  const watches: string[][] = [];
  page.on('websocket', (ws) =>
    ws.on('framesent', ({ payload }) => {
      const at = typeof payload === 'string' ? payload.indexOf('["presence:watch"') : -1;
      if (at < 0) return;
      const [, body] = JSON.parse((payload as string).slice(at)) as [string, { userIds: string[] }];
      watches.push(body.userIds);
    }),
  );
  return watches;
}

const member = (page: Page, username: string) => page.getByTestId('member-list').locator(`[data-testid="member"][data-username="${username}"]`);

/** Pretends the tab was hidden or shown again (headless pages are always visible). */
async function setHidden(page: Page, hidden: boolean): Promise<void> {
  await page.evaluate((value) => {
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => (value ? 'hidden' : 'visible') });
    document.dispatchEvent(new Event('visibilitychange'));
  }, hidden);
}

test('presence: online, away while hidden, offline with "last seen" once the other closes the page', async ({ browser }) => {
  test.setTimeout(75_000);
  const alice = await newSignedInUser(browser, 'alice');
  const bob = await newSignedInUser(browser, 'bob');
  users.push(alice, bob);
  const room = await createRoomViaApi(alice.page);
  await joinRoomViaPage(bob.page, room.id);
  await openRoom(alice.page, room.id);

  const bobRow = member(alice.page, bob.username);
  await expect(bobRow).toHaveAttribute('data-presence', 'online');
  await expect(bobRow.getByTestId('presence-dot')).toHaveAttribute('data-status', 'online');

  await setHidden(bob.page, true);
  await expect(bobRow).toHaveAttribute('data-presence', 'away');
  await expect(bobRow.getByTestId('presence-text')).toHaveText('away');
  await setHidden(bob.page, false);
  await expect(bobRow).toHaveAttribute('data-presence', 'online');

  // A reload does not flap: the server waits a grace period before calling anyone offline.
  await bob.page.reload();
  await expect(bob.page.getByRole('textbox', { name: 'Message' })).toBeEnabled();
  await expect(bobRow).toHaveAttribute('data-presence', 'online');

  await bob.page.close();
  // Usually seen at once (the page closes its connection) plus the 4 s grace; at worst when the server's
  // ping timeout notices the vanished tab (15 s + 10 s, then the 4 s grace): Chromium does not always close it promptly.
  await expect(bobRow).toHaveAttribute('data-presence', 'offline', { timeout: 40_000 });
  await expect(bobRow.getByTestId('presence-text')).toHaveText(/^last seen (just now|1 min ago)$/);
});

test('typing: shown to the others, cleared when emptied or sent', async ({ browser }) => {
  const alice = await newSignedInUser(browser, 'alice');
  const bob = await newSignedInUser(browser, 'bob');
  users.push(alice, bob);
  const room = await createRoomViaApi(alice.page);
  await openRoom(alice.page, room.id);
  await joinRoomViaPage(bob.page, room.id);

  const aliceSees = alice.page.getByTestId('typing-indicator');
  const box = bob.page.getByRole('textbox', { name: 'Message' });
  await box.pressSequentially('Hel');
  await expect(aliceSees).toHaveText(`${bob.displayName} is typing…`);
  await expect(bob.page.getByTestId('typing-indicator')).toHaveText(''); // never myself
  await box.fill('');
  await expect(aliceSees).toHaveText('');

  await box.pressSequentially('Hello');
  await expect(aliceSees).toHaveText(`${bob.displayName} is typing…`);
  await box.press('Enter');
  await expect(messageRows(alice.page, 'Hello')).toHaveCount(1);
  await expect(aliceSees).toHaveText('');
});

test('unread: a badge for a room I am not looking at, cleared when I open it; the reader\'s avatar on the message they reached', async ({ browser }) => {
  const alice = await newSignedInUser(browser, 'alice');
  const bob = await newSignedInUser(browser, 'bob');
  users.push(alice, bob);
  const room = await createRoomViaApi(alice.page);
  await joinRoomViaPage(bob.page, room.id);
  await bob.page.getByRole('link', { name: 'Parley' }).click();
  await expect(bob.page).toHaveURL(/\/$/);
  await openRoom(alice.page, room.id);

  await sendMessage(alice.page, 'one');
  await sendMessage(alice.page, 'two');
  const link = bob.page.getByTestId('room-link').filter({ hasText: room.name });
  await expect(link.getByTestId('unread-badge')).toHaveText('2');
  await expect(bob.page).toHaveTitle(/^\(2\) /);
  await expect(alice.page.getByTestId('read-receipts')).toHaveCount(0);

  await link.click();
  await expect(messageRows(bob.page, 'two')).toBeVisible();
  await expect(link.getByTestId('unread-badge')).toHaveCount(0);
  await expect(bob.page).not.toHaveTitle(/^\(\d+\) /);

  // Read receipts: Bob's avatar on the newest message he read, once — not a "Seen by" line under each message.
  const seen = messageRows(alice.page, 'two').getByTestId('read-receipts');
  await expect(seen).toHaveAttribute('aria-label', `Seen by ${bob.displayName}`);
  await expect(seen.getByTestId('avatar')).toHaveAttribute('data-user-id', /.+/);
  await expect(alice.page.getByTestId('read-receipts')).toHaveCount(1);
  await expect(alice.page.getByTestId('seen-by')).toHaveCount(0);

  // Still read after a reload (server data).
  await bob.page.getByRole('link', { name: 'Parley' }).click();
  await bob.page.reload();
  await expect(bob.page.getByTestId('room-link').filter({ hasText: room.name })).toBeVisible();
  await expect(bob.page.getByTestId('unread-badge')).toHaveCount(0);
});

test('direct message: started from the user search, appears live for the peer, ticks go delivered then read', async ({ browser }) => {
  const alice = await newSignedInUser(browser, 'alice');
  const bob = await newSignedInUser(browser, 'bob');
  const carol = await newSignedInUser(browser, 'carol');
  users.push(alice, bob, carol);
  await bob.page.goto('/');
  await alice.page.goto('/');

  await alice.page.getByRole('button', { name: 'New message' }).click();
  await alice.page.getByLabel('Find people').fill(bob.username);
  await alice.page.locator(`[data-testid="user-result"][data-username="${bob.username}"]`).click();
  await expect(alice.page).toHaveURL(/\/rooms\/[A-Za-z0-9]{10}$/);
  const dmUrl = alice.page.url();
  await expect(alice.page.getByTestId('room-name')).toHaveText(bob.displayName);
  await expect(alice.page.getByRole('textbox', { name: 'Message' })).toBeEnabled();
  await expect(alice.page.getByRole('button', { name: 'Leave' })).toHaveCount(0);
  await expect(alice.page.getByRole('button', { name: 'Delete' })).toHaveCount(0);

  // Bob did nothing: the conversation appears in his sidebar, under the other person's name.
  const bobLink = bob.page.getByRole('region', { name: 'Direct messages' }).getByTestId('room-link').filter({ hasText: alice.displayName });
  await expect(bobLink).toBeVisible();
  await expect(bobLink.getByTestId('presence-dot')).toHaveAttribute('data-status', 'online');

  await sendMessage(alice.page, 'psst, Bob');
  const ticks = messageRows(alice.page, 'psst, Bob').getByTestId('message-ticks');
  // Bob's tab received it (delivered) but he has not opened it.
  await expect(ticks).toHaveAttribute('data-state', 'delivered');
  await expect(bobLink.getByTestId('unread-badge')).toHaveText('1');

  await bobLink.click();
  await expect(messageRows(bob.page, 'psst, Bob')).toBeVisible();
  await expect(bob.page.getByTestId('room-name')).toHaveText(alice.displayName);
  await expect(ticks).toHaveAttribute('data-state', 'read');
  await expect(ticks).toHaveAccessibleName('Read');
  // Beside the message's time, not at the far edge of the timeline.
  const time = (await messageRows(alice.page, 'psst, Bob').locator('time').first().boundingBox())!;
  const tick = (await ticks.boundingBox())!;
  expect(Math.abs(tick.y + tick.height / 2 - (time.y + time.height / 2))).toBeLessThan(12);
  expect(tick.x - (time.x + time.width)).toBeLessThan(24);
  // A second message of mine (a continuation row) has its own ticks, right after its text.
  await sendMessage(alice.page, 'and another');
  const second = messageRows(alice.page, 'and another');
  await expect(second.getByTestId('message-ticks')).toHaveAttribute('data-state', 'read');
  await expect(messageRows(bob.page, 'and another').getByTestId('message-ticks')).toHaveCount(0);

  // Nobody else can open it.
  await carol.page.goto(dmUrl);
  await expect(carol.page.getByRole('heading', { name: 'Room not found' })).toBeVisible();
});

test('a large room: the member list draws a page of members and follows only their presence; "Show more" draws the next', async ({ browser }) => {
  const alice = await newSignedInUser(browser, 'alice');
  users.push(alice);
  const watches = watchesSentBy(alice.page);
  const room = await createRoomViaApi(alice.page);
  await addMembersWhoStayAway(room.id, 150);
  await openRoom(alice.page, room.id);

  const list = alice.page.getByTestId('member-list');
  await expect(list.getByRole('heading', { name: /Members/ })).toContainText('1 online of 151');
  await expect(list.getByTestId('member')).toHaveCount(100);
  await expect(list.getByTestId('member').first()).toHaveAttribute('data-username', alice.username); // online first
  await expect.poll(() => watches.at(-1)?.length).toBe(100);

  await list.getByRole('button', { name: /^Show 51 more/ }).click();
  await expect(list.getByTestId('member')).toHaveCount(151);
  await expect(list.getByTestId('members-more')).toHaveCount(0);
  await expect.poll(() => watches.at(-1)?.length).toBe(151);
});
