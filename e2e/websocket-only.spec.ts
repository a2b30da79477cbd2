/**
 * A server run with REALTIME_TRANSPORTS=websocket (platforms whose load balancer cannot be sticky) refuses
 * long-polling, so the page must connect by WebSocket alone: a real server.ts process of the e2e build, and a
 * browser that chats through it without ever asking for the polling transport.
 */
import { expect, test } from '@playwright/test';
import { createRoomViaApi, createUserViaApi, loginViaApi, messageRows, openRoom, sendMessage } from './helpers';
import { startServerProcess, type ServerProcess } from './server-process';

let server: ServerProcess | undefined;
test.afterEach(async () => {
  await server?.stop();
  server = undefined;
});

test.describe('WebSocket-only server', () => {
  test.skip(!process.env.DATABASE_URL, 'starts an extra server against the e2e database (npm run test:e2e sets DATABASE_URL)');
  test.setTimeout(120_000);

  test('the page connects by WebSocket alone, and messages go through', async ({ browser }) => {
    server = await startServerProcess({ REALTIME_TRANSPORTS: 'websocket' });
    const context = await browser.newContext({ baseURL: server.base });
    const page = await context.newPage();
    const transports: string[] = [];
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (url.pathname.startsWith('/socket.io/')) transports.push(url.searchParams.get('transport') ?? '');
    });
    page.on('websocket', (socket) => {
      if (new URL(socket.url()).pathname.startsWith('/socket.io/')) transports.push('websocket');
    });
    const { username } = await createUserViaApi(page);
    await loginViaApi(page, username);
    const room = await createRoomViaApi(page);
    await openRoom(page, room.id);
    await sendMessage(page, 'over a WebSocket only');
    await expect(messageRows(page, 'over a WebSocket only')).toHaveCount(1);
    await expect(page.getByText('Sending…')).toHaveCount(0); // acknowledged by the server
    expect(transports).toContain('websocket');
    expect(transports.filter((t) => t !== 'websocket'), 'no polling request').toEqual([]);
    await context.close();
  });
});
