import { expect, test } from '@playwright/test';
import { createRoomViaApi, messageBodies, newSignedInUser, openRoom, sendMessage } from './helpers';

// Issue 15, defect 2: 40 quick sends used to end with #31–#38 "Not sent" for good and #39–#40 delivered before them.
// The server allows a burst of 20 and then 5 a second (RATE_LIMIT_MESSAGES_*); the client must wait `retryAfter`,
// resend, and keep the order the user typed in.
test('a burst of 40 messages past the rate limit is delivered whole and in order, as typed', async ({ browser }) => {
  test.setTimeout(90_000);
  const alice = await newSignedInUser(browser, 'burst');
  const bob = await newSignedInUser(browser, 'burstb');
  const room = await createRoomViaApi(alice.page);
  await openRoom(alice.page, room.id);
  await bob.page.request.post(`/api/rooms/${room.id}/join`, { data: {} });
  await openRoom(bob.page, room.id);

  const typed = Array.from({ length: 40 }, (_, i) => `burst ${String(i + 1).padStart(2, '0')}`);
  for (const text of typed) await sendMessage(alice.page, text);

  // All 40 confirmed (no row pending or failed), in the typed order, for the sender and for the other member.
  const unconfirmed = alice.page.locator('[data-testid="message"]:is([data-status="pending"], [data-status="failed"])');
  await expect(unconfirmed).toHaveCount(0, { timeout: 45_000 });
  await expect(alice.page.getByText('Not sent')).toHaveCount(0);
  await expect.poll(async () => (await messageBodies(alice.page)).filter((b) => b.startsWith('burst ')), { timeout: 15_000 }).toEqual(typed);
  await expect.poll(async () => (await messageBodies(bob.page)).filter((b) => b.startsWith('burst ')), { timeout: 15_000 }).toEqual(typed);

  // And the server stored them in that order: seq follows the typed order.
  const history = await alice.page.request.get(`/api/rooms/${room.id}/messages?limit=100`);
  const { messages } = (await history.json()) as { messages: { body: string; seq: number }[] };
  expect(messages.filter((m) => m.body.startsWith('burst ')).sort((a, b) => a.seq - b.seq).map((m) => m.body)).toEqual(typed);
  await alice.context.close();
  await bob.context.close();
});
