/**
 * Call-test helpers (docs/protocol.md §4.12): a "tab" is one main-namespace socket of a user that records
 * what the server sent it about calls, and the rooms calls happen in. Tests talk to the server only as a
 * client would: events, acks and what arrives.
 */
import { createHmac } from 'node:crypto';
import type { Socket } from 'socket.io-client';
import { expect } from 'vitest';
import * as messagesRoute from '@/app/api/rooms/[roomId]/messages/route';
import * as roomRoute from '@/app/api/rooms/[roomId]/route';
import { createRoom, joinRoom, startDirect } from '../data/rooms';
import type { Ack } from '../errors';
import type { CallInfo, CallParticipant, IceServer, RelayedSignal } from '../schemas/call';
import type { ChatMessage, HistoryPage } from '../schemas/message';
import type { RoomSummary } from '../schemas/room';
import type { PublicUser } from '../schemas/user';
import {
  apiRequest,
  createTestUser,
  eventually,
  eventuallyAsync,
  openSession,
  roomParams,
  startTestRealtime,
  uniqueName,
  waitForCluster,
  type TestRealtime,
} from './realtime';

export type TestUser = Awaited<ReturnType<typeof createTestUser>>;

export interface CallTab {
  user: TestUser;
  socket: Socket;
  /** `call:ring` payloads, in arrival order. */
  rings: { call: CallInfo }[];
  /** `call:updated` payloads, in arrival order. */
  updates: { call: CallInfo }[];
  /** When each of `updates` arrived (Date.now()). */
  updateTimes: number[];
  /** `call:signal` payloads relayed to this tab. */
  signals: RelayedSignal[];
  /** Every event this tab received (name and JSON), to look for what must never reach it. */
  heard: { event: string; json: string }[];
  emit<T = unknown>(event: string, ...args: unknown[]): Promise<Ack<T>>;
  close(): void;
}

/** Opens a main-namespace socket ("a tab") for `user` on `url`, resolved after `session:ready`. */
export async function openTab(url: string, user: TestUser, options: { cookie?: string } = {}): Promise<CallTab> {
  const socket = await openSession(url, user, options);
  const tab: CallTab = {
    user,
    socket,
    rings: [],
    updates: [],
    updateTimes: [],
    signals: [],
    heard: [],
    emit: async <T>(event: string, ...args: unknown[]) => (await socket.timeout(10_000).emitWithAck(event, ...args)) as Ack<T>,
    close: () => void socket.close(),
  };
  socket.on('call:ring', (payload: { call: CallInfo }) => tab.rings.push(payload));
  socket.on('call:updated', (payload: { call: CallInfo }) => {
    tab.updates.push(payload);
    tab.updateTimes.push(Date.now());
  });
  socket.on('call:signal', (payload: RelayedSignal) => tab.signals.push(payload));
  socket.onAny((event: string, payload: unknown) => tab.heard.push({ event, json: JSON.stringify(payload) ?? '' }));
  return tab;
}

/** The data of a successful ack; fails the test with the error otherwise. */
export function ok<T>(ack: Ack<T>): T {
  if (!ack.ok) throw new Error(`expected ok, got ${ack.error.code}: ${ack.error.message} ${JSON.stringify(ack.error.issues ?? [])}`);
  return ack.data;
}

/** The error code of an ack ('ok' when it succeeded). */
export function codeOf(ack: Ack<unknown>): string {
  return ack.ok ? 'ok' : ack.error.code;
}

export function participant(call: CallInfo, userId: string): CallParticipant {
  const found = call.participants.find((p) => p.user.id === userId);
  if (!found) throw new Error(`${userId} is not a participant of ${call.id}: ${JSON.stringify(call.participants.map((p) => p.user.id))}`);
  return found;
}

/** Participant states by user id, for compact assertions. */
export function statesOf(call: CallInfo): Record<string, string> {
  return Object.fromEntries(call.participants.map((p) => [p.user.id, p.state]));
}

/**
 * Waits until this tab has been told (call:updated) of a state of the call that satisfies `predicate`;
 * `after` skips the updates it had received before (an index into `tab.updates`, e.g. its length earlier).
 */
export async function waitForUpdate(
  tab: CallTab,
  callId: string,
  predicate: (call: CallInfo) => boolean,
  options: { after?: number; timeoutMs?: number } = {},
): Promise<CallInfo> {
  return (await waitForUpdateAt(tab, callId, predicate, options)).call;
}

/** waitForUpdate, also saying when that update arrived (Date.now()). */
export async function waitForUpdateAt(
  tab: CallTab,
  callId: string,
  predicate: (call: CallInfo) => boolean,
  options: { after?: number; timeoutMs?: number } = {},
): Promise<{ call: CallInfo; at: number }> {
  const from = options.after ?? 0;
  const matching = () => tab.updates.findIndex((u, i) => i >= from && u.call.id === callId && predicate(u.call));
  try {
    await eventually(() => matching() >= 0, options.timeoutMs ?? 10_000);
  } catch {
    const seen = tab.updates
      .slice(from)
      .filter((u) => u.call.id === callId)
      .map(({ call: c }) => `${c.state}/${c.endReason} ${JSON.stringify(c.participants.map((p) => [p.user.username, p.state, p.reconnecting]))}`);
    throw new Error(`${tab.user.username} was not told of the expected state of call ${callId}; it saw: ${seen.join(' | ') || 'nothing'}`);
  }
  const index = matching();
  return { call: tab.updates[index]!.call, at: tab.updateTimes[index]! };
}

export const isEnded = (reason?: CallInfo['endReason']) => (call: CallInfo) => call.state === 'ended' && (reason === undefined || call.endReason === reason);
export const hasState = (userId: string, state: CallParticipant['state'], extra: Partial<CallParticipant> = {}) => (call: CallInfo) => {
  const p = call.participants.find((x) => x.user.id === userId);
  return p !== undefined && p.state === state && Object.entries(extra).every(([k, v]) => JSON.stringify(p[k as keyof CallParticipant]) === JSON.stringify(v));
};

/** A direct conversation between two fresh users. */
export async function directPair(): Promise<{ alice: TestUser; bob: TestUser; roomId: string }> {
  const [alice, bob] = await Promise.all([createTestUser(), createTestUser()]);
  const { room } = await startDirect({ userId: alice.id, peerId: bob.id });
  return { alice, bob, roomId: room.id };
}

/** A public room owned by the first of `count` fresh users, the others members. */
export async function groupRoom(count: number): Promise<{ users: TestUser[]; roomId: string }> {
  const users = await Promise.all(Array.from({ length: count }, () => createTestUser()));
  const room = await createRoom({ ownerId: users[0]!.id, data: { kind: 'public', name: uniqueName('call'), description: '' }, ip: null });
  for (const user of users.slice(1)) await joinRoom({ roomId: room.id, userId: user.id, ip: null });
  return { users, roomId: room.id };
}

export const SDP_OFFER = 'v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n';
export const SDP_ANSWER = 'v=0\r\no=- 1234567890 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n';
export const CANDIDATE = { candidate: 'candidate:842163049 1 udp 1677729535 203.0.113.7 46154 typ srflx raddr 0.0.0.0 rport 0 generation 0', sdpMid: '0', sdpMLineIndex: 0, usernameFragment: 'abcd' };

export function publicUser(user: TestUser): PublicUser {
  return { id: user.id, username: user.username, displayName: user.displayName, avatar: user.avatar ?? null };
}

/** Two realtime instances on the test database, broadcasting through the PostgreSQL adapter, that know each other. */
export async function startCallCluster(options: Parameters<typeof startTestRealtime>[0] = {}): Promise<[TestRealtime, TestRealtime]> {
  const pair = await Promise.all([startTestRealtime({ postgresAdapter: true, ...options }), startTestRealtime({ postgresAdapter: true, ...options })]);
  await waitForCluster(pair);
  return pair;
}

/** What the call test files configure (vi.stubEnv before anything reads the environment). */
export const TEST_TURN_SECRET = 'calls-test-turn-secret-0123';
export const TEST_ICE_SERVERS = [{ urls: ['stun:stun.example.com:3478'] }, { urls: ['turn:turn.example.com:3478'] }];

/**
 * The ICE servers a participant is handed with TEST_ICE_SERVERS: the STUN server as configured, the TURN
 * server with credentials for this user (coturn's use-auth-secret, computed here independently), valid for
 * the default 4 h.
 */
export function expectIceServersFor(iceServers: IceServer[], userId: string): void {
  expect(iceServers).toHaveLength(2);
  expect(iceServers[0]).toEqual({ urls: ['stun:stun.example.com:3478'] });
  const turn = iceServers[1]!;
  expect(turn.urls).toEqual(['turn:turn.example.com:3478']);
  const [expiry, who, ...rest] = (turn.username ?? '').split(':');
  expect({ who, rest }).toEqual({ who: userId, rest: [] });
  const validFor = Number(expiry) - Date.now() / 1000;
  expect(validFor).toBeGreaterThan(4 * 3600 - 60);
  expect(validFor).toBeLessThanOrEqual(4 * 3600 + 1);
  expect(turn.credential).toBe(createHmac('sha1', TEST_TURN_SECRET).update(turn.username!).digest('base64'));
}

/** A room's history as `reader` reads it over REST (the newest 100 messages). */
export async function history(reader: TestUser, roomId: string): Promise<ChatMessage[]> {
  const response = await messagesRoute.GET(await apiRequest(reader, 'GET', `/api/rooms/${roomId}/messages?limit=100`), roomParams(roomId));
  expect(response.status).toBe(200);
  return ((await response.json()) as HistoryPage).messages;
}

/** The messages of a room that are a call's entry (by its call, or by its clientId once deleted). */
export async function entriesOf(reader: TestUser, roomId: string, callId: string): Promise<ChatMessage[]> {
  return (await history(reader, roomId)).filter((m) => m.call?.callId === callId || m.clientId === callId);
}

/** Waits for the call's entry in the room's history, then checks that it stays the only one. */
export async function theEntry(reader: TestUser, roomId: string, callId: string): Promise<ChatMessage> {
  await eventuallyAsync(async () => (await entriesOf(reader, roomId, callId)).length > 0, 10_000);
  await new Promise((r) => setTimeout(r, 300)); // time for a second one to be written
  const entries = await entriesOf(reader, roomId, callId);
  expect(entries.map((e) => e.seq)).toHaveLength(1);
  return entries[0]!;
}

/** `GET /api/rooms/:roomId` as `reader`: their view of the room (read position, last seq). */
export async function roomView(reader: TestUser, roomId: string): Promise<RoomSummary> {
  const response = await roomRoute.GET(await apiRequest(reader, 'GET', `/api/rooms/${roomId}`), roomParams(roomId));
  expect(response.status).toBe(200);
  return ((await response.json()) as { room: RoomSummary }).room;
}
