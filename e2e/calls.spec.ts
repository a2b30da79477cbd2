/**
 * Voice and video calls in real browsers (Chromium's fake camera and microphone, playwright.config.ts):
 * a video call placed and answered, whose connections reach `connected` with sound and picture flowing
 * both ways (read from each page's own RTCPeerConnection stats); muting stops the outgoing sound bytes;
 * hanging up ends both sides and leaves "Video call · …" in the conversation; a declined call leaves "Call
 * declined"; a three-person call connects every pair; and the two parties on different instances (a second
 * server process on the postgres adapter, same database). The incoming prompt and the call view pass axe in
 * the light and dark color schemes at desktop and phone width; screenshots of each are kept.
 *
 * The connections are read through `window.__parleyCalls`, which lib/calls/peer-mesh.ts installs only when
 * the page was given `__PARLEY_TEST_HOOKS__` before its scripts ran (an init script here; never in production).
 */
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { createRoomViaApi, createUserViaApi, loginViaApi, randomUsername } from './helpers';
import { startServerProcess, type ServerProcess } from './server-process';

interface Person {
  context: BrowserContext;
  page: Page;
  id: string;
  username: string;
  displayName: string;
}

interface ConnectionStats {
  state: RTCPeerConnectionState;
  audioIn: number;
  videoIn: number;
  audioOut: number;
  videoOut: number;
}

const desktop = { width: 1280, height: 800 };
const phone = { width: 320, height: 640 };

const people: Person[] = [];
const servers: ServerProcess[] = [];

test.afterAll(async () => {
  await Promise.allSettled(people.splice(0).map((p) => p.context.close()));
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});

/** A signed-in person whose pages may use the fake camera and microphone, with the test hooks on. */
async function person(browser: Browser, prefix: string, origins: string[] = [], viewport = desktop): Promise<Person> {
  const base = String(test.info().project.use.baseURL);
  const context = await browser.newContext({ viewport, baseURL: base });
  for (const origin of [base, ...origins]) await context.grantPermissions(['camera', 'microphone'], { origin });
  await context.addInitScript(() => {
    (window as unknown as { __PARLEY_TEST_HOOKS__: boolean }).__PARLEY_TEST_HOOKS__ = true;
  });
  const page = await context.newPage();
  const { username, displayName } = await createUserViaApi(page, randomUsername(prefix));
  await loginViaApi(page, username);
  const id = await userIdOf(page, username);
  const created = { context, page, id, username, displayName };
  people.push(created);
  return created;
}

async function userIdOf(page: Page, username: string): Promise<string> {
  // The session says who is signed in (GET /api/users never lists the asker).
  const response = await page.request.get(`/api/auth/session`);
  const session = (await response.json()) as { user?: { id?: string; username?: string } };
  if (session.user?.id && (session.user.username === undefined || session.user.username === username)) return session.user.id;
  throw new Error(`no user id for ${username}`);
}

/** The direct conversation of two people (created by the first). */
async function directRoom(a: Person, b: Person): Promise<string> {
  const response = await a.page.request.post('/api/direct', { data: { userId: b.id } });
  expect(response.ok()).toBe(true);
  return ((await response.json()) as { room: { id: string } }).room.id;
}

/** Opens a room and waits until it is live. */
async function openRoom(page: Page, roomId: string, base = ''): Promise<void> {
  await page.goto(`${base}/rooms/${roomId}`);
  await expect(page.getByTestId('room-view')).toHaveAttribute('data-connected', 'true');
}

/** Each of the page's call connections (by the other person's id): its state and bytes so far. */
async function callStats(page: Page): Promise<Record<string, ConnectionStats>> {
  return page.evaluate(async () => {
    const hooks = (window as unknown as { __parleyCalls?: { connections(): Record<string, RTCPeerConnection> } }).__parleyCalls;
    const result: Record<string, ConnectionStats> = {};
    if (!hooks) return result;
    for (const [userId, pc] of Object.entries(hooks.connections())) {
      const entry: ConnectionStats = { state: pc.connectionState, audioIn: 0, videoIn: 0, audioOut: 0, videoOut: 0 };
      (await pc.getStats()).forEach((s: { type: string; kind?: string; bytesReceived?: number; bytesSent?: number }) => {
        if (s.type === 'inbound-rtp' && s.kind === 'audio') entry.audioIn += s.bytesReceived ?? 0;
        if (s.type === 'inbound-rtp' && s.kind === 'video') entry.videoIn += s.bytesReceived ?? 0;
        if (s.type === 'outbound-rtp' && s.kind === 'audio') entry.audioOut += s.bytesSent ?? 0;
        if (s.type === 'outbound-rtp' && s.kind === 'video') entry.videoOut += s.bytesSent ?? 0;
      });
      result[userId] = entry;
    }
    return result;
  });
}

/**
 * Every connection to `peerIds` is connected and the chosen counters grew between two consecutive
 * readings — twice over (bytes that keep growing, not a burst at the start).
 */
async function expectFlowing(page: Page, peerIds: string[], fields: (keyof Omit<ConnectionStats, 'state'>)[]): Promise<void> {
  for (let round = 0; round < 2; round++) {
    let previous = await callStats(page);
    await expect
      .poll(
        async () => {
          const now = await callStats(page);
          const grew = peerIds.map((id) => {
            const s = now[id];
            return s ? `${s.state}:${fields.every((f) => s[f] > (previous[id]?.[f] ?? 0)) ? 'growing' : 'still'}` : 'missing';
          });
          previous = now;
          return grew;
        },
        { timeout: 30_000, intervals: [500] },
      )
      .toEqual(peerIds.map(() => 'connected:growing'));
  }
}

async function expectAccessible(page: Page, name: string, include: string): Promise<void> {
  const results = await new AxeBuilder({ page }).include(include).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const serious = results.violations.filter((v) => v.impact === 'critical' || v.impact === 'serious');
  const path = test.info().outputPath(`${name}.png`);
  await page.screenshot({ path });
  await test.info().attach(name, { path, contentType: 'image/png' });
  expect(
    serious.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`),
    `${name}: critical or serious axe violations`,
  ).toEqual([]);
}

/** axe on one part of the page in light and dark, at desktop and phone width (then back to light desktop). */
async function expectAccessibleEverywhere(page: Page, name: string, include: string, sizes: Record<string, typeof desktop> = { desktop, phone }): Promise<void> {
  for (const [size, viewport] of Object.entries(sizes)) {
    await page.setViewportSize(viewport);
    for (const colorScheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme });
      await expect(page.locator(include).first()).toBeVisible();
      await expectAccessible(page, `${name}-${size}-${colorScheme}`, include);
    }
  }
  await page.setViewportSize(desktop);
  await page.emulateMedia({ colorScheme: 'light' });
}

async function screenshot(page: Page, name: string): Promise<void> {
  const path = test.info().outputPath(`${name}.png`);
  await page.screenshot({ path });
  await test.info().attach(name, { path, contentType: 'image/png' });
}

/** The newest call entry's text in the open conversation. */
function lastEntry(page: Page) {
  return page.getByTestId('call-entry-text').last();
}

test.describe.configure({ mode: 'serial' });

let alice: Person;
let bob: Person;
let direct: string;

test.beforeAll(async ({ browser }) => {
  alice = await person(browser, 'ca');
  bob = await person(browser, 'cb');
  direct = await directRoom(alice, bob);
});

test('a video call: rung, answered, media both ways, mute stops the sound, hang-up ends both sides and leaves the entry', async () => {
  test.setTimeout(180_000);
  await Promise.all([openRoom(alice.page, direct), openRoom(bob.page, direct)]);

  await alice.page.getByTestId('start-video-call').click();
  const prompt = bob.page.getByTestId('incoming-call');
  await expect(prompt).toContainText(alice.displayName);
  await expect(prompt).toContainText('Incoming video call');
  // The caller sees the other person ringing.
  await expect(alice.page.getByTestId('call-tile').filter({ hasText: bob.displayName })).toContainText('Ringing…');
  // A call rings for 30 s: four axe runs on a busy machine can outlast it, so the phone layouts of the prompt
  // are checked while the next test's call rings.
  await expectAccessibleEverywhere(bob.page, 'incoming-call', '[data-testid="incoming-call"]', { desktop });
  // Keyboard: the prompt's buttons are reachable and named.
  await expect(prompt.getByRole('button', { name: 'Accept' })).toBeEnabled();
  await prompt.getByRole('button', { name: 'Accept' }).focus();
  await bob.page.keyboard.press('Enter');
  await expect(prompt).toHaveCount(0);

  await expectFlowing(alice.page, [bob.id], ['audioIn', 'videoIn']);
  await expectFlowing(bob.page, [alice.id], ['audioIn', 'videoIn']);
  for (const page of [alice.page, bob.page]) {
    await expect(page.getByTestId('call-timer')).toBeVisible();
    await expect(page.getByTestId('call-tile')).toHaveAttribute('data-connection', 'connected');
    await expect(page.getByTestId('call-tile').locator('video')).toBeVisible();
  }
  await screenshot(alice.page, 'call-view-video-desktop');
  await expectAccessibleEverywhere(alice.page, 'call-view', '[data-testid="call-view"]');

  // Mute: no sound bytes leave Alice's tab any more (not silence: nothing); Bob sees her muted.
  await alice.page.getByRole('button', { name: 'Mute' }).click();
  await expect(alice.page.getByRole('button', { name: 'Mute' })).toHaveAttribute('aria-pressed', 'true');
  let last = -1;
  await expect
    .poll(
      async () => {
        const sent = (await callStats(alice.page))[bob.id]?.audioOut ?? -1;
        const same = sent === last;
        last = sent;
        return same;
      },
      { timeout: 15_000, intervals: [1_000] },
    )
    .toBe(true);
  // …and stays stopped over a few more readings while the picture keeps going.
  const mutedAt = (await callStats(alice.page))[bob.id]!.audioOut;
  await expectFlowing(bob.page, [alice.id], ['videoIn']);
  expect((await callStats(alice.page))[bob.id]!.audioOut).toBe(mutedAt);
  await expect(bob.page.getByTestId('call-tile')).toHaveAttribute('data-muted', 'true');
  await expect(bob.page.getByTestId('call-tile').getByRole('img', { name: 'Muted' })).toBeVisible();
  await alice.page.getByRole('button', { name: 'Mute' }).click();
  await expectFlowing(bob.page, [alice.id], ['audioIn']);
  await expect(bob.page.getByTestId('call-tile')).not.toHaveAttribute('data-muted', 'true');

  // Minimised, the call goes on; back to it, hang up: both sides end, both conversations say so.
  await alice.page.keyboard.press('Escape');
  await expect(alice.page.getByTestId('call-bar')).toBeVisible();
  await expect(alice.page.getByTestId('call-view')).toHaveCount(0);
  await expectAccessible(alice.page, 'call-bar', '[data-testid="call-bar"]');
  await alice.page.getByRole('button', { name: 'Return to call' }).click();
  await alice.page.getByRole('button', { name: 'Hang up' }).click();
  for (const page of [alice.page, bob.page]) {
    await expect(page.getByTestId('call-view')).toHaveCount(0);
    await expect(page.getByTestId('call-notice')).toContainText(/Call ended · \d+ (s|min)/);
    await expect(lastEntry(page)).toHaveText(/^Video call · \d+ (s|min)/);
  }
  expect(await callStats(alice.page)).toEqual({});
  await screenshot(bob.page, 'call-entry-completed');
});

test('a declined call leaves "Call declined" on both sides; every tab rings, and stops when one declines', async () => {
  test.setTimeout(60_000);
  const secondTab = await bob.context.newPage();
  await secondTab.goto('/');
  await expect(secondTab.getByTestId('current-user')).toBeVisible();
  await alice.page.getByTestId('start-audio-call').click();
  const prompt = bob.page.getByTestId('incoming-call');
  await expect(prompt).toContainText('Incoming voice call');
  await expect(secondTab.getByTestId('incoming-call')).toContainText('Incoming voice call');
  await expectAccessibleEverywhere(bob.page, 'incoming-call', '[data-testid="incoming-call"]', { phone });
  await prompt.getByRole('button', { name: 'Decline' }).click();
  await expect(prompt).toHaveCount(0);
  await expect(secondTab.getByTestId('incoming-call')).toHaveCount(0);
  await expect(alice.page.getByTestId('call-view')).toHaveCount(0);
  await expect(alice.page.getByTestId('call-notice')).toHaveText('Call declined');
  for (const page of [alice.page, bob.page]) await expect(lastEntry(page)).toHaveText('Call declined');
  await screenshot(alice.page, 'call-entry-declined');
  await secondTab.close();
});

test('a call cancelled before an answer: "Cancelled call" for the caller, "Missed call" for the other', async () => {
  test.setTimeout(60_000);
  await alice.page.getByTestId('start-video-call').click();
  await expect(bob.page.getByTestId('incoming-call')).toBeVisible();
  await alice.page.getByRole('button', { name: 'Hang up' }).click();
  await expect(bob.page.getByTestId('incoming-call')).toHaveCount(0);
  await expect(bob.page.getByTestId('call-notice')).toHaveText(`Missed call from ${alice.displayName}`);
  await expect(alice.page.getByTestId('call-notice')).toHaveText('Call cancelled');
  await expect(lastEntry(alice.page)).toHaveText('Cancelled call');
  await expect(lastEntry(bob.page)).toHaveText('Missed call');
  await bob.page.getByTestId('call-notice').getByRole('button', { name: 'Dismiss' }).click();
  await expectAccessibleEverywhere(bob.page, 'call-entries', '[data-testid="message-scroller"]');
});

test('a three-person call connects every pair', async ({ browser }) => {
  test.setTimeout(120_000);
  const carol = await person(browser, 'cc');
  const room = await createRoomViaApi(carol.page);
  for (const p of [alice, bob]) expect((await p.page.request.post(`/api/rooms/${room.id}/join`, { data: {} })).ok()).toBe(true);
  await Promise.all([openRoom(alice.page, room.id), openRoom(bob.page, room.id), openRoom(carol.page, room.id)]);

  // Three members: Carol's call rings both others.
  await carol.page.getByTestId('start-video-call').click();
  for (const p of [alice, bob]) await expect(p.page.getByTestId('incoming-call')).toContainText(`Incoming video call in #${room.name}`);
  await alice.page.getByTestId('incoming-call').getByRole('button', { name: 'Accept' }).click();
  await expectFlowing(carol.page, [alice.id], ['audioIn', 'videoIn']);
  await bob.page.getByTestId('incoming-call').getByRole('button', { name: 'Accept' }).click();

  await expectFlowing(alice.page, [bob.id, carol.id], ['audioIn', 'videoIn']);
  await expectFlowing(bob.page, [alice.id, carol.id], ['audioIn', 'videoIn']);
  await expectFlowing(carol.page, [alice.id, bob.id], ['audioIn', 'videoIn']);
  await expect(carol.page.getByTestId('call-tile')).toHaveCount(2);
  await screenshot(carol.page, 'call-view-three-desktop');
  await carol.page.setViewportSize(phone);
  await screenshot(carol.page, 'call-view-three-phone');
  await carol.page.setViewportSize(desktop);

  // Carol leaves: the others stay connected to each other; the last two leaving ends it.
  await carol.page.getByRole('button', { name: 'Hang up' }).click();
  await expect(alice.page.getByTestId('call-tile')).toHaveCount(1);
  await expectFlowing(alice.page, [bob.id], ['audioIn']);
  await bob.page.getByRole('button', { name: 'Hang up' }).click();
  for (const page of [alice.page, bob.page, carol.page]) await expect(lastEntry(page)).toHaveText(/^Video call · /);
  await expect(alice.page.getByTestId('call-view')).toHaveCount(0);
  await carol.context.close();
});

test('the two parties on different instances: the call connects; closing the page hangs up at once', async ({ browser }) => {
  test.skip(!process.env.DATABASE_URL, 'starts a second server against the e2e database (npm run test:e2e sets DATABASE_URL)');
  test.setTimeout(150_000);
  const other = await startServerProcess({ REALTIME_ADAPTER: 'postgres' });
  servers.push(other);
  // Bob opens Parley on the second instance (the session cookie is the same: same host, same AUTH_SECRET).
  const dan = await person(browser, 'cd', [other.base]);
  const room = await directRoom(alice, dan);
  await openRoom(alice.page, room);
  await openRoom(dan.page, room, other.base);

  await alice.page.getByTestId('start-video-call').click();
  await dan.page.getByTestId('incoming-call').getByRole('button', { name: 'Accept' }).click();
  await expectFlowing(alice.page, [dan.id], ['audioIn', 'videoIn']);
  await expectFlowing(dan.page, [alice.id], ['audioIn', 'videoIn']);

  // Dan's tab loses its connection to the server for a moment: the others see him reconnecting; back, he
  // resumes his place (call:resume, then an ICE restart) and the call goes on.
  await dan.context.setOffline(true);
  await expect(dan.page.getByTestId('call-view')).toHaveAttribute('data-phase', 'reconnecting');
  await expect(alice.page.getByTestId('call-tile').getByTestId('tile-status')).toHaveText('Reconnecting…');
  await dan.context.setOffline(false);
  await expect(dan.page.getByTestId('call-view')).toHaveAttribute('data-phase', 'joined', { timeout: 15_000 });
  await expect(alice.page.getByTestId('call-tile').getByTestId('tile-status')).toHaveCount(0);
  await expectFlowing(alice.page, [dan.id], ['audioIn', 'videoIn']);
  await expectFlowing(dan.page, [alice.id], ['audioIn', 'videoIn']);

  // Dan closes the tab: the beacon hangs up, so Alice's call ends well before the 10 s reconnect grace.
  const closedAt = Date.now();
  await dan.page.close({ runBeforeUnload: true });
  await expect(alice.page.getByTestId('call-view')).toHaveCount(0, { timeout: 8_000 });
  expect(Date.now() - closedAt).toBeLessThan(8_000);
  await expect(lastEntry(alice.page)).toHaveText(/^Video call · /);
});

test('screen sharing: a voice call gains a picture (renegotiated), a video call swaps the camera for the screen and back; camera off', async ({ browser }) => {
  test.setTimeout(120_000);
  // getDisplayMedia needs the fake capture UI, which the shared browser must not have (e2e/files.spec.ts
  // refuses a permission): a browser of its own, launched like the project's.
  const launch = test.info().project.use.launchOptions ?? {};
  const sharing = await browser.browserType().launch({ ...launch, args: [...(launch.args ?? []), '--use-fake-ui-for-media-stream'] });
  try {
    const eve = await person(sharing, 'ce');
    const fay = await person(sharing, 'cf');
    const room = await directRoom(eve, fay);
    await Promise.all([openRoom(eve.page, room), openRoom(fay.page, room)]);
    const fayTile = fay.page.getByTestId('call-tile');

    await eve.page.getByTestId('start-audio-call').click();
    await fay.page.getByTestId('incoming-call').getByRole('button', { name: 'Accept' }).click();
    await expectFlowing(fay.page, [eve.id], ['audioIn']);
    await expect(fayTile.locator('video')).toHaveCount(0);
    await eve.page.getByRole('button', { name: 'Share screen' }).click();
    await expect(fayTile.getByRole('img', { name: 'Sharing their screen' })).toBeVisible();
    await expectFlowing(fay.page, [eve.id], ['audioIn', 'videoIn']);
    await expect(fayTile.locator('video')).toBeVisible();
    await screenshot(fay.page, 'call-view-screen-share');
    await eve.page.getByRole('button', { name: 'Share screen' }).click();
    await expect(fayTile.locator('video')).toHaveCount(0);
    await eve.page.getByRole('button', { name: 'Hang up' }).click();
    await expect(fay.page.getByTestId('call-view')).toHaveCount(0);

    await eve.page.getByTestId('start-video-call').click();
    await fay.page.getByTestId('incoming-call').getByRole('button', { name: 'Accept' }).click();
    await expectFlowing(fay.page, [eve.id], ['videoIn']);
    // Camera off: the camera stops and no picture goes out; the other side shows the picture and the icon.
    await eve.page.getByRole('button', { name: 'Camera off' }).click();
    await expect(fayTile.getByRole('img', { name: 'Camera off' })).toBeVisible();
    await expect(fayTile.locator('video')).toHaveCount(0);
    let last = -1;
    await expect
      .poll(
        async () => {
          const sent = (await callStats(eve.page))[fay.id]?.videoOut ?? -1;
          const same = sent === last;
          last = sent;
          return same;
        },
        { timeout: 15_000, intervals: [1_000] },
      )
      .toBe(true);
    await eve.page.getByRole('button', { name: 'Camera off' }).click();
    await expectFlowing(fay.page, [eve.id], ['videoIn']);
    await eve.page.getByRole('button', { name: 'Share screen' }).click();
    await expect(fayTile.getByRole('img', { name: 'Sharing their screen' })).toBeVisible();
    await eve.page.getByRole('button', { name: 'Share screen' }).click();
    await expect(fayTile.getByRole('img', { name: 'Sharing their screen' })).toHaveCount(0);
    await expect(fayTile.locator('video')).toBeVisible();
    await eve.page.getByRole('button', { name: 'Hang up' }).click();
    await expect(fay.page.getByTestId('call-view')).toHaveCount(0);
  } finally {
    await sharing.close();
  }
});
