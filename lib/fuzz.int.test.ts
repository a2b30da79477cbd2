/**
 * A bounded, seeded fuzz of one instance: thousands of random and mutated REST requests (every route
 * found on disk, Auth.js's included) and socket events (every event in lib/realtime/events.ts, unknown
 * ones, malformed arguments) from signed-in, signed-out and revoked clients. The server must never answer
 * 500 or INTERNAL, never log an error, never leave an unhandled rejection, and answer every event that
 * carries an ack exactly once within 5 s — and still work normally afterwards.
 *
 * The file routes that server.ts serves beside Next (uploads and downloads, docs/protocol.md §6) are fuzzed
 * over HTTP against the test server: random and mutated upload query strings, bodies (empty, images,
 * corrupt and bomb images, HTML, oversize, cut off by the client) and content types, and downloads with
 * hostile ids, ranges and conditionals. Besides the rules above, a refused upload must leave nothing
 * behind: the rows and objects at the end are exactly those of the uploads that were answered 201.
 *
 * `FUZZ_SEED=<n>` replays a run; `FUZZ_ROUNDS=<n>` makes it longer (default 2,000 of each; a quarter as
 * many uploads and downloads).
 */
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { getDb } from './db';
import type { Attachment } from './schemas/attachment';
import pino from 'pino';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Ack } from './errors';
import { dispatch, HTTP_METHODS, loadApiRoutes, type ApiRoute } from './testing/api-router';
import { buildWorld, type World } from './testing/authz-world';
import { connectClient, send, signInAs, startTestRealtime, uniqueName, waitForConnect, type TestRealtime } from './testing/realtime';
import { mainClientEvents, roomClientEvents } from './testing/socket-events';
import { seededRandom } from './testing/seeded-random';
import { html, png, pngBomb, truncated } from './testing/file-fixtures';
import { ROOM_PASSWORD, getFile, ownDataDir, rawRequest, tempFiles, upload, uploadOk, uploadUrl, useStorage, withPicked, type TestStorage } from './testing/uploads';
import { createRoom, joinRoom, startDirect } from './data/rooms';
import type { CallInfo, CallJoined } from './schemas/call';
import { CANDIDATE, SDP_ANSWER, SDP_OFFER, ok, openTab } from './testing/calls';
import { createTestUser, eventually } from './testing/realtime';
import { api, castRoom } from './testing/community';
import type { RoomSummary } from './schemas/room';

const SEED = Number(process.env.FUZZ_SEED ?? 20261129);
const ROUNDS = Number(process.env.FUZZ_ROUNDS ?? 2_000);
const FILE_ROUNDS = Math.ceil(ROUNDS / 4);

/** Small, so that oversize bodies are cheap. Read once (lib/env.ts), before anything starts. */
const UPLOAD_LIMIT = 64 * 1024;
vi.stubEnv('DATA_DIR', ownDataDir());
vi.stubEnv('UPLOAD_MAX_BYTES', String(UPLOAD_LIMIT));
vi.stubEnv('RATE_LIMIT_UPLOADS_PER_MINUTE', '1000000');

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
let storage: TestStorage;

/**
 * What the file fuzz works on, made when it starts: the REST fuzz before it may have deleted the world's
 * rooms and ended its sessions (both allowed), so fresh rooms and sessions, and files sent in them.
 */
interface FileWorld {
  rooms: string[];
  /** Live sessions of the owner, the member and the outsider, then dead and bogus ones. */
  cookies: (string | undefined)[];
  /** Sent files (readable by the owner and the member) and an unsent upload of the owner's. */
  files: Attachment[];
  unsent: Attachment;
}
let fileWorld: Promise<FileWorld> | undefined;

async function makeFileWorld(): Promise<FileWorld> {
  const [owner, member, outsider] = (await Promise.all([world.owner, world.member, world.actors.outsider.user!].map(async (user) => (await signInAs(user)).cookie))) as [string, string, string];
  const rooms: string[] = [];
  for (const kind of ['public', 'private'] as const) {
    const data = kind === 'private' ? { kind, name: uniqueName('fz'), description: '', password: ROOM_PASSWORD } : { kind, name: uniqueName('fz'), description: '' };
    const room = await createRoom({ ownerId: world.owner.id, data, ip: null });
    await joinRoom({ roomId: room.id, userId: world.member.id, password: kind === 'private' ? ROOM_PASSWORD : undefined, ip: null });
    rooms.push(room.id);
  }
  rooms.push(world.shared.direct.id); // direct rooms cannot be deleted
  const files: Attachment[] = [];
  for (const roomId of rooms) {
    const attachment = await uploadOk(server.url, owner, roomId, await png(30, 20), { name: 'fuzz.png' });
    const socket = connectClient(server.url, { cookie: owner, namespace: `/r/${roomId}` });
    await waitForConnect(socket);
    const ack = (await socket.timeout(10_000).emitWithAck('message:send', { clientId: randomUUID(), attachments: [attachment.id] })) as Ack<{ attachments: Attachment[] }>;
    socket.close();
    if (!ack.ok) throw new Error(ack.error.message);
    files.push(...ack.data.attachments);
  }
  const unsent = await uploadOk(server.url, owner, rooms[0]!, await png(8, 8), { name: 'unsent.png' });
  const dead = [world.actors.revokedSession.cookie, world.actors.deletedUser.cookie, 'authjs.session-token=garbage', undefined];
  return { rooms, cookies: [owner, owner, member, member, outsider, ...dead], files, unsent };
}

/** encodeURIComponent, or a stand-in for strings it refuses (lone surrogates). */
function encodeSegment(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    return '%ED%A0%80';
  }
}
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
  storage = await useStorage('local');
}, 120_000);

afterAll(async () => {
  process.off('unhandledRejection', onUnhandled);
  await server?.close();
  await storage?.close();
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
  '/api/rooms/[roomId]': { roomMentions: 'owner', topic: 'fuzz topic' },
  '/api/rooms/[roomId]/join': { password: 'matrix room password' },
  '/api/rooms/[roomId]/notifications': { level: 'mentions' },
  '/api/direct': { userId: randomUUID() },
  '/api/calls/[callId]/hangup': {},
  '/api/account/password': { currentPassword: 'correct horse battery', newPassword: 'another password', confirmPassword: 'another password' },
  // §4.13–§4.14: settings, people, bans, invitations, groups.
  '/api/rooms/[roomId]/transfer': { userId: randomUUID() },
  '/api/rooms/[roomId]/members': { userIds: [randomUUID()] },
  '/api/rooms/[roomId]/members/[userId]': { reason: 'fuzz' },
  '/api/rooms/[roomId]/members/[userId]/role': { role: 'moderator' },
  '/api/rooms/[roomId]/members/[userId]/mute': { durationSeconds: 60, reason: 'fuzz' },
  '/api/rooms/[roomId]/bans/[userId]': { reason: 'fuzz' },
  '/api/rooms/[roomId]/invites': { expiresInSeconds: 300, maxUses: 1 },
  '/api/groups': { userIds: [randomUUID(), randomUUID()] },
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
  '/api/rooms/[roomId]/files': () => ({
    kind: pick(['image', 'video', 'audio', 'file', 'pdf', '']),
    limit: pick([1, 50, 100, 101, 0, -1, 'x']),
    ...(chance(0.5) ? { before: pick([randomUUID(), 'garbage', '', '0'.repeat(36)]) } : {}),
  }),
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
          if (segment === '[userId]') return encodeURIComponent(pick([world.member.id, world.owner.id, world.bystander.id, randomUUID(), world.member.id.toUpperCase(), 'nope', '\u0000', '..']));
          // Invitation tokens (32 characters) and invitation ids (UUIDs) share this segment.
          if (segment === '[token]') return encodeURIComponent(pick([randomUUID(), 'A'.repeat(32), `${'a'.repeat(31)}\u0000`, 'nope', '..', 'x'.repeat(300)]));
          if (segment === '[callId]') return encodeURIComponent(pick([randomUUID(), randomUUID().toUpperCase(), 'nope', '..', '\u0000']));
          if (segment === '[id]') return encodeURIComponent(pick([randomUUID(), randomUUID().toUpperCase(), 'nope', '', '..', '\u0000']));
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
    // Uploads of the owner's to attach (message:send's attachments), where the world's rooms still exist.
    const uploadIds: string[] = [];
    for (const room of Object.values(shared)) {
      const answer = await upload(server.url, cookies[0], room.id, await png(8, 8), { name: 'attach.png' });
      if (answer.attachment) uploadIds.push(answer.attachment.id);
    }
    while (uploadIds.length < 2) uploadIds.push(randomUUID());
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
    /** Calls the fuzz started (from call:start acks), so that the other call events name real calls too. */
    const callIds: string[] = [randomUUID()];
    const people = [world.owner.id, world.member.id, world.exMember.id];
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
          {
            clientId: randomUUID(),
            ...(chance(0.5) ? { body: pick(['', 'fuzz', ' ']) } : {}),
            attachments: pick([[], [randomUUID()], [uploadIds[0]], [uploadIds[1]], [uploadIds[0], uploadIds[0]], ['x'], Array.from({ length: 11 }, () => randomUUID())]),
          },
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
        'room:load': { roomId: pick([shared.public.id, shared.private.id, shared.direct.id, shared.group.id, 'ZZZZZZZZZZ']), membersRev: pick([0, 1, 2_147_483_647]) },
        // Rooms of more than four people need `invite` (§4.12): the world's public and private rooms have seven.
        'call:start': (() => {
          const roomId = pick([shared.public.id, shared.private.id, shared.direct.id, shared.group.id]);
          const needsInvite = roomId === shared.public.id || roomId === shared.private.id;
          return { roomId, kind: pick(['audio', 'video']), ...(needsInvite || chance(0.3) ? { invite: [pick(people)] } : {}) };
        })(),
        'call:accept': { callId: pick(callIds) },
        'call:decline': { callId: pick(callIds) },
        'call:hangup': { callId: pick(callIds) },
        'call:resume': { callId: pick(callIds) },
        'call:media': { callId: pick(callIds), audio: chance(0.5), video: chance(0.5), screen: chance(0.5) },
        'call:signal': {
          callId: pick(callIds),
          to: pick(people),
          ...(chance(0.5) ? { description: { type: pick(['offer', 'answer']), sdp: pick([SDP_OFFER, SDP_ANSWER, 'v=0', 'x', '']) } } : { candidate: pick([null, CANDIDATE, {}]) }),
        },
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
            else if (ack.ok && event === 'call:start') callIds.push((ack.data as CallJoined).call.id);
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
    expect(callIds.length).toBeGreaterThan(1); // and started calls, which the other call events then named
  }, 300_000);

  it(`${FILE_ROUNDS} random uploads: no 500, errors in the documented shape, nothing stored but what was answered 201 (seed ${SEED})`, async () => {
    const { rooms, cookies } = await (fileWorld ??= makeFileWorld());
    const roomIds = [...rooms, ...rooms, 'AAAAAAAAAA', 'short', '%2e%2e', 'x'.repeat(300), randomUUID()];
    const started = new Date();
    // Other test files share the database: count the rows of the users this file signs in as.
    const uploaders = { uploaderId: { in: [world.owner.id, world.member.id, world.actors.outsider.user!.id, world.actors.revokedSession.user!.id] } };
    const rowsBefore = await getDb().attachment.count({ where: uploaders });
    const objectsBefore = (await storage.probe.keys()).length;
    // The bomb fits under the fuzz's size limit: 400 million pixels in ~50 KB.
    const images = { png: await png(16, 16), corrupt: truncated(await png(64, 64)), bomb: await pngBomb(20_000, 20_000), html: html() };
    const NAMES = ['a.png', '../../etc/passwd', 'x'.repeat(1000), 'a\u0000.png', 'e\u202Egnp.exe', '', '..', 'C:\\x\\y.txt', '日本語.pdf', '<script>.html', '%00', '\ud800'];
    const failures: string[] = [];
    let accepted = 0;
    let storedObjects = 0;
    const statuses: Record<number, number> = {};
    for (let i = 0; i < FILE_ROUNDS; i += 1) {
      const template = {
        name: pick(NAMES),
        ...(chance(0.2) ? { voice: pick(['1', '0', 'true', 'yes', '']) } : {}),
        ...(chance(0.2) ? { durationMs: pick(['0', '4210', '-1', '3600001', '1e3', 'x']) } : {}),
        ...(chance(0.2) ? { waveform: pick(['AAAA', 'A'.repeat(200), '!!', '']) } : {}),
      };
      const values = chance(0.8) ? mutate(template) : randomValue();
      const params = new URLSearchParams();
      if (values && typeof values === 'object' && !Array.isArray(values)) for (const [k, v] of Object.entries(values)) params.append(k, queryString(v));
      const roomId = pick(roomIds);
      const url = uploadUrl(server.url, encodeSegment(roomId), { query: params.toString() });
      const body = pick([Buffer.alloc(0), images.png, images.corrupt, images.bomb, images.html, Buffer.alloc(int(3000), 7), Buffer.alloc(UPLOAD_LIMIT + 1 + int(1000), 1)]);
      const headers: Record<string, string | number> = {};
      const cookie = pick(cookies);
      if (cookie) headers.cookie = cookie;
      headers['content-type'] = pick(['application/octet-stream', 'application/octet-stream', 'application/octet-stream', 'application/json', 'image/png', '']);
      if (chance(0.7)) headers['content-length'] = body.length;
      if (chance(0.05)) headers.origin = 'https://evil.example';
      const method = chance(0.9) ? 'POST' : pick(['GET', 'PUT', 'DELETE', 'PATCH']);
      const abort = chance(0.05) && body.length > 100 && method === 'POST';
      const result = await rawRequest(url, {
        method,
        headers,
        body: method === 'GET' ? undefined : body,
        expectContinue: chance(0.1),
        ...(abort ? { abortAfterBytes: Math.floor(body.length / 2) } : {}),
        timeoutMs: 20_000,
      });
      const label = `#${i} ${method} ${url.slice(server.url.length, server.url.length + 120)} [${JSON.stringify({ ...headers, cookie: String(headers.cookie ?? '').slice(0, 30) })}] body ${body.length} B`;
      if (!result.response) {
        if (!abort) failures.push(`${label}: no answer (${String(result.error)})`);
        continue;
      }
      const answer = withPicked(result.response);
      statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
      if (answer.status >= 500) failures.push(`${label} → ${answer.status} ${answer.body.toString('utf8').slice(0, 200)}`);
      if (answer.status === 201) {
        accepted += 1;
        storedObjects += answer.attachment?.thumbnail ? 2 : 1;
      } else if (answer.status >= 400 && answer.status !== 405 && answer.body.length > 0) {
        if (typeof answer.error?.code !== 'string' || typeof answer.error.message !== 'string') failures.push(`${label} → ${answer.status} not the error shape: ${answer.body.toString('utf8').slice(0, 200)}`);
      }
    }
    expect(failures).toEqual([]);
    // The fuzz reached every stage: stored, and refused at each check (session, room, query, size, content).
    for (const status of [201, 401, 403, 404, 413, 415, 422]) expect(statuses[status] ?? 0, `${status} in ${JSON.stringify(statuses)}`).toBeGreaterThan(0);
    // Nothing stored but what was answered 201: no half rows, no orphan objects, no temp files.
    let rows = 0;
    let objects = 0;
    const deadline = Date.now() + 20_000;
    do {
      rows = (await getDb().attachment.count({ where: uploaders })) - rowsBefore;
      objects = (await storage.probe.keys()).length - objectsBefore;
      if (rows === accepted && objects === storedObjects && (await tempFiles()).length === 0) break;
      await new Promise((r) => setTimeout(r, 100));
    } while (Date.now() < deadline);
    expect({ rows, objects, temp: (await tempFiles()).map((t) => t.file) }).toEqual({ rows: accepted, objects: storedObjects, temp: [] });
    expect(await getDb().attachment.count({ where: { ...uploaders, createdAt: { gte: started }, status: { not: 'ready' } } })).toBe(0);
  }, 300_000);

  it(`${FILE_ROUNDS} random downloads: only 200/206/304/404/416 (and 401/405), never 500 (seed ${SEED})`, async () => {
    const RANGES = ['bytes=0-0', 'bytes=-1', 'bytes=5-', 'bytes=99999999-', 'bytes=1-0', 'bytes=0-1,3-4', 'bytes=abc', 'items=0-1', 'bytes=-0', `bytes=0-${2 ** 60}`, 'bytes= 0 - 1 ', ''];
    const { files, unsent, cookies } = await (fileWorld ??= makeFileWorld());
    const failures: string[] = [];
    const served: Record<number, number> = {};
    for (let i = 0; i < FILE_ROUNDS; i += 1) {
      const file = pick(files);
      const id = pick([file.id, file.id, unsent.id, randomUUID(), file.id.toUpperCase(), 'x', '%00', '..%2F..%2Fetc%2Fpasswd', encodeSegment(pick(NASTY_STRINGS).slice(0, 100))]);
      const suffix = pick(['', '', '/thumbnail', '/thumbnail/', '/x', '/..']);
      const query = pick(['', '?download=1', '?download=0', '?download=x', `?${encodeSegment(pick(NASTY_STRINGS).slice(0, 100))}=1`]);
      const headers: Record<string, string> = {};
      if (chance(0.5)) headers.range = pick(RANGES);
      if (chance(0.2)) headers['if-none-match'] = pick(['*', '"x"', 'W/"y"', '']);
      if (chance(0.1)) headers['if-range'] = pick(['"x"', 'Tue, 01 Jan 2030 00:00:00 GMT']);
      const cookie = pick(cookies);
      const path = `/api/files/${id}${suffix}${query}`;
      try {
        const answer = await getFile(server.url, cookie, path, { method: pick(['GET', 'GET', 'HEAD']), headers });
        served[answer.status] = (served[answer.status] ?? 0) + 1;
        if (![200, 206, 304, 401, 404, 405, 416].includes(answer.status)) failures.push(`#${i} ${path} ${JSON.stringify(headers)} → ${answer.status} ${answer.body.toString('utf8').slice(0, 200)}`);
        if ((answer.status === 404 || answer.status === 401) && answer.body.length > 0) {
          const body = JSON.parse(answer.body.toString('utf8')) as { error?: { code?: unknown; message?: unknown } };
          if (typeof body.error?.code !== 'string' || typeof body.error.message !== 'string') failures.push(`#${i} ${path} → ${answer.status} not the error shape`);
        }
      } catch (error) {
        failures.push(`#${i} ${path} threw ${String(error)}`);
      }
    }
    expect(failures).toEqual([]);
    // The fuzz reached the bytes, ranges and conditionals, not only refusals.
    for (const status of [200, 206, 404]) expect(served[status] ?? 0, JSON.stringify(served)).toBeGreaterThan(0);
  }, 300_000);

  it('§4.13–§4.14 bodies that break the contract are answered 422 (413 over the size limit) and change nothing', async () => {
    const uuids = (n: number) => Array.from({ length: n }, () => randomUUID());
    /** Not an object, or one with keys the route does not know (a JSON `null` is left out: an optional body may be `null`). */
    const common: unknown[] = [[], 'x', 42, { extra: 1 }, '{"__proto__": {"isAdmin": true}}'];
    const reasons = [...common, { reason: 'x'.repeat(501) }, { reason: 'a\u0000b' }, { reason: '\u001b[31m' }, { reason: 5 }, { reason: null }, { reason: 'ok', extra: 1 }];
    type Cast = Awaited<ReturnType<typeof castRoom>>;
    /** [method, path, bad bodies] for a room whose owner sends them (allowed to make the request with a good body). */
    const cases: ((c: Cast) => [string, string, unknown[]])[] = [
      (c) => [
        'PATCH',
        `/api/rooms/${c.room.id}`,
        [
          {},
          null,
          ...common,
          { name: 'a\u0000b' },
          { name: `\u202E${uniqueName('evil')}` },
          { name: 'x' },
          { name: 'x'.repeat(5_000) },
          { name: 42 },
          { description: 'a\u0000' },
          { description: 'x'.repeat(501) },
          { topic: 'x'.repeat(251) },
          { topic: 'a\u0007b' },
          { topic: ['x'] },
          { kind: 'direct' },
          { kind: 'group' },
          { kind: 'PUBLIC' },
          { kind: 'public', password: 'a public password' },
          { password: 'abc' },
          { password: 1234 },
          { password: 'pass\u0000word' },
          { roomMentions: 'everyone' },
          { roomMentions: 'owner', ownerId: c.members[0]!.user.id },
          { archivedAt: null },
        ],
      ],
      (c) => {
        const userId = c.members[0]!.user.id;
        return ['POST', `/api/rooms/${c.room.id}/transfer`, [{}, null, ...common, { userId: 'nope' }, { userId: 42 }, { userId: [userId] }, { userId: `${userId}\u0000` }, { userId, role: 'owner' }]];
      },
      (c) => {
        const other = c.members[1]!.user.id;
        return [
          'POST',
          `/api/rooms/${c.room.id}/members`,
          [{}, null, ...common, { userIds: [] }, { userIds: uuids(21) }, { userIds: ['nope'] }, { userIds: [other, other] }, { userIds: other }, { userIds: [null] }, { userIds: [randomUUID()], role: 'admin' }],
        ];
      },
      (c) => ['DELETE', `/api/rooms/${c.room.id}/members/${c.members[0]!.user.id}`, reasons],
      (c) => ['PUT', `/api/rooms/${c.room.id}/members/${c.members[0]!.user.id}/role`, [{}, null, ...common, { role: 'owner' }, { role: 'ADMIN' }, { role: null }, { role: 'admin', extra: 1 }, { role: 'admin\u0000' }]],
      (c) => [
        'PUT',
        `/api/rooms/${c.room.id}/members/${c.members[0]!.user.id}/mute`,
        [
          {},
          null,
          ...common,
          { durationSeconds: 59 },
          { durationSeconds: 2_592_001 },
          { durationSeconds: 60.5 },
          { durationSeconds: '60' },
          { durationSeconds: -60 },
          { durationSeconds: 1e308 },
          { durationSeconds: 60, reason: 'a\u0000' },
          { durationSeconds: 60, reason: 'x'.repeat(501) },
          { durationSeconds: 60, until: '2030-01-01T00:00:00Z' },
        ],
      ],
      (c) => ['PUT', `/api/rooms/${c.room.id}/bans/${c.members[0]!.user.id}`, reasons],
      (c) => [
        'POST',
        `/api/rooms/${c.room.id}/invites`,
        [
          ...common,
          { expiresInSeconds: 299 },
          { expiresInSeconds: 2_592_001 },
          { expiresInSeconds: '300' },
          { expiresInSeconds: 300.5 },
          { maxUses: 0 },
          { maxUses: 10_001 },
          { maxUses: 1.5 },
          { maxUses: '1' },
          { maxUses: -1 },
          { roomId: null },
        ],
      ],
      (c) => {
        const [a, b] = c.members.map((m) => m.user.id) as [string, string];
        return ['POST', '/api/groups', [{}, null, ...common, { userIds: [a] }, { userIds: uuids(9) }, { userIds: 'x' }, { userIds: [b, b] }, { userIds: [a, b], name: 'a group' }, { userIds: ['nope', 'nope2'] }]];
      },
    ];

    /** What the requests could have changed, as the room's owner sees it. */
    const snapshot = async (c: Cast) => ({
      room: (await api(c.owner, 'GET', `/api/rooms/${c.room.id}`)).body,
      bans: (await api(c.owner, 'GET', `/api/rooms/${c.room.id}/bans`)).body,
      invites: (await api(c.owner, 'GET', `/api/rooms/${c.room.id}/invites`)).body,
      history: (await api(c.owner, 'GET', `/api/rooms/${c.room.id}/messages?limit=100`)).body,
      ownerRooms: (await api<{ mine: RoomSummary[] }>(c.owner, 'GET', '/api/rooms')).body.mine.map((r) => r.id),
    });
    const problems: string[] = [];
    for (const make of cases) {
      // A room and owner per route: the owner's moderation budget (§7, 60 a minute) is not what this is about.
      const c = await castRoom({ kind: 'private', moderators: 1, members: 2 });
      const [method, path, bodies] = make(c);
      const before = await snapshot(c);
      for (const body of bodies) {
        const answer = await api(c.owner, method, path, body);
        const code = (answer.body as { error?: { code?: string } } | undefined)?.error?.code;
        if (answer.status !== 422 || code !== 'INVALID_PAYLOAD') problems.push(`${method} ${path} ${(JSON.stringify(body) ?? String(body)).slice(0, 100)} → ${answer.status} ${answer.text.slice(0, 160)}`);
      }
      // A body over the REST limit is refused before it is read (§1); malformed JSON is a 422.
      const huge = await api(c.owner, method, path, { reason: 'x'.repeat(20_000) });
      if (huge.status !== 413) problems.push(`${method} ${path} (20 kB body) → ${huge.status} ${huge.text.slice(0, 160)}`);
      const broken = await api(c.owner, method, path, '{"userIds": [');
      if (broken.status !== 422) problems.push(`${method} ${path} (malformed JSON) → ${broken.status} ${broken.text.slice(0, 160)}`);
      const after = await snapshot(c);
      if (JSON.stringify(after) !== JSON.stringify(before)) problems.push(`${method} ${path}: something changed\n  before ${JSON.stringify(before).slice(0, 600)}\n  after  ${JSON.stringify(after).slice(0, 600)}`);
    }
    expect(problems).toEqual([]);
  }, 180_000);

  it('call:* payloads that break the contract are answered INVALID_PAYLOAD exactly once, and change nothing', async () => {
    const [alice, bob] = await Promise.all([createTestUser(), createTestUser()]);
    const { room } = await startDirect({ userId: alice.id, peerId: bob.id });
    const [aliceTab, bobTab] = [await openTab(server.url, alice), await openTab(server.url, bob)];
    const { call } = ok(await aliceTab.emit<CallJoined>('call:start', { roomId: room.id, kind: 'audio' }));
    await eventually(() => bobTab.rings.length === 1);
    ok(await bobTab.emit('call:accept', { callId: call.id }));
    const list = async () => ok(await aliceTab.emit<{ calls: CallInfo[] }>('call:list')).calls;
    await eventually(() => aliceTab.updates.some((u) => u.call.state === 'active'));
    const before = { calls: await list(), messages: await getDb().message.count({ where: { roomId: room.id } }), updates: [aliceTab.updates.length, bobTab.updates.length] };

    const callId = call.id;
    const to = bob.id;
    const offer = { type: 'offer', sdp: SDP_OFFER };
    const NO_PAYLOAD = Symbol('no payload');
    const callIdPayloads: unknown[] = [NO_PAYLOAD, null, 'x', 42, [], {}, { callId: 'nope' }, { callId: 123 }, { callId: [callId] }, { callId: `${callId}x` },
      { callId: `${callId}\u0000` }, { callId: ` ${callId}` }, { callId, extra: true }, { callId, userId: to }];
    const bad: [event: string, payload: unknown][] = [
      ...[NO_PAYLOAD, null, 'x', [], {}, { roomId: room.id }, { roomId: room.id, kind: 'screen' }, { roomId: room.id, kind: 'AUDIO' }, { roomId: 'short', kind: 'audio' },
        { roomId: `${room.id.slice(0, 9)}\u0000`, kind: 'audio' }, { roomId: room.id, kind: 'audio', extra: 1 }, { roomId: room.id, kind: 'audio', invite: [] },
        { roomId: room.id, kind: 'audio', invite: ['nope'] }, { roomId: room.id, kind: 'audio', invite: to }, { roomId: room.id, kind: 'audio', invite: [`${to}\u0000`] },
        { roomId: room.id, kind: 'audio', invite: Array.from({ length: 4 }, () => randomUUID()) }].map((p): [string, unknown] => ['call:start', p]),
      ...['call:accept', 'call:decline', 'call:hangup', 'call:resume'].flatMap((event) => callIdPayloads.map((p): [string, unknown] => [event, p])),
      ...[NO_PAYLOAD, { callId, audio: true, video: false }, { callId, audio: 'yes', video: false, screen: false }, { callId, audio: 1, video: false, screen: false },
        { callId, audio: true, video: false, screen: null }, { audio: true, video: false, screen: false }, { callId: 'x', audio: true, video: false, screen: false },
        { callId, audio: true, video: false, screen: false, extra: 1 }].map((p): [string, unknown] => ['call:media', p]),
      ...[{}, ['x'], 'x', null].map((p): [string, unknown] => ['call:list', p]), // it takes no payload at all
    ];
    const badSignals: unknown[] = [
      NO_PAYLOAD,
      { callId, to }, // neither description nor candidate
      { callId, to, description: offer, candidate: null }, // both
      { callId, to, description: { type: 'pranswer', sdp: SDP_OFFER } },
      { callId, to, description: { type: 'rollback', sdp: SDP_OFFER } },
      { callId, to, description: { type: 'offer', sdp: '' } },
      { callId, to, description: { type: 'offer', sdp: 'hello' } }, // not a session description
      { callId, to, description: { type: 'offer', sdp: `${SDP_OFFER}a=x\u0000\r\n` } },
      { callId, to, description: { type: 'offer', sdp: `${SDP_OFFER}a=x\u0007\r\n` } },
      { callId, to, description: { type: 'offer', sdp: `${SDP_OFFER}a=x\u0085\r\n` } },
      { callId, to, description: { type: 'offer', sdp: `v=0${'a'.repeat(32_000)}` } }, // over 32 000 characters
      { callId, to, description: { type: 'offer', sdp: 5 } },
      { callId, to, description: SDP_OFFER },
      { callId, to, description: { ...offer, extra: 1 } },
      { callId, to, candidate: CANDIDATE.candidate }, // a string, not RTCIceCandidateInit
      { callId, to, candidate: {} },
      { callId, to, candidate: false },
      { callId, to, candidate: { ...CANDIDATE, candidate: 'c'.repeat(1025) } },
      { callId, to, candidate: { ...CANDIDATE, candidate: `${CANDIDATE.candidate}\u0000` } },
      { callId, to, candidate: { ...CANDIDATE, candidate: `${CANDIDATE.candidate}\r\na=evil` } },
      { callId, to, candidate: { ...CANDIDATE, sdpMid: 'm'.repeat(65) } },
      { callId, to, candidate: { ...CANDIDATE, sdpMid: '0\u001b' } },
      { callId, to, candidate: { ...CANDIDATE, sdpMLineIndex: 256 } },
      { callId, to, candidate: { ...CANDIDATE, sdpMLineIndex: -1 } },
      { callId, to, candidate: { ...CANDIDATE, sdpMLineIndex: 1.5 } },
      { callId, to, candidate: { ...CANDIDATE, sdpMLineIndex: '0' } },
      { callId, to, candidate: { ...CANDIDATE, usernameFragment: 'u'.repeat(257) } },
      { callId, to, candidate: { ...CANDIDATE, extra: 1 } },
      { callId, to: 'nope', candidate: null },
      { callId, to: `${to}\u0000`, candidate: null },
      { callId, to: 5, candidate: null },
      { callId, candidate: null }, // no recipient
      { to, candidate: null },
      { callId: 'nope', to, candidate: null },
      { callId, to, candidate: null, from: alice.id },
    ];
    // More of them than the signal and call-action limits allow at once: refusals must not count against them.
    for (let round = 0; round < 8; round += 1) bad.push(...badSignals.map((p): [string, unknown] => ['call:signal', p]));

    const problems: string[] = [];
    await Promise.all(
      bad.map(
        ([event, payload], i) =>
          new Promise<void>((resolve) => {
            let answers = 0;
            const label = `#${i} ${event} ${payload === NO_PAYLOAD ? '(no payload)' : (JSON.stringify(payload) ?? String(payload)).slice(0, 100)}`;
            const timer = setTimeout(() => {
              if (answers === 0) problems.push(`${label}: no answer within 5 s`);
              resolve();
            }, 5_000);
            const answer = (ack: Ack<unknown>) => {
              answers += 1;
              if (answers > 1) problems.push(`${label}: answered ${answers} times`);
              if (ack.ok || ack.error.code !== 'INVALID_PAYLOAD') problems.push(`${label}: ${JSON.stringify(ack).slice(0, 160)}`);
              if (answers === 1) {
                setTimeout(() => {
                  clearTimeout(timer);
                  resolve();
                }, 50);
              }
            };
            if (payload === NO_PAYLOAD) aliceTab.socket.emit(event, answer);
            else aliceTab.socket.emit(event, payload, answer);
          }),
      ),
    );
    // A valid payload with something more after it is refused too.
    const extra = (await aliceTab.socket.timeout(5_000).emitWithAck('call:hangup', { callId }, 'and more')) as Ack<unknown>;
    if (extra.ok || extra.error.code !== 'INVALID_PAYLOAD') problems.push(`call:hangup with a second argument: ${JSON.stringify(extra)}`);
    expect(problems).toEqual([]);

    // Nothing changed: the call as it was, nothing announced, nothing relayed, no entry.
    await new Promise((r) => setTimeout(r, 200));
    expect({ calls: await list(), messages: await getDb().message.count({ where: { roomId: room.id } }), updates: [aliceTab.updates.length, bobTab.updates.length] }).toEqual(before);
    expect(bobTab.signals).toEqual([]);
    // And no limit was spent: a signal and a media change go through, and are relayed and announced.
    ok(await aliceTab.emit('call:signal', { callId, to, description: offer }));
    await eventually(() => bobTab.signals.length === 1);
    expect(ok(await aliceTab.emit<{ call: CallInfo }>('call:media', { callId, audio: false, video: false, screen: true })).call.state).toBe('active');
    await eventually(() => bobTab.updates.length === before.updates[1]! + 1);
    ok(await aliceTab.emit('call:hangup', { callId }));
    aliceTab.close();
    bobTab.close();
  });

  it('afterwards: nothing logged as an error, no unhandled rejection, and the server still works', async () => {
    expect(serverErrors).toEqual([]);
    expect(unhandled).toEqual([]);
    // A fresh room: random but valid requests may well have archived the shared ones, or muted their owner.
    const room = await world.freshRoom('public');
    const { cookie } = await signInAs(world.owner);
    const socket = connectClient(server.url, { cookie, namespace: `/r/${room.id}` });
    await waitForConnect(socket);
    const ack = await send(socket, 'still here');
    expect(ack).toMatchObject({ ok: true });
    socket.close();
  });
});
