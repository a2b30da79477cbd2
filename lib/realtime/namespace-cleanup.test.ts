/**
 * Room namespace clean-up against a real Socket.IO server and clients: a socket still being admitted
 * when the last one leaves must end up in the registered namespace, and closing a namespace must never
 * unregister its successor.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server, type Namespace } from 'socket.io';
import { io as connect, type Socket } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import { closeEmptyChildNamespaces } from './namespace-cleanup';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((r) => void s.close(() => r()))));
});

/** A server whose room namespaces take `admissionMs` to admit a socket whose auth says `slow`. */
async function start(options: { ours: boolean; admissionMs: number }) {
  const httpServer = createServer();
  const io = new Server(httpServer, { cleanupEmptyChildNamespaces: !options.ours });
  servers.push(io);
  const rooms = io.of(/^\/r\/\w+$/);
  if (options.ours) closeEmptyChildNamespaces(io, rooms as unknown as Namespace);
  rooms.use((socket, next) => void setTimeout(next, socket.handshake.auth.slow ? options.admissionMs : 0));
  await new Promise<void>((r) => httpServer.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}`;
  const open = (slow = false): Socket => connect(`${url}/r/abc`, { transports: ['websocket'], forceNew: true, reconnection: false, auth: { slow } });
  const connected = (s: Socket) => new Promise<void>((resolve, reject) => s.once('connect', resolve).once('connect_error', reject));
  return { io, open, connected };
}

/** The scenario: A is in the room; B is being admitted when A leaves; then everyone in the room is addressed. */
async function scenario(ours: boolean): Promise<{ bReceived: boolean; registeredHasB: boolean }> {
  const { io, open, connected } = await start({ ours, admissionMs: 300 });
  const a = open();
  await connected(a);
  const b = open(true);
  await new Promise((r) => setTimeout(r, 100)); // B is in the middleware now
  a.close();
  await connected(b);
  const received = new Promise<boolean>((resolve) => {
    b.once('hello', () => resolve(true));
    setTimeout(() => resolve(false), 500);
  });
  const registered = io._nsps.get('/r/abc');
  registered?.emit('hello');
  const bReceived = await received;
  const registeredHasB = Boolean(registered && [...registered.sockets.values()].some((s) => s.id === b.id));
  b.close();
  return { bReceived, registeredHasB };
}

describe('closing empty room namespaces', () => {
  it('keeps a namespace while a socket is being admitted to it, so that socket is reachable', async () => {
    expect(await scenario(true)).toEqual({ bReceived: true, registeredHasB: true });
  });

  it('(Socket.IO’s own clean-up loses that socket: the reason for ours)', async () => {
    expect(await scenario(false)).toEqual({ bReceived: false, registeredHasB: false });
  });

  it('closes the namespace once the last socket leaves, and never unregisters a successor', async () => {
    const { io, open, connected } = await start({ ours: true, admissionMs: 0 });
    const first = open();
    await connected(first);
    const before = io._nsps.get('/r/abc');
    first.close();
    await new Promise((r) => setTimeout(r, 100));
    expect(io._nsps.has('/r/abc')).toBe(false);

    const second = open();
    await connected(second);
    const successor = io._nsps.get('/r/abc');
    expect(successor).toBeDefined();
    expect(successor).not.toBe(before);
    // The old namespace emptying again (a late _remove) must leave the successor registered.
    (before as unknown as { _remove(socket: unknown): void })._remove({ id: 'gone' });
    expect(io._nsps.get('/r/abc')).toBe(successor);
    second.close();
  });
});
