/**
 * Message search in the browser (issue 11): Ctrl+K from anywhere, a half-remembered word, highlighted
 * results, the keyboard to open one, and the room opened at that message with history loading both ways;
 * a thread reply opens its thread; what a room's members said stays theirs.
 *
 * History is seeded through each member's own room socket (the protocol the browser speaks), which is
 * faster than typing hundreds of messages and still goes through validation, rate limits and broadcast.
 */
import { expect as baseExpect, test, type Page } from '@playwright/test';
import type { Socket } from 'socket.io-client';
import { createRoomViaApi, newSignedInUser, openRoom, randomRoomName, type ChatUser } from './helpers';
import { connectRoomSocket, send } from './room-socket';

// Every step waits on a search round trip and a render; on a 2-core machine saturated by other work the
// renderer was seen to lag several seconds behind the network: room for that.
const expect = baseExpect.configure({ timeout: 25_000 });

let users: ChatUser[] = [];
let sockets: Socket[] = [];

test.afterEach(async () => {
  for (const socket of sockets) socket.close();
  sockets = [];
  await Promise.all(users.map((u) => u.context.close()));
  users = [];
});

async function roomSocket(user: ChatUser, roomId: string): Promise<Socket> {
  const socket = await connectRoomSocket(user.context, roomId);
  sockets.push(socket);
  return socket;
}

/** `count` filler messages, spread over the senders (each has its own rate limit), all acknowledged. */
async function fill(senders: Socket[], count: number, label: string): Promise<void> {
  await Promise.all(
    senders.map(async (socket, s) => {
      for (let i = s; i < count; i += senders.length) await send(socket, { body: `${label} note ${i}: nothing to see here` });
    }),
  );
}

/** Seqs of the main timeline's rows, top to bottom. */
function timelineSeqs(page: Page): Promise<number[]> {
  return page
    .getByTestId('message-scroller')
    .evaluate((el) => [...el.querySelectorAll<HTMLElement>('li[data-testid="message"][data-seq]')].map((row) => Number(row.dataset.seq)));
}

async function openSearch(page: Page) {
  const dialog = page.getByTestId('search-dialog');
  // The shortcut works once the page is hydrated: press again until the dialog answers (pressing it with
  // the dialog open only focuses its box).
  await expect(async () => {
    await page.keyboard.press('Control+k');
    await expect(dialog).toBeVisible({ timeout: 1_000 });
  }).toPass();
  await expect(dialog.getByTestId('search-input')).toBeFocused();
  return dialog;
}

test('Ctrl+K finds a half-remembered word far back; the keyboard opens it in context, and history loads both ways from there', async ({ browser }) => {
  test.setTimeout(240_000); // ~700 messages through the rate limits of six members, on a busy machine
  const members = await Promise.all(['alice', 'bob', 'carol', 'dave', 'erin', 'frank'].map((p) => newSignedInUser(browser, p)));
  users.push(...members);
  const alice = members[0]!;
  const page = alice.page;
  const room = await createRoomViaApi(page, { name: randomRoomName('planning') });
  const senders = await Promise.all(members.map((m) => roomSocket(m, room.id)));

  // The target is far back: more messages after it than a jump pages through (500), so the room shows
  // the stretch around it and both older and newer history load as one scrolls.
  await fill(senders, 60, 'early');
  const target = await send(senders[1]!, { body: 'The quarterly **flamingo** budget is approved, ship it' });
  await fill(senders, 560, 'later');
  const root = await send(senders[2]!, { body: 'Where do we keep the pelican keys?' });
  const reply = await send(senders[3]!, { body: 'The pelican keys are in the blue drawer', threadRootSeq: root.seq });
  await send(senders[4]!, { body: 'last word of the day' });

  await openRoom(page, room.id);
  await expect(page.getByTestId('message').last()).toContainText('last word of the day');
  const composer = page.getByRole('textbox', { name: 'Message' });
  await composer.focus();

  // Ctrl+K, a prefix of the word, the match highlighted in the snippet.
  let dialog = await openSearch(page);
  await dialog.getByTestId('search-input').fill('flamin');
  const hit = dialog.getByTestId('search-hit').filter({ hasText: 'budget is approved' });
  await expect(hit).toHaveCount(1);
  await expect(hit.locator('mark')).toHaveText('flamingo');
  await expect(hit).toContainText(room.name);
  await expect(hit).toContainText(members[1]!.displayName);
  // Rendered as text: the Markdown's asterisks are gone, nothing became bold.
  await expect(hit.locator('strong')).toHaveCount(0);
  await expect(dialog.getByTestId('search-status')).toHaveText('1 message found');

  // Esc closes, and focus is back in the composer.
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(composer).toBeFocused();

  // Again (the search is kept); the keyboard picks the hit and opens it.
  dialog = await openSearch(page);
  await expect(dialog.getByTestId('search-input')).toHaveValue('flamin');
  await expect(hit).toHaveAttribute('aria-selected', 'true');
  await page.keyboard.press('ArrowDown'); // one option only: the list wraps back to it
  await expect(hit).toHaveAttribute('aria-selected', 'true');
  await page.keyboard.press('Enter');
  await expect(dialog).toBeHidden();
  await expect(page).toHaveURL(new RegExp(`/rooms/${room.id}\\?m=${target.seq}$`));

  const landed = page.locator(`li[data-testid="message"][data-seq="${target.seq}"]`);
  await expect(landed).toHaveAttribute('data-highlighted', 'true');
  await expect(landed).toBeInViewport();
  await page.screenshot({ path: test.info().outputPath('landed-on-hit.png') });
  // In context: the stretch around it, not the newest page.
  const around = await timelineSeqs(page);
  expect(Math.min(...around)).toBeLessThan(target.seq);
  expect(Math.max(...around)).toBeLessThan(root.seq);

  // Scrolling up loads older messages, scrolling down newer ones.
  const scroller = page.getByTestId('message-scroller');
  const oldestShown = Math.min(...around);
  await expect
    .poll(async () => {
      await scroller.evaluate((el) => el.scrollTo({ top: 0 }));
      return Math.min(...(await timelineSeqs(page)));
    })
    .toBeLessThan(oldestShown);
  const newestShown = Math.max(...(await timelineSeqs(page)));
  await expect
    .poll(async () => {
      await scroller.evaluate((el) => el.scrollTo({ top: el.scrollHeight }));
      return Math.max(...(await timelineSeqs(page)));
    })
    .toBeGreaterThan(newestShown);

  // A second hit in the same room, the page already open: a thread reply, opened in its thread.
  dialog = await openSearch(page);
  await dialog.getByTestId('search-input').fill('pelican keys');
  const replyHit = dialog.locator(`[data-testid="search-hit"][data-seq="${reply.seq}"]`);
  await expect(replyHit).toContainText('Thread reply');
  await expect(dialog.getByTestId('search-hit')).toHaveCount(2);
  await replyHit.hover(); // the pointer picks too
  await expect(replyHit).toHaveAttribute('aria-selected', 'true');
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(new RegExp(`\\?m=${reply.seq}$`));
  const panel = page.getByTestId('thread-panel');
  await expect(panel).toHaveAttribute('data-root-seq', String(root.seq));
  await expect(panel.locator(`li[data-seq="${reply.seq}"]`)).toHaveAttribute('data-highlighted', 'true');
  await page.screenshot({ path: test.info().outputPath('thread-reply-hit.png') });

  // And back to the first hit, from the header's button this time (a click opens it).
  await page.getByTestId('search-button').click();
  dialog = page.getByTestId('search-dialog');
  await dialog.getByTestId('search-input').fill('flamingo budget');
  await dialog.getByTestId('search-hit').filter({ hasText: 'budget is approved' }).click();
  await expect(page).toHaveURL(new RegExp(`\\?m=${target.seq}$`));
  await expect(landed).toHaveAttribute('data-highlighted', 'true');
  await expect(landed).toBeInViewport();

  // Scrolled away from it, the same hit again (the address does not change): it is brought back. The wheel is
  // turned again until the list has moved: one turned while the dialog was still fading out went to nothing.
  await expect(page.getByTestId('search-dialog')).toBeHidden();
  await expect(async () => {
    await scroller.hover();
    await page.mouse.wheel(0, 4_000);
    await expect(landed).not.toBeInViewport({ timeout: 2_000 });
  }).toPass();
  await page.getByTestId('search-button').click();
  await page.getByTestId('search-dialog').getByTestId('search-hit').filter({ hasText: 'budget is approved' }).click();
  await expect(page.getByTestId('search-dialog')).toBeHidden();
  await expect(landed).toBeInViewport();
});

test("a private room's messages stay with its members; a public room's are found by choice and opened through Join", async ({ browser }) => {
  test.setTimeout(120_000);
  const [alice, bob, carol] = await Promise.all(['alice', 'bob', 'carol'].map((p) => newSignedInUser(browser, p)));
  users.push(alice!, bob!, carol!);
  const word = `walrus${Math.random().toString(36).slice(2, 7)}`;
  const secret = await createRoomViaApi(alice!.page, { kind: 'private', password: 'open sesame', name: randomRoomName('vault') });
  await bob!.page.request.post(`/api/rooms/${secret.id}/join`, { data: { password: 'open sesame' } });
  const lobby = await createRoomViaApi(alice!.page, { name: randomRoomName('lobby') });
  const [inSecret, inLobby] = await Promise.all([roomSocket(alice!, secret.id), roomSocket(alice!, lobby.id)]);
  await send(inSecret, { body: `The ${word} plan is under the floorboards` });
  const open = await send(inLobby, { body: `Anyone seen the ${word} parade?` });

  // Bob, a member of the private room, finds it (the search does work)…
  await bob!.page.goto('/');
  let dialog = await openSearch(bob!.page);
  await dialog.getByTestId('search-input').fill(word);
  await expect(dialog.getByTestId('search-hit')).toHaveCount(1);
  await expect(dialog.getByTestId('search-hit')).toContainText('floorboards');

  // …Carol, who is not, finds nothing, however she asks.
  const page = carol!.page;
  await page.goto('/');
  dialog = await openSearch(page);
  await dialog.getByTestId('search-input').fill(word);
  await expect(dialog.getByTestId('search-empty')).toContainText(`No messages match “${word}”.`);
  await expect(dialog.getByTestId('search-status')).toHaveText(`No messages match “${word}”.`);
  await dialog.getByTestId('search-input').fill(`in:"${secret.name}" ${word}`);
  await expect(dialog.getByTestId('search-notes')).toContainText(secret.name);
  await expect(dialog.getByTestId('search-hit')).toHaveCount(0);

  // Public rooms she has not joined are searched when she asks: the private room still is not.
  await dialog.getByTestId('search-input').fill(word);
  await dialog.getByTestId('search-scope').check();
  const hit = dialog.getByTestId('search-hit');
  await expect(hit).toHaveCount(1);
  await expect(hit).toContainText('parade');
  await expect(hit).toContainText('Not joined');
  await page.keyboard.press('Enter');
  // Not a member: the room's Join button first, then the message.
  await expect(page).toHaveURL(new RegExp(`/rooms/${lobby.id}\\?m=${open.seq}$`));
  await page.getByRole('button', { name: 'Join room' }).click();
  await expect(page.locator(`li[data-testid="message"][data-seq="${open.seq}"]`)).toHaveAttribute('data-highlighted', 'true');
});

test('filters from chips, a typo answered with similar results, a search the server cannot read explained, and rooms and people by name', async ({ browser }) => {
  test.setTimeout(120_000);
  const [alice, bob] = await Promise.all(['alice', 'bob'].map((p) => newSignedInUser(browser, p)));
  users.push(alice!, bob!);
  const room = await createRoomViaApi(alice!.page, { name: randomRoomName('deploys') });
  const [a, b] = await Promise.all([roomSocket(alice!, room.id), roomSocket(bob!, room.id)]);
  await send(a, { body: 'The deployment finished at noon, see https://example.com/run/1' });
  await send(b, { body: 'The deployment of the docs is next week' });

  const page = alice!.page;
  await openRoom(page, room.id);
  const dialog = await openSearch(page);
  const box = dialog.getByTestId('search-input');

  // A typo: no exact match, similar ones shown and said so.
  await box.fill('deplyoment');
  await expect(dialog.getByTestId('search-approximate')).toHaveText('No exact matches — showing similar results');
  await expect(dialog.getByTestId('search-hit')).toHaveCount(2);

  // Chips write the filters into the box and show which are on.
  await box.fill('deployment');
  await expect(dialog.getByTestId('search-hit')).toHaveCount(2);
  await dialog.getByTestId('search-chip-link').click();
  await expect(box).toHaveValue('deployment has:link');
  await expect(box).toBeFocused();
  await expect(dialog.getByTestId('search-chip-link')).toHaveAttribute('aria-pressed', 'true');
  await expect(dialog.getByTestId('search-hit')).toHaveCount(1);
  await expect(dialog.getByTestId('search-hit')).toContainText('finished at noon');
  await dialog.getByTestId('search-chip-here').click();
  await expect(box).toHaveValue(`deployment has:link in:"${room.name}"`);
  await expect(dialog.getByTestId('search-hit')).toHaveCount(1);
  await dialog.getByTestId('search-chip-link').click();
  await expect(box).toHaveValue(`deployment in:"${room.name}"`);
  await expect(dialog.getByTestId('search-hit')).toHaveCount(2);

  // Something the server refuses (422): its words, inline.
  await box.fill('deployment on:someday');
  await expect(dialog.getByTestId('search-invalid')).toContainText('on:');
  await expect(dialog.getByTestId('search-hit')).toHaveCount(0);

  // Over the search rate limit (30 per 10 s): said so, and searched again by itself once the wait is over.
  for (let i = 0; i < 60; i += 1) if ((await page.request.get('/api/search?q=flood')).status() === 429) break;
  await box.fill('deployment finished');
  await expect(dialog.getByTestId('search-limited')).toContainText('Searching again');
  await expect(dialog.getByTestId('search-hit')).toHaveCount(1, { timeout: 30_000 });
  await expect(dialog.getByTestId('search-limited')).toHaveCount(0);

  // Plain words also find my rooms and people by name.
  await box.fill(room.name.split(' ')[0]!);
  await expect(dialog.getByTestId('search-room').filter({ hasText: room.name })).toHaveCount(1);
  await box.fill(bob!.username);
  const person = dialog.getByTestId('search-person').filter({ hasText: `@${bob!.username}` });
  await expect(person).toHaveCount(1);
  await person.click();
  await expect(page.getByTestId('room-view')).toHaveAttribute('aria-label', `Conversation with ${bob!.displayName}`);
});
