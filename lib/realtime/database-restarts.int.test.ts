/**
 * PostgreSQL restarted many times, at random points, under steady traffic through two instances: every
 * acknowledged message reaches every client that stayed connected *live* (`message:new`), exactly once.
 * The clients here never heal gaps over REST, so a broadcast lost between instances shows up as a miss
 * instead of being papered over.
 */
import { randomUUID } from 'node:crypto';
import { io as connect, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRoom, joinRoom } from '../data/rooms';
import { disconnectDb } from '../db';
import type { Ack } from '../errors';
import type { ChatMessage } from '../schemas/message';
import type { PublicUser } from '../schemas/user';
import { startInstance, type Instance } from '../testing/instances';
import { startRestartableDatabase, type RestartableDatabase } from '../testing/restartable-database';
import { createTestUser, eventually, sessionCookie, uniqueName } from '../testing/realtime';

const RESTARTS = 15;

let database: RestartableDatabase;
const instances: Instance[] = [];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const between = (min: number, max: number) => min + Math.random() * (max - min);

beforeAll(async () => {
  database = await startRestartableDatabase('restarts'); // this file's own database: it is about to be restarted
}, 60_000);

afterAll(async () => {
  await Promise.all(instances.map((i) => i.kill('SIGTERM')));
  await disconnectDb();
  await database.stop();
});

/** A room client that only counts what arrives live; it never fetches history. */
class LiveClient {
  readonly live = new Map<number, number>();
  disconnects = 0;
  private constructor(
    readonly socket: Socket,
    readonly url: string,
  ) {}

  static async open(url: string, roomId: string, user: PublicUser): Promise<LiveClient> {
    const socket = connect(`${url}/r/${roomId}`, {
      transports: ['websocket'],
      extraHeaders: { cookie: await sessionCookie(user) },
      reconnection: false,
      forceNew: true,
    });
    const client = new LiveClient(socket, url);
    socket.on('message:new', (m: ChatMessage) => client.live.set(m.seq, (client.live.get(m.seq) ?? 0) + 1));
    socket.on('disconnect', () => (client.disconnects += 1));
    await new Promise<void>((resolve, reject) => {
      socket.once('message:replay', () => resolve());
      socket.once('connect_error', reject);
    });
    return client;
  }

  /** One clientId, retried until acknowledged (timeouts and UNAVAILABLE while the database is down). */
  async sendUntilAcked(body: string): Promise<ChatMessage> {
    const clientId = randomUUID();
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      try {
        const ack = (await this.socket.timeout(2_000).emitWithAck('message:send', { clientId, body })) as Ack<ChatMessage>;
        if (ack.ok) return ack.data;
      } catch {
        // no answer in time: the same clientId again
      }
      await sleep(100);
    }
    throw new Error(`not acknowledged within 60 s: ${body}`);
  }
}

async function ready(instance: Instance): Promise<boolean> {
  try {
    return (await fetch(`${instance.url}/api/ready`)).status === 200;
  } catch {
    return false;
  }
}

async function untilReady(instance: Instance, timeoutMs = 30_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ready(instance))) {
    if (Date.now() > deadline) return false;
    await sleep(200);
  }
  return true;
}

describe('PostgreSQL restarted again and again under traffic', () => {
  it('every acknowledged message reaches every connected client live, exactly once', async () => {
    const [one, two] = await Promise.all([startInstance(database.url), startInstance(database.url)]);
    instances.push(one, two);
    const users = await Promise.all(Array.from({ length: 6 }, () => createTestUser()));
    const room = await createRoom({ ownerId: users[0]!.id, data: { kind: 'public', name: uniqueName('restarts'), description: '' }, ip: null });
    for (const u of users.slice(1)) await joinRoom({ roomId: room.id, userId: u.id, ip: null });
    await Promise.all([one, two].map((i) => untilReady(i)));
    // Three clients on each instance; two of each three send.
    const clients = await Promise.all(users.map((u, i) => LiveClient.open(i % 2 === 0 ? one.url : two.url, room.id, u)));
    const senders = clients.slice(0, 4);

    const acked: { message: ChatMessage; sender: LiveClient }[] = [];
    let stopping = false;
    const traffic = senders.map(async (sender, s) => {
      for (let i = 0; !stopping; i += 1) {
        acked.push({ message: await sender.sendUntilAcked(`sender ${s} #${i}`), sender });
        await sleep(between(10, 60));
      }
    });

    for (let restart = 0; restart < RESTARTS; restart += 1) {
      await sleep(between(200, 1_500)); // traffic (and, early on, instances still recovering)
      await database.stop();
      await sleep(between(0, 1_000));
      await database.start();
    }
    for (const instance of [one, two]) expect(await untilReady(instance)).toBe(true);
    await sleep(1_000); // traffic with everything up again
    stopping = true;
    await Promise.all(traffic);
    expect(one.child.exitCode).toBeNull();
    expect(two.child.exitCode).toBeNull();

    const seqs = acked.map((a) => a.message.seq).sort((x, y) => x - y);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1)); // one seq per acknowledged message
    // Each other client gets each message live exactly once. The sender has it from its ack; it may get
    // it live too (at most once) when its instance resent it from the database before the send's
    // outcome was known there (the database answered the commit late, or not at all).
    const misses = () =>
      clients.flatMap((client, c) =>
        acked
          .map(({ message, sender }) => ({ client: c, seq: message.seq, count: client.live.get(message.seq) ?? 0, own: sender === client }))
          .filter((x) => (x.own ? x.count > 1 : x.count !== 1)),
      );
    const nothingMissing = () => misses().every((x) => x.count > 1);
    await eventually(nothingMissing, 20_000).catch(() => undefined); // the assertion says what is missing
    await sleep(500); // time for a duplicate to arrive
    const wrong = misses();
    const summary = {
      missing: wrong.filter((x) => x.count === 0).length,
      duplicated: wrong.filter((x) => x.count > 1).length,
      examples: wrong.slice(0, 10).map((x) => `client ${x.client} seq ${x.seq}: ${x.count}×`),
    };
    expect(summary, `${acked.length} messages, ${RESTARTS} restarts`).toEqual({ missing: 0, duplicated: 0, examples: [] });
    expect(clients.map((c) => c.disconnects)).toEqual(clients.map(() => 0));
    clients.forEach((c) => c.socket.close());
  }, 240_000);
});
