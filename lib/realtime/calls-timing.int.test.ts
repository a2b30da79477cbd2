/**
 * The timed paths of a call (docs/protocol.md §4.12) on two instances with short timings: the ring timeout
 * (`missed`; in a group call only those who did not answer miss it), and the reconnect grace (a participant
 * who does not resume has left; a caller lost while ringing cancels). The server's RealtimeDeps take
 * `calls: { ringMs, graceMs }` for this (30 s and 10 s by default).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallInfo, CallJoined } from '../schemas/call';
import {
  codeOf,
  directPair,
  groupRoom,
  hasState,
  isEnded,
  ok,
  openTab,
  startCallCluster,
  statesOf,
  theEntry,
  waitForUpdate,
  waitForUpdateAt,
  type CallTab,
  type TestUser,
} from '../testing/calls';
import { eventually, type TestRealtime } from '../testing/realtime';

const RING_MS = 4_000;
const GRACE_MS = 1_500;
/** How late a timed end may come: the instance that started the call ends it at once, others within about 5 s. */
const LATE_MS = 7_000;

let a: TestRealtime;
let b: TestRealtime;
const tabs: CallTab[] = [];

beforeAll(async () => {
  // Heartbeats stay at their default: a shorter one would make these instances judge other test files'
  // participants silent (their instances vouch every 5 s) while they share the database.
  [a, b] = await startCallCluster({ calls: { ringMs: RING_MS, graceMs: GRACE_MS } });
});
afterAll(async () => {
  for (const t of tabs) t.close();
  await Promise.all([a?.close(), b?.close()]);
});

async function tab(server: TestRealtime, user: TestUser): Promise<CallTab> {
  const opened = await openTab(server.url, user);
  tabs.push(opened);
  return opened;
}
const act = (from: CallTab, event: 'call:start' | 'call:accept' | 'call:decline' | 'call:hangup' | 'call:resume', payload: Record<string, unknown>) =>
  from.emit<CallJoined & { call: CallInfo }>(event, payload);

describe('calls: the ring timeout', () => {
  it('a call nobody answers rings until ringUntil, then ends missed for everyone', async () => {
    const { alice, bob, roomId } = await directPair();
    const [aliceA, bobA, bobB] = [await tab(a, alice), await tab(a, bob), await tab(b, bob)];
    const startedAt = Date.now();
    const { call } = ok(await act(aliceA, 'call:start', { roomId, kind: 'video' }));
    expect(Date.parse(call.ringUntil) - Date.parse(call.createdAt)).toBe(RING_MS);
    await eventually(() => bobA.rings.length === 1 && bobB.rings.length === 1);

    const { call: ended, at } = await waitForUpdateAt(aliceA, call.id, isEnded('missed'), { timeoutMs: RING_MS + LATE_MS });
    expect(at - startedAt).toBeGreaterThanOrEqual(RING_MS - 50); // not before ringUntil
    expect(Date.parse(ended.endedAt!)).toBeGreaterThanOrEqual(Date.parse(call.ringUntil));
    expect(ended).toMatchObject({ answeredAt: null, endReason: 'missed' });
    expect(statesOf(ended)).toEqual({ [alice.id]: 'left', [bob.id]: 'missed' });
    for (const t of [bobA, bobB]) await waitForUpdate(t, call.id, isEnded('missed'));
    expect(codeOf(await act(bobB, 'call:accept', { callId: call.id }))).toBe('CONFLICT'); // too late
    expect((await theEntry(alice, roomId, call.id)).call).toEqual({ callId: call.id, kind: 'video', outcome: 'missed', durationMs: null, participantIds: [alice.id] });
  });

  it('in a group call only those who did not answer miss it; the call goes on', async () => {
    const { users, roomId } = await groupRoom(3);
    const [owner, m1, m2] = users as [TestUser, TestUser, TestUser];
    const [ownerA, m1B, m2A] = [await tab(a, owner), await tab(b, m1), await tab(a, m2)];
    const { call } = ok(await act(ownerA, 'call:start', { roomId, kind: 'audio' }));
    await eventually(() => m1B.rings.length === 1 && m2A.rings.length === 1);
    ok(await act(m1B, 'call:accept', { callId: call.id }));

    const after = await waitForUpdate(ownerA, call.id, hasState(m2.id, 'missed'), { timeoutMs: RING_MS + LATE_MS });
    expect(after.state).toBe('active');
    expect(statesOf(after)).toEqual({ [owner.id]: 'joined', [m1.id]: 'joined', [m2.id]: 'missed' });
    // Someone who missed it may still join while it is live.
    expect(ok(await act(m2A, 'call:accept', { callId: call.id })).call.state).toBe('active');
    ok(await act(m2A, 'call:hangup', { callId: call.id }));
    ok(await act(m1B, 'call:hangup', { callId: call.id }));
    const entry = await theEntry(owner, roomId, call.id);
    expect(entry.call).toMatchObject({ outcome: 'completed', participantIds: [owner.id, m1.id, m2.id] });
  });

  it('an answered call with one person left and someone still rung ends completed when the ringing stops', async () => {
    const { users, roomId } = await groupRoom(3);
    const [owner, m1, m2] = users as [TestUser, TestUser, TestUser];
    const [ownerA, m1B, m2A] = [await tab(a, owner), await tab(b, m1), await tab(a, m2)];
    const { call } = ok(await act(ownerA, 'call:start', { roomId, kind: 'audio' }));
    await eventually(() => m1B.rings.length === 1 && m2A.rings.length === 1);
    ok(await act(m1B, 'call:accept', { callId: call.id }));
    const stillOn = ok(await act(m1B, 'call:hangup', { callId: call.id })).call;
    expect(stillOn.state).toBe('active'); // m2 is still rung
    expect(statesOf(stillOn)).toEqual({ [owner.id]: 'joined', [m1.id]: 'left', [m2.id]: 'invited' });

    const ended = await waitForUpdate(m2A, call.id, isEnded(), { timeoutMs: RING_MS + LATE_MS });
    expect(ended.endReason).toBe('completed');
    expect(statesOf(ended)).toMatchObject({ [m2.id]: 'missed' });
    const entry = await theEntry(owner, roomId, call.id);
    expect(entry.call).toEqual({
      callId: call.id,
      kind: 'audio',
      outcome: 'completed',
      durationMs: Date.parse(ended.endedAt!) - Date.parse(ended.answeredAt!),
      participantIds: [owner.id, m1.id],
    });
  });
});

describe('calls: the reconnect grace', () => {
  it('a participant who does not resume within the grace has left: a 1:1 call ends completed, and a late resume is refused', async () => {
    const { alice, bob, roomId } = await directPair();
    const [aliceA, bobB] = [await tab(a, alice), await tab(b, bob)];
    const { call } = ok(await act(aliceA, 'call:start', { roomId, kind: 'audio' }));
    await eventually(() => bobB.rings.length === 1);
    ok(await act(bobB, 'call:accept', { callId: call.id }));
    const droppedAt = Date.now();
    bobB.close();
    await waitForUpdate(aliceA, call.id, hasState(bob.id, 'joined', { reconnecting: true }));

    const { call: ended, at } = await waitForUpdateAt(aliceA, call.id, isEnded('completed'), { timeoutMs: GRACE_MS + LATE_MS });
    expect(at - droppedAt).toBeGreaterThanOrEqual(GRACE_MS - 50);
    expect(statesOf(ended)).toEqual({ [alice.id]: 'left', [bob.id]: 'left' }); // an ended call has nobody joined
    expect(ended.participants.find((p) => p.user.id === bob.id)).toMatchObject({ state: 'left', reconnecting: false, leftAt: expect.any(String) });
    const bobNew = await tab(a, bob);
    expect(codeOf(await act(bobNew, 'call:resume', { callId: call.id }))).toBe('CONFLICT');
    expect((await theEntry(bob, roomId, call.id)).call).toMatchObject({ outcome: 'completed', participantIds: [alice.id, bob.id] });
  });

  it('in a group call, someone whose grace ran out has left; they rejoin with call:accept, not call:resume', async () => {
    const { users, roomId } = await groupRoom(3);
    const [owner, m1, m2] = users as [TestUser, TestUser, TestUser];
    const [ownerA, m1B, m2A] = [await tab(a, owner), await tab(b, m1), await tab(a, m2)];
    const { call } = ok(await act(ownerA, 'call:start', { roomId, kind: 'video' }));
    await eventually(() => m1B.rings.length === 1 && m2A.rings.length === 1);
    ok(await act(m1B, 'call:accept', { callId: call.id }));
    ok(await act(m2A, 'call:accept', { callId: call.id }));
    m2A.close();
    const gone = await waitForUpdate(ownerA, call.id, hasState(m2.id, 'left'), { timeoutMs: GRACE_MS + LATE_MS });
    expect(gone.state).toBe('active');
    const m2New = await tab(b, m2);
    expect(codeOf(await act(m2New, 'call:resume', { callId: call.id }))).toBe('CONFLICT');
    const back = ok(await act(m2New, 'call:accept', { callId: call.id }));
    expect(back.call.participants.find((p) => p.user.id === m2.id)).toMatchObject({ state: 'joined', reconnecting: false });
    for (const t of [ownerA, m1B]) ok(await act(t, 'call:hangup', { callId: call.id }));
    await waitForUpdate(m2New, call.id, isEnded('completed'));
  });

  it('a caller who loses their connection while it rings and does not come back cancels the call', async () => {
    const { alice, bob, roomId } = await directPair();
    const [aliceB, bobA] = [await tab(b, alice), await tab(a, bob)];
    const { call } = ok(await act(aliceB, 'call:start', { roomId, kind: 'audio' }));
    await eventually(() => bobA.rings.length === 1);
    aliceB.close();
    const ended = await waitForUpdate(bobA, call.id, isEnded(), { timeoutMs: GRACE_MS + LATE_MS });
    expect(ended.endReason).toBe('cancelled');
    expect(Date.parse(ended.endedAt!)).toBeLessThan(Date.parse(call.ringUntil));
    expect(statesOf(ended)).toEqual({ [alice.id]: 'left', [bob.id]: 'missed' });
    expect((await theEntry(bob, roomId, call.id)).call?.outcome).toBe('cancelled');
  });

  it('a caller who resumes while it rings keeps the call ringing, and it can be answered', async () => {
    const { alice, bob, roomId } = await directPair();
    const [aliceB, bobA] = [await tab(b, alice), await tab(a, bob)];
    const { call } = ok(await act(aliceB, 'call:start', { roomId, kind: 'audio' }));
    await eventually(() => bobA.rings.length === 1);
    aliceB.close();
    await waitForUpdate(bobA, call.id, hasState(alice.id, 'joined', { reconnecting: true }));
    const aliceA = await tab(a, alice);
    const resumed = ok(await act(aliceA, 'call:resume', { callId: call.id }));
    expect(resumed.call.state).toBe('ringing');
    expect(ok(await act(bobA, 'call:accept', { callId: call.id })).call.state).toBe('active');
    ok(await aliceA.emit('call:signal', { callId: call.id, to: bob.id, candidate: null }));
    ok(await act(aliceA, 'call:hangup', { callId: call.id }));
  });
});
