/**
 * Large rooms (docs/protocol.md §5.3 "Large rooms"): past 100 members a room announces no per-member news —
 * others' receipts and who has the room open — while everything else works as in any room. A room of exactly
 * 100 members still announces them, so both sides of the line are checked.
 *
 * Absence is checked against a later event on the same socket: a message sent after the act. Had the act been
 * announced, its event would have been written to that socket first (one room, one instance, in order).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRoom, joinRoom } from '../data/rooms';
import { getDb } from '../db';
import type { Ack } from '../errors';
import type { ChatMessage } from '../schemas/message';
import { LARGE_ROOM_MEMBERS, type Receipt } from '../schemas/room';
import {
  addFillerMembers,
  collect,
  collectReceipts,
  createTestUser,
  eventually,
  openRoom,
  openSession,
  send,
  startTestRealtime,
  uniqueName,
  type TestRealtime,
} from '../testing/realtime';

let server: TestRealtime;
beforeAll(async () => {
  server = await startTestRealtime({ presenceGraceMs: 150 });
});
afterAll(async () => {
  await server.close();
});

/** Brings the room to `total` members with people who never connect (rows only: no sign-up, no bcrypt). */
async function fillRoom(roomId: string, total: number): Promise<void> {
  const { memberCount } = await getDb().room.findUniqueOrThrow({ where: { id: roomId }, select: { memberCount: true } });
  await addFillerMembers(roomId, total - memberCount);
}

async function roomOf(size: number, people: { id: string }[]) {
  const room = await createRoom({ ownerId: people[0]!.id, data: { kind: 'public', name: uniqueName('crowd'), description: '' }, ip: null });
  for (const person of people.slice(1)) await joinRoom({ roomId: room.id, userId: person.id, ip: null });
  await fillRoom(room.id, size);
  return room;
}

async function say(socket: Awaited<ReturnType<typeof openRoom>>['socket'], body: string): Promise<ChatMessage> {
  const ack = await send(socket, body);
  if (!ack.ok) throw new Error(ack.error.message);
  return ack.data;
}

async function markRead(socket: Awaited<ReturnType<typeof openRoom>>['socket'], seq: number): Promise<number> {
  const ack = (await socket.timeout(5000).emitWithAck('read:mark', { seq })) as Ack<{ lastReadSeq: number }>;
  if (!ack.ok) throw new Error(ack.error.message);
  return ack.data.lastReadSeq;
}

describe('large rooms', () => {
  it(`a room of ${LARGE_ROOM_MEMBERS} members announces receipts and who opens it; one of ${LARGE_ROOM_MEMBERS + 1} does not`, async () => {
    const [alice, bob, carol] = await Promise.all([createTestUser(), createTestUser(), createTestUser()]);
    const small = await roomOf(LARGE_ROOM_MEMBERS, [alice, bob, carol]);
    const large = await roomOf(LARGE_ROOM_MEMBERS + 1, [alice, bob, carol]);

    for (const room of [small, large]) {
      const isLarge = room === large;
      const carolIn = await openRoom(server.url, carol, room.id);
      // Carol's snapshot: every member's receipt in the small room, only her own in the large one.
      expect(carolIn.ready.room.memberCount).toBe(isLarge ? LARGE_ROOM_MEMBERS + 1 : LARGE_ROOM_MEMBERS);
      const snapshot = carolIn.ready.receipts.map((r: Receipt) => r.userId);
      if (isLarge) expect(snapshot).toEqual([carol.id]);
      else expect(snapshot).toHaveLength(LARGE_ROOM_MEMBERS);

      const opened = collect<{ user: { id: string } }>(carolIn.socket, 'presence:online');
      const closed = collect<{ userId: string }>(carolIn.socket, 'presence:offline');
      const receipts = collectReceipts(carolIn.socket);
      const heard = collect<ChatMessage>(carolIn.socket, 'message:new');

      // Bob opens the room, reads what is there, and says something: his act comes before his message.
      const bobIn = await openRoom(server.url, bob, room.id);
      const bobMain = await openSession(server.url, bob);
      const roomRead = collect<{ roomId: string; lastReadSeq: number }>(bobMain, 'room:read');
      const first = await say(bobIn.socket, 'first');
      const carolMain = await openSession(server.url, carol);
      const aliceIn = await openRoom(server.url, alice, room.id);
      const second = await say(aliceIn.socket, 'second');
      // His read position moves all the same, and his other tabs hear of it.
      expect(await markRead(bobIn.socket, second.seq)).toBe(second.seq);
      await eventually(() => roomRead.some((r) => r.roomId === room.id && r.lastReadSeq === second.seq));
      // Delivery is accepted anywhere (clients only report it where it is shown).
      const delivered = (await carolMain.timeout(5000).emitWithAck('delivery:ack', { roomId: room.id, seq: second.seq })) as Ack<{ lastDeliveredSeq: number }>;
      expect(delivered).toEqual({ ok: true, data: { lastDeliveredSeq: second.seq } });
      const marker = await say(aliceIn.socket, 'marker');
      await eventually(() => heard.some((m) => m.seq === marker.seq));
      expect(heard.map((m) => m.seq)).toEqual([first.seq, second.seq, marker.seq]);

      if (isLarge) {
        expect(opened).toEqual([]);
        expect(receipts).toEqual([]);
      } else {
        expect(opened.map((o) => o.user.id)).toEqual([bob.id, alice.id]);
        await eventually(() => receipts.some((r) => r.userId === bob.id && r.lastReadSeq === second.seq));
        await eventually(() => receipts.some((r) => r.userId === carol.id && r.lastDeliveredSeq === second.seq));
      }

      // Bob closes it: said in the small room, not in the large one.
      bobIn.socket.close();
      if (!isLarge) await eventually(() => closed.some((c) => c.userId === bob.id));
      const after = await say(aliceIn.socket, 'after bob left');
      await eventually(() => heard.some((m) => m.seq === after.seq));
      if (isLarge) expect(closed).toEqual([]);

      for (const socket of [carolIn.socket, aliceIn.socket, bobMain, carolMain]) socket.close();
    }
  });
});
