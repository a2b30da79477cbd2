/**
 * The server dies mid-conversation and comes back: no acknowledged message is lost, none is shown
 * twice. The clients here follow docs/protocol.md's rules (dedupe by seq, resend with the same clientId,
 * send `lastSeq` in the handshake) the way the browser client does.
 */
import { randomUUID } from 'node:crypto';
import { io as connect, type Socket } from 'socket.io-client';
import { afterAll, describe, expect, it } from 'vitest';
import { createRoom } from '../data/rooms';
import { getDb } from '../db';
import type { Ack } from '../errors';
import type { ChatMessage } from '../schemas/message';
import { createTestUser, eventually, sessionCookie, startTestRealtime, uniqueName, type TestRealtime } from '../testing/realtime';

class ProtocolClient {
  readonly bySeq = new Map<number, ChatMessage>();
  readonly socket: Socket;
  renders = 0; // how many times a message was added to the view
  disconnects = 0;

  constructor(url: string, roomId: string, cookie: string) {
    this.socket = connect(`${url}/r/${roomId}`, {
      transports: ['websocket'],
      extraHeaders: { cookie },
      reconnectionDelay: 100,
      reconnectionDelayMax: 300,
      auth: (cb) => cb({ lastSeq: this.lastContiguousSeq() }),
    });
    this.socket.on('disconnect', () => (this.disconnects += 1));
    this.socket.on('message:new', (m: ChatMessage) => this.add(m));
    this.socket.on('message:replay', (r: { messages: ChatMessage[] }) => r.messages.forEach((m) => this.add(m)));
  }

  add(message: ChatMessage): void {
    if (this.bySeq.has(message.seq)) return;
    this.bySeq.set(message.seq, message);
    this.renders += 1;
  }

  lastContiguousSeq(): number {
    let seq = 0;
    while (this.bySeq.has(seq + 1)) seq += 1;
    return seq;
  }

  /** Sends until acknowledged, reusing one clientId across retries. */
  async sendUntilAcked(body: string): Promise<ChatMessage> {
    const clientId = randomUUID();
    for (;;) {
      if (!this.socket.connected) await new Promise<void>((r) => this.socket.once('connect', () => r()));
      try {
        const ack = (await this.socket.timeout(1000).emitWithAck('message:send', { clientId, body })) as Ack<ChatMessage>;
        if (ack.ok) {
          this.add(ack.data);
          return ack.data;
        }
      } catch {
        // timed out or disconnected: retry with the same clientId
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

const servers: TestRealtime[] = [];
afterAll(async () => {
  for (const s of servers) await s.close().catch(() => undefined);
});

describe('server restart mid-conversation', () => {
  it('loses no acknowledged message and shows none twice', async () => {
    const [alice, bob, carol] = await Promise.all([createTestUser(), createTestUser(), createTestUser()]);
    const room = await createRoom({ ownerId: alice.id, data: { kind: 'public', name: uniqueName('restart'), description: '' }, ip: null });
    const first = await startTestRealtime();
    servers.push(first);
    const clients = await Promise.all([alice, bob, carol].map(async (u) => new ProtocolClient(first.url, room.id, await sessionCookie(u))));
    await eventually(() => clients.every((c) => c.socket.connected));

    const acked: ChatMessage[] = [];
    const senders = clients.slice(0, 2).map(async (client, s) => {
      for (let i = 0; i < 40; i += 1) acked.push(await client.sendUntilAcked(`sender ${s} message ${i}`));
    });

    await eventually(() => acked.length >= 25);
    await first.crash();
    await new Promise((r) => setTimeout(r, 300)); // down for a moment; sends fail meanwhile
    const second = await startTestRealtime({ port: first.port });
    servers.push(second);
    await Promise.all(senders);

    expect(acked).toHaveLength(80);
    const ackedSeqs = acked.map((m) => m.seq).sort((a, b) => a - b);
    expect(ackedSeqs).toEqual(Array.from({ length: 80 }, (_, i) => i + 1)); // no gaps, no duplicates in the room

    for (const client of clients) {
      expect(client.disconnects).toBe(1); // the crash really cut every client off
      await eventually(() => client.lastContiguousSeq() === 80, 10_000);
      expect([...client.bySeq.keys()].sort((a, b) => a - b)).toEqual(ackedSeqs);
      expect(client.renders).toBe(80); // each message shown exactly once
      for (const m of acked) expect(client.bySeq.get(m.seq)?.clientId).toBe(m.clientId);
    }
    expect(await getDb().message.count({ where: { roomId: room.id } })).toBe(80);
    clients.forEach((c) => c.socket.close());
  });
});
