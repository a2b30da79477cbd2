/**
 * Read and delivery positions through the group-commit writer: calls made together share one statement,
 * and each caller still gets its own outcome (its position, its error), the move is announced once, and
 * a repeated position rewrites nothing.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { getDb } from '../db';
import { recordCommitModes, synchronousCommitNow } from '../testing/commit-modes';
import { createTestUser, uniqueName } from '../testing/realtime';
import { createMessage } from './messages';
import { markDelivered, markRead } from './receipts';
import { createRoom, joinRoom } from './rooms';

async function roomWithMessages(members: number, messages: number) {
  const users = await Promise.all(Array.from({ length: members }, () => createTestUser()));
  const room = await createRoom({ ownerId: users[0]!.id, data: { kind: 'public', name: uniqueName('pos'), description: '' }, ip: null });
  for (const user of users.slice(1)) await joinRoom({ roomId: room.id, userId: user.id, ip: null });
  for (let i = 0; i < messages; i += 1) await createMessage({ roomId: room.id, authorId: users[0]!.id, clientId: randomUUID(), body: `m${i}` });
  return { room, users };
}

/** The row version of each member's position: it changes only when the row is rewritten. */
async function rowVersions(roomId: string): Promise<Map<string, string>> {
  const rows = await getDb().$queryRaw<{ user_id: string; xmin: string }[]>`
    SELECT user_id::text, xmin::text FROM memberships WHERE room_id = ${roomId}`;
  return new Map(rows.map((r) => [r.user_id, r.xmin]));
}

describe('read and delivery positions in batches', () => {
  it('answers each of many calls made at once with its own outcome, and announces each move once', async () => {
    const { room, users } = await roomWithMessages(6, 5);
    const [, bob, carol, dave, erin, frank] = users;
    const outsider = await createTestUser();
    const calls = [
      markDelivered({ roomId: room.id, userId: bob!.id, seq: 2 }), // bob's two tabs, the same batch
      markDelivered({ roomId: room.id, userId: bob!.id, seq: 4 }),
      markDelivered({ roomId: room.id, userId: carol!.id, seq: 999 }), // clamped to the room's last seq
      markRead({ roomId: room.id, userId: dave!.id, seq: 2 }), // read implies delivered …
      markDelivered({ roomId: room.id, userId: dave!.id, seq: 3 }), // … and delivery alone moves only delivery
      markDelivered({ roomId: room.id, userId: erin!.id, seq: 0 }), // moves nothing
      markRead({ roomId: room.id, userId: frank!.id, seq: 5 }),
    ];
    const refused = [
      markDelivered({ roomId: room.id, userId: outsider.id, seq: 1 }),
      markDelivered({ roomId: 'NoSuchRoom', userId: bob!.id, seq: 1 }),
    ];
    const results = await Promise.all(calls);
    await expect(refused[0]).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(refused[1]).rejects.toMatchObject({ code: 'NOT_FOUND' });

    expect(results.map((r) => [r.receipt.userId, r.receipt.lastReadSeq, r.receipt.lastDeliveredSeq])).toEqual([
      [bob!.id, 0, 4],
      [bob!.id, 0, 4],
      [carol!.id, 0, 5],
      [dave!.id, 2, 3],
      [dave!.id, 2, 3],
      [erin!.id, 0, 0],
      [frank!.id, 5, 5],
    ]);
    // One announcement per member whose position moved; the read move is flagged once too.
    expect(results.map((r) => r.changed)).toEqual([true, false, true, true, false, false, true]);
    expect(results.map((r) => r.readMoved)).toEqual([false, false, false, true, false, false, true]);

    const stored = await getDb().membership.findMany({ where: { roomId: room.id }, select: { userId: true, lastReadSeq: true, lastDeliveredSeq: true } });
    const byUser = new Map(stored.map((m) => [m.userId, [m.lastReadSeq, m.lastDeliveredSeq]]));
    expect(byUser.get(bob!.id)).toEqual([0, 4]);
    expect(byUser.get(dave!.id)).toEqual([2, 3]);
    expect(byUser.get(frank!.id)).toEqual([5, 5]);
    expect(await getDb().membership.count({ where: { userId: outsider.id } })).toBe(0);
  });

  it('never moves backwards, and a repeated or older position rewrites no row', async () => {
    const { room, users } = await roomWithMessages(4, 3);
    await Promise.all(users.slice(1).map((u) => markRead({ roomId: room.id, userId: u.id, seq: 3 })));
    const before = await rowVersions(room.id);

    const again = await Promise.all(users.slice(1).flatMap((u) => [
      markRead({ roomId: room.id, userId: u.id, seq: 3 }),
      markDelivered({ roomId: room.id, userId: u.id, seq: 1 }),
    ]));
    expect(again.every((r) => !r.changed && !r.readMoved)).toBe(true);
    expect(again.every((r) => r.receipt.lastReadSeq === 3 && r.receipt.lastDeliveredSeq === 3)).toBe(true);
    expect(await rowVersions(room.id)).toEqual(before);
  });

  it('keeps every caller’s answer right when hundreds of acks from many rooms arrive at once', async () => {
    const rooms = await Promise.all([roomWithMessages(8, 4), roomWithMessages(8, 4), roomWithMessages(8, 4)]);
    const acks = rooms.flatMap(({ room, users }) => users.flatMap((u) => [1, 2, 3, 4].map((seq) => ({ roomId: room.id, userId: u.id, seq }))));
    const results = await Promise.all(acks.map((ack, i) => (i % 5 === 0 ? markRead(ack) : markDelivered(ack))));
    results.forEach((r) => expect(r.receipt.lastDeliveredSeq).toBe(4));
    // Every member moved exactly once (the authors were at 4 already: they wrote the messages).
    const moves = results.filter((r) => r.changed).map((r) => r.receipt.userId);
    expect(new Set(moves).size).toBe(moves.length);
    expect(moves.length).toBe(rooms.length * 7);
  });

  it('commits a position move asynchronously, and only that transaction: the pooled connection goes back synchronous', async () => {
    const { room, users } = await roomWithMessages(2, 2);
    const modes = await recordCommitModes({ table: 'memberships', event: 'UPDATE', when: `NEW.room_id = '${room.id}'` }, () =>
      markRead({ roomId: room.id, userId: users[1]!.id, seq: 2 }),
    );
    expect(modes).toEqual(['off']);
    // The pool hands the most recently released connection out first: every later statement on it, a
    // message's above all, commits synchronously again.
    for (let i = 0; i < 5; i += 1) expect(await synchronousCommitNow()).toBe('on');
  });
});
