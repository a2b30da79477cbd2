/**
 * The Redis adapter's guarantees, against a redis-server of this file's own that it stops, starts and
 * locks users out of: what the room bus publishes survives a reader's outage (the stream, not PUB/SUB), a
 * publish with Redis down rejects (so the outbox retries), readiness follows the receiving connections, a
 * reading connection that goes silent is replaced, the bus is told to resync after an outage, and neither a
 * dead Redis at start-up nor at shutdown hangs or leaks an unhandled rejection (vitest fails the file on one).
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { connect as connectTcp, createServer as createTcpServer, type Server as TcpServer, type Socket as TcpSocket } from 'node:net';
import { createClient } from 'redis';
import { Server } from 'socket.io';
import { MessageType } from 'socket.io-adapter';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { getLogger } from '../logger';
import { createRedisAdapter, type RedisAdapterHandle } from './adapter-redis';
import { eventually, eventuallyAsync } from '../testing/realtime';
import { findRedisServer, killRedisConnections, REDIS_SERVER_MISSING_REASON, startPrivateRedis, type PrivateRedis } from '../testing/redis';

const missing = findRedisServer() ? null : REDIS_SERVER_MISSING_REASON;

interface Publisher {
  publishAndReturnOffset(message: { type: MessageType; data: { packet: unknown[] } }): Promise<string>;
}

describe.skipIf(missing !== null)(`the Redis adapter${missing ? ` — skipped: ${missing}` : ''}`, () => {
  let redis: PrivateRedis;
  const open: { handle: RedisAdapterHandle; io: Server }[] = [];

  beforeAll(async () => {
    redis = await startPrivateRedis();
  });
  afterEach(async () => {
    for (const { handle, io } of open.splice(0)) {
      await new Promise<void>((resolve) => void io.close(() => resolve()));
      await handle.close();
    }
    await redis.start(); // running again for the next test, if a test stopped it
  });
  afterAll(async () => {
    await redis.stop();
  });

  function instance(url = redis.url, prefix = `t:${randomUUID().slice(0, 8)}`, timing?: { blockMs: number; readStallMs: number }) {
    const handle = createRedisAdapter({ url, prefix, timing }, getLogger());
    const io = new Server(createServer(), { adapter: handle.adapter });
    handle.watch(io);
    open.push({ handle, io });
    const publisher = io.of('/').adapter as unknown as Publisher;
    const received: unknown[] = [];
    io.on('room:actions', (item: unknown) => received.push(item));
    const publish = (item: unknown) => publisher.publishAndReturnOffset({ type: MessageType.SERVER_SIDE_EMIT, data: { packet: ['room:actions', item] } });
    return { handle, io, publish, received, prefix };
  }

  async function admin<T>(work: (client: ReturnType<typeof createClient>) => Promise<T>): Promise<T> {
    const client = createClient({ url: redis.url, socket: { reconnectStrategy: false } });
    client.on('error', () => undefined);
    await client.connect();
    try {
      return await work(client);
    } finally {
      client.destroy();
    }
  }

  it('what the room bus publishes while a peer cannot read reaches it afterwards, in order, from the stream', async () => {
    await admin((c) => c.sendCommand(['ACL', 'SETUSER', 'deaf', 'on', '>secret-pw', '~*', '&*', '+@all']));
    const a = instance();
    const b = instance(redis.url.replace('redis://', 'redis://deaf:secret-pw@'), a.prefix);
    await eventually(() => a.handle.listening() && b.handle.listening(), 10_000);
    let again = 0;
    b.handle.onListeningAgain(() => (again += 1));

    await a.publish('before');
    await eventually(() => b.received.length === 1);

    // B's reading and subscribing connections are cut, and cannot come back until the user is on again.
    await admin((c) => c.sendCommand(['ACL', 'SETUSER', 'deaf', 'off']));
    expect(await killRedisConnections(redis.url, `${b.handle.clientName}:read`)).toBe(1);
    expect(await killRedisConnections(redis.url, `${b.handle.clientName}:subscribe`)).toBe(1);
    await eventually(() => !b.handle.listening());
    expect(await a.publish('while deaf 1')).toMatch(/^\d+-\d+$/); // an XADD's entry id, not PUB/SUB's ""
    await a.publish('while deaf 2');
    expect(b.received).toEqual(['before']);
    expect(again).toBe(0);

    await admin((c) => c.sendCommand(['ACL', 'SETUSER', 'deaf', 'on']));
    await eventually(() => b.handle.listening(), 10_000);
    await eventually(() => b.received.length === 3, 10_000);
    expect(b.received).toEqual(['before', 'while deaf 1', 'while deaf 2']);
    expect(again).toBe(1); // the room bus resyncs from the database too (a trimmed stream would have lost them)
  });

  it('with Redis down: not ready, a publish rejects, requests answer locally; back: ready, resync, publishing works', async () => {
    const a = instance();
    const b = instance(redis.url, a.prefix);
    await eventually(() => a.handle.listening() && b.handle.listening(), 10_000);
    let again = 0;
    b.handle.onListeningAgain(() => (again += 1));

    await redis.stop();
    await eventually(() => !a.handle.listening() && !b.handle.listening(), 10_000);
    await expect(a.publish('lost')).rejects.toThrow();
    // A request that would wait for peers neither hangs nor rejects unhandled: there is no one to ask.
    expect(await a.io.fetchSockets()).toEqual([]);
    const answers = await new Promise<unknown[]>((resolve) => a.io.serverSideEmit('room:has-user', 'r', 'u', (_error: Error | null, replies: unknown[]) => resolve(replies)));
    expect(answers).toEqual([]);

    await redis.start();
    await eventually(() => a.handle.listening() && b.handle.listening(), 10_000);
    expect(again).toBe(1);
    await eventuallyAsync(async () => {
      try {
        await a.publish('after');
        return true;
      } catch {
        return false; // the publishing connection may come back a moment after the readers
      }
    }, 10_000);
    await eventually(() => b.received.includes('after'));
  });

  it('a reading connection that goes silent (no FIN, no RST) is noticed and replaced', async () => {
    // A TCP relay to the private Redis that can stop passing bytes on the connections it has, as a dead
    // network path would, while new connections go through.
    const pairs: TcpSocket[][] = [];
    const relay: TcpServer = createTcpServer((downstream) => {
      const upstream = connectTcp(redis.port, '127.0.0.1');
      downstream.pipe(upstream).pipe(downstream);
      for (const socket of [downstream, upstream]) socket.on('error', () => undefined);
      pairs.push([downstream, upstream]);
    });
    await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
    const relayPort = (relay.address() as { port: number }).port;
    try {
      const a = instance();
      const b = instance(`redis://127.0.0.1:${relayPort}`, a.prefix, { blockMs: 200, readStallMs: 900 });
      await eventually(() => a.handle.listening() && b.handle.listening(), 10_000);
      let again = 0;
      b.handle.onListeningAgain(() => (again += 1));
      await a.publish('before');
      await eventually(() => b.received.length === 1);

      for (const [downstream, upstream] of pairs.splice(0)) {
        downstream!.unpipe();
        upstream!.unpipe();
        downstream!.pause();
        upstream!.pause();
      }
      await a.publish('while silent');
      // Only a new reading connection can bring it (the relay passes nothing on the old ones); not ready only
      // for the moment that takes.
      await eventually(() => again === 1 && b.received.length === 2, 5_000);
      expect(b.handle.listening()).toBe(true);
      expect(b.received).toEqual(['before', 'while silent']);
      expect(again).toBe(1);
    } finally {
      for (const socket of pairs.flat()) socket.destroy();
      relay.close();
    }
  });

  it('a dead Redis at start-up neither blocks start-up nor shutdown; it becomes ready once Redis is there', async () => {
    await redis.stop();
    const a = instance();
    expect(a.handle.listening()).toBe(false);
    let again = 0;
    a.handle.onListeningAgain(() => (again += 1));
    await redis.start();
    await eventually(() => a.handle.listening(), 10_000);
    expect(again).toBe(1); // sockets may have connected while it could not hear: as after any outage

    await redis.stop();
    const b = instance();
    const started = Date.now();
    open.splice(open.findIndex((o) => o.handle === b.handle), 1);
    await new Promise<void>((resolve) => void b.io.close(() => resolve()));
    await b.handle.close();
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});
