/**
 * The batched message writer against PostgreSQL: sends arriving together share one statement, and
 * every guarantee of a lone send still holds per message (seq order, idempotency, membership).
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { getDb } from '../db';
import { AppError } from '../errors';
import { createTestUser, uniqueName } from '../testing/realtime';
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
});
