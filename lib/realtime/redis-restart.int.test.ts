/**
 * Redis goes away under traffic and comes back empty (it keeps nothing on disk), with two instances on
 * REALTIME_ADAPTER=redis (the equivalent of database-restart.int.test.ts): the instances survive, report
 * the outage on /api/ready, and resume. Unlike a database outage, sending keeps working — messages are
 * stored in PostgreSQL — and what was sent meanwhile reaches the other instance's clients live once Redis
 * is back (the room bus retries its publishes and resyncs): every client that stayed connected gets every
 * message as `message:new` exactly once, and no acknowledged message is lost.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createRoom, joinRoom } from '../data/rooms';
import { getDb } from '../db';
import type { ChatMessage } from '../schemas/message';
import { startInstance, type Instance } from '../testing/instances';
import { ProtocolClient } from '../testing/protocol-client';
import { createTestUser, eventually, uniqueName } from '../testing/realtime';
import { findRedisServer, REDIS_SERVER_MISSING_REASON, startPrivateRedis, type PrivateRedis } from '../testing/redis';

const missing = findRedisServer() ? null : REDIS_SERVER_MISSING_REASON;

let redis: PrivateRedis;
const instances: Instance[] = [];

beforeAll(async () => {
  if (!missing) redis = await startPrivateRedis(); // this file's own: it is about to be killed
});

afterAll(async () => {
  await Promise.all(instances.map((i) => i.kill('SIGTERM')));
  await redis?.stop();
});

async function readiness(instance: Instance): Promise<{ status: number; listening?: boolean }> {
  const response = await fetch(`${instance.url}/api/ready`);
  const body = (await response.json()) as { broadcast?: { listening: boolean } };
  return { status: response.status, listening: body.broadcast?.listening };
}

describe.skipIf(missing !== null)(`Redis restart during traffic (Redis adapter)${missing ? ` — skipped: ${missing}` : ''}`, () => {
  it('the app survives, reports the outage, keeps sending, and every client gets every message live once', async () => {
    const env = { REALTIME_ADAPTER: 'redis', REDIS_URL: redis.url, REDIS_PREFIX: 'restart' };
    const [one, two] = await Promise.all([startInstance(inject('databaseUrl'), 0, env), startInstance(inject('databaseUrl'), 0, env)]);
    instances.push(one, two);
    for (const instance of [one, two]) await eventuallyReadiness(instance, { status: 200, listening: true });
    const users = await Promise.all(Array.from({ length: 4 }, () => createTestUser()));
    const room = await createRoom({ ownerId: users[0]!.id, data: { kind: 'public', name: uniqueName('redisrestart'), description: '' }, ip: null });
    for (const u of users.slice(1)) await joinRoom({ roomId: room.id, userId: u.id, ip: null });
    const clients = await Promise.all(users.map((u, i) => ProtocolClient.open([one.url, two.url], room.id, u, { startAt: i % 2 })));

    const acked: ChatMessage[] = [];
    const sentBy = new Map<number, number>(); // seq → index of the sending client
    /** Clients 0 (on one) and 1 (on two) take turns, or `only` sends. */
    async function sendRound(label: string, count: number, only?: number): Promise<void> {
      for (let i = 0; i < count; i += 1) {
        const sender = only ?? i % 2;
        const message = await clients[sender]!.sendUntilAcked(`${label} #${i}`, 30_000);
        acked.push(message);
        sentBy.set(message.seq, sender);
      }
    }
    /** Every client got every message it did not send live (`message:new`), exactly once. */
    async function expectEveryoneGotAllLive(): Promise<void> {
      const seqs = acked.map((m) => m.seq).sort((x, y) => x - y);
      const expected = clients.map((_, i) => seqs.filter((seq) => sentBy.get(seq) !== i));
      const liveSeqs = () => clients.map((c) => [...c.live.keys()].sort((x, y) => x - y));
      await eventually(() => liveSeqs().every((got, i) => got.length >= expected[i]!.length), 15_000).catch(() => undefined);
      await new Promise((r) => setTimeout(r, 300)); // time for a duplicate to arrive
      expect(liveSeqs()).toEqual(expected);
      expect(clients.map((c) => [...c.live.values()].every((n) => n === 1))).toEqual([true, true, true, true]);
    }

    await sendRound('before', 10);
    await expectEveryoneGotAllLive();

    await redis.stop();
    // Both alive, both say they cannot hear the other (and so are not ready); sending goes on meanwhile.
    for (const instance of [one, two]) await eventuallyReadiness(instance, { status: 503, listening: false });
    // All from instance two: a message of one's own would show one the gap, and it would fetch the rest.
    await sendRound('during the outage', 6, 1);
    expect(one.child.exitCode).toBeNull();
    expect(two.child.exitCode).toBeNull();

    await redis.start();
    for (const instance of [one, two]) await eventuallyReadiness(instance, { status: 200, listening: true });
    // Nothing is sent after the outage: what was sent during it must come over by itself (no later
    // message reveals a gap to the room bus).
    await expectEveryoneGotAllLive();

    await sendRound('after', 4);
    await expectEveryoneGotAllLive();
    expect(clients.flatMap((c) => c.errorCodes)).toEqual([]); // Redis is not in the path of a send's ack
    const total = 20;
    expect(acked.map((m) => m.seq).sort((x, y) => x - y)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    expect(await getDb().message.count({ where: { roomId: room.id } })).toBe(total);
    expect(clients.map((c) => c.disconnects)).toEqual([0, 0, 0, 0]);
    clients.forEach((c) => c.close());
  }, 120_000);
});

async function eventuallyReadiness(instance: Instance, wanted: { status: number; listening: boolean }): Promise<void> {
  const deadline = Date.now() + 20_000;
  let last = await readiness(instance);
  while ((last.status !== wanted.status || last.listening !== wanted.listening) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    last = await readiness(instance);
  }
  expect(last).toEqual(wanted);
}
