import { expect, test, type Page } from '@playwright/test';
import { createRoomViaApi, joinRoomViaPage, messageRows, newSignedInUser, openRoom, sendMessage, type ChatUser } from './helpers';

let users: ChatUser[] = [];

test.afterEach(async () => {
  await Promise.all(users.map((u) => u.context.close()));
  users = [];
});

/** What a person sees of each message in the main timeline, by seq: body, edited, deleted, reactions, replies. */
async function roomState(page: Page) {
  return page.getByTestId('message-scroller').evaluate((scroller) =>
    [...scroller.querySelectorAll<HTMLElement>('li[data-testid="message"][data-seq]')].map((row) => ({
      seq: row.dataset.seq,
      body: row.querySelector('[data-testid="message-body"]')?.textContent?.replace('(edited)', '').trim(),
      edited: row.querySelector('[data-testid="edited"]') !== null,
      deleted: row.dataset.deleted === 'true',
      reactions: [...row.querySelectorAll<HTMLElement>('[data-testid="reaction"]')].map((r) => `${r.dataset.emoji}${r.dataset.count}`),
      replies: row.querySelector<HTMLElement>('[data-testid="thread-summary"]')?.dataset.count ?? '0',
    })),
  );
}

/** Hovers a message so its toolbar shows, and clicks one of its actions. */
async function messageAction(page: Page, text: string, action: string) {
  const row = messageRows(page, text);
  await row.hover();
  await row.getByTestId(action).click();
}

test('edit, delete, react and reply in a thread: live for everyone, and a person offline meanwhile comes back to the same room', async ({ browser }) => {
  test.setTimeout(120_000);
  const alice = await newSignedInUser(browser, 'alice');
  const bob = await newSignedInUser(browser, 'bob');
  const carol = await newSignedInUser(browser, 'carol');
  users.push(alice, bob, carol);
  const room = await createRoomViaApi(alice.page, {});
  await openRoom(alice.page, room.id);
  await joinRoomViaPage(bob.page, room.id);
  await joinRoomViaPage(carol.page, room.id);

  await sendMessage(alice.page, 'Lunch at noon?');
  await sendMessage(alice.page, 'Typo in this one, sorry');
  await sendMessage(alice.page, 'This one I will take back');
  for (const { page } of [bob, carol]) await expect(messageRows(page, 'This one I will take back')).toHaveCount(1);

  // Carol drops off for everything that follows.
  await carol.context.setOffline(true);
  await expect(carol.page.getByTestId('connection-banner')).toContainText('Offline');

  // Alice fixes her typo: "(edited)" for Bob, live.
  await messageAction(alice.page, 'Typo in this one, sorry', 'edit-button');
  const editor = alice.page.getByTestId('edit-input');
  await editor.fill('No typo in this one');
  await editor.press('Enter');
  await expect(messageRows(bob.page, 'No typo in this one').getByTestId('edited')).toBeVisible();

  // She takes one back: a tombstone for both.
  await messageAction(alice.page, 'This one I will take back', 'delete-button');
  await alice.page.getByTestId('confirm-delete').click();
  for (const { page } of [alice, bob]) {
    await expect(page.getByTestId('message').filter({ hasText: 'This message was deleted.' })).toHaveCount(1);
    await expect(messageRows(page, 'This one I will take back')).toHaveCount(0);
  }

  // Bob reacts: Alice sees the count live.
  await messageAction(bob.page, 'Lunch at noon?', 'react-button');
  await bob.page.getByRole('button', { name: /thumbs up/i }).first().click();
  await expect(messageRows(alice.page, 'Lunch at noon?').getByTestId('reaction')).toHaveAttribute('data-count', '1');
  // Alice adds hers to the same emoji.
  await messageRows(alice.page, 'Lunch at noon?').getByTestId('reaction').click();
  await expect(messageRows(bob.page, 'Lunch at noon?').getByTestId('reaction')).toHaveAttribute('data-count', '2');

  // Bob takes it to a thread: the reply is in the panel, and Alice's message shows "1 reply".
  await messageAction(bob.page, 'Lunch at noon?', 'thread-button');
  const panel = bob.page.getByTestId('thread-panel');
  await expect(panel).toBeVisible();
  const replyBox = panel.getByRole('textbox', { name: 'Reply in thread' });
  await replyBox.fill('Noon works for me');
  await replyBox.press('Enter');
  await expect(panel.getByTestId('message').filter({ hasText: 'Noon works for me' })).toHaveAttribute('data-status', 'sent');
  await expect(messageRows(alice.page, 'Lunch at noon?').getByTestId('thread-summary')).toHaveAttribute('data-count', '1');
  // The reply stays in the thread, not in the room's timeline.
  await expect(messageRows(alice.page, 'Noon works for me')).toHaveCount(0);
  await messageRows(alice.page, 'Lunch at noon?').getByTestId('thread-summary').click();
  await expect(alice.page.getByTestId('thread-panel').getByTestId('message').filter({ hasText: 'Noon works for me' })).toBeVisible();

  // Carol comes back: her room is exactly Bob's.
  const expected = await roomState(bob.page);
  expect(expected.map((m) => m.body)).toContain('No typo in this one');
  await carol.context.setOffline(false);
  await expect(carol.page.getByTestId('connection-banner')).toHaveCount(0, { timeout: 20_000 });
  await expect.poll(() => roomState(carol.page), { timeout: 20_000 }).toEqual(expected);
});

test('Markdown renders safely; Up arrow edits my last message and Escape cancels; a quote-reply jumps to the original', async ({ browser }) => {
  const alice = await newSignedInUser(browser, 'alice');
  users.push(alice);
  const room = await createRoomViaApi(alice.page, {});
  await openRoom(alice.page, room.id);
  const page = alice.page;

  await sendMessage(page, 'Some **bold** and a link https://example.com/docs');
  const rich = page.getByTestId('message').filter({ has: page.locator('strong', { hasText: 'bold' }) });
  await expect(rich.locator('strong')).toHaveText('bold');
  await expect(rich.getByRole('link', { name: 'https://example.com/docs' })).toHaveAttribute('rel', 'noopener noreferrer nofollow');

  const box = page.getByRole('textbox', { name: 'Message' });
  await box.fill('```\nconst answer = 42;\n```');
  await box.press('Enter');
  const code = page.getByTestId('message').filter({ hasText: 'const answer = 42;' });
  await expect(code.locator('pre code')).toHaveText('const answer = 42;');
  await expect(code.getByRole('button', { name: 'Copy code' })).toBeVisible();

  await sendMessage(page, '<script>window.__pwned = true</script>');
  await expect(page.getByTestId('message').filter({ hasText: '<script>window.__pwned = true</script>' })).toHaveCount(1);
  expect(await page.evaluate(() => (window as unknown as { __pwned?: boolean }).__pwned)).toBeUndefined();

  // Up in the empty composer edits the last message; Escape leaves it as it was.
  await box.click();
  await box.press('ArrowUp');
  const editor = page.getByTestId('edit-input');
  await expect(editor).toBeFocused();
  await expect(editor).toHaveValue('<script>window.__pwned = true</script>');
  await editor.press('Escape');
  await expect(editor).toHaveCount(0);
  await expect(page.getByTestId('edited')).toHaveCount(0);

  // Quote the first message, send, and follow the quote back to it.
  await messageAction(page, 'Some bold and a link https://example.com/docs', 'quote-button');
  await expect(page.getByTestId('composer-reply')).toContainText('Some bold and a link');
  await sendMessage(page, 'Quoting myself');
  const reply = page.getByTestId('message').filter({ hasText: 'Quoting myself' });
  await expect(reply.getByTestId('quote')).toContainText('Some bold and a link');
  await reply.getByTestId('quote').click();
  await expect(rich).toHaveAttribute('data-highlighted', 'true');
});
