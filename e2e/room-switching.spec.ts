import { expect, test, type Page, type Request } from '@playwright/test';
import { createRoomViaApi, messageRows, newSignedInUser, openRoom, sendMessage, type ChatUser } from './helpers';

// Moving between my rooms while a room is open: in place (components/chat/room-navigation.ts), without the server
// rendering a page — yet the room shown is always current, and the address, back and forward behave as links do.

const users: ChatUser[] = [];
test.afterEach(async () => {
  await Promise.all(users.splice(0).map((u) => u.context.close()));
});

const stamp = () => Date.now().toString(36) + Math.random().toString(36).slice(2, 5);
const sidebarLink = (page: Page, name: string) => page.getByRole('navigation', { name: 'Rooms' }).getByTestId('room-link').filter({ hasText: name });
const roomView = (page: Page) => page.getByTestId('room-view');

/** Every request the page makes for a room page's server render (a navigation's or a prefetch's RSC payload). */
function watchRoomRenders(page: Page): string[] {
  const renders: string[] = [];
  page.on('request', (request: Request) => {
    const url = new URL(request.url());
    if (url.pathname.startsWith('/rooms/') && (request.headers()['rsc'] === '1' || url.searchParams.has('_rsc'))) renders.push(url.pathname);
  });
  return renders;
}

async function expectLive(page: Page, roomName: string): Promise<void> {
  await expect(roomView(page)).toHaveAttribute('aria-label', `Room ${roomName}`);
  await expect(roomView(page)).toHaveAttribute('data-connected', 'true');
  await expect(page.getByRole('textbox', { name: 'Message' })).toBeEnabled();
}

test('switching rooms from the sidebar and the keyboard opens them in place, always current, with back and forward', async ({ browser }) => {
  test.setTimeout(120_000);
  const s = stamp();
  const alice = await newSignedInUser(browser, 'alice');
  const bob = await newSignedInUser(browser, 'bob');
  users.push(alice, bob);
  const first = await createRoomViaApi(alice.page, { name: `a first ${s}` });
  const second = await createRoomViaApi(alice.page, { name: `b second ${s}` });
  for (const room of [first, second]) expect((await bob.page.request.post(`/api/rooms/${room.id}/join`, { data: {} })).ok()).toBe(true);

  // room:load as the tab's socket sends and receives it (the socket opens with the page, so watch from before).
  const loadsSent: string[] = [];
  let membersLeftOut = 0;
  alice.page.on('websocket', (ws) => {
    ws.on('framesent', ({ payload }) => {
      if (typeof payload === 'string' && payload.includes('"room:load"')) loadsSent.push(payload);
    });
    ws.on('framereceived', ({ payload }) => {
      if (typeof payload === 'string' && payload.includes('"membersRev"') && payload.includes('"members":null')) membersLeftOut += 1;
    });
  });
  await openRoom(alice.page, first.id);
  await sendMessage(alice.page, 'written in the first room');
  const renders = watchRoomRenders(alice.page);
  const roomReads: string[] = [];
  alice.page.on('request', (request) => {
    const path = new URL(request.url()).pathname;
    if (/^\/api\/rooms\/[^/]+(\/messages)?$/.test(path) && request.method() === 'GET') roomReads.push(path);
  });

  // To the second room: its own content, title and live socket; the first room's messages are gone from view.
  await sidebarLink(alice.page, second.name).click();
  await expect(alice.page).toHaveURL(new RegExp(`/rooms/${second.id}$`));
  await expectLive(alice.page, second.name);
  await expect(alice.page).toHaveTitle(new RegExp(`^(\\(\\d+\\) )?${second.name} · Parley$`));
  await expect(messageRows(alice.page, 'written in the first room')).toHaveCount(0);
  await expect(sidebarLink(alice.page, second.name)).toHaveAttribute('aria-current', 'page');
  // Read over the tab's socket (room:load), not over REST: the REST reads are only the fallback.
  expect(roomReads).toEqual([]);
  await sendMessage(alice.page, 'written in the second room');

  // Bob writes in the first room meanwhile: coming back shows it (the server's first render is not reused stale).
  await openRoom(bob.page, first.id);
  await sendMessage(bob.page, 'while you were away');
  await expect(sidebarLink(alice.page, first.name).getByTestId('unread-badge')).toHaveText('1');
  await sidebarLink(alice.page, first.name).click();
  await expectLive(alice.page, first.name);
  await expect(messageRows(alice.page, 'while you were away')).toHaveCount(1);
  await expect(messageRows(alice.page, 'written in the first room')).toHaveCount(1);

  // Alt+↓ is the next room in the sidebar, in place as well.
  await alice.page.getByRole('textbox', { name: 'Message' }).press('Alt+ArrowDown');
  await expectLive(alice.page, second.name);
  await expect(messageRows(alice.page, 'written in the second room')).toHaveCount(1);
  // Its member list was not sent again (the tab offered the version it holds), and the room shows it all the same.
  expect(loadsSent.at(-1)).toContain('"membersRev"');
  expect(membersLeftOut).toBe(1);
  await expect(alice.page.locator('#room-members')).toContainText('of 2');

  // Back and forward walk the rooms as they were opened.
  await alice.page.goBack();
  await expect(alice.page).toHaveURL(new RegExp(`/rooms/${first.id}$`));
  await expectLive(alice.page, first.name);
  await alice.page.goForward();
  await expect(alice.page).toHaveURL(new RegExp(`/rooms/${second.id}$`));
  await expectLive(alice.page, second.name);

  // A message sent in a room opened in place reaches the others and stays after a reload (it was really sent).
  await sidebarLink(alice.page, first.name).click();
  await expectLive(alice.page, first.name);
  await sendMessage(alice.page, 'from a room opened in place');
  await expect(messageRows(bob.page, 'from a room opened in place')).toHaveCount(1);
  await alice.page.reload();
  await expectLive(alice.page, first.name);
  await expect(messageRows(alice.page, 'from a room opened in place')).toHaveCount(1);

  expect(renders, 'no room page was rendered on the server for a switch').toEqual([]);
  expect(roomReads, 'every switch was read over the socket').toEqual([]);
});

test('a room that is no longer mine, reached by Back, shows what the server says about it (its join page)', async ({ browser }) => {
  test.setTimeout(90_000);
  const s = stamp();
  const alice = await newSignedInUser(browser, 'alice');
  const bob = await newSignedInUser(browser, 'bob');
  users.push(alice, bob);
  const home = await createRoomViaApi(alice.page, { name: `a home ${s}` });
  const visited = await createRoomViaApi(bob.page, { name: `b visited ${s}` });
  expect((await alice.page.request.post(`/api/rooms/${visited.id}/join`, { data: {} })).ok()).toBe(true);

  await openRoom(alice.page, home.id);
  await sidebarLink(alice.page, visited.name).click();
  await expectLive(alice.page, visited.name);
  await sidebarLink(alice.page, home.name).click();
  await expectLive(alice.page, home.name);

  // Alice leaves the visited room from elsewhere (another tab, another device): her sidebar drops it.
  expect((await alice.page.request.post(`/api/rooms/${visited.id}/leave`, { data: {} })).ok()).toBe(true);
  await expect(sidebarLink(alice.page, visited.name)).toHaveCount(0);

  await alice.page.goBack();
  await expect(alice.page).toHaveURL(new RegExp(`/rooms/${visited.id}$`));
  await expect(alice.page.getByRole('button', { name: 'Join room' })).toBeVisible();
  await expect(roomView(alice.page)).toHaveCount(0);

  // Joining from there opens the room, live.
  await alice.page.getByRole('button', { name: 'Join room' }).click();
  await expectLive(alice.page, visited.name);
});

test('a switch whose reads fail says so, and opens the room on "Try again"; the socket falls back to REST', async ({ browser }) => {
  test.setTimeout(90_000);
  const s = stamp();
  const alice = await newSignedInUser(browser, 'alice');
  users.push(alice);
  const home = await createRoomViaApi(alice.page, { name: `a home ${s}` });
  const other = await createRoomViaApi(alice.page, { name: `b other ${s}` });
  // The tab's socket goes through here: room:load requests can be swallowed (never answered, as by a stalled server).
  let upgraded = false;
  let swallowLoads = true;
  await alice.page.routeWebSocket(/\/socket\.io\//, (socket) => {
    const server = socket.connectToServer();
    socket.onMessage((message) => {
      if (message === '5') upgraded = true; // engine.io: the connection moved from polling to this WebSocket
      if (swallowLoads && String(message).includes('"room:load"')) return;
      server.send(message);
    });
  });
  await openRoom(alice.page, home.id);
  await expect.poll(() => upgraded).toBe(true);

  // No answer on the socket, then the REST reads fail as an unreachable server's would.
  const restReads = new RegExp(`/api/rooms/${other.id}(/messages)?(\\?.*)?$`);
  await alice.page.route(restReads, (route) => route.abort('internetdisconnected'));
  await sidebarLink(alice.page, other.name).click();
  await expect(alice.page).toHaveURL(new RegExp(`/rooms/${other.id}$`));
  await expect(alice.page.getByTestId('room-loading')).toBeVisible();
  const failed = alice.page.getByTestId('room-open-failed');
  await expect(failed.getByRole('alert')).toContainText('This room did not open', { timeout: 20_000 });
  await expect(failed).toContainText('Could not reach the server');
  await expect(roomView(alice.page)).toHaveCount(0);

  // The socket still answers nothing; REST is back: "Try again" opens the room from the REST reads.
  await alice.page.unroute(restReads);
  const restAnswered = alice.page.waitForResponse((response) => new URL(response.url()).pathname === `/api/rooms/${other.id}` && response.ok());
  await failed.getByRole('button', { name: 'Try again' }).click();
  await restAnswered;
  await expectLive(alice.page, other.name);

  // And with the socket answering again, switching back is read over it.
  swallowLoads = false;
  const reads: string[] = [];
  alice.page.on('request', (request) => {
    if (new URL(request.url()).pathname.startsWith(`/api/rooms/${home.id}`)) reads.push(request.url());
  });
  await sidebarLink(alice.page, home.name).click();
  await expectLive(alice.page, home.name);
  expect(reads).toEqual([]);
});
