/**
 * Two real instance processes on one database, clients spread over both, sustained traffic; one is
 * killed with SIGKILL mid-stream. Its clients move to the other and catch up; afterwards every client
 * holds every acknowledged message exactly once, in seq order. Once per cross-instance adapter.
 */
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createRoom, joinRoom } from '../data/rooms';
import { getDb } from '../db';
import type { ChatMessage } from '../schemas/message';
import { startInstance, type Instance } from '../testing/instances';
import { ADAPTER_KINDS, adapterMissing, adapterTitle, testAdapterEnv } from '../testing/redis';
import { ProtocolClient } from '../testing/protocol-client';
import { createTestUser, eventually, uniqueName } from '../testing/realtime';

const instances: Instance[] = [];
afterAll(async () => {
  await Promise.all(instances.map((i) => i.kill('SIGTERM')));
});

for (const kind of ADAPTER_KINDS) describe.skipIf(adapterMissing(kind) !== null)(`failover between instances (${adapterTitle(kind)})`, () => {
  it('kill -9 of one instance loses no acknowledged message and shows none twice', async () => {
    const env = testAdapterEnv(kind);
    const [one, two] = await Promise.all([startInstance(inject('databaseUrl'), 0, env), startInstance(inject('databaseUrl'), 0, env)]);
    instances.push(one, two);
    const urls = [one.url, two.url];
    const users = await Promise.all(Array.from({ length: 6 }, () => createTestUser()));
    const room = await createRoom({ ownerId: users[0]!.id, data: { kind: 'public', name: uniqueName('failover'), description: '' }, ip: null });
    for (const u of users.slice(1)) await joinRoom({ roomId: room.id, userId: u.id, ip: null });
    // Clients 0, 2, 4 start on instance one; 1, 3, 5 on instance two.
    const clients = await Promise.all(users.map((u, i) => ProtocolClient.open(urls, room.id, u, { startAt: i % 2 })));

    const acked: ChatMessage[] = [];
    const perSender = 25;
    const senders = clients.slice(0, 4).map(async (client, s) => {
      for (let i = 0; i < perSender; i += 1) {
        acked.push(await client.sendUntilAcked(`sender ${s} #${i}`));
        await new Promise((r) => setTimeout(r, 15));
      }
    });

    await eventually(() => acked.length >= 40, 20_000);
    await one.kill('SIGKILL');
    await Promise.all(senders);
    // A last message from a survivor: every client sees a seq past anything it may have missed.
    acked.push(await clients[1]!.sendUntilAcked('the end'));

    const total = 4 * perSender + 1;
    expect(acked).toHaveLength(total);
    const seqs = acked.map((m) => m.seq).sort((x, y) => x - y);
    expect(seqs).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    expect(await getDb().message.count({ where: { roomId: room.id } })).toBe(total);

    for (const [index, client] of clients.entries()) {
      await eventually(() => client.lastContiguousSeq() === total, 20_000);
      expect([...client.bySeq.keys()].sort((x, y) => x - y), `client ${index}`).toEqual(seqs);
      expect(client.renders, `client ${index} showed a message twice`).toBe(total);
      for (const m of acked) expect(client.bySeq.get(m.seq)?.clientId).toBe(m.clientId);
    }
    // The clients of the killed instance really moved.
    for (const index of [0, 2, 4]) expect(clients[index]!.disconnects).toBeGreaterThanOrEqual(1);
    clients.forEach((c) => c.close());
  }, 90_000);
});
