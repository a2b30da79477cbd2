/**
 * The sliced activity fan-out on a real Socket.IO server with real clients: every member socket gets each
 * activity once and in order, the event loop is let go between slices, and sockets that left are skipped.
 */
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { io as connect, type Socket as ClientSocket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { RoomActivity } from './events';
import type { ParleyServer } from './server';
import { createSlicedFanout } from './sliced-fanout';

const SLICE = 5;
const MEMBERS = 12;
const GROUP = 'members:room-a';

let http: HttpServer;
let io: ParleyServer;
const clients: ClientSocket[] = [];
/** lastSeq of every room:activity each client received, in arrival order. */
const received = new Map<ClientSocket, number[]>();
/** Packets engine.io created per server-side socket: counts writes as they happen, synchronously. */
const written = new Map<string, number>();

function activity(lastSeq: number): RoomActivity {
  return { roomId: 'room-a', lastSeq, authorId: 'author', threadRootSeq: null, mentions: [], mentionsRoom: false };
}

function writtenTotal(): number {
  return [...written.values()].reduce((a, b) => a + b, 0);
}

function resetCounts(): void {
  for (const id of written.keys()) written.set(id, 0);
  for (const list of received.values()) list.length = 0;
}

/** Waits until every client has received `seqs` (and nothing else), by state, not by time. */
async function expectEveryClientGot(seqs: number[], except: ClientSocket[] = []): Promise<void> {
  await expect.poll(() => clients.filter((c) => !except.includes(c)).every((c) => received.get(c)!.length >= seqs.length), { timeout: 10_000 }).toBe(true);
  for (const c of clients) if (!except.includes(c)) expect(received.get(c)).toEqual(seqs);
}

beforeAll(async () => {
  http = createServer();
  io = new Server(http, { transports: ['websocket'] }) as unknown as ParleyServer;
  io.on('connection', (socket) => {
    void socket.join(GROUP);
    written.set(socket.id, 0);
    // Socket.IO packets only: engine.io's own pings are packets too.
    socket.conn.on('packetCreate', (packet: { type: string }) => {
      if (packet.type === 'message') written.set(socket.id, (written.get(socket.id) ?? 0) + 1);
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  for (let i = 0; i < MEMBERS; i += 1) {
    const client = connect(`http://127.0.0.1:${port}`, { transports: ['websocket'], forceNew: true });
    received.set(client, []);
    client.on('room:activity', (a: RoomActivity) => received.get(client)!.push(a.lastSeq));
    clients.push(client);
  }
  await vi.waitFor(() => expect(io.of('/').adapter.rooms.get(GROUP)?.size ?? 0).toBe(MEMBERS), { timeout: 10_000 });
});

afterAll(async () => {
  for (const c of clients) c.close();
  await io.close();
});

describe('sliced activity fan-out', () => {
  it('writes one slice now and the next one only after the event loop has turned', async () => {
    resetCounts();
    const fanout = createSlicedFanout(io, { sliceSize: SLICE });
    fanout.emit(GROUP, activity(1));
    expect(writtenTotal()).toBe(SLICE);
    expect(fanout.pending()).toBe(1);
    // The drain was scheduled first, so by the time this immediate runs exactly one more slice has gone out.
    await new Promise((resolve) => setImmediate(resolve));
    expect(writtenTotal()).toBe(2 * SLICE);
    await expect.poll(() => fanout.pending()).toBe(0);
    expect(writtenTotal()).toBe(MEMBERS);
    await expectEveryClientGot([1]);
  });

  it('keeps activities first-in first-out, a small group behind a large one included, each socket once', async () => {
    resetCounts();
    const fanout = createSlicedFanout(io, { sliceSize: SLICE });
    const [first] = [...io.of('/').sockets.values()];
    await first!.join('members:small');
    fanout.emit(GROUP, activity(2));
    fanout.emit(GROUP, activity(3));
    // Small enough to go at once, but queued behind the fan-outs under way.
    fanout.emit('members:small', activity(4));
    expect(fanout.pending()).toBe(3);
    await expect.poll(() => fanout.pending()).toBe(0);
    const firstClient = clients.find((c) => c.id === first!.id)!;
    await expectEveryClientGot([2, 3], [firstClient]);
    await expect.poll(() => received.get(firstClient)!.length).toBe(3);
    expect(received.get(firstClient)).toEqual([2, 3, 4]);
    expect(writtenTotal()).toBe(2 * MEMBERS + 1);
    await first!.leave('members:small');
  });

  it('sends a group no larger than a slice at once when nothing is queued', async () => {
    resetCounts();
    const fanout = createSlicedFanout(io, { sliceSize: MEMBERS });
    fanout.emit(GROUP, activity(5));
    expect(writtenTotal()).toBe(MEMBERS);
    expect(fanout.pending()).toBe(0);
    await expectEveryClientGot([5]);
  });

  it('walks the group as it is at each slice: a socket that left is skipped, one that joined is sent it', async () => {
    resetCounts();
    const fanout = createSlicedFanout(io, { sliceSize: SLICE });
    fanout.emit(GROUP, activity(6));
    const sockets = [...io.of('/').sockets.values()];
    const leaver = sockets.find((s) => (written.get(s.id) ?? 0) === 0)!; // not in the first slice
    await leaver.leave(GROUP);
    await expect.poll(() => fanout.pending()).toBe(0);
    const leaverClient = clients.find((c) => c.id === leaver.id)!;
    await expectEveryClientGot([6], [leaverClient]);
    expect(written.get(leaver.id)).toBe(0);
    expect(received.get(leaverClient)).toEqual([]);

    // Back in the group while the next fan-out is under way (a tab reconnecting, say): it is sent that one.
    fanout.emit(GROUP, activity(7));
    await leaver.join(GROUP);
    await expect.poll(() => fanout.pending()).toBe(0);
    await expectEveryClientGot([6, 7], [leaverClient]);
    await expect.poll(() => received.get(leaverClient)!.length).toBe(1);
    expect(received.get(leaverClient)).toEqual([7]);
  });
});
