/**
 * The room bus when publishing to the other instances fails for a while (PostgreSQL restarting, a pooled
 * connection that died with it): room actions are retried in order until they go out; past the outbox's
 * bounds the peers are told to resync from the database instead. Either way every message reaches every
 * instance's sockets, once — also a room's last message, which no later one would reveal as missing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRoom, joinRoom, leaveRoom } from '../data/rooms';
import type { ChatMessage } from '../schemas/message';
import type { Receipt } from '../schemas/room';
import { notifyMemberLeft } from './notify';
import { collect, createTestUser, eventually, openRoom, send, startTestRealtime, uniqueName, waitForCluster, type TestRealtime } from '../testing/realtime';
import type { PostgresAdapterHandle } from './adapter';

let a: TestRealtime;
let b: TestRealtime;
/** Gives up on its backlog after 300 ms of failing publishes. */
let impatient: TestRealtime;
beforeAll(async () => {
  [a, b, impatient] = await Promise.all([
    startTestRealtime({ postgresAdapter: true }),
    startTestRealtime({ postgresAdapter: true }),
    startTestRealtime({ postgresAdapter: true, bus: { outboxLimits: { maxAgeMs: 300 } } }),
  ]);
  await waitForCluster([a, b, impatient]);
});
afterAll(async () => {
  await Promise.all([a.close(), b.close(), impatient.close()]);
});

/**
 * Makes the instance's NOTIFYs fail as they do while PostgreSQL restarts, until the returned function is
 * called; counts the attempts by what they carry.
 */
function failNotifies(instance: TestRealtime): { attempts: string[]; restore(): void } {
  const pool = (instance.adapter as PostgresAdapterHandle).pool;
  const query = pool.query;
  const attempts: string[] = [];
  pool.query = ((text: unknown, values?: unknown[]) => {
    if (typeof text === 'string' && text.startsWith('SELECT pg_notify')) {
      attempts.push(String(values?.[1] ?? ''));
      return Promise.reject(Object.assign(new Error('Connection terminated unexpectedly'), { code: 'ECONNRESET' }));
    }
    return (query as (t: unknown, v?: unknown[]) => unknown).call(pool, text, values);
  }) as typeof pool.query;
  return { attempts, restore: () => void (pool.query = query) };
}

async function threeMembers(name: string) {
  const [alice, bob, carol] = await Promise.all([createTestUser(), createTestUser(), createTestUser()]);
  const room = await createRoom({ ownerId: alice.id, data: { kind: 'public', name: uniqueName(name), description: '' }, ip: null });
  await joinRoom({ roomId: room.id, userId: bob.id, ip: null });
  await joinRoom({ roomId: room.id, userId: carol.id, ip: null });
  return { alice, bob, carol, room };
}

describe('room bus when publishing fails', () => {
  it('retries in order until the actions go out; typing, being volatile, is dropped', async () => {
    const { alice, bob, carol, room } = await threeMembers('retry');
    const onA = await openRoom(a.url, alice, room.id);
    const carolOnA = await openRoom(a.url, carol, room.id);
    const onB = await openRoom(b.url, bob, room.id);
    const seen: string[] = [];
    onB.socket.on('message:new', (m: ChatMessage) => seen.push(`message ${m.seq}`));
    onB.socket.on('receipts:updated', ({ receipts }: { receipts: Receipt[] }) => receipts.forEach((r) => seen.push(`receipt ${r.lastReadSeq}`)));
    onB.socket.on('typing:update', () => seen.push('typing'));

    const outage = failNotifies(a);
    expect((await send(onA.socket, 'first')).ok).toBe(true);
    expect(await carolOnA.socket.timeout(5_000).emitWithAck('read:mark', { seq: 1 })).toEqual({ ok: true, data: { lastReadSeq: 1 } });
    onA.socket.emit('typing:start');
    expect((await send(onA.socket, 'second, the room’s last')).ok).toBe(true);
    await eventually(() => outage.attempts.some((p) => p.includes('second')), 5_000); // retried at least once
    await new Promise((r) => setTimeout(r, 300));
    expect(seen).toEqual([]);
    outage.restore();

    await eventually(() => seen.length >= 3, 10_000);
    await new Promise((r) => setTimeout(r, 300)); // time for a duplicate
    expect(seen).toEqual(['message 1', 'receipt 1', 'message 2']);
    [onA.socket, carolOnA.socket, onB.socket].forEach((s) => s.close());
  });

  it('past its bounds drops the backlog and has the other instances resync from the database', async () => {
    const { alice, bob, carol, room } = await threeMembers('giveup');
    const onImpatient = await openRoom(impatient.url, alice, room.id);
    const bobOnB = await openRoom(b.url, bob, room.id);
    const carolOnB = await openRoom(b.url, carol, room.id);
    const received = collect<ChatMessage>(bobOnB.socket, 'message:new');
    const left = collect<{ user: { id: string } }>(bobOnB.socket, 'member:left');
    const carolReceived = collect<ChatMessage>(carolOnB.socket, 'message:new');
    const carolDisconnected = new Promise<string>((resolve) => carolOnB.socket.once('disconnect', resolve));

    const outage = failNotifies(impatient);
    // Carol leaves through the impatient instance (its notice cannot get out), then Alice writes.
    impatient.handleRequestsHere();
    await leaveRoom({ roomId: room.id, userId: carol.id });
    notifyMemberLeft(room.id, carol);
    expect((await send(onImpatient.socket, 'the room’s last')).ok).toBe(true);
    // It gives up on the backlog and tries to tell the others to resync instead.
    await eventually(() => outage.attempts.some((p) => p.includes('room:resync')), 10_000);
    expect(received).toEqual([]);
    outage.restore();

    // B checks who still belongs before it resends anything: Carol is shown out, and sees nothing new.
    expect(await carolDisconnected).toBe('io server disconnect');
    await eventually(() => received.length === 1, 10_000);
    await new Promise((r) => setTimeout(r, 300));
    expect(received.map((m) => [m.seq, m.body])).toEqual([[1, 'the room’s last']]);
    expect(left.map((l) => l.user.id)).toEqual([carol.id]);
    expect(carolReceived).toEqual([]);
    [onImpatient.socket, bobOnB.socket].forEach((s) => s.close());
  });
});
