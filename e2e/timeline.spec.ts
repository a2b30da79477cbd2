/**
 * The room timeline (issue 15): virtualised, opens at the newest message and stays there while rows grow,
 * the "New messages" divider and "Jump to unread", the scroll-to-bottom button with what came in below,
 * day separators, and permalinks (`?seq=N`, the older `?m=N`).
 *
 * History is seeded with SQL straight into `messages` (seq gapless, rooms.last_seq kept in step) rather than
 * through the socket: 10,000 messages through the rate-limited send path would take many minutes, and only
 * SQL can give messages a past `created_at` for the day separators. Everything the browser then does — history
 * pages, receipts, new messages — goes through the real server.
 */
import { expect as baseExpect, test, type Browser, type Locator, type Page } from '@playwright/test';
import pg from 'pg';
import type { Socket } from 'socket.io-client';
import { dayLabel } from '../lib/stores/timeline-rows';
import { createRoomViaApi, newSignedInUser, openRoom, type ChatUser } from './helpers';
import { connectRoomSocket, send } from './room-socket';

// A busy 2-core machine renders seconds behind the network at times: room for that.
const expect = baseExpect.configure({ timeout: 20_000 });
test.describe.configure({ timeout: 150_000 });

let users: ChatUser[] = [];
let sockets: Socket[] = [];
let pool: pg.Pool | null = null;

test.afterEach(async () => {
  for (const socket of sockets) socket.close();
  sockets = [];
  await Promise.all(users.map((u) => u.context.close()));
  users = [];
});

test.afterAll(async () => {
  await pool?.end();
});

function db(): pg.Pool {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is needed to seed history');
  pool ??= new pg.Pool({ connectionString: url, max: 2 });
  return pool;
}

async function userId(username: string): Promise<string> {
  const { rows } = await db().query<{ id: string }>('SELECT id FROM users WHERE username = $1', [username]);
  return rows[0]!.id;
}

/**
 * Appends `count` messages to a room, authors taking turns, `minutesApart` apart ending now (or at `endAt`),
 * and returns the seqs given. Seq continues the room's own, gapless, in one transaction with rooms.last_seq.
 */
async function seed(roomId: string, authors: string[], count: number, options: { label?: string; endAt?: string } = {}): Promise<number[]> {
  const client = await db().connect();
  try {
    await client.query('BEGIN');
    const { rows } = await client.query<{ last_seq: number }>('SELECT last_seq FROM rooms WHERE id = $1 FOR UPDATE', [roomId]);
    const start = rows[0]!.last_seq + 1;
    await client.query(
      `INSERT INTO messages (room_id, seq, author_id, client_id, body, created_at)
       SELECT $1, $2::int + g, ($3::uuid[])[1 + g % array_length($3::uuid[], 1)], gen_random_uuid(),
              $4 || ' ' || ($2::int + g),
              COALESCE($6::timestamptz, now()) - (($5::int - 1 - g) * interval '1 second')
       FROM generate_series(0, $5::int - 1) AS g`,
      [roomId, start, authors, options.label ?? 'filler message', count, options.endAt ?? null],
    );
    await client.query('UPDATE rooms SET last_seq = $2 WHERE id = $1', [roomId, start + count - 1]);
    await client.query('COMMIT');
    return Array.from({ length: count }, (_, i) => start + i);
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  } finally {
    client.release();
  }
}

async function setRead(roomId: string, username: string, seq: number): Promise<void> {
  await db().query(
    'UPDATE memberships SET last_read_seq = $3, last_delivered_seq = GREATEST(last_delivered_seq, $3) WHERE room_id = $1 AND user_id = $2',
    [roomId, await userId(username), seq],
  );
}

/** Alice's new room with Bob in it on a socket (both cleaned up after the test). */
async function aliceAndBobInARoom(browser: Browser) {
  const alice = await newSignedInUser(browser, 'alice');
  const bob = await newSignedInUser(browser, 'bob');
  users.push(alice, bob);
  const room = await createRoomViaApi(alice.page, {});
  const bobSocket = await connectRoomSocket(bob.context, room.id);
  sockets.push(bobSocket);
  return { alice, bob, room, bobSocket };
}

function row(page: Page, seq: number): Locator {
  return page.locator(`li[data-testid="message"][data-seq="${seq}"]`);
}

/** The row lies wholly inside the scroller's visible box (1 px of rounding allowed). */
async function fullyInView(page: Page, target: Locator): Promise<boolean> {
  const scroller = await page.getByTestId('message-scroller').boundingBox();
  const box = await target.boundingBox();
  if (!scroller || !box) return false;
  return box.y >= scroller.y - 1 && box.y + box.height <= scroller.y + scroller.height + 1;
}

function renderedRows(page: Page): Promise<number> {
  return page.getByTestId('message-scroller').locator('li[data-seq]').count();
}

test('a room opens at the newest message and stays there when a read receipt appears under it', async ({ browser }) => {
  const { alice, bob, room, bobSocket } = await aliceAndBobInARoom(browser);
  const seqs = await seed(room.id, [await userId(alice.username), await userId(bob.username)], 80, { label: 'chatter' });
  const last = seqs.at(-1)!;
  // Everything read by both: Alice's messages carry Bob's receipt, and nothing is unread for Alice.
  await setRead(room.id, alice.username, last);
  await setRead(room.id, bob.username, last);

  for (let i = 0; i < 2; i += 1) {
    await openRoom(alice.page, room.id);
    await expect(row(alice.page, last)).toBeVisible();
    await expect.poll(() => fullyInView(alice.page, row(alice.page, last))).toBe(true);
    await expect(alice.page.getByTestId('scroll-to-bottom')).toBeHidden();
  }
  await expect(alice.page.getByTestId('unread-divider')).toHaveCount(0);

  // A new message of mine; Bob reads it, and the receipt that appears under it must not push it out of view.
  const box = alice.page.getByRole('textbox', { name: 'Message' });
  await box.fill('a message Bob is about to read');
  await box.press('Enter');
  const mine = alice.page.getByTestId('message').filter({ hasText: 'a message Bob is about to read' }).and(alice.page.locator('[data-seq]'));
  await expect(mine).toHaveAttribute('data-seq', String(last + 1));
  await expect.poll(() => fullyInView(alice.page, mine)).toBe(true);
  const before = (await mine.boundingBox())!.height;
  const ack = (await bobSocket.timeout(10_000).emitWithAck('read:mark', { seq: last + 1 })) as { ok: boolean };
  expect(ack.ok).toBe(true);
  await expect(mine.locator('[data-testid="seen-by"], [data-testid="read-receipts"]')).toBeVisible();
  await expect.poll(async () => (await mine.boundingBox())!.height).toBeGreaterThanOrEqual(before);
  await expect.poll(() => fullyInView(alice.page, mine)).toBe(true);
});

test('the New messages divider: the room opens at the newest, Jump to unread goes up to the divider and back down', async ({ browser }) => {
  const alice = await newSignedInUser(browser, 'alice');
  const bob = await newSignedInUser(browser, 'bob');
  users.push(alice, bob);
  const room = await createRoomViaApi(alice.page, {});
  sockets.push(await connectRoomSocket(bob.context, room.id));
  const [aliceId, bobId] = [await userId(alice.username), await userId(bob.username)];
  const read = await seed(room.id, [aliceId, bobId], 20, { label: 'already read' });
  await setRead(room.id, alice.username, read.at(-1)!);
  const unread = await seed(room.id, [bobId], 40, { label: 'unread news' });

  // The room opens at its newest message (issue 15); the divider is above the view, one "Jump to unread" away.
  await openRoom(alice.page, room.id);
  await expect.poll(() => fullyInView(alice.page, row(alice.page, unread.at(-1)!))).toBe(true);
  await expect(alice.page.getByTestId('scroll-to-bottom')).toBeHidden();
  const jump = alice.page.getByRole('button', { name: 'Jump to unread' });
  await expect(jump).toBeVisible();
  await jump.click();
  const divider = alice.page.getByTestId('unread-divider');
  await expect(divider).toHaveText('New messages');
  await expect(divider).toBeInViewport();
  await expect(jump).toBeHidden();
  // Right above the first unread message.
  const next = divider.locator('xpath=ancestor::li[1]/following-sibling::*[1]//li[@data-seq]');
  await expect(next).toHaveAttribute('data-seq', String(unread[0]));

  // Back to the bottom; the divider stays, above the view again.
  await alice.page.getByTestId('scroll-to-bottom').click();
  await expect.poll(() => fullyInView(alice.page, row(alice.page, unread.at(-1)!))).toBe(true);
  await expect(alice.page.getByTestId('scroll-to-bottom')).toBeHidden();
  await expect(jump).toBeVisible();
  await alice.page.screenshot({ path: test.info().outputPath('unread-divider.png') });

  // A few unread (they fit): the room opens at the bottom, the divider above them.
  const few = await seed(room.id, [bobId], 3, { label: 'just a few' });
  await setRead(room.id, alice.username, unread.at(-1)!);
  await openRoom(alice.page, room.id);
  await expect.poll(() => fullyInView(alice.page, row(alice.page, few.at(-1)!))).toBe(true);
  await expect(alice.page.getByTestId('unread-divider')).toBeInViewport();
  await expect(alice.page.getByTestId('scroll-to-bottom')).toBeHidden();
});

test('scrolled up, the scroll-to-bottom button counts what came in below and takes me there; new messages are announced', async ({ browser }) => {
  const { alice, bob, room, bobSocket } = await aliceAndBobInARoom(browser);
  const seqs = await seed(room.id, [await userId(alice.username), await userId(bob.username)], 60);
  await setRead(room.id, alice.username, seqs.at(-1)!);
  await openRoom(alice.page, room.id);
  await expect.poll(() => fullyInView(alice.page, row(alice.page, seqs.at(-1)!))).toBe(true);
  const button = alice.page.getByTestId('scroll-to-bottom');
  await expect(button).toBeHidden();

  const scroller = alice.page.getByTestId('message-scroller');
  await scroller.hover();
  await alice.page.mouse.wheel(0, -5_000);
  await expect(button).toBeVisible();
  await expect(button).toHaveAccessibleName('Jump to newest');
  for (const body of ['one from Bob', 'two from Bob', 'three from Bob']) await send(bobSocket, { body });
  await expect(button).toHaveAccessibleName('Jump to newest, 3 new messages');
  await expect(alice.page.getByTestId('timeline-announcer')).toContainText('three from Bob');
  await alice.page.screenshot({ path: test.info().outputPath('scroll-to-bottom.png') });

  await button.click();
  await expect.poll(() => fullyInView(alice.page, alice.page.getByTestId('message').filter({ hasText: 'three from Bob' }))).toBe(true);
  await expect(button).toBeHidden();

  // At the bottom, a new message from Bob comes into view and is read out, once.
  await send(bobSocket, { body: 'and a fourth' });
  await expect.poll(() => fullyInView(alice.page, alice.page.getByTestId('message').filter({ hasText: 'and a fourth' }))).toBe(true);
  await expect(alice.page.getByTestId('timeline-announcer')).toHaveText(new RegExp(`^${bob.displayName}: and a fourth$`));
});

test('day separators between messages of different local days', async ({ browser }) => {
  const alice = await newSignedInUser(browser, 'alice');
  users.push(alice);
  const room = await createRoomViaApi(alice.page, {});
  const aliceId = await userId(alice.username);
  // Noon of each day, in the browser's time zone (the test and the browser run on one machine).
  const tz = await alice.page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone);
  expect(tz).toBe(Intl.DateTimeFormat().resolvedOptions().timeZone);
  const noon = (daysAgo: number) => {
    const d = new Date();
    d.setHours(12, 0, 0, 0);
    d.setDate(d.getDate() - daysAgo);
    return d;
  };
  const days = [400, 3, 1];
  for (const ago of days) await seed(room.id, [aliceId], 2, { label: `from ${ago} days ago`, endAt: noon(ago).toISOString() });
  await seed(room.id, [aliceId], 2, { label: 'from today' });
  await setRead(room.id, alice.username, 8);

  await openRoom(alice.page, room.id);
  const separators = alice.page.getByTestId('day-separator');
  const expected = [...days.map((ago) => dayLabel(noon(ago))), 'Today'];
  expect(expected[2]).toBe('Yesterday');
  expect(expected[0]).toMatch(/ \d{4}$/); // another year
  await expect(separators).toHaveText(expected);
  for (const label of expected) await expect(alice.page.getByRole('separator', { name: label })).toHaveCount(1);
  await alice.page.screenshot({ path: test.info().outputPath('day-separators.png') });
});

test('10,000 messages: a bounded DOM, older pages without a jump, and permalinks with ?seq= and ?m=', async ({ browser }) => {
  test.setTimeout(120_000);
  const alice = await newSignedInUser(browser, 'alice');
  users.push(alice);
  const room = await createRoomViaApi(alice.page, {});
  const seqs = await seed(room.id, [await userId(alice.username)], 10_000, { label: 'long history' });
  const last = seqs.at(-1)!;
  await setRead(room.id, alice.username, last);

  await openRoom(alice.page, room.id);
  await expect.poll(() => fullyInView(alice.page, row(alice.page, last))).toBe(true);

  // Scrolling up loads page after page; what was on screen stays where it was, and the DOM stays bounded.
  const scroller = alice.page.getByTestId('message-scroller');
  for (let page = 0; page < 6; page += 1) {
    // To the top, and where the oldest row held sits then (before the older page comes in).
    const before = await scroller.evaluate(async (el) => {
      // As a wheel does: the list only lets a person's scroll take it off the bottom.
      el.dispatchEvent(new WheelEvent('wheel', { deltaY: -el.scrollHeight, bubbles: true }));
      el.scrollTop = 0;
      await new Promise((resolve) => requestAnimationFrame(resolve));
      const rows = [...el.querySelectorAll<HTMLElement>('li[data-seq]')];
      const oldest = rows.reduce((a, b) => (Number(a.dataset.seq) < Number(b.dataset.seq) ? a : b));
      return { seq: Number(oldest.dataset.seq), y: oldest.getBoundingClientRect().top };
    });
    await expect
      .poll(() => scroller.evaluate((el) => Math.min(...[...el.querySelectorAll<HTMLElement>('li[data-seq]')].map((r) => Number(r.dataset.seq)))))
      .toBeLessThan(before.seq);
    // Nothing jumped: that row is still where it was, older ones came in above it.
    await expect.poll(async () => Math.abs((await row(alice.page, before.seq).boundingBox())!.y - before.y)).toBeLessThan(40);
    expect(await renderedRows(alice.page)).toBeLessThan(150);
  }

  // A permalink far back: opens there, highlighted, in view; the DOM holds a page's worth, not the room.
  await alice.page.goto(`/rooms/${room.id}?seq=1234`);
  await expect(row(alice.page, 1234)).toHaveAttribute('data-highlighted', 'true');
  await expect(row(alice.page, 1234)).toBeInViewport();
  expect(await renderedRows(alice.page)).toBeLessThan(150);
  await expect(alice.page.getByRole('textbox', { name: 'Message' })).toBeFocused();
  // Back to the present from an old stretch.
  await alice.page.getByTestId('scroll-to-bottom').click();
  await expect.poll(() => fullyInView(alice.page, row(alice.page, last))).toBe(true);

  // The older ?m= (search results use it) still works; nonsense is ignored (the room opens at the bottom).
  await alice.page.goto(`/rooms/${room.id}?m=20`);
  await expect(row(alice.page, 20)).toHaveAttribute('data-highlighted', 'true');
  await expect(row(alice.page, 20)).toBeInViewport();
  for (const junk of ['abc', '0', '-5', '99999999999']) {
    await alice.page.goto(`/rooms/${room.id}?seq=${junk}`);
    await expect.poll(() => fullyInView(alice.page, row(alice.page, last))).toBe(true);
    await expect(alice.page.locator('[data-highlighted="true"]')).toHaveCount(0);
  }
});

test('looks right: light and dark, desktop and phone (screenshots for review)', async ({ browser }) => {
  test.setTimeout(90_000);
  const alice = await newSignedInUser(browser, 'alice');
  const bob = await newSignedInUser(browser, 'bob');
  users.push(alice, bob);
  const room = await createRoomViaApi(alice.page, {});
  sockets.push(await connectRoomSocket(bob.context, room.id));
  const [aliceId, bobId] = [await userId(alice.username), await userId(bob.username)];
  const yesterday = new Date(Date.now() - 24 * 60 * 60 * 1000).toISOString();
  await seed(room.id, [aliceId, bobId], 30, { label: 'yesterday we said', endAt: yesterday });
  const read = await seed(room.id, [aliceId, bobId], 10, { label: 'this morning' });
  await setRead(room.id, bob.username, read.at(-1)!);
  await seed(room.id, [bobId], 4, { label: 'news from Bob' });

  for (const scheme of ['light', 'dark'] as const) {
    await alice.page.emulateMedia({ colorScheme: scheme });
    for (const [name, size] of [['desktop', { width: 1440, height: 900 }], ['phone', { width: 390, height: 800 }], ['phone320', { width: 320, height: 640 }]] as const) {
      await alice.page.setViewportSize(size);
      // Each visit reads Bob's news: away from the room (its socket closed), make them unread again.
      await alice.page.goto('/settings');
      await setRead(room.id, alice.username, read.at(-1)!);
      await openRoom(alice.page, room.id);
      await expect(alice.page.getByTestId('unread-divider')).toBeVisible();
      await expect(alice.page.getByTestId('day-separator').first()).toBeVisible();
      // No sideways scrolling on a phone.
      expect(await alice.page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
      await alice.page.screenshot({ path: test.info().outputPath(`timeline-${name}-${scheme}.png`) });
      if (name === 'desktop') {
        await alice.page.getByTestId('message-scroller').hover();
        await alice.page.mouse.wheel(0, -600);
        await expect(alice.page.getByTestId('scroll-to-bottom')).toBeVisible();
        await alice.page.screenshot({ path: test.info().outputPath(`timeline-scrolled-${scheme}.png`) });
      }
    }
  }
});
