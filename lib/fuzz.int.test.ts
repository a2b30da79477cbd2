/**
 * A bounded, seeded fuzz of one instance: thousands of random and mutated REST requests (every route
 * found on disk, Auth.js's included) and socket events (every event in lib/realtime/events.ts, unknown
 * ones, malformed arguments) from signed-in, signed-out and revoked clients. The server must never answer
 * 500 or INTERNAL, never log an error, never leave an unhandled rejection, and answer every event that
 * carries an ack exactly once within 5 s — and still work normally afterwards.
 *
 * `FUZZ_SEED=<n>` replays a run; `FUZZ_ROUNDS=<n>` makes it longer (default 2,000 of each).
 */
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import pino from 'pino';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Ack } from './errors';
import { dispatch, HTTP_METHODS, loadApiRoutes, type ApiRoute } from './testing/api-router';
import { buildWorld, type World } from './testing/authz-world';
import { connectClient, send, signInAs, startTestRealtime, waitForConnect, type TestRealtime } from './testing/realtime';
import { mainClientEvents, roomClientEvents } from './testing/socket-events';
import { seededRandom } from './testing/seeded-random';

const SEED = Number(process.env.FUZZ_SEED ?? 20261129);
const ROUNDS = Number(process.env.FUZZ_ROUNDS ?? 2_000);

const prng = seededRandom;

const random = prng(SEED);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
const chance = (p: number) => random() < p;
const int = (max: number) => Math.floor(random() * max);

const NASTY_STRINGS = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\u001b[31mred',
  '\u202Eevil',
  '😀'.repeat(3000),
  'x'.repeat(70_000),
  '"quoted"',
  "'; DROP TABLE users; --",
  '%00',
  '../../etc/passwd',
  '<script>alert(1)</script>',
  '\ud800',
  'null',
  '-1',
  '1e309',
  '0x10',
  '__proto__',
  'constructor',
];
const NASTY_NUMBERS = [0, -1, 1, 1.5, 2 ** 31, 2 ** 53, -(2 ** 53), Number.MAX_VALUE, Number.MIN_VALUE, 1e308];

function randomScalar(): unknown {
  switch (int(7)) {
    case 0:
      return pick(NASTY_STRINGS);
    case 1:
      return pick(NASTY_NUMBERS);
    case 2:
      return pick([true, false, null]);
    case 3:
      return randomUUID();
    case 4:
      return 'ABCDEFGHij';
    case 5:
      return int(1000);
    default:
      return Math.random().toString(36).slice(2);
  }
}

function randomValue(depth = 0): unknown {
  if (depth > 3 || chance(0.6)) return randomScalar();
  if (chance(0.5)) return Array.from({ length: int(4) }, () => randomValue(depth + 1));
  const object: Record<string, unknown> = {};
  for (let i = 0; i < int(4); i += 1) object[pick(['body', 'clientId', 'seq', 'status', 'userIds', 'roomId', 'password', 'name', 'kind', '__proto__', 'x'])] = randomValue(depth + 1);
  return object;
}

/** A valid-looking payload with one thing wrong (or right), to get past the outer checks. */
function mutate(template: Record<string, unknown>): unknown {
  const copy: Record<string, unknown> = { ...template };
  const keys = Object.keys(copy);
  switch (int(6)) {
    case 0:
      return copy; // valid as it is
    case 1:
      if (keys.length) delete copy[pick(keys)];
      return copy;
    case 2:
      copy[pick(['extra', 'isAdmin', 'authorId', '__proto__'])] = randomScalar();
      return copy;
    case 3:
      if (keys.length) copy[pick(keys)] = randomValue();
      return copy;
    case 4:
      return randomValue();
    default:
      if (keys.length) copy[pick(keys)] = pick(NASTY_STRINGS);
      return copy;
  }
}

let server: TestRealtime;
let world: World;
let routes: ApiRoute[];
const serverErrors: string[] = [];
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);

beforeAll(async () => {
  process.on('unhandledRejection', onUnhandled);
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      serverErrors.push(chunk.toString());
      done();
    },
  });
  const log = pino({ level: 'error' }, sink);
  [server, world, routes] = await Promise.all([startTestRealtime({ log, messageLimits: { perSecond: 50, burst: 50 } }), buildWorld(), loadApiRoutes()]);
  server.handleRequestsHere();
}, 120_000);

afterAll(async () => {
  process.off('unhandledRejection', onUnhandled);
  await server?.close();
});

function credentialCookie(): string | undefined {
  const { actors } = world;
  return pick([actors.owner.cookie, actors.member.cookie, actors.outsider.cookie, actors.revokedSession.cookie, actors.deletedUser.cookie, undefined, 'authjs.session-token=garbage', `authjs.session-token=${'A'.repeat(4000)}`]);
}

function roomIdParam(): string {
  return pick([world.shared.public.id, world.shared.private.id, world.shared.direct.id, 'AAAAAAAAAA', 'short', '%2e%2e', 'x'.repeat(300), '\u0000abc', randomUUID()]);
}

const BODY_TEMPLATES: Record<string, Record<string, unknown>> = {
  '/api/register': { username: 'fuzzer', displayName: 'Fuzz', password: 'a fine password', confirmPassword: 'a fine password' },
  '/api/rooms': { kind: 'public', name: 'fuzz room', description: '' },
  '/api/rooms/[roomId]': { roomMentions: 'owner' },
  '/api/rooms/[roomId]/join': { password: 'matrix room password' },
  '/api/rooms/[roomId]/notifications': { level: 'mentions' },
  '/api/direct': { userId: randomUUID() },
  '/api/account/password': { currentPassword: 'correct horse battery', newPassword: 'another password', confirmPassword: 'another password' },
};

/** Search text that reaches the parser, the tsquery and the LIKE patterns (lib/search/query.ts, lib/data/search.ts). */
const SEARCH_TEXTS = [
  'deploy',
  'deplo*',
  '"release train',
  '-word',
  '-"a phrase" word',
  'in:#general from:@alice has:link is:thread @me',
  'in:"Team chat" in:@bob',
  'on:2026-02-30',
  'before:today after:yesterday',
  'on:today before:2026-01-01',
  'a:* & b | !c <-> d',
  '100% a_b back\\slash',
  "'; drop table messages; --",
  '日本',
  'שלום',
  '🚀',
  'x'.repeat(201),
  Array.from({ length: 11 }, (_, i) => `w${i}`).join(' '),
  'secret',
];

/** Query strings for GET routes that take one: a valid-looking set with one thing wrong (or right). */
const QUERY_TEMPLATES: Record<string, () => Record<string, unknown>> = {
  '/api/search': () => ({
    q: pick(SEARCH_TEXTS),
    scope: pick(['mine', 'all', 'everything']),
    sort: pick(['relevance', 'newest', 'oldest']),
    limit: pick([1, 20, 50, 51, 0, -1, 1.5, 'x']),
    tz: pick(['UTC', 'Europe/Paris', 'Pacific/Kiritimati', 'Mars/Olympus', '']),
    ...(chance(0.3) ? { cursor: pick(['WzAuMDYsNjI3XQ', 'garbage', Buffer.from('[1e309,"x"]').toString('base64url'), '']) } : {}),
  }),
};

function queryString(value: unknown): string {
  if (value === undefined) return '';
  return (typeof value === 'string' ? value : JSON.stringify(value) ?? String(value)).slice(0, 3000);
}

function randomRequest(): Request {
  const route = chance(0.95) ? pick(routes) : undefined;
  let path = route
    ? route.segments
        .map((segment) => {
          if (segment === '[roomId]') return encodeURIComponent(roomIdParam());
          if (segment === '[sessionId]') return pick([randomUUID(), world.bystanderSessionId, 'nope']);
          if (segment.startsWith('[...')) return pick(['session', 'csrf', 'providers', 'signin', 'signout', 'callback/credentials', 'nonsense', 'callback/%00']);
          return segment;
        })
        .join('/')
    : `api/${pick(['nope', 'rooms/x/y/z', '..', 'users/%ff'])}`;
  const queryTemplate = route ? QUERY_TEMPLATES[route.pattern] : undefined;
  if (queryTemplate && chance(0.8)) {
    const values = mutate(queryTemplate());
    const params = new URLSearchParams();
    if (values && typeof values === 'object' && !Array.isArray(values)) {
      for (const [name, value] of Object.entries(values)) params.append(name, queryString(value));
    } else params.append('q', queryString(values));
    path += `?${params.toString()}`;
  } else if (chance(0.4)) {
    const params = new URLSearchParams();
    for (let i = 0; i < int(4); i += 1) {
      const name = pick(['q', 'limit', 'before', 'after', 'around', 'changedAfter', 'thread', 'author', 'from', 'to', 'except', 'callbackUrl', 'x']);
      params.append(name, String(chance(0.3) ? int(5) : randomScalar()).slice(0, 3000));
    }
    path += `?${params.toString()}`;
  }
  const exported = route ? Object.keys(route.handlers) : [];
  const method = chance(0.8) && exported.length ? pick(exported) : pick(HTTP_METHODS);
  const headers: Record<string, string> = { 'x-parley-client-ip': `10.99.${int(250)}.${int(250)}` };
  const cookie = credentialCookie();
  if (cookie) headers.cookie = cookie;
  if (chance(0.2)) headers.origin = pick(['http://localhost', 'https://evil.example', 'null']);
  let body: string | undefined;
  if (method !== 'GET' && method !== 'HEAD' && chance(0.85)) {
    const template = route ? BODY_TEMPLATES[route.pattern] : undefined;
    const value = template ? mutate(template) : randomValue();
    body = chance(0.1) ? pick(['{', 'not json', '\u0000', '[]', 'null', '"x"', '{"a":'.repeat(50)]) : JSON.stringify(value);
    headers['content-type'] = pick(['application/json', 'application/json', 'application/json', 'text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=utf-8', 'garbage']);
  }
  return new Request(`http://localhost/${path}`, { method, headers, body });
}

describe('fuzz', () => {
  it(`${ROUNDS} random REST requests: no 500, errors in the documented shape (seed ${SEED})`, async () => {
    const failures: string[] = [];
    for (let i = 0; i < ROUNDS; i += 1) {
      const request = randomRequest();
      const detail = `${[...request.headers].filter(([k]) => k !== 'cookie').map(([k, v]) => `${k}: ${v.slice(0, 60)}`).join(', ')} cookie: ${(request.headers.get('cookie') ?? '').slice(0, 40)} body: ${(await request.clone().text()).slice(0, 120)}`;
      const label = `${request.method} ${new URL(request.url).pathname.slice(0, 80)}${new URL(request.url).search.slice(0, 80)} [${detail}]`;
      try {
        const response = await dispatch(routes, request);
        const text = await response.text();
        if (response.status >= 500) failures.push(`#${i} ${label} → ${response.status} ${text.slice(0, 200)}`);
        const isOurs = !new URL(request.url).pathname.startsWith('/api/auth/');
        if (isOurs && response.status >= 400 && response.status !== 404 && response.status !== 405 && text) {
          const body = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
          if (typeof body.error?.code !== 'string' || typeof body.error.message !== 'string') failures.push(`#${i} ${label} → ${response.status} not the error shape: ${text.slice(0, 200)}`);
        }
      } catch (error) {
        failures.push(`#${i} ${label} threw ${String(error)}`);
      }
    }
    expect(failures).toEqual([]);
  }, 300_000);

  it(`${ROUNDS} random socket events: every ack answered once within 5 s, never INTERNAL (seed ${SEED})`, async () => {
    const mainEvents = mainClientEvents();
    const roomEvents = roomClientEvents();
    /** One socket per namespace and user, reopened when the server closes it (an oversized packet does). */
    interface Slot {
      namespace: string;
      cookie: string | undefined;
      events: string[];
      socket: Socket;
    }
    const open = async (namespace: string, cookie: string | undefined, auth?: Record<string, unknown>) => {
      const socket = connectClient(server.url, { cookie, namespace, auth });
      await waitForConnect(socket).catch(() => undefined);
      return socket;
    };
    const { shared } = world;
    // Fresh sessions: the REST fuzz may well have signed the world's users out (that is allowed).
    const cookies = await Promise.all([world.owner, world.member, world.exMember].map(async (user) => (await signInAs(user)).cookie));
    const slots: Slot[] = [];
    for (const cookie of cookies) {
      slots.push({ namespace: '/', cookie, events: mainEvents, socket: await open('/', cookie) });
      for (const room of Object.values(shared)) {
        const namespace = `/r/${room.id}`;
        const socket = await open(namespace, cookie, chance(0.5) ? { lastSeq: pick([0, 1, -1, 'x', 2 ** 40]), lastRev: pick([undefined, 0, 1, -1, 'x', 2 ** 40]) } : undefined);
        if (socket.connected) slots.push({ namespace, cookie, events: roomEvents, socket });
        else socket.close();
      }
    }
    expect(slots.length).toBeGreaterThan(3);
    expect(slots.every((slot) => slot.socket.connected)).toBe(true);

    const problems: string[] = [];
    const pending: Promise<void>[] = [];
    let oversized = 0;
    for (let i = 0; i < ROUNDS; i += 1) {
      const slot = pick(slots);
      if (!slot.socket.connected) {
        await Promise.all(pending.splice(0));
        slot.socket.close();
        slot.socket = await open(slot.namespace, slot.cookie);
        if (!slot.socket.connected) problems.push(`#${i} could not reopen ${slot.namespace}`);
      }
      const { socket, events } = slot;
      const event = chance(0.85) ? pick(events) : pick(['nope', 'message:delete', 'admin:everything', '', 'connect', 'disconnecting', '__proto__', 'x'.repeat(500)]);
      const seq = pick([1, 1, 2, 3, 999]);
      const templates: Record<string, Record<string, unknown>> = {
        'message:send': pick([
          { clientId: randomUUID(), body: 'fuzz' },
          { clientId: randomUUID(), body: 'fuzz @room', threadRootSeq: seq, alsoInRoom: chance(0.5) },
          { clientId: randomUUID(), body: 'fuzz', replyToSeq: seq },
        ]),
        'message:edit': { seq, clientId: randomUUID(), body: 'fuzz edit' },
        'message:delete': { seq },
        'reaction:add': { seq, emoji: pick(['👍', '🏳️‍🌈', '1️⃣', 'x', '👍👍']) },
        'reaction:remove': { seq, emoji: '👍' },
        'thread:mark': { rootSeq: seq, seq: pick([0, 1, 5, 2 ** 31 - 1]) },
        'read:mark': { seq: 1 },
        'presence:set': { status: 'online' },
        'presence:watch': { userIds: [world.owner.id] },
        'delivery:ack': { roomId: shared.public.id, seq: 1 },
      };
      const args: unknown[] = [];
      const shape = int(5);
      if (shape === 1) args.push(mutate(templates[event] ?? {}));
      if (shape === 2) args.push(randomValue());
      if (shape === 3) args.push(mutate(templates[event] ?? {}), randomValue(), randomValue());
      if (shape === 4) args.push(undefined);
      const withAck = chance(0.85);
      const reserved = ['connect', 'disconnecting', 'disconnect', 'connect_error', 'newListener', 'removeListener'].includes(event);
      if (!reserved && JSON.stringify(args).length > 65_000) {
        // Over the packet limit: the server closes the whole connection (documented), so no ack can come.
        await Promise.all(pending.splice(0));
        const closed = new Promise<boolean>((resolve) => {
          const timer = setTimeout(() => resolve(false), 5_000);
          socket.once('disconnect', () => {
            clearTimeout(timer);
            resolve(true);
          });
        });
        socket.emit(event, ...args, () => problems.push(`#${i} ${event}: an oversized packet was answered`));
        if (!(await closed)) problems.push(`#${i} ${event}: an oversized packet did not close the connection`);
        oversized += 1;
        continue;
      }
      if (!withAck || reserved) {
        if (!reserved) socket.emit(event, ...args);
        continue;
      }
      pending.push(
        new Promise<void>((resolve) => {
          let answers = 0;
          const timer = setTimeout(() => {
            if (answers === 0) problems.push(`#${i} ${event} ${JSON.stringify(args).slice(0, 120)}: no answer within 5 s`);
            resolve();
          }, 5_000);
          socket.emit(event, ...args, (...replies: unknown[]) => {
            answers += 1;
            const ack = replies.at(-1) as Ack<unknown> | undefined;
            if (answers > 1) problems.push(`#${i} ${event}: answered ${answers} times`);
            if (!ack || typeof ack !== 'object' || typeof (ack as { ok?: unknown }).ok !== 'boolean') problems.push(`#${i} ${event}: not an Ack: ${JSON.stringify(replies).slice(0, 200)}`);
            else if (!ack.ok && ack.error.code === 'INTERNAL') problems.push(`#${i} ${event} ${JSON.stringify(args).slice(0, 120)}: INTERNAL`);
            if (answers === 1) {
              // Wait a moment more for a second answer before calling it done.
              setTimeout(() => {
                clearTimeout(timer);
                resolve();
              }, 50);
            }
          });
        }),
      );
      if (pending.length % 100 === 0) await Promise.all(pending.splice(0)); // keep the burst bounded
    }
    await Promise.all(pending);
    for (const { socket } of slots) socket.close();
    expect(problems).toEqual([]);
    expect(oversized).toBeGreaterThan(0); // the fuzz did reach the packet limit
  }, 300_000);

  it('afterwards: nothing logged as an error, no unhandled rejection, and the server still works', async () => {
    expect(serverErrors).toEqual([]);
    expect(unhandled).toEqual([]);
    const { cookie } = await signInAs(world.owner);
    const socket = connectClient(server.url, { cookie, namespace: `/r/${world.shared.public.id}` });
    await waitForConnect(socket);
    const ack = await send(socket, 'still here');
    expect(ack.ok).toBe(true);
    socket.close();
  });
});
