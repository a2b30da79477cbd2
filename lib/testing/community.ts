/**
 * Helpers for the community tests (docs/protocol.md §4.13 roles, moderation, settings, archive,
 * invitations; §4.14 groups), written as an outside client: every act goes through the REST routes
 * (found on disk, lib/testing/api-router.ts) or the sockets, exactly as the protocol describes them.
 * Nothing here knows how the server implements them.
 */
import { randomUUID } from 'node:crypto';
import type { Socket } from 'socket.io-client';
import type { Ack } from '../errors';
import type { ChatMessage, HistoryPage } from '../schemas/message';
import type { CreatedInvite, InviteView } from '../schemas/moderation';
import type { RoomMember, RoomSummary } from '../schemas/room';
import type { PublicUser } from '../schemas/user';
import { dispatch, loadApiRoutes, type ApiRoute } from './api-router';
import { afterAll, beforeAll } from 'vitest';
import { connectClient, createTestUser, signInAs, startTestRealtime, uniqueName, waitForConnect, type TestRealtime } from './realtime';

export type TestUser = PublicUser & { password: string };

/** A signed-in user: one session of theirs (a cookie), as a browser holds it. */
export interface Person {
  user: TestUser;
  cookie: string;
  sessionId: string;
  /** Short label for failure messages. */
  label: string;
}

export async function person(label = 'someone'): Promise<Person> {
  const user = await createTestUser();
  const { cookie, sessionId } = await signInAs(user);
  return { user, cookie, sessionId, label };
}

/**
 * `count` people, created a few at a time: registration hashes passwords in a bounded queue, which
 * refuses (503) when too many wait at once — on a busy 2-core machine, four at a time is safe.
 */
export async function people(count: number, label = 'person'): Promise<Person[]> {
  const made: Person[] = [];
  while (made.length < count) {
    const batch = Math.min(4, count - made.length);
    made.push(...(await Promise.all(Array.from({ length: batch }, (_, i) => person(`${label}${made.length + i + 1}`)))));
  }
  return made;
}

export interface Answer<T = unknown> {
  status: number;
  /** The parsed JSON body (undefined when there is none). */
  body: T;
  text: string;
}

export interface ErrorBody {
  error: { code: string; message: string; issues?: { path: string; message: string }[] };
}

let routesLoaded: Promise<ApiRoute[]> | undefined;
/** Every route under app/api, loaded once per test file. */
export function apiRoutes(): Promise<ApiRoute[]> {
  return (routesLoaded ??= loadApiRoutes());
}

function randomIp(): string {
  const n = () => Math.floor(Math.random() * 250) + 1;
  return `10.${n()}.${n()}.${n()}`;
}

/**
 * One REST call as a same-origin browser sends it: `Content-Type: application/json` on every
 * POST/PUT/PATCH/DELETE, with or without a body (§1). `who` null: no session. Each call comes from an
 * address of its own unless `ip` is given (the per-address limits are not what these tests are about).
 */
export async function api<T = unknown>(
  who: Person | { cookie: string } | null,
  method: string,
  path: string,
  body?: unknown,
  options: { ip?: string; headers?: Record<string, string> } = {},
): Promise<Answer<T>> {
  const headers: Record<string, string> = { 'x-parley-client-ip': options.ip ?? randomIp(), ...options.headers };
  if (who) headers.cookie = who.cookie;
  if (method !== 'GET' && method !== 'HEAD') headers['content-type'] ??= 'application/json';
  const init: RequestInit = { method, headers, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) };
  const response = await dispatch(await apiRoutes(), new Request(`http://localhost${path}`, init));
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text ? (JSON.parse(text) as unknown) : undefined;
  } catch {
    parsed = undefined;
  }
  return { status: response.status, body: parsed as T, text };
}

/** The answer when it has the expected status; a failure that says what came instead otherwise. */
export function expectStatus<T>(answer: Answer<T>, status: number, what = ''): T {
  if (answer.status !== status) throw new Error(`${what ? `${what}: ` : ''}expected ${status}, got ${answer.status} ${answer.text.slice(0, 300)}`);
  return answer.body;
}

export function errorCode(answer: Answer<unknown>): string | undefined {
  return (answer.body as ErrorBody | undefined)?.error?.code;
}

// ── Rooms through the protocol ──

export const ROOM_PASSWORD = 'community room password';

export async function createRoomAs(owner: Person, kind: 'public' | 'private' = 'public', extra: { name?: string; password?: string } = {}): Promise<RoomSummary> {
  const body =
    kind === 'private'
      ? { kind, name: extra.name ?? uniqueName('cm'), description: '', password: extra.password ?? ROOM_PASSWORD }
      : { kind, name: extra.name ?? uniqueName('cm'), description: '' };
  return expectStatus(await api<{ room: RoomSummary }>(owner, 'POST', '/api/rooms', body), 201, 'create room').room;
}

export async function joinAs(who: Person, roomId: string, password?: string): Promise<Answer<{ room: RoomSummary } | ErrorBody>> {
  return api(who, 'POST', `/api/rooms/${roomId}/join`, password === undefined ? {} : { password });
}

export const setRole = (actor: Person, roomId: string, target: Person | string, role: 'admin' | 'moderator' | 'member') =>
  api<{ member: RoomMember } | ErrorBody>(actor, 'PUT', `/api/rooms/${roomId}/members/${idOf(target)}/role`, { role });
export const kick = (actor: Person, roomId: string, target: Person | string, reason?: string) =>
  api(actor, 'DELETE', `/api/rooms/${roomId}/members/${idOf(target)}`, reason === undefined ? undefined : { reason });
export const ban = (actor: Person, roomId: string, target: Person | string, reason?: string) =>
  api<{ ban: unknown } | ErrorBody>(actor, 'PUT', `/api/rooms/${roomId}/bans/${idOf(target)}`, reason === undefined ? undefined : { reason });
export const unban = (actor: Person, roomId: string, target: Person | string) => api(actor, 'DELETE', `/api/rooms/${roomId}/bans/${idOf(target)}`);
export const mute = (actor: Person, roomId: string, target: Person | string, durationSeconds = 3600, reason?: string) =>
  api<{ member: RoomMember } | ErrorBody>(actor, 'PUT', `/api/rooms/${roomId}/members/${idOf(target)}/mute`, { durationSeconds, ...(reason === undefined ? {} : { reason }) });
export const unmute = (actor: Person, roomId: string, target: Person | string) =>
  api<{ member: RoomMember } | ErrorBody>(actor, 'DELETE', `/api/rooms/${roomId}/members/${idOf(target)}/mute`);
export const addMembers = (actor: Person, roomId: string, targets: (Person | string)[]) =>
  api<{ added: PublicUser[] } | ErrorBody>(actor, 'POST', `/api/rooms/${roomId}/members`, { userIds: targets.map(idOf) });
export const patchRoom = (actor: Person, roomId: string, settings: Record<string, unknown>) =>
  api<{ room: RoomSummary } | ErrorBody>(actor, 'PATCH', `/api/rooms/${roomId}`, settings);
export const archive = (actor: Person, roomId: string) => api<{ room: RoomSummary } | ErrorBody>(actor, 'PUT', `/api/rooms/${roomId}/archive`);
export const restore = (actor: Person, roomId: string) => api<{ room: RoomSummary } | ErrorBody>(actor, 'DELETE', `/api/rooms/${roomId}/archive`);
export const transfer = (actor: Person, roomId: string, target: Person | string) =>
  api<{ room: RoomSummary } | ErrorBody>(actor, 'POST', `/api/rooms/${roomId}/transfer`, { userId: idOf(target) });
export const deleteRoom = (actor: Person, roomId: string) => api(actor, 'DELETE', `/api/rooms/${roomId}`);
export const leave = (actor: Person, roomId: string) => api(actor, 'POST', `/api/rooms/${roomId}/leave`);

export type { CreatedInvite, InviteView };
export const createInvite = (actor: Person, roomId: string, options: { expiresInSeconds?: number | null; maxUses?: number | null } = {}) =>
  api<CreatedInvite | ErrorBody>(actor, 'POST', `/api/rooms/${roomId}/invites`, options);
export const revokeInvite = (actor: Person, inviteId: string) => api(actor, 'DELETE', `/api/invites/${inviteId}`);
export const acceptInvite = (who: Person, token: string) =>
  api<{ room: RoomSummary; joined: boolean } | ErrorBody>(who, 'POST', `/api/invites/${token}/accept`);
export const previewInvite = (who: Person | null, token: string) => api(who, 'GET', `/api/invites/${token}`);

export const startGroup = (starter: Person, others: (Person | string)[]) =>
  api<{ room: RoomSummary } | ErrorBody>(starter, 'POST', '/api/groups', { userIds: others.map(idOf) });

export function idOf(target: Person | string): string {
  return typeof target === 'string' ? target : target.user.id;
}

/** A room's history as `reader` reads it over REST (the newest 100 messages). */
export async function historyOf(reader: Person, roomId: string): Promise<ChatMessage[]> {
  return expectStatus(await api<HistoryPage>(reader, 'GET', `/api/rooms/${roomId}/messages?limit=100`), 200, 'history').messages;
}

export async function membersOf(reader: Person, roomId: string): Promise<RoomMember[]> {
  return expectStatus(await api<{ members: RoomMember[] }>(reader, 'GET', `/api/rooms/${roomId}/members`), 200, 'members').members;
}

/** The cast of a room: its owner and, by role, the people given that role through the API. */
export interface Cast {
  room: RoomSummary;
  owner: Person;
  admins: Person[];
  moderators: Person[];
  members: Person[];
}

/**
 * A public or private room made through the protocol: the owner creates it, everyone joins (with the
 * password for a private room), and the owner hands out the roles (PUT …/role).
 */
export async function castRoom(spec: { kind?: 'public' | 'private'; admins?: number; moderators?: number; members?: number } = {}): Promise<Cast> {
  const kind = spec.kind ?? 'public';
  const [owner, ...rest] = await people(1 + (spec.admins ?? 0) + (spec.moderators ?? 0) + (spec.members ?? 0), 'cast');
  owner!.label = 'owner';
  const admins = rest.splice(0, spec.admins ?? 0);
  const moderators = rest.splice(0, spec.moderators ?? 0);
  const members = rest;
  admins.forEach((p, i) => (p.label = `admin${i + 1}`));
  moderators.forEach((p, i) => (p.label = `moderator${i + 1}`));
  members.forEach((p, i) => (p.label = `member${i + 1}`));
  const room = await createRoomAs(owner!, kind);
  for (const p of [...admins, ...moderators, ...members]) expectStatus(await joinAs(p, room.id, kind === 'private' ? ROOM_PASSWORD : undefined), 200, `${p.label} joins`);
  for (const p of admins) expectStatus(await setRole(owner!, room.id, p, 'admin'), 200, `make ${p.label} admin`);
  for (const p of moderators) expectStatus(await setRole(owner!, room.id, p, 'moderator'), 200, `make ${p.label} moderator`);
  return { room, owner: owner!, admins, moderators, members };
}

// ── Sockets ──

/** Opens a namespace as `who`, resolved on connect (rejects with the connect_error). */
export async function openSocket(base: string, who: Person, namespace: string, auth?: Record<string, unknown>): Promise<Socket> {
  const socket = connectClient(base, { cookie: who.cookie, namespace, auth });
  await waitForConnect(socket);
  return socket;
}

/** The connect_error code of opening a namespace as `who` ('ok' if it connects; the socket is closed either way). */
export async function connectOutcome(base: string, who: Person, namespace: string): Promise<string> {
  const socket = connectClient(base, { cookie: who.cookie, namespace });
  try {
    await waitForConnect(socket);
    return 'ok';
  } catch (error) {
    return (error as { data?: { code?: string } }).data?.code ?? `connect failed: ${String((error as Error).message)}`;
  } finally {
    socket.close();
  }
}

/** A main-namespace socket of `who`, resolved after `session:ready`. */
export async function openMain(base: string, who: Person): Promise<Socket> {
  const socket = connectClient(base, { cookie: who.cookie });
  const ready = new Promise<void>((resolve) => socket.once('session:ready', () => resolve()));
  await waitForConnect(socket);
  await ready;
  return socket;
}

/**
 * A room namespace socket of `who`, resolved after `room:ready` and `message:replay` (so that anything
 * the test does next happens to an admitted socket).
 */
export async function openRoomSocket(base: string, who: Person, roomId: string): Promise<Socket> {
  const socket = connectClient(base, { cookie: who.cookie, namespace: `/r/${roomId}` });
  const replay = new Promise<void>((resolve) => socket.once('message:replay', () => resolve()));
  await waitForConnect(socket);
  await replay;
  return socket;
}

export async function emitAck<T = unknown>(socket: Socket, event: string, ...args: unknown[]): Promise<Ack<T>> {
  return (await socket.timeout(10_000).emitWithAck(event, ...args)) as Ack<T>;
}

export const sendMessage = (socket: Socket, body = 'hello', clientId: string = randomUUID()) => emitAck<ChatMessage>(socket, 'message:send', { clientId, body });

export function codeOf(ack: Ack<unknown>): string {
  return ack.ok ? 'ok' : ack.error.code;
}

/**
 * An expectation armed before the act that should cause it: records the first `event` on `socket` that
 * satisfies `match` from now on. `within(ms)` then waits at most `ms` from the moment it is called (the
 * act's answer), so "within 2 s" is measured from the act, not from when the listener was set up.
 */
export interface Expectation<T> {
  within(ms?: number): Promise<T>;
  /** Whether it has happened already. */
  readonly seen: boolean;
}

export function expectEvent<T = unknown>(socket: Socket, event: string, match: (payload: T) => boolean = () => true, label = ''): Expectation<T> {
  let found: { payload: T } | undefined;
  let wake: (() => void) | undefined;
  const seenPayloads: string[] = [];
  const listener = (payload: T) => {
    seenPayloads.push(JSON.stringify(payload)?.slice(0, 200) ?? 'undefined');
    if (found || !match(payload)) return;
    found = { payload };
    socket.off(event, listener);
    wake?.();
  };
  socket.on(event, listener);
  return {
    get seen() {
      return found !== undefined;
    },
    within(ms = 2_000) {
      if (found) return Promise.resolve(found.payload);
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => {
          socket.off(event, listener);
          reject(new Error(`${label || event}: not received within ${ms} ms (heard: ${seenPayloads.join(' | ') || 'nothing'})`));
        }, ms);
        wake = () => {
          clearTimeout(timer);
          resolve(found!.payload);
        };
      });
    },
  };
}

/** The next `disconnect` of the socket, armed now; `within` resolves with its reason. */
export function expectDisconnect(socket: Socket, label = 'disconnect'): Expectation<string> {
  let reason: string | undefined;
  let wake: (() => void) | undefined;
  socket.once('disconnect', (r: string) => {
    reason = r;
    wake?.();
  });
  return {
    get seen() {
      return reason !== undefined;
    },
    within(ms = 2_000) {
      if (reason !== undefined) return Promise.resolve(reason);
      return new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${label}: still connected after ${ms} ms`)), ms);
        wake = () => {
          clearTimeout(timer);
          resolve(reason!);
        };
      });
    },
  };
}

/**
 * Repeats `attempt` until `done` holds for its result, for at most `ms` from now; the results seen on
 * the way are returned with the last one (for a state reached "within 2 s" that is only observable by
 * trying, e.g. a send refused once a mute reached the other instance).
 */
export async function until<T>(attempt: () => Promise<T>, done: (result: T) => boolean, ms = 2_000, label = 'condition'): Promise<{ last: T; tries: T[] }> {
  const deadline = Date.now() + ms;
  const tries: T[] = [];
  for (;;) {
    const result = await attempt();
    tries.push(result);
    if (done(result)) return { last: result, tries };
    if (Date.now() > deadline) throw new Error(`${label}: not reached within ${ms} ms (last: ${JSON.stringify(result).slice(0, 300)})`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The room-event lines (§4.13 "Room events") among messages. */
export function eventLines(messages: ChatMessage[]): NonNullable<ChatMessage['event']>[] {
  return messages.flatMap((m) => (m.event ? [m.event] : []));
}

/**
 * One realtime server for a test file, answering the file's route calls too (handleRequestsHere), closed
 * after it. Call at the top level of the file; `url` is there once its tests run.
 */
export function serveThisFile(): { readonly url: string } {
  let server: TestRealtime | undefined;
  beforeAll(async () => {
    server = await startTestRealtime();
    server.handleRequestsHere();
  });
  afterAll(async () => {
    await server?.close();
  });
  return {
    get url(): string {
      if (!server) throw new Error('the test server has not started yet');
      return server.url;
    },
  };
}
