/**
 * The server dies mid-conversation and comes back: no acknowledged message is lost, none is shown
 * twice. The clients here follow docs/protocol.md's rules (dedupe by seq, resend with the same clientId,
 * send `lastSeq` in the handshake) the way the browser client does. Once on a single in-memory instance,
 * once per cross-instance adapter (the server that comes back starts a new adapter beside the dead one's).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createRoom } from '../data/rooms';
import { getDb } from '../db';
import type { ChatMessage } from '../schemas/message';
import { ProtocolClient } from '../testing/protocol-client';
import { createTestUser, eventually, startTestRealtime, uniqueName, type TestRealtime } from '../testing/realtime';
import { ADAPTER_KINDS, adapterMissing, adapterTitle } from '../testing/redis';

const servers: TestRealtime[] = [];
afterAll(async () => {
  for (const s of servers) await s.close().catch(() => undefined);
});

const variants = [
  { kind: undefined, title: 'memory adapter', missing: null },
  ...ADAPTER_KINDS.map((kind) => ({ kind, title: adapterTitle(kind), missing: adapterMissing(kind) })),
];

for (const { kind, title, missing } of variants) describe.skipIf(missing !== null)(`server restart mid-conversation (${title})`, () => {
  it('loses no acknowledged message and shows none twice', async () => {
    const [alice, bob, carol] = await Promise.all([createTestUser(), createTestUser(), createTestUser()]);
    const room = await createRoom({ ownerId: alice.id, data: { kind: 'public', name: uniqueName('restart'), description: '' }, ip: null });
    const first = await startTestRealtime({ clusterAdapter: kind });
    servers.push(first);
    const clients = await Promise.all([alice, bob, carol].map((u) => ProtocolClient.open([first.url], room.id, u)));

    const acked: ChatMessage[] = [];
    const senders = clients.slice(0, 2).map(async (client, s) => {
      for (let i = 0; i < 40; i += 1) acked.push(await client.sendUntilAcked(`sender ${s} message ${i}`));
    });

    await eventually(() => acked.length >= 25);
    await first.crash();
    await new Promise((r) => setTimeout(r, 300)); // down for a moment; sends fail meanwhile
    const second = await startTestRealtime({ port: first.port, clusterAdapter: kind });
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
    clients.forEach((c) => c.close());
  });
});
