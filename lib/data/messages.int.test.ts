/**
 * The batched message writer against PostgreSQL: sends arriving together share one statement, and
 * every guarantee of a lone send still holds per message (seq order, idempotency, membership).
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { getDb, getDbPool } from '../db';
import { AppError } from '../errors';
import { createTestUser, eventuallyAsync, uniqueName } from '../testing/realtime';
import { createMessage } from './messages';
import { createRoom, deleteRoom, joinRoom } from './rooms';

async function roomWithMembers(count: number) {
  const users = await Promise.all(Array.from({ length: count }, () => createTestUser()));
  const room = await createRoom({ ownerId: users[0]!.id, data: { kind: 'public', name: uniqueName('batch'), description: '' }, ip: null });
  for (const user of users.slice(1)) await joinRoom({ roomId: room.id, userId: user.id, ip: null });
  return { room, users };
}

describe('createMessage in batches', () => {
  it('gives each room gapless seqs in send order when hundreds of sends to several rooms arrive at once', async () => {
    const rooms = await Promise.all([roomWithMembers(3), roomWithMembers(3), roomWithMembers(3)]);
    const sends = Array.from({ length: 300 }, (_, i) => {
      const { room, users } = rooms[i % 3]!;
      return { roomId: room.id, authorId: users[i % users.length]!.id, clientId: randomUUID(), body: `#${i}` };
    });
    const results = await Promise.all(sends.map((input) => createMessage(input)));

    for (const { room } of rooms) {
      const mine = results.filter((r) => r.message.roomId === room.id).map((r) => r.message);
      // Promise.all keeps call order: within a room, seqs follow the order the sends were made.
      expect(mine.map((m) => m.seq)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
      expect((await getDb().room.findUniqueOrThrow({ where: { id: room.id } })).lastSeq).toBe(100);
      expect(await getDb().message.count({ where: { roomId: room.id } })).toBe(100);
    }
    expect(results.every((r) => !r.duplicate)).toBe(true);
    results.forEach((r, i) => expect(r.message.body).toBe(sends[i]!.body));
    // The author has read their own messages.
    const { room, users } = rooms[0]!;
    const own = await getDb().membership.findUniqueOrThrow({ where: { roomId_userId: { roomId: room.id, userId: users[0]!.id } } });
    expect(own.lastReadSeq).toBe(Math.max(...results.filter((r) => r.message.roomId === room.id && r.message.author.id === users[0]!.id).map((r) => r.message.seq)));
  });

  it('stores a clientId sent several times in one batch once, and answers the others as duplicates', async () => {
    const { room, users } = await roomWithMembers(2);
    const input = { roomId: room.id, authorId: users[1]!.id, clientId: randomUUID(), body: 'once' };
    const results = await Promise.all([createMessage(input), createMessage(input), createMessage({ ...input, body: 'changed on retry' })]);
    expect(results.map((r) => r.duplicate)).toEqual([false, true, true]);
    expect(new Set(results.map((r) => r.message.id)).size).toBe(1);
    expect(results.every((r) => r.message.body === 'once')).toBe(true);
    const later = await createMessage(input);
    expect(later).toMatchObject({ duplicate: true, message: { id: results[0]!.message.id, seq: 1 } });
    expect(await getDb().message.count({ where: { roomId: room.id } })).toBe(1);
  });

  it('refuses only the sends that may not be stored, and stores the rest of their batch', async () => {
    const { room, users } = await roomWithMembers(2);
    const outsider = await createTestUser();
    const gone = await roomWithMembers(1);
    await deleteRoom({ roomId: gone.room.id, userId: gone.users[0]!.id, ip: null });
    const send = (roomId: string, authorId: string, body: string) => createMessage({ roomId, authorId, clientId: randomUUID(), body });

    const outcomes = await Promise.allSettled([
      send(room.id, users[0]!.id, 'first'),
      send(room.id, outsider.id, 'not a member'),
      send(gone.room.id, gone.users[0]!.id, 'deleted room'),
      send(room.id, users[1]!.id, 'nul \u0000 byte'), // the database refuses it: the batch falls back to one by one
      send(room.id, users[1]!.id, 'second'),
    ]);
    const codeOf = (o: PromiseSettledResult<unknown>) => (o.status === 'rejected' && o.reason instanceof AppError ? o.reason.code : o.status);
    expect(outcomes.map(codeOf)).toEqual(['fulfilled', 'FORBIDDEN', 'NOT_FOUND', 'rejected', 'fulfilled']);
    const stored = await getDb().message.findMany({ where: { roomId: room.id }, orderBy: { seq: 'asc' } });
    expect(stored.map((m) => [m.seq, m.body])).toEqual([
      [1, 'first'],
      [2, 'second'],
    ]);
  });

  it('keeps sending to other rooms while one room’s row is held by another transaction, and that room’s sends keep their order', async () => {
    const busy = await roomWithMembers(2);
    const other = await roomWithMembers(2);
    // A change transaction (an edit, a reaction) between its statements holds the room's row like this.
    const holder = await getDbPool().connect();
    let released = false;
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT 1 FROM rooms WHERE id = $1 FOR UPDATE', [busy.room.id]);
      const holderPid = (await holder.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
      const send = (room: typeof busy, body: string) =>
        createMessage({ roomId: room.room.id, authorId: room.users[1]!.id, clientId: randomUUID(), body });
      const stuck = [send(busy, 'held 1')];
      // Once the first send waits on the lock, the next ones to that room queue behind it and the other room's go on.
      await eventuallyAsync(async () => (await waitingOn(holderPid)) > 0, 15_000);
      stuck.push(send(busy, 'held 2'));
      // A send to another room arrives later, as sends do (their own socket events), not in the same turn.
      await new Promise((r) => setImmediate(r));
      await new Promise((r) => setImmediate(r));
      const elsewhere = await Promise.race([
        send(other, 'elsewhere'),
        new Promise<'held up'>((resolve) => setTimeout(() => resolve('held up'), 15_000).unref()),
      ]);
      expect(elsewhere).toMatchObject({ message: { seq: 1, body: 'elsewhere' } });
      await holder.query('COMMIT');
      released = true;
      expect((await Promise.all(stuck)).map((r) => [r.message.seq, r.message.body])).toEqual([
        [1, 'held 1'],
        [2, 'held 2'],
      ]);
    } finally {
      if (!released) await holder.query('ROLLBACK').catch(() => undefined);
      holder.release();
    }
  });
});

/** Backends waiting on a lock that this backend holds. */
async function waitingOn(pid: number): Promise<number> {
  const rows = await getDb().$queryRaw<{ n: number }[]>`
    SELECT count(*)::int AS n FROM pg_stat_activity WHERE ${pid}::int = ANY (pg_blocking_pids(pid))`;
  return rows[0]?.n ?? 0;
}
