/**
 * Closing a room while its connect is unanswered, on a tab's shared connection (room-socket-close.ts): the
 * server admits a socket the client dropped, and opening the room again then costs the whole connection.
 * The admission is held in the connect gate so the close lands while it waits, every time.
 */
import { Manager, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRoom } from '../data/rooms';
import { createConnectGate } from './connect-gate';
import { closeRoomSocket, keepRoomSocket } from './room-socket-close';
import { createTestUser, eventually, holdConnectGate, openTab, startTestRealtime, uniqueName, type TestRealtime } from '../testing/realtime';

const gate = createConnectGate(1);
let server: TestRealtime;
beforeAll(async () => {
  server = await startTestRealtime({ connectGate: gate });
});
afterAll(async () => {
  await server.close();
});

const holdGate = () => holdConnectGate(gate);

/** A signed-in tab (one connection) with its main namespace up, and a public room of its own. */
async function tab() {
  const user = await createTestUser();
  const room = await createRoom({ ownerId: user.id, data: { kind: 'public', name: uniqueName('switch'), description: '' }, ip: null });
  const { manager, main } = await openTab(server.url, user);
  await eventually(() => gate.activeCount === 0 && gate.pendingCount === 0);
  const mainDrops: string[] = [];
  main.on('disconnect', (reason) => mainDrops.push(reason));
  return { manager, main, mainDrops, nsp: `/r/${room.id}` };
}

/** Room sockets the server holds in the namespace. */
const serverSockets = (nsp: string) => server.io.of(nsp).sockets.size;

/** Opens the room with its admission held, closes it with `close` while held, then lets the admission run. */
async function closeWhileConnecting(manager: Manager, nsp: string, close: (socket: Socket) => void): Promise<Socket> {
  const release = holdGate();
  const socket = manager.socket(nsp, { auth: { lastSeq: 0 } });
  await eventually(() => gate.pendingCount === 1);
  close(socket);
  release();
  await eventually(() => gate.activeCount === 0 && gate.pendingCount === 0);
  return socket;
}

describe('closing a room while its connect is unanswered', () => {
  it('Socket.IO alone: the server keeps the dropped socket, and reopening the room closes the whole connection', async () => {
    const { manager, main, mainDrops, nsp } = await tab();
    const socket = await closeWhileConnecting(manager, nsp, (s) => s.disconnect());
    await eventually(() => serverSockets(nsp) === 1); // admitted for a client that dropped it
    socket.connect(); // the user opens the room again
    await eventually(() => mainDrops.length > 0);
    expect(mainDrops).toEqual(['transport close']); // every namespace of the tab went with it
    main.close();
  });

  it('closeRoomSocket: closed once admitted, nothing left on the server, and the room opens again on the same connection', async () => {
    const { manager, main, mainDrops, nsp } = await tab();
    const socket = await closeWhileConnecting(manager, nsp, closeRoomSocket);
    await eventually(() => serverSockets(nsp) === 0 && !socket.active);

    socket.connect();
    await eventually(() => socket.connected);
    expect(serverSockets(nsp)).toBe(1);
    expect(mainDrops).toEqual([]);
    main.close();
  });

  it('keepRoomSocket: opened again before the server answered, it stays open (once)', async () => {
    const { manager, main, mainDrops, nsp } = await tab();
    const events: string[] = [];
    const socket = await closeWhileConnecting(manager, nsp, (s) => {
      closeRoomSocket(s);
      keepRoomSocket(s); // the user came back to the room at once
      s.on('connect', () => events.push('connect'));
    });
    await eventually(() => socket.connected);
    await new Promise((r) => setTimeout(r, 200)); // time for a close that should not come
    expect(socket.connected).toBe(true);
    expect(serverSockets(nsp)).toBe(1);
    expect(events).toEqual(['connect']);
    expect(mainDrops).toEqual([]);
    main.close();
  });
});
