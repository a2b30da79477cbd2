import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Manager } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRoom } from '../data/rooms';
import {
  connectClient,
  createTestUser,
  sessionCookie,
  startTestRealtime,
  uniqueName,
  waitForConnect,
  type TestRealtime,
} from '../testing/realtime';

/** A full GC from inside the test (V8's gc function, exposed for a fresh context). */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

let server: TestRealtime;
beforeAll(async () => {
  server = await startTestRealtime();
});
afterAll(async () => {
  await server.close();
});

describe('Socket.IO handshake', () => {
  it('refuses a client without a session, with a clear connect_error', async () => {
    const socket = connectClient(server.url);
    const error = await waitForConnect(socket).catch((e: Error & { data?: unknown }) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/Sign in to connect/);
    expect((error as { data?: unknown }).data).toEqual({ code: 'UNAUTHORIZED' });
    socket.close();
  });

  it('refuses a forged or tampered session token', async () => {
    const user = await createTestUser();
    // Change the first character of the JWE ciphertext (a last character may differ only in padding bits).
    const [name, token] = (await sessionCookie(user)).split('=') as [string, string];
    const parts = token.split('.');
    parts[3] = (parts[3]!.startsWith('A') ? 'Q' : 'A') + parts[3]!.slice(1);
    const cookie = `${name}=${parts.join('.')}`;
    const socket = connectClient(server.url, { cookie });
    await expect(waitForConnect(socket)).rejects.toMatchObject({ data: { code: 'UNAUTHORIZED' } });
    socket.close();
  });

  it('refuses a valid session from a foreign Origin', async () => {
    const user = await createTestUser();
    const socket = connectClient(server.url, { cookie: await sessionCookie(user), origin: 'https://evil.example' });
    const error = await waitForConnect(socket).catch((e: Error & { data?: unknown }) => e);
    expect((error as Error).message).toBe('Origin https://evil.example is not allowed to connect.');
    expect((error as { data?: unknown }).data).toEqual({ code: 'FORBIDDEN' });
    socket.close();
  });

  it('decides who is on a connection once: the opening request is let go, and the session’s end still counts', async () => {
    const user = await createTestUser();
    const rooms = await Promise.all(
      [1, 2].map(() => createRoom({ ownerId: user.id, data: { kind: 'public', name: uniqueName('hs'), description: '' }, ip: null })),
    );
    const cookie = await sessionCookie(user, { maxAgeSeconds: 2 });
    // One Manager = one connection, as in a browser tab: the main namespace and room namespaces share it.
    const tab = new Manager(server.url, { transports: ['websocket'], extraHeaders: { cookie }, reconnection: false });
    const main = tab.socket('/');
    await waitForConnect(main);
    const first = tab.socket(`/r/${rooms[0]!.id}`);
    await waitForConnect(first);
    // Engine.IO no longer holds the opening HTTP request (headers, cookie) for the connection's life.
    const { clients } = server.io.engine as unknown as { clients: Record<string, { request: unknown }> };
    const conn = clients[main.io.engine.id]!;
    expect(conn.request).toBeNull();

    await new Promise((r) => setTimeout(r, 2_100)); // the session has ended
    const late = tab.socket(`/r/${rooms[1]!.id}`);
    await expect(waitForConnect(late)).rejects.toMatchObject({ data: { code: 'UNAUTHORIZED' } });
    expect(main.connected && first.connected).toBe(true); // sockets already open stay, as with any JWT session
    [main, first, late].forEach((s) => s.close());
  });

  it('an admitted tab keeps only what later events read (bench (c): memory per tab)', async () => {
    const user = await createTestUser();
    const room = await createRoom({ ownerId: user.id, data: { kind: 'public', name: uniqueName('hs'), description: '' }, ip: null });
    let opening: WeakRef<object> | undefined;
    server.io.engine.once('initial_headers', (_headers: unknown, req: object) => (opening = new WeakRef(req)));
    const tab = new Manager(server.url, { transports: ['websocket'], extraHeaders: { cookie: await sessionCookie(user) }, reconnection: false });
    const main = tab.socket('/');
    const ready = new Promise((resolve) => main.once('session:ready', resolve));
    const roomSocket = tab.socket(`/r/${room.id}`, { auth: { lastSeq: 0, lastRev: 0 } });
    const replay = new Promise((resolve) => roomSocket.once('message:replay', resolve));
    await Promise.all([ready, replay]);
    const onServer = (nsp: string, id: string | undefined) => server.io._nsps.get(nsp)!.sockets.get(id!)!;
    const sockets = { main: onServer('/', main.id), room: onServer(`/r/${room.id}`, roomSocket.id) };

    for (const socket of Object.values(sockets)) {
      // Socket.IO's per-socket handshake record (a date string, the query, the auth payload) is let go.
      expect(socket.handshake).toMatchObject({ time: '', query: {}, auth: {} });
      // One any-listener, in the field Socket.IO reads it from (on-event.ts compacts that array).
      expect((socket as unknown as { _anyListeners?: unknown })._anyListeners).toBe(socket.listenersAny());
      expect(socket.listenersAny()).toHaveLength(1);
    }
    expect(Object.keys(sockets.main.data).sort()).toEqual(['ip', 'sessionId', 'status', 'user']);
    expect(Object.keys(sockets.room.data).sort()).toEqual(['ip', 'sessionId', 'user']);
    // A room socket is in no group but its own (bus.ts finds a user's room sockets without one).
    expect([...sockets.room.rooms]).toEqual([sockets.room.id]);
    // Nothing holds the opening (upgrade) request any more: a full GC collects it.
    await new Promise((r) => setTimeout(r, 0)); // WeakRef targets live until the end of the current job
    collectGarbage();
    expect(opening).toBeDefined();
    expect(opening!.deref()).toBeUndefined();
    [main, roomSocket].forEach((s) => s.close());
  });

  it('a browser’s way in — long-polling, then the upgrade to a WebSocket — still works', async () => {
    const user = await createTestUser();
    const tab = new Manager(server.url, { transports: ['polling', 'websocket'], extraHeaders: { cookie: await sessionCookie(user) }, reconnection: false });
    const main = tab.socket('/');
    const ready = new Promise((resolve) => main.once('session:ready', resolve));
    const upgraded = new Promise((resolve) => tab.engine.once('upgrade', resolve));
    await Promise.all([waitForConnect(main), ready, upgraded]);
    expect(tab.engine.transport.name).toBe('websocket');
    const pong = (await main.timeout(2000).emitWithAck('session:ping')) as { ok: boolean };
    expect(pong.ok).toBe(true);
    main.close();
  });

  it('accepts a valid session cookie from the server’s own origin and says who you are', async () => {
    const user = await createTestUser();
    const socket = connectClient(server.url, { cookie: await sessionCookie(user), origin: server.url });
    const ready = new Promise<unknown>((resolve) => socket.once('session:ready', resolve));
    await waitForConnect(socket);
    expect(await ready).toEqual({ user: { id: user.id, username: user.username, displayName: user.displayName, avatar: null } });
    const pong = (await socket.timeout(2000).emitWithAck('session:ping')) as { ok: boolean };
    expect(pong.ok).toBe(true);
    socket.close();
  });
});
