import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AppError, type Ack } from '../errors';
import { createEventTable, type EventSocket } from './on-event';

interface TestEvents {
  'thing:do': (payload: { n: number }, ack: (response: Ack<{ doubled: number }>) => void) => void;
  'thing:poke': (ack?: (response: Ack<null>) => void) => void;
}

/** A socket stand-in: `deliver(event, ...args)` runs the listeners as Socket.IO would (onAny first, `this` = the socket). */
function fakeSocket() {
  const listeners = new Map<string, ((...args: unknown[]) => void)[]>();
  const any: ((event: unknown, ...args: unknown[]) => void)[] = [];
  const socket = {
    on(event: string, listener: (...args: unknown[]) => void) {
      listeners.set(event, [...(listeners.get(event) ?? []), listener]);
    },
    onAny(listener: (event: unknown, ...args: unknown[]) => void) {
      any.push(listener);
    },
    listeners: (event: string) => listeners.get(event) ?? [],
    deliver(event: string, ...args: unknown[]) {
      for (const listener of any) listener.call(socket, event, ...args);
      for (const listener of listeners.get(event) ?? []) listener.call(socket, ...args);
    },
  };
  return socket;
}

function recorder() {
  const answers: Ack<unknown>[] = [];
  return { answers, ack: (response: Ack<unknown>) => answers.push(response) };
}

const settle = () => new Promise((r) => setTimeout(r, 0));
const log = pino({ level: 'silent' });
const schema = z.strictObject({ n: z.number().int() });

function setup(handler: (payload: { n: number }) => { doubled: number } | Promise<{ doubled: number }>) {
  const socket = fakeSocket();
  const refused: string[] = [];
  const events = createEventTable<TestEvents, EventSocket>({ log });
  events.on('thing:do', schema, handler, { onRefused: (code) => refused.push(code) });
  events.listen(socket);
  return { socket, events, refused };
}

describe('createEventTable', () => {
  it('validates the payload and answers once with the data', async () => {
    const { socket } = setup(({ n }) => ({ doubled: n * 2 }));
    const r = recorder();
    socket.deliver('thing:do', { n: 2 }, r.ack);
    await settle();
    expect(r.answers).toEqual([{ ok: true, data: { doubled: 4 } }]);
  });

  it('answers INVALID_PAYLOAD for a missing, wrong or extra argument, and counts the refusal', async () => {
    const { socket, refused } = setup(({ n }) => ({ doubled: n * 2 }));
    const r = recorder();
    socket.deliver('thing:do', r.ack);
    socket.deliver('thing:do', { n: 'x' }, r.ack);
    socket.deliver('thing:do', { n: 1 }, { n: 2 }, r.ack);
    await settle();
    expect(r.answers.map((a) => !a.ok && a.error.code)).toEqual(['INVALID_PAYLOAD', 'INVALID_PAYLOAD', 'INVALID_PAYLOAD']);
    expect(r.answers[1]).toMatchObject({ error: { issues: [{ path: 'n' }] } });
    expect(refused).toEqual(['INVALID_PAYLOAD', 'INVALID_PAYLOAD', 'INVALID_PAYLOAD']);
  });

  it('answers once when the handler throws, synchronously or not, mapping known errors', async () => {
    const r = recorder();
    setup(() => {
      throw new Error('boom');
    }).socket.deliver('thing:do', { n: 1 }, r.ack);
    setup(async () => {
      throw new AppError('FORBIDDEN', 'Not yours.');
    }).socket.deliver('thing:do', { n: 1 }, r.ack);
    await settle();
    expect(r.answers).toEqual([
      { ok: false, error: { code: 'INTERNAL', message: 'Something went wrong on our side. Please try again.' } },
      { ok: false, error: { code: 'FORBIDDEN', message: 'Not yours.' } },
    ]);
  });

  it('ignores an event without an ack, unless the ack is optional', async () => {
    let ran = 0;
    const { socket, events } = setup(() => ({ doubled: (ran += 1) }));
    socket.deliver('thing:do', { n: 1 });
    let poked = 0;
    events.on('thing:poke', null, () => ((poked += 1), null), { ackOptional: true });
    socket.deliver('thing:poke');
    const [bare, withPayload] = [recorder(), recorder()];
    socket.deliver('thing:poke', bare.ack);
    socket.deliver('thing:poke', { n: 1 }, withPayload.ack);
    await settle();
    expect([ran, poked]).toEqual([0, 2]);
    expect(bare.answers).toEqual([{ ok: true, data: null }]);
    expect(withPayload.answers).toMatchObject([{ ok: false, error: { code: 'INVALID_PAYLOAD' } }]);
  });

  it('answers an unknown event that carries an ack, and only those', async () => {
    const { socket } = setup(({ n }) => ({ doubled: n }));
    const r = recorder();
    socket.deliver('thing:undo', { n: 1 }, r.ack);
    socket.deliver('thing:undo', { n: 1 });
    socket.deliver('thing:do', { n: 1 }, r.ack);
    await settle();
    expect(r.answers).toEqual([
      { ok: false, error: { code: 'INVALID_PAYLOAD', message: 'Unknown event.' } },
      { ok: true, data: { doubled: 1 } },
    ]);
  });

  it('hands each handler the socket the event came from, one table for many sockets', async () => {
    const events = createEventTable<TestEvents, EventSocket & { name: string }>({ log });
    events.on('thing:do', schema, ({ n }, { socket }) => ({ doubled: n * (socket.name === 'a' ? 2 : 3) }));
    const [a, b] = [Object.assign(fakeSocket(), { name: 'a' }), Object.assign(fakeSocket(), { name: 'b' })];
    events.listen(a);
    events.listen(b);
    const r = recorder();
    a.deliver('thing:do', { n: 1 }, r.ack);
    b.deliver('thing:do', { n: 1 }, r.ack);
    await settle();
    expect(r.answers).toEqual([
      { ok: true, data: { doubled: 2 } },
      { ok: true, data: { doubled: 3 } },
    ]);
  });

  it('leaves an event the socket has its own listener for to that listener', async () => {
    const { socket } = setup(({ n }) => ({ doubled: n }));
    const heard: unknown[] = [];
    socket.on('thing:own', (payload) => heard.push(payload));
    const r = recorder();
    socket.deliver('thing:own', { n: 1 }, r.ack);
    await settle();
    expect(heard).toEqual([{ n: 1 }]);
    expect(r.answers).toEqual([]);
  });
});
