/**
 * Calls across two instances, continued (docs/protocol.md §4.12, §5.1, §6 POST /api/calls/:callId/hangup):
 * signaling relayed between the tabs that take part and refused otherwise, media state, hanging up and the
 * one entry a call leaves in its room, losing a connection and resuming from a new tab, and the page-unload
 * beacon. Real socket.io-clients on two realtime servers sharing one PostgreSQL (postgres adapter).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import * as hangupRoute from '@/app/api/calls/[callId]/hangup/route';
import type { CallInfo, CallJoined, RelayedSignal } from '../schemas/call';
import type { ChatMessage } from '../schemas/message';
import {
  CANDIDATE,
  codeOf,
  directPair,
  entriesOf,
  expectIceServersFor,
  groupRoom,
  hasState,
  history,
  isEnded,
  ok,
  openTab,
  publicUser,
  roomView,
  SDP_ANSWER,
  SDP_OFFER,
  startCallCluster,
  statesOf,
  TEST_ICE_SERVERS,
  TEST_TURN_SECRET,
  theEntry,
  waitForUpdate,
  type CallTab,
  type TestUser,
} from '../testing/calls';
import { apiRequest, collect, createTestUser, eventually, openRoom, type TestRealtime } from '../testing/realtime';
import type { RoomActivity } from './events';

vi.stubEnv('ICE_SERVERS', JSON.stringify(TEST_ICE_SERVERS));
vi.stubEnv('TURN_SECRET', TEST_TURN_SECRET);

let a: TestRealtime;
let b: TestRealtime;
const tabs: CallTab[] = [];
const closers: (() => void)[] = [];

beforeAll(async () => {
  [a, b] = await startCallCluster();
});
afterAll(async () => {
  for (const t of tabs) t.close();
  for (const close of closers) close();
  await Promise.all([a?.close(), b?.close()]);
});

async function tab(server: TestRealtime, user: TestUser): Promise<CallTab> {
  const opened = await openTab(server.url, user);
  tabs.push(opened);
  return opened;
}

const act = (from: CallTab, event: 'call:start' | 'call:accept' | 'call:decline' | 'call:hangup' | 'call:resume', payload: Record<string, unknown>) =>
  from.emit<CallJoined & { call: CallInfo }>(event, payload);
const signal = (from: CallTab, payload: Record<string, unknown>) => from.emit<null>('call:signal', payload);
const settle = () => new Promise((r) => setTimeout(r, 300));

/**
 * A 1:1 call in a direct room, answered: Alice calls from instance A (her second tab on B), Bob answers
 * on B (his second tab on A).
 */
async function activeCall(): Promise<{ alice: TestUser; bob: TestUser; roomId: string; callId: string; aliceA: CallTab; aliceB: CallTab; bobA: CallTab; bobB: CallTab }> {
  const { alice, bob, roomId } = await directPair();
  const [aliceA, aliceB, bobA, bobB] = [await tab(a, alice), await tab(b, alice), await tab(a, bob), await tab(b, bob)];
  const { call } = ok(await act(aliceA, 'call:start', { roomId, kind: 'video' }));
  await eventually(() => bobB.rings.length === 1);
  ok(await act(bobB, 'call:accept', { callId: call.id }));
  await waitForUpdate(aliceA, call.id, (c) => c.state === 'active');
  return { alice, bob, roomId, callId: call.id, aliceA, aliceB, bobA, bobB };
}

describe('calls: signaling', () => {
  it('relays offers, answers and candidates between the two tabs in the call, across instances, and to no other tab', async () => {
    const { alice, bob, callId, aliceA, aliceB, bobA, bobB } = await activeCall();

    expect(await signal(aliceA, { callId, to: bob.id, description: { type: 'offer', sdp: SDP_OFFER } })).toEqual({ ok: true, data: null });
    await eventually(() => bobB.signals.length === 1);
    expect(bobB.signals[0]).toEqual({ callId, from: alice.id, description: { type: 'offer', sdp: SDP_OFFER } });

    ok(await signal(bobB, { callId, to: alice.id, description: { type: 'answer', sdp: SDP_ANSWER } }));
    ok(await signal(bobB, { callId: callId.toUpperCase(), to: alice.id.toUpperCase(), candidate: CANDIDATE })); // ids in any case
    ok(await signal(bobB, { callId, to: alice.id, candidate: null })); // end of candidates
    ok(await signal(aliceA, { callId, to: bob.id, candidate: { candidate: '', sdpMid: null, sdpMLineIndex: null } }));
    await eventually(() => aliceA.signals.length === 3 && bobB.signals.length === 2);
    expect(aliceA.signals).toEqual<RelayedSignal[]>([
      { callId, from: bob.id, description: { type: 'answer', sdp: SDP_ANSWER } },
      { callId, from: bob.id, candidate: CANDIDATE },
      { callId, from: bob.id, candidate: null },
    ]);
    expect(bobB.signals[1]).toEqual({ callId, from: alice.id, candidate: { candidate: '', sdpMid: null, sdpMLineIndex: null } });
    await settle();
    expect([aliceA.signals.length, bobB.signals.length, aliceB.signals.length, bobA.signals.length]).toEqual([3, 2, 0, 0]);
    ok(await act(aliceA, 'call:hangup', { callId }));
  });

  it('refuses signals that are not between two joined tabs of a live call, and relays none of them', async () => {
    const { users, roomId } = await groupRoom(4);
    const [alice, bob, carol, dave] = users as [TestUser, TestUser, TestUser, TestUser];
    const outsider = await createTestUser();
    const [aliceA, bobA, bobB, carolA, daveB, outsiderA] = [
      await tab(a, alice),
      await tab(a, bob),
      await tab(b, bob),
      await tab(a, carol),
      await tab(b, dave),
      await tab(a, outsider),
    ];
    const { call } = ok(await act(aliceA, 'call:start', { roomId, kind: 'audio', invite: [bob.id, carol.id] }));
    const callId = call.id;
    await eventually(() => bobB.rings.length === 1 && carolA.rings.length === 1);
    ok(await act(bobB, 'call:accept', { callId }));
    const offer = { type: 'offer', sdp: SDP_OFFER };

    const expectConflict = async (from: CallTab, payload: Record<string, unknown>, match: { path?: string; message?: RegExp }) => {
      const answer = await signal(from, payload);
      expect(codeOf(answer), JSON.stringify(payload)).toBe('CONFLICT');
      if (answer.ok) return;
      if (match.path) expect(answer.error.issues?.map((i) => i.path)).toEqual([match.path]);
      if (match.message) expect(answer.error.message).toMatch(match.message);
    };
    await expectConflict(aliceA, { callId, to: carol.id, description: offer }, { path: 'to' }); // rung, not joined
    await expectConflict(aliceA, { callId, to: dave.id, description: offer }, { path: 'to' }); // a member not in the call
    await expectConflict(aliceA, { callId, to: outsider.id, description: offer }, { path: 'to' });
    await expectConflict(aliceA, { callId, to: randomUUID(), candidate: null }, { path: 'to' });
    await expectConflict(aliceA, { callId, to: alice.id, candidate: null }, { path: 'to' }); // yourself
    await expectConflict(bobA, { callId, to: alice.id, description: { type: 'answer', sdp: SDP_ANSWER } }, { message: /not in this call/ }); // Bob's other tab
    await expectConflict(carolA, { callId, to: alice.id, description: { type: 'answer', sdp: SDP_ANSWER } }, { message: /not in this call/ }); // rung, not joined
    await expectConflict(daveB, { callId, to: alice.id, description: { type: 'answer', sdp: SDP_ANSWER } }, { message: /not in this call/ }); // a member not in it
    // Outsiders cannot tell a call of someone else's room from no call at all.
    expect(codeOf(await signal(outsiderA, { callId, to: alice.id, description: { type: 'answer', sdp: SDP_ANSWER } }))).toBe('NOT_FOUND');
    expect(codeOf(await signal(aliceA, { callId: randomUUID(), to: bob.id, candidate: null }))).toBe('NOT_FOUND');

    // The call ends: signals for it are refused as such.
    ok(await act(aliceA, 'call:hangup', { callId }));
    ok(await act(bobB, 'call:hangup', { callId }));
    await waitForUpdate(carolA, callId, isEnded());
    await expectConflict(aliceA, { callId, to: bob.id, candidate: null }, { message: /ended/ });
    await expectConflict(bobB, { callId, to: alice.id, description: offer }, { message: /ended/ });
    await settle();
    expect([aliceA, bobA, bobB, carolA, daveB, outsiderA].map((t) => t.signals.length)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(outsiderA.heard.filter((h) => h.event.startsWith('call:'))).toEqual([]);
  });

  it('call:signal is limited per socket (20 a second plus a burst of 200); each accepted signal is relayed once', async () => {
    const { alice, bob, callId, aliceA, bobB } = await activeCall();
    const answers = await Promise.all(Array.from({ length: 400 }, () => signal(aliceA, { callId, to: bob.id, candidate: CANDIDATE })));
    const accepted = answers.filter((x) => x.ok).length;
    const limited = answers.filter((x) => !x.ok && x.error.code === 'RATE_LIMITED');
    expect(accepted + limited.length).toBe(400);
    expect(accepted).toBeGreaterThanOrEqual(220); // at once: a second's 20 plus the burst's 200
    expect(limited.length).toBeGreaterThan(0);
    expect(limited.every((x) => !x.ok && (x.error.retryAfter ?? 0) >= 1)).toBe(true);
    await eventually(() => bobB.signals.length === accepted, 10_000);
    await settle();
    expect(bobB.signals).toHaveLength(accepted);
    // Bob's own socket has its own budget.
    ok(await signal(bobB, { callId, to: alice.id, candidate: null }));
    ok(await act(aliceA, 'call:hangup', { callId }));
  });

  it('answering, resuming and media changes are limited per user (5 a second plus a burst of 30); hanging up never is', async () => {
    const { alice, callId, aliceA, bobB } = await activeCall();
    const aliceA2 = await tab(a, alice); // another tab on the same instance (the limit is kept per instance, §7)
    const before = bobB.updates.length;
    const answers = await Promise.all(
      Array.from({ length: 60 }, (_, i) => aliceA.emit<{ call: CallInfo }>('call:media', { callId, audio: i % 2 === 0, video: true, screen: false })),
    );
    const accepted = answers.filter((x) => x.ok).length;
    const limited = answers.filter((x) => !x.ok && x.error.code === 'RATE_LIMITED');
    expect(accepted + limited.length).toBe(60);
    expect(accepted).toBeGreaterThanOrEqual(35); // at once: a second's 5 plus the burst's 30
    expect(limited.length).toBeGreaterThan(0);
    expect(limited.every((x) => !x.ok && (x.error.retryAfter ?? 0) >= 1)).toBe(true);
    // The limit is the user's, on every tab: with the burst spent, at most a second's 5 of these pass it (and are
    // then refused as the call being in another tab). Bob has his own.
    const fromOtherTab = (await Promise.all(Array.from({ length: 10 }, () => aliceA2.emit('call:resume', { callId })))).map(codeOf);
    expect(fromOtherTab.filter((code) => code === 'RATE_LIMITED').length).toBeGreaterThanOrEqual(5);
    expect(fromOtherTab.every((code) => code === 'RATE_LIMITED' || code === 'CONFLICT')).toBe(true);
    ok(await bobB.emit('call:media', { callId, audio: false, video: false, screen: false }));
    await eventually(() => bobB.updates.length > before);
    // Leaving always works: the hang-up goes through while Alice is limited.
    const left = ok(await aliceA.emit<{ call: CallInfo }>('call:hangup', { callId }));
    expect(left.call).toMatchObject({ state: 'ended', endReason: 'completed' });
  });

  it('media state: what the tab in the call says it sends reaches every member; other tabs and ended calls are refused', async () => {
    const { alice, bob, callId, aliceA, aliceB, bobA, bobB } = await activeCall();
    const media = (from: CallTab, value: { audio: boolean; video: boolean; screen: boolean }) => from.emit<{ call: CallInfo }>('call:media', { callId, ...value });
    const answer = ok(await media(bobB, { audio: true, video: false, screen: true }));
    expect(Object.keys(answer)).toEqual(['call']);
    expect(answer.call.participants.find((p) => p.user.id === bob.id)?.media).toEqual({ audio: true, video: false, screen: true });
    for (const t of [aliceA, aliceB, bobA]) await waitForUpdate(t, callId, hasState(bob.id, 'joined', { media: { audio: true, video: false, screen: true } }));
    expect(codeOf(await media(bobA, { audio: false, video: false, screen: false }))).toBe('CONFLICT'); // not the tab in the call
    expect(codeOf(await media(aliceB, { audio: false, video: false, screen: false }))).toBe('CONFLICT');
    ok(await media(aliceA, { audio: false, video: true, screen: false }));
    await waitForUpdate(bobB, callId, hasState(alice.id, 'joined', { media: { audio: false, video: true, screen: false } }));
    ok(await act(aliceA, 'call:hangup', { callId }));
    expect(codeOf(await media(bobB, { audio: true, video: true, screen: false }))).toBe('CONFLICT'); // the call ended
    expect(codeOf(await media(aliceA, { audio: true, video: true, screen: false }))).toBe('CONFLICT');
  });
});

describe('calls: hanging up and the entry', () => {
  it('a hang-up leaves the call; the last but one ends it completed, with one entry via message:new, room:activity and history', async () => {
    const { alice, bob, roomId } = await directPair();
    const [aliceA, bobB] = [await tab(a, alice), await tab(b, bob)];
    const aliceRoom = await openRoom(a.url, alice, roomId);
    const bobRoom = await openRoom(b.url, bob, roomId);
    closers.push(() => aliceRoom.socket.close(), () => bobRoom.socket.close());
    const newOnA = collect<ChatMessage>(aliceRoom.socket, 'message:new');
    const newOnB = collect<ChatMessage>(bobRoom.socket, 'message:new');
    const activity = [collect<RoomActivity>(aliceA.socket, 'room:activity'), collect<RoomActivity>(bobB.socket, 'room:activity')];

    const { call } = ok(await act(aliceA, 'call:start', { roomId, kind: 'video' }));
    await eventually(() => bobB.rings.length === 1);
    ok(await act(bobB, 'call:accept', { callId: call.id }));
    const ended = ok(await act(bobB, 'call:hangup', { callId: call.id })).call;
    expect(ended).toMatchObject({ id: call.id, state: 'ended', endReason: 'completed', endedAt: expect.any(String), answeredAt: expect.any(String) });
    expect(ended.participants.map((p) => [p.user.id, p.state])).toEqual([
      [alice.id, 'left'],
      [bob.id, 'left'],
    ]);
    await waitForUpdate(aliceA, call.id, isEnded('completed'));

    await eventually(() => newOnA.length === 1 && newOnB.length === 1 && activity.every((x) => x.length === 1), 10_000);
    const entry = newOnA[0]!;
    expect(entry).toMatchObject({ roomId, author: publicUser(alice), clientId: call.id, body: '', deletedAt: null, editedAt: null, attachments: [], reactions: [] });
    expect(entry.call).toEqual({
      callId: call.id,
      kind: 'video',
      outcome: 'completed',
      durationMs: Date.parse(ended.endedAt!) - Date.parse(ended.answeredAt!),
      participantIds: [alice.id, bob.id],
    });
    expect(newOnB[0]).toEqual(entry);
    for (const x of activity) expect(x[0]).toEqual({ roomId, lastSeq: entry.seq, authorId: alice.id, threadRootSeq: null, mentions: [], mentionsRoom: false });
    expect(await theEntry(bob, roomId, call.id)).toEqual(entry);
    // An entry counts as unread for everyone but the caller.
    expect(await roomView(alice, roomId)).toMatchObject({ lastSeq: entry.seq, lastReadSeq: entry.seq });
    expect(await roomView(bob, roomId)).toMatchObject({ lastSeq: entry.seq, lastReadSeq: entry.seq - 1 });
    await settle();
    expect([newOnA.length, newOnB.length]).toEqual([1, 1]);
  });

  it('both hanging up at the same moment on two instances ends the call once, with exactly one entry', async () => {
    for (let round = 0; round < 5; round += 1) {
      const { alice, bob, roomId, callId, aliceA, bobB } = await activeCall();
      const answers = await Promise.all([act(aliceA, 'call:hangup', { callId }), act(bobB, 'call:hangup', { callId })]);
      for (const answer of answers) expect(ok(answer).call, `round ${round}`).toMatchObject({ state: 'ended', endReason: 'completed' });
      expect(ok(answers[0]!).call.endedAt).toBe(ok(answers[1]!).call.endedAt);
      const entry = await theEntry(alice, roomId, callId);
      expect(entry.call).toMatchObject({ outcome: 'completed', participantIds: [alice.id, bob.id] });
      expect(entry.call!.durationMs).toBeGreaterThanOrEqual(0);
    }
  });

  it('an entry cannot be edited; it can be quoted and reacted to, and once deleted it has call: null', async () => {
    const { alice, bob, roomId } = await directPair();
    const [aliceA, bobB] = [await tab(a, alice), await tab(b, bob)];
    const { call } = ok(await act(aliceA, 'call:start', { roomId, kind: 'audio' }));
    await eventually(() => bobB.rings.length === 1);
    ok(await act(bobB, 'call:decline', { callId: call.id }));
    const { seq } = await theEntry(alice, roomId, call.id);
    const aliceRoom = await openRoom(a.url, alice, roomId);
    const bobRoom = await openRoom(b.url, bob, roomId);
    closers.push(() => aliceRoom.socket.close(), () => bobRoom.socket.close());
    const emit = async (room: typeof aliceRoom, event: string, payload: unknown) => (await room.socket.timeout(10_000).emitWithAck(event, payload)) as Awaited<ReturnType<CallTab['emit']>>;

    for (const room of [aliceRoom, bobRoom]) {
      expect(codeOf(await emit(room, 'message:edit', { seq, clientId: randomUUID(), body: 'not a call' }))).toBe('FORBIDDEN');
    }
    const quote = ok(await emit(bobRoom, 'message:send', { clientId: randomUUID(), body: 'sorry, was driving', replyToSeq: seq })) as ChatMessage;
    expect(quote.replyTo).toMatchObject({ seq, author: publicUser(alice), snippet: '', deleted: false, call: { kind: 'audio', outcome: 'declined' } });
    const reacted = ok(await emit(bobRoom, 'reaction:add', { seq, emoji: '👍' })) as ChatMessage;
    expect(reacted.call).toMatchObject({ callId: call.id, outcome: 'declined' });
    expect(reacted.reactions).toEqual([{ emoji: '👍', count: 1, userIds: [bob.id] }]);

    const updates = collect<ChatMessage>(bobRoom.socket, 'message:updated');
    const deleted = ok(await emit(aliceRoom, 'message:delete', { seq })) as ChatMessage;
    expect(deleted).toMatchObject({ seq, body: '', call: null, reactions: [], deletedAt: expect.any(String) });
    await eventually(() => updates.some((m) => m.seq === seq && m.deletedAt !== null));
    expect(updates.find((m) => m.seq === seq && m.deletedAt !== null)?.call).toBeNull();
    const [stored] = await entriesOf(bob, roomId, call.id);
    expect(stored).toMatchObject({ seq, call: null, deletedAt: expect.any(String) });
    const quoteNow = (await history(bob, roomId)).find((m) => m.seq === quote.seq);
    expect(quoteNow?.replyTo).toMatchObject({ seq, deleted: true, call: null });
  });
});

describe('calls: lost connections', () => {
  it('a dropped tab shows reconnecting; call:list and call:resume from a new tab on the other instance restore it, with fresh ICE servers', async () => {
    const { alice, bob, callId, aliceA, bobA, bobB } = await activeCall();
    bobB.close();
    await waitForUpdate(aliceA, callId, hasState(bob.id, 'joined', { reconnecting: true }));
    await waitForUpdate(bobA, callId, hasState(bob.id, 'joined', { reconnecting: true }));

    const bobNew = await tab(a, bob);
    const seenBefore = aliceA.updates.length;
    const listed = ok(await bobNew.emit<{ calls: CallInfo[] }>('call:list')).calls;
    expect(listed.map((c) => c.id)).toEqual([callId]);
    expect(hasState(bob.id, 'joined', { reconnecting: true })(listed[0]!)).toBe(true);
    expect(JSON.stringify(listed)).not.toContain('credential'); // ICE servers come with joining only
    // While the place is held by a dropped tab, only a resume takes it back: the old tab's other sibling cannot signal.
    expect(codeOf(await signal(bobA, { callId, to: alice.id, candidate: null }))).toBe('CONFLICT');

    const resumed = ok(await act(bobNew, 'call:resume', { callId }));
    expect(resumed.call).toMatchObject({ id: callId, state: 'active' });
    expect(hasState(bob.id, 'joined', { reconnecting: false })(resumed.call)).toBe(true);
    expectIceServersFor(resumed.iceServers, bob.id);
    await waitForUpdate(aliceA, callId, hasState(bob.id, 'joined', { reconnecting: false }), { after: seenBefore });

    // Signals now reach the new tab, and it may send them (ICE restart offer from the resuming side).
    ok(await signal(bobNew, { callId, to: alice.id, description: { type: 'offer', sdp: SDP_OFFER } }));
    await eventually(() => aliceA.signals.some((s) => s.from === bob.id && s.description?.type === 'offer'));
    ok(await signal(aliceA, { callId, to: bob.id, description: { type: 'answer', sdp: SDP_ANSWER } }));
    await eventually(() => bobNew.signals.length === 1);
    // Asked again from the tab in the call (before an ICE restart late in a long call): fresh ICE servers, nothing else changes.
    const refreshed = ok(await act(bobNew, 'call:resume', { callId }));
    expectIceServersFor(refreshed.iceServers, bob.id);
    expect(statesOf(refreshed.call)).toEqual(statesOf(resumed.call));
    // Resuming from yet another tab while this one is connected: the call is in another tab.
    expect(codeOf(await act(bobA, 'call:resume', { callId }))).toBe('CONFLICT');
    // Someone who is not joined has nothing to resume.
    const outsider = await createTestUser();
    expect(codeOf(await act(await tab(b, outsider), 'call:resume', { callId }))).toBe('NOT_FOUND');
    ok(await act(aliceA, 'call:hangup', { callId }));
    expect(codeOf(await act(bobNew, 'call:resume', { callId }))).toBe('CONFLICT'); // ended
  });

  it('a ringing call survives the callee’s reload: call:list shows it ringing, and it can be answered from the new tab', async () => {
    const { alice, bob, roomId } = await directPair();
    const aliceA = await tab(a, alice);
    const bobB = await tab(b, bob);
    const { call } = ok(await act(aliceA, 'call:start', { roomId, kind: 'audio' }));
    await eventually(() => bobB.rings.length === 1);
    bobB.close();
    const bobNew = await tab(a, bob);
    const listed = ok(await bobNew.emit<{ calls: CallInfo[] }>('call:list')).calls;
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ id: call.id, state: 'ringing', ringUntil: call.ringUntil });
    expect(statesOf(listed[0]!)).toEqual({ [alice.id]: 'joined', [bob.id]: 'invited' });
    ok(await act(bobNew, 'call:accept', { callId: call.id }));
    ok(await act(aliceA, 'call:hangup', { callId: call.id }));
    expect(ok(await bobNew.emit<{ calls: CallInfo[] }>('call:list')).calls).toEqual([]);
  });
});

describe('POST /api/calls/:callId/hangup (page unload)', () => {
  const post = async (who: TestUser | null, callId: string, body?: unknown) =>
    hangupRoute.POST(await apiRequest(who, 'POST', `/api/calls/${encodeURIComponent(callId)}/hangup`, body), { params: Promise.resolve({ callId }) });

  it('hangs up for a tab that is already gone; answers the ended call after; refuses others as documented', async () => {
    a.handleRequestsHere();
    const { alice, bob, callId, aliceA, bobB } = await activeCall();
    bobB.close(); // the page is unloading: its socket closes first
    await waitForUpdate(aliceA, callId, hasState(bob.id, 'joined', { reconnecting: true }));

    const beacon = await post(bob, callId, {}); // sendBeacon's body: '{}' as application/json
    expect(beacon.status).toBe(200);
    const { call } = (await beacon.json()) as { call: CallInfo };
    expect(call).toMatchObject({ id: callId, state: 'ended', endReason: 'completed' });
    expect(statesOf(call)).toEqual({ [alice.id]: 'left', [bob.id]: 'left' });
    await waitForUpdate(aliceA, callId, isEnded('completed')); // told at once, not after the grace
    const again = await post(bob, callId);
    expect(again.status).toBe(200);
    expect(((await again.json()) as { call: CallInfo }).call).toMatchObject({ id: callId, state: 'ended', endedAt: call.endedAt });
  });

  it('is the same as call:hangup for someone in a live call, and 404/409/401/422 otherwise', async () => {
    a.handleRequestsHere();
    const { users, roomId } = await groupRoom(3);
    const [owner, m1, m2] = users as [TestUser, TestUser, TestUser];
    const [ownerA, m1B, m2A] = [await tab(a, owner), await tab(b, m1), await tab(a, m2)];
    const { call } = ok(await act(ownerA, 'call:start', { roomId, kind: 'audio', invite: [m1.id] }));
    await eventually(() => m1B.rings.length === 1);
    ok(await act(m1B, 'call:accept', { callId: call.id }));
    const outsider = await createTestUser();

    expect((await post(m1, 'not-a-call')).status).toBe(404);
    expect((await post(m1, randomUUID())).status).toBe(404);
    const hidden = await post(outsider, call.id);
    expect(hidden.status).toBe(404);
    expect(await hidden.text()).not.toContain(roomId);
    expect((await post(null, call.id)).status).toBe(401);
    expect((await post(m2, call.id)).status).toBe(409); // a member, not in this call
    expect((await post(m1, call.id, { reason: 'unload' })).status).toBe(422); // strict: none or {}

    const left = await post(m1, call.id.toUpperCase());
    expect(left.status).toBe(200);
    const { call: after } = (await left.json()) as { call: CallInfo };
    expect(after).toMatchObject({ id: call.id, state: 'ended', endReason: 'completed' });
    for (const t of [ownerA, m2A]) await waitForUpdate(t, call.id, isEnded('completed'));
    expect((await theEntry(owner, roomId, call.id)).call?.participantIds).toEqual([owner.id, m1.id]);
  });
});
