/**
 * docs/protocol.md §3: every client→server event, in both namespaces, answers exactly once with the ack as
 * its last argument — whatever comes before it: nothing, a valid payload, garbage, extra arguments — and an
 * event no one handles answers too. Answers are counted twice: calls of the ack callback, and ACK packets on
 * the wire (the client library would hide a second one).
 */
import { randomUUID } from 'node:crypto';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRoom } from '../data/rooms';
import type { Ack } from '../errors';
import { collect, createTestUser, eventually, openRoom, openSession, startTestRealtime, uniqueName, type TestRealtime } from '../testing/realtime';

let server: TestRealtime;
beforeAll(async () => {
  server = await startTestRealtime();
});
afterAll(async () => {
  await server.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Counts ACK packets (Socket.IO packet type 3) that reach this socket's namespace. */
function countAckPackets(socket: Socket): () => number {
  let count = 0;
  const namespace = (socket as unknown as { nsp: string }).nsp;
  socket.io.on('packet', (packet: { type: number; nsp: string }) => {
    if (packet.type === 3 && packet.nsp === namespace) count += 1;
  });
  return () => count;
}

interface Case {
  name: string;
  event: string;
  /** Arguments before the ack; `ack: false` sends none. */
  args: unknown[];
  ack?: boolean;
  /** The answer's shape: ok, or the error code. */
  expected: 'ok' | 'INVALID_PAYLOAD' | 'none';
}

const garbage: [string, unknown][] = [
  ['a string', 'hello'],
  ['a number', 42],
  ['null', null],
  ['an array', [{}]],
  ['true', true],
  ['an empty object', {}],
  ['an unknown key', { nope: 1 }],
];

/** Every way of calling an event that takes a payload (`valid`), and what must come back. */
function payloadCases(event: string, valid: () => unknown, wrong: [string, unknown][] = []): Case[] {
  return [
    { name: 'no arguments', event, args: [], ack: false, expected: 'none' },
    { name: 'only an ack', event, args: [], expected: 'INVALID_PAYLOAD' },
    { name: 'payload and ack', event, args: [valid()], expected: 'ok' },
    ...[...garbage, ...wrong].map(([name, payload]): Case => ({ name: `${name} and ack`, event, args: [payload], expected: 'INVALID_PAYLOAD' })),
    { name: 'an extra argument', event, args: [valid(), 'extra'], expected: 'INVALID_PAYLOAD' },
    { name: 'the ack first', event, args: [() => undefined, valid()], ack: false, expected: 'none' },
  ];
}

/** Every way of calling an event that takes no payload; `ackOptional` events also work without one. */
function bareCases(event: string): Case[] {
  return [
    { name: 'no arguments', event, args: [], ack: false, expected: 'none' },
    { name: 'only an ack', event, args: [], expected: 'ok' },
    ...garbage.slice(0, 3).map(([name, payload]): Case => ({ name: `${name} and ack`, event, args: [payload], expected: 'INVALID_PAYLOAD' })),
    { name: 'an extra argument', event, args: [{}, 'extra'], expected: 'INVALID_PAYLOAD' },
  ];
}

function unknownCases(events: string[]): Case[] {
  return events.flatMap((event) => [
    { name: 'only an ack', event, args: [], expected: 'INVALID_PAYLOAD' as const },
    { name: 'payload and ack', event, args: [{ seq: 1 }], expected: 'INVALID_PAYLOAD' as const },
    { name: 'no ack', event, args: [{ seq: 1 }], ack: false, expected: 'none' as const },
  ]);
}

/** Sends every case at once, waits for the answers, and reports each as `event / case → answer ×count`. */
async function run(socket: Socket, cases: Case[]): Promise<{ table: string[]; expectedTable: string[]; packets: number; acked: number }> {
  const ackPackets = countAckPackets(socket);
  const answers = cases.map(() => [] as Ack<unknown>[]);
  cases.forEach((c, i) => {
    const args = c.ack === false ? c.args : [...c.args, (response: Ack<unknown>) => answers[i]!.push(response)];
    (socket.emit as (event: string, ...args: unknown[]) => void)(c.event, ...args);
  });
  const acked = cases.filter((c) => c.ack !== false).length;
  await eventually(() => cases.every((c, i) => c.ack === false || answers[i]!.length > 0), 10_000).catch(() => undefined);
  await sleep(300); // time for a second answer
  const shape = (a: Ack<unknown>) => (a.ok ? 'ok' : a.error.code);
  return {
    table: cases.map((c, i) => `${c.event} / ${c.name} → ${answers[i]!.map(shape).join(',') || 'none'} ×${answers[i]!.length}`),
    expectedTable: cases.map((c) => `${c.event} / ${c.name} → ${c.expected} ×${c.expected === 'none' ? 0 : 1}`),
    packets: ackPackets(),
    acked,
  };
}

describe('every client→server event answers exactly once, with the ack last', () => {
  it('main namespace: session:ping, presence:set, presence:watch, delivery:ack, room:load, unknown events', async () => {
    const alice = await createTestUser();
    const room = await createRoom({ ownerId: alice.id, data: { kind: 'public', name: uniqueName('acks'), description: '' }, ip: null });
    const main = await openSession(server.url, alice);
    const cases = [
      ...bareCases('session:ping'),
      ...payloadCases('presence:set', () => ({ status: 'away' }), [['an unknown status', { status: 'invisible' }]]),
      ...payloadCases('presence:watch', () => ({ userIds: [alice.id] }), [
        ['too many ids', { userIds: Array.from({ length: 501 }, () => alice.id) }],
        ['a non-uuid id', { userIds: ['bob'] }],
      ]),
      ...payloadCases('delivery:ack', () => ({ roomId: room.id, seq: 0 }), [
        ['a huge seq', { roomId: room.id, seq: 1e300 }],
        ['an unsafe integer', { roomId: room.id, seq: 2 ** 53 + 2 }],
        ['a numeric string', { roomId: room.id, seq: '5' }],
        ['a fraction', { roomId: room.id, seq: 1.5 }],
      ]),
      ...payloadCases('room:load', () => ({ roomId: room.id }), [
        ['a malformed room id', { roomId: 'not-a-room' }],
        ['a number', { roomId: 42 }],
      ]),
      ...unknownCases(['nope', 'message:send', 'typing:start']),
    ];
    const result = await run(main, cases);
    expect(result.table).toEqual(result.expectedTable);
    expect(result.packets).toBe(result.acked);
    // Still connected and answering.
    expect(await main.timeout(2_000).emitWithAck('session:ping')).toMatchObject({ ok: true });
    main.close();
  });

  it('room namespace: message:send, read:mark, typing:start/stop (ack optional), unknown events', async () => {
    const [alice, bob] = await Promise.all([createTestUser(), createTestUser()]);
    const room = await createRoom({ ownerId: alice.id, data: { kind: 'public', name: uniqueName('acks'), description: '' }, ip: null });
    const { socket } = await openRoom(server.url, alice, room.id);
    const observer = await openRoom(server.url, bob, room.id);
    const typing = collect<{ typing: boolean }>(observer.socket, 'typing:update');
    const cases = [
      ...payloadCases('message:send', () => ({ clientId: randomUUID(), body: 'hello' }), [
        ['an empty body', { clientId: randomUUID(), body: ' ' }],
        ['a spoofed author', { clientId: randomUUID(), body: 'hi', authorId: bob.id }],
      ]),
      ...payloadCases('read:mark', () => ({ seq: 0 }), [
        ['a huge seq', { seq: 1e300 }],
        ['a negative seq', { seq: -1 }],
      ]),
      ...bareCases('typing:start'),
      ...bareCases('typing:stop'),
      ...unknownCases(['nope', 'presence:watch', 'session:ping', 'message:sent']),
    ];
    const result = await run(socket, cases);
    expect(result.table).toEqual(result.expectedTable);
    expect(result.packets).toBe(result.acked);
    expect(typing.length).toBeGreaterThan(0); // typing:start without an ack still works

    // A message was stored only for the valid send.
    const later = await socket.timeout(2_000).emitWithAck('message:send', { clientId: randomUUID(), body: 'after' });
    expect(later).toMatchObject({ ok: true, data: { seq: 2 } });
    socket.close();
    observer.socket.close();
  });
});
