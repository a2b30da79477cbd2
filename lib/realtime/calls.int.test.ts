/**
 * The call state machine across two instances (docs/protocol.md §4.12, the call:* rows of §5.1 and §7),
 * tested as an outside client would: real socket.io-clients on two realtime servers that share one
 * PostgreSQL through the postgres adapter, each person's tabs spread over both. Starting, ringing,
 * answering, declining, busy, unavailable, cancelling, glare, group calls and their invite rules, the
 * call:start rate limit, what outsiders get. Signaling, hang-ups, entries and reconnects are in
 * calls-signaling.int.test.ts; ring timeouts and the reconnect grace in calls-timing.int.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import * as roomRoute from '@/app/api/rooms/[roomId]/route';
import * as leaveRoute from '@/app/api/rooms/[roomId]/leave/route';
import { getDb } from '../db';
import { startDirect } from '../data/rooms';
import type { CallInfo, CallJoined } from '../schemas/call';
import {
  codeOf,
  directPair,
  expectIceServersFor,
  groupRoom,
  hasState,
  isEnded,
  ok,
  openTab,
  publicUser,
  startCallCluster,
  statesOf,
  TEST_ICE_SERVERS,
  TEST_TURN_SECRET,
  theEntry,
  waitForUpdate,
  type CallTab,
} from '../testing/calls';
import { apiRequest, createTestUser, eventually, roomParams, type TestRealtime } from '../testing/realtime';

vi.stubEnv('ICE_SERVERS', JSON.stringify(TEST_ICE_SERVERS));
vi.stubEnv('TURN_SECRET', TEST_TURN_SECRET);

let a: TestRealtime;
let b: TestRealtime;
/** Tabs of someone who is in none of the rooms of this file, on both instances: they must never hear of a call. */
const bystanderTabs: CallTab[] = [];
const tabs: CallTab[] = [];

beforeAll(async () => {
  [a, b] = await startCallCluster();
  const bystander = await createTestUser();
  bystanderTabs.push(await openTab(a.url, bystander), await openTab(b.url, bystander));
});
afterAll(async () => {
  for (const tab of [...tabs, ...bystanderTabs]) tab.close();
  await Promise.all([a?.close(), b?.close()]);
});

/** Opens a tab and closes it after the file. */
async function tab(server: TestRealtime, user: Parameters<typeof openTab>[1]): Promise<CallTab> {
  const opened = await openTab(server.url, user);
  tabs.push(opened);
  return opened;
}

const start = (from: CallTab, payload: Record<string, unknown>) => from.emit<CallJoined>('call:start', payload);
const act = (from: CallTab, event: 'call:accept' | 'call:decline' | 'call:hangup' | 'call:resume', callId: string) =>
  from.emit<CallJoined & { call: CallInfo }>(event, { callId });
const settle = () => new Promise((r) => setTimeout(r, 300));

describe('calls: starting and ringing', () => {
  it('rings every tab of the person called, on both instances, once; every member’s tabs hear of it; the caller gets ICE servers with TURN credentials', async () => {
    const { alice, bob, roomId } = await directPair();
    const aliceA = await tab(a, alice);
    const aliceB = await tab(b, alice);
    const bobA = await tab(a, bob);
    const bobB = await tab(b, bob);

    const started = ok(await start(aliceA, { roomId, kind: 'video' }));
    const { call } = started;
    expect(call).toMatchObject({ roomId, kind: 'video', caller: publicUser(alice), state: 'ringing', answeredAt: null, endedAt: null, endReason: null });
    expect(Date.parse(call.ringUntil) - Date.parse(call.createdAt)).toBe(30_000);
    expect(call.participants).toEqual([
      expect.objectContaining({ user: publicUser(alice), state: 'joined', joinedAt: expect.any(String), leftAt: null, reconnecting: false }),
      { user: publicUser(bob), state: 'invited', joinedAt: null, leftAt: null, reconnecting: false, media: { audio: false, video: false, screen: false } },
    ]);
    expectIceServersFor(started.iceServers, alice.id);

    // Both of Bob's tabs ring, each once; Alice's other tab is told (call:updated), not rung.
    await eventually(() => bobA.rings.length === 1 && bobB.rings.length === 1);
    for (const ring of [bobA.rings[0]!, bobB.rings[0]!]) {
      expect(Object.keys(ring)).toEqual(['call']); // no ICE servers for someone not taking part yet
      expect(ring.call).toMatchObject({ id: call.id, state: 'ringing', caller: publicUser(alice) });
      expect(statesOf(ring.call)).toEqual({ [alice.id]: 'joined', [bob.id]: 'invited' });
    }
    for (const other of [aliceB, bobA, bobB]) await waitForUpdate(other, call.id, (c) => c.state === 'ringing');
    expect([aliceA.rings, aliceB.rings]).toEqual([[], []]);

    ok(await act(aliceA, 'call:hangup', call.id));
    for (const other of [aliceB, bobA, bobB]) await waitForUpdate(other, call.id, isEnded('cancelled'));
    await settle();
    expect([bobA.rings.length, bobB.rings.length]).toEqual([1, 1]);
    // TURN credentials went to the caller's ack alone.
    for (const other of [aliceB, bobA, bobB]) expect(other.heard.filter((h) => h.json.includes('credential'))).toEqual([]);
  });

  it('refuses to ring someone chosen in a direct room (invite must be left out) and checks the room first', async () => {
    const { alice, roomId } = await directPair();
    const aliceA = await tab(a, alice);
    const outsider = await createTestUser();
    const refused = await start(aliceA, { roomId, kind: 'audio', invite: [outsider.id] });
    expect(codeOf(refused)).toBe('INVALID_PAYLOAD');
    expect(!refused.ok && refused.error.issues?.map((i) => i.path)).toEqual(['invite']);
    expect(codeOf(await start(aliceA, { roomId: 'AAAAAAAAAA', kind: 'audio' }))).toBe('NOT_FOUND');
    const other = await directPair();
    expect(codeOf(await start(aliceA, { roomId: other.roomId, kind: 'audio' }))).toBe('NOT_FOUND'); // a direct room not hers
    const { roomId: notHers } = await groupRoom(2);
    expect(codeOf(await start(aliceA, { roomId: notHers, kind: 'audio' }))).toBe('FORBIDDEN'); // a room she is not a member of
    expect(await getDb().call.count({ where: { roomId: { in: [roomId, other.roomId, notHers] } } })).toBe(0);
  });

  it('the first tab to answer takes part: the other tab sees the person joined, its own accept is refused, a retry from the first answers the same', async () => {
    const { alice, bob, roomId } = await directPair();
    const aliceA = await tab(a, alice);
    const bobA = await tab(a, bob);
    const bobB = await tab(b, bob);
    const { call } = ok(await start(aliceA, { roomId, kind: 'audio' }));
    await eventually(() => bobA.rings.length === 1 && bobB.rings.length === 1);

    const answered = ok(await act(bobB, 'call:accept', call.id));
    expect(answered.call).toMatchObject({ id: call.id, state: 'active', answeredAt: expect.any(String) });
    expect(statesOf(answered.call)).toEqual({ [alice.id]: 'joined', [bob.id]: 'joined' });
    expectIceServersFor(answered.iceServers, bob.id);
    // The other tab stops ringing: it is told Bob joined (from elsewhere); the caller sees the call active.
    await waitForUpdate(bobA, call.id, hasState(bob.id, 'joined'));
    await waitForUpdate(aliceA, call.id, (c) => c.state === 'active' && hasState(bob.id, 'joined')(c));

    const late = await act(bobA, 'call:accept', call.id);
    expect(codeOf(late)).toBe('CONFLICT');
    const retried = ok(await act(bobB, 'call:accept', call.id));
    expect(retried.call).toMatchObject({ id: call.id, state: 'active', answeredAt: answered.call.answeredAt });
    expect(statesOf(retried.call)).toEqual({ [alice.id]: 'joined', [bob.id]: 'joined' });
    ok(await act(aliceA, 'call:hangup', call.id));
    expect([bobA.rings.length, bobB.rings.length]).toEqual([1, 1]);
  });

  it('two tabs answering at the same moment on different instances: exactly one takes part', async () => {
    for (let round = 0; round < 4; round += 1) {
      const { alice, bob, roomId } = await directPair();
      const aliceA = await tab(a, alice);
      const bobA = await tab(a, bob);
      const bobB = await tab(b, bob);
      const { call } = ok(await start(aliceA, { roomId, kind: 'audio' }));
      await eventually(() => bobA.rings.length === 1 && bobB.rings.length === 1);
      const answers = await Promise.all([act(bobA, 'call:accept', call.id), act(bobB, 'call:accept', call.id)]);
      expect(answers.map(codeOf).sort(), `round ${round}`).toEqual(['CONFLICT', 'ok']);
      // Signals go to the one tab that won: the other is "not in this call (from this tab)".
      const [winner, loser] = answers[0]!.ok ? [bobA, bobB] : [bobB, bobA];
      expect(codeOf(await winner.emit('call:signal', { callId: call.id, to: alice.id, candidate: null }))).toBe('ok');
      expect(codeOf(await loser.emit('call:signal', { callId: call.id, to: alice.id, candidate: null }))).toBe('CONFLICT');
      ok(await act(aliceA, 'call:hangup', call.id));
    }
  });

  it('declining ends a 1:1 call declined for everyone; declining again answers the same; the entry says declined', async () => {
    const { alice, bob, roomId } = await directPair();
    const aliceA = await tab(a, alice);
    const bobA = await tab(a, bob);
    const bobB = await tab(b, bob);
    const { call } = ok(await start(aliceA, { roomId, kind: 'audio' }));
    await eventually(() => bobA.rings.length === 1 && bobB.rings.length === 1);

    const declined = ok(await act(bobA, 'call:decline', call.id));
    expect(Object.keys(declined)).toEqual(['call']);
    expect(declined.call).toMatchObject({ id: call.id, state: 'ended', endReason: 'declined', answeredAt: null, endedAt: expect.any(String) });
    expect(statesOf(declined.call)).toEqual({ [alice.id]: 'left', [bob.id]: 'declined' }); // an ended call has nobody joined
    await waitForUpdate(aliceA, call.id, isEnded('declined'));
    await waitForUpdate(bobB, call.id, isEnded('declined'));

    const again = ok(await act(bobB, 'call:decline', call.id));
    expect(again.call).toMatchObject({ id: call.id, state: 'ended', endReason: 'declined', endedAt: declined.call.endedAt });
    expect(codeOf(await act(bobB, 'call:accept', call.id))).toBe('CONFLICT'); // an ended call cannot be answered

    const entry = await theEntry(alice, roomId, call.id);
    expect(entry).toMatchObject({ author: publicUser(alice), clientId: call.id, body: '', deletedAt: null });
    expect(entry.call).toEqual({ callId: call.id, kind: 'audio', outcome: 'declined', durationMs: null, participantIds: [alice.id] });
  });

  it('declining a call that does not ring you is refused', async () => {
    const { alice, bob, roomId } = await directPair();
    const aliceA = await tab(a, alice);
    const bobB = await tab(b, bob);
    const { call } = ok(await start(aliceA, { roomId, kind: 'audio' }));
    await eventually(() => bobB.rings.length === 1);
    expect(codeOf(await act(aliceA, 'call:decline', call.id))).toBe('CONFLICT'); // the caller is not rung
    ok(await act(bobB, 'call:accept', call.id));
    expect(codeOf(await act(bobB, 'call:decline', call.id))).toBe('CONFLICT'); // answered: no longer ringing
    await settle();
    expect(statesOf((await waitForUpdate(aliceA, call.id, (c) => c.state === 'active')))).toEqual({ [alice.id]: 'joined', [bob.id]: 'joined' });
    ok(await act(aliceA, 'call:hangup', call.id));
  });

  it('someone in another call is busy: the call ends at once, busy, without ringing them; they cannot start another', async () => {
    const { alice, bob, roomId } = await directPair();
    const carol = await createTestUser();
    const { room: carolAndBob } = await startDirect({ userId: carol.id, peerId: bob.id });
    const carolA = await tab(a, carol);
    const bobB = await tab(b, bob);
    const bobA = await tab(a, bob);
    const aliceA = await tab(a, alice);
    const first = ok(await start(carolA, { roomId: carolAndBob.id, kind: 'audio' }));
    await eventually(() => bobB.rings.length === 1);
    ok(await act(bobB, 'call:accept', first.call.id));

    const busy = ok(await start(aliceA, { roomId, kind: 'video' }));
    expect(busy.call).toMatchObject({ roomId, state: 'ended', endReason: 'busy', answeredAt: null });
    expect(statesOf(busy.call)).toEqual({ [alice.id]: 'left', [bob.id]: 'busy' });
    // Bob hears of it as a member of the room (call:updated), but nothing rings.
    await waitForUpdate(bobA, busy.call.id, isEnded('busy'));
    expect(bobA.rings.map((r) => r.call.id)).toEqual([first.call.id]);
    expect(bobB.rings.map((r) => r.call.id)).toEqual([first.call.id]);
    expect((await theEntry(alice, roomId, busy.call.id)).call).toEqual({ callId: busy.call.id, kind: 'video', outcome: 'busy', durationMs: null, participantIds: [alice.id] });

    // One call at a time per person, whichever tab and instance asks.
    for (const from of [bobA, bobB]) {
      const again = await start(from, { roomId, kind: 'audio' });
      expect(codeOf(again)).toBe('CONFLICT');
      expect(!again.ok && again.error.message).toBe('You are already in a call.');
    }
    ok(await act(carolA, 'call:hangup', first.call.id));
  });

  it('in a group call the busy are not rung, the others are', async () => {
    const { users, roomId } = await groupRoom(3);
    const [owner, m1, m2] = users as [(typeof users)[0], (typeof users)[0], (typeof users)[0]];
    const carol = await createTestUser();
    const { room: elsewhere } = await startDirect({ userId: carol.id, peerId: m1.id });
    const [ownerA, m1B, m2A, carolA] = [await tab(a, owner), await tab(b, m1), await tab(a, m2), await tab(a, carol)];
    const other = ok(await start(carolA, { roomId: elsewhere.id, kind: 'audio' }));
    await eventually(() => m1B.rings.length === 1);
    ok(await act(m1B, 'call:accept', other.call.id));

    const { call } = ok(await start(ownerA, { roomId, kind: 'audio' }));
    expect(call.state).toBe('ringing');
    expect(statesOf(call)).toEqual({ [owner.id]: 'joined', [m1.id]: 'busy', [m2.id]: 'invited' });
    await eventually(() => m2A.rings.length === 1);
    expect(m1B.rings.map((r) => r.call.id)).toEqual([other.call.id]);
    ok(await act(m2A, 'call:decline', call.id));
    expect((await waitForUpdate(ownerA, call.id, isEnded())).endReason).toBe('declined');
    ok(await act(carolA, 'call:hangup', other.call.id));
  });

  it('someone with no tab connected is unavailable: the call ends at once', async () => {
    const { alice, bob, roomId } = await directPair();
    const aliceA = await tab(a, alice);
    // Bob was here a moment ago: a closed tab does not count.
    const gone = await openTab(b.url, bob);
    gone.close();
    await eventually(() => ![...b.io.of('/').sockets.values()].some((s) => s.data.user?.id === bob.id));

    const started = ok(await start(aliceA, { roomId, kind: 'audio' }));
    expect(started.call).toMatchObject({ state: 'ended', endReason: 'unavailable', answeredAt: null });
    expect(statesOf(started.call)).toEqual({ [alice.id]: 'left', [bob.id]: 'missed' });
    expect((await theEntry(bob, roomId, started.call.id)).call).toEqual({
      callId: started.call.id,
      kind: 'audio',
      outcome: 'unavailable',
      durationMs: null,
      participantIds: [alice.id],
    });
    // The room is free again: a new call can start at once.
    const bobTab = await tab(b, bob);
    const next = ok(await start(aliceA, { roomId, kind: 'audio' }));
    expect(next.call.state).toBe('ringing');
    await eventually(() => bobTab.rings.length === 1);
    ok(await act(aliceA, 'call:hangup', next.call.id));
  });

  it('the caller hanging up before an answer, from another tab, cancels the call: the people rung missed it', async () => {
    const { alice, bob, roomId } = await directPair();
    const aliceA = await tab(a, alice);
    const aliceB = await tab(b, alice);
    const bobA = await tab(a, bob);
    const bobB = await tab(b, bob);
    const { call } = ok(await start(aliceA, { roomId, kind: 'video' }));
    await eventually(() => bobA.rings.length === 1 && bobB.rings.length === 1);

    const cancelled = ok(await act(aliceB, 'call:hangup', call.id));
    expect(cancelled.call).toMatchObject({ state: 'ended', endReason: 'cancelled', answeredAt: null });
    expect(cancelled.call.participants.map((p) => [p.user.id, p.state])).toEqual([
      [alice.id, 'left'],
      [bob.id, 'missed'],
    ]);
    for (const other of [aliceA, bobA, bobB]) await waitForUpdate(other, call.id, isEnded('cancelled'));
    const again = ok(await act(aliceA, 'call:hangup', call.id)); // hanging up an ended call answers it
    expect(again.call).toMatchObject({ state: 'ended', endReason: 'cancelled', endedAt: cancelled.call.endedAt });
    expect((await theEntry(bob, roomId, call.id)).call).toEqual({ callId: call.id, kind: 'video', outcome: 'cancelled', durationMs: null, participantIds: [alice.id] });
  });

  it('glare: two people calling each other at the same moment from different instances meet in one call', async () => {
    for (let round = 0; round < 4; round += 1) {
      const { alice, bob, roomId } = await directPair();
      const aliceA = await tab(a, alice);
      const bobB = await tab(b, bob);
      const answers = await Promise.all([start(aliceA, { roomId, kind: 'video' }), start(bobB, { roomId, kind: 'video' })]);
      const [fromAlice, fromBob] = answers.map(ok);
      const told = (x: CallJoined) => `${x.call.id} ${x.call.state}/${x.call.endReason} ${JSON.stringify(statesOf(x.call))}`;
      expect(fromAlice!.call.id, `round ${round}: Alice was answered ${told(fromAlice!)}, Bob ${told(fromBob!)}`).toBe(fromBob!.call.id);
      const callId = fromAlice!.call.id;
      for (const side of [aliceA, bobB]) {
        await waitForUpdate(side, callId, (c) => c.state === 'active' && hasState(alice.id, 'joined')(c) && hasState(bob.id, 'joined')(c));
      }
      expect(await getDb().call.count({ where: { roomId } })).toBe(1);
      // Both take part from the tab they called from: they can signal each other.
      ok(await aliceA.emit('call:signal', { callId, to: bob.id, candidate: null }));
      ok(await bobB.emit('call:signal', { callId, to: alice.id, candidate: null }));
      ok(await act(aliceA, 'call:hangup', callId));
    }
  });

  it('call:start in a room with a live call joins it (its kind stays); from a second tab of someone joined it is refused', async () => {
    const { users, roomId } = await groupRoom(3);
    const [owner, m1, m2] = users as [(typeof users)[0], (typeof users)[0], (typeof users)[0]];
    const ownerA = await tab(a, owner);
    const ownerB = await tab(b, owner);
    const m1B = await tab(b, m1);
    const m2A = await tab(a, m2);
    const { call } = ok(await start(ownerA, { roomId, kind: 'audio' }));
    await eventually(() => m1B.rings.length === 1 && m2A.rings.length === 1);
    const joined = ok(await start(m1B, { roomId, kind: 'video' }));
    expect(joined.call).toMatchObject({ id: call.id, kind: 'audio', state: 'active' });
    expect(hasState(m1.id, 'joined')(joined.call)).toBe(true);
    expectIceServersFor(joined.iceServers, m1.id);
    expect(codeOf(await start(ownerB, { roomId, kind: 'audio' }))).toBe('CONFLICT');
    ok(await act(ownerA, 'call:hangup', call.id));
    ok(await act(m1B, 'call:hangup', call.id));
    await waitForUpdate(m2A, call.id, isEnded());
  });
});

describe('calls: group rooms', () => {
  it('a small room rings every other member; with more than 4 members invite is required and names members only', async () => {
    const small = await groupRoom(3);
    const [owner, m1, m2] = small.users as [(typeof small.users)[0], (typeof small.users)[0], (typeof small.users)[0]];
    const tabsOf = [await tab(a, owner), await tab(b, m1), await tab(a, m2)];
    const { call } = ok(await start(tabsOf[0]!, { roomId: small.roomId, kind: 'audio' }));
    expect(statesOf(call)).toEqual({ [owner.id]: 'joined', [m1.id]: 'invited', [m2.id]: 'invited' });
    expect(call.participants[0]!.user.id).toBe(owner.id); // the caller first
    await eventually(() => tabsOf[1]!.rings.length === 1 && tabsOf[2]!.rings.length === 1);
    // An invited member hanging up declines; the call rings on for the other.
    const declined = ok(await act(tabsOf[1]!, 'call:hangup', call.id));
    expect(declined.call.state).toBe('ringing');
    expect(statesOf(declined.call)).toEqual({ [owner.id]: 'joined', [m1.id]: 'declined', [m2.id]: 'invited' });
    // The last one rung declining, with nobody having answered: declined.
    const last = ok(await act(tabsOf[2]!, 'call:decline', call.id));
    expect(last.call).toMatchObject({ state: 'ended', endReason: 'declined' });

    const big = await groupRoom(5);
    const [o, ...others] = big.users;
    const oA = await tab(a, o!);
    const outsider = await createTestUser();
    const invalid = async (payload: Record<string, unknown>) => {
      const answer = await start(oA, { roomId: big.roomId, kind: 'audio', ...payload });
      expect(codeOf(answer), JSON.stringify(payload)).toBe('INVALID_PAYLOAD');
      expect(!answer.ok && answer.error.issues?.some((i) => i.path === 'invite' || i.path.startsWith('invite.')), JSON.stringify(payload)).toBe(true);
    };
    await invalid({}); // 4 others: too many to ring them all
    await invalid({ invite: [outsider.id] }); // not a member
    await invalid({ invite: [o!.id] }); // yourself
    await invalid({ invite: [others[0]!.id, others[0]!.id] }); // the same person twice
    await invalid({ invite: others.map((u) => u.id) }); // 4: more than 3
    await invalid({ invite: [] });
    expect(await getDb().call.count({ where: { roomId: big.roomId } })).toBe(0);
  });

  it('only the people invited ring; the room’s other members hear of the call, may join it while fewer than 4 are in, and anyone may rejoin', async () => {
    const { users, roomId } = await groupRoom(5);
    const [o, m1, m2, m3, m4] = users as [(typeof users)[0], (typeof users)[0], (typeof users)[0], (typeof users)[0], (typeof users)[0]];
    const [oT, t1, t2, t3, t4] = [await tab(a, o), await tab(b, m1), await tab(a, m2), await tab(b, m3), await tab(a, m4)];
    const { call } = ok(await start(oT, { roomId, kind: 'video', invite: [m1.id, m2.id.toUpperCase(), m3.id] }));
    expect(call.participants.map((p) => p.user.id)).toEqual([o.id, m1.id, m2.id, m3.id]);
    await eventually(() => [t1, t2, t3].every((t) => t.rings.length === 1));
    await waitForUpdate(t4, call.id, (c) => c.state === 'ringing'); // m4 is told, not rung
    expect(t4.rings).toEqual([]);

    expect(codeOf(await act(t4, 'call:hangup', call.id))).toBe('CONFLICT'); // not in this call
    for (const t of [t1, t2, t3]) ok(await act(t, 'call:accept', call.id));
    const full = await act(t4, 'call:accept', call.id);
    expect(codeOf(full)).toBe('CONFLICT');
    expect(!full.ok && full.error.message).toMatch(/^The call is full/);

    const left = ok(await act(t3, 'call:hangup', call.id));
    expect(left.call.state).toBe('active');
    expect(participantState(left.call, m3.id)).toBe('left');
    const joinedLate = ok(await act(t4, 'call:accept', call.id)); // not invited: joins a live call of the room
    expect(joinedLate.call.participants.map((p) => p.user.id)).toEqual([o.id, m1.id, m2.id, m3.id, m4.id]);
    expect(participantState(joinedLate.call, m4.id)).toBe('joined');
    expect(codeOf(await act(t3, 'call:accept', call.id))).toBe('CONFLICT'); // full again
    ok(await act(t1, 'call:hangup', call.id));
    const back = ok(await act(t3, 'call:accept', call.id)); // rejoin after leaving
    expect(participantState(back.call, m3.id)).toBe('joined');
    expect(back.call.participants.filter((p) => p.state === 'joined')).toHaveLength(4);

    // Leaving one by one: active while two are in, completed when one is left.
    for (const t of [t2, t3]) expect(ok(await act(t, 'call:hangup', call.id)).call.state).toBe('active');
    const last = ok(await act(t4, 'call:hangup', call.id));
    expect(last.call).toMatchObject({ state: 'ended', endReason: 'completed' });
    await waitForUpdate(oT, call.id, isEnded('completed'));
    const entry = await theEntry(m4, roomId, call.id);
    expect(entry.call?.outcome).toBe('completed');
    expect(entry.call?.participantIds[0]).toBe(o.id);
    expect([...entry.call!.participantIds].sort()).toEqual([o.id, m1.id, m2.id, m3.id, m4.id].sort());
  });
});

describe('calls: leaving and deleting the room', () => {
  it('leaving the room hangs up your place in its live call; the call is then hidden from you', async () => {
    a.handleRequestsHere();
    const { users, roomId } = await groupRoom(3);
    const [owner, m1, m2] = users as [(typeof users)[0], (typeof users)[0], (typeof users)[0]];
    const [ownerA, m1B, m2B] = [await tab(a, owner), await tab(b, m1), await tab(b, m2)];
    const { call } = ok(await start(ownerA, { roomId, kind: 'audio' }));
    await eventually(() => m1B.rings.length === 1 && m2B.rings.length === 1);
    ok(await act(m1B, 'call:accept', call.id));

    const left = await leaveRoute.POST(await apiRequest(m1, 'POST', `/api/rooms/${roomId}/leave`, {}), roomParams(roomId));
    expect(left.status).toBe(200);
    const after = await waitForUpdate(ownerA, call.id, hasState(m1.id, 'left'));
    expect(after.state).toBe('active'); // m2 is still rung
    expect(codeOf(await m1B.emit('call:signal', { callId: call.id, to: owner.id, candidate: null }))).toBe('NOT_FOUND');
    expect(codeOf(await act(m1B, 'call:accept', call.id))).toBe('NOT_FOUND');
    expect(ok(await m1B.emit<{ calls: CallInfo[] }>('call:list')).calls).toEqual([]);
    // A rung member leaving declines.
    expect((await leaveRoute.POST(await apiRequest(m2, 'POST', `/api/rooms/${roomId}/leave`, {}), roomParams(roomId))).status).toBe(200);
    const ended = await waitForUpdate(ownerA, call.id, isEnded());
    expect(ended.endReason).toBe('completed');
    expect(statesOf(ended)).toEqual({ [owner.id]: 'left', [m1.id]: 'left', [m2.id]: 'declined' });
  });

  it('a caller who leaves the room stays the author of the entry written when the call ends later', async () => {
    a.handleRequestsHere();
    const { users, roomId } = await groupRoom(3);
    const [owner, m1, m2] = users as [(typeof users)[0], (typeof users)[0], (typeof users)[0]];
    const [ownerA, m1B, m2A] = [await tab(a, owner), await tab(b, m1), await tab(a, m2)];
    const { call } = ok(await start(m1B, { roomId, kind: 'audio' }));
    await eventually(() => ownerA.rings.length === 1 && m2A.rings.length === 1);
    for (const t of [ownerA, m2A]) ok(await act(t, 'call:accept', call.id));
    expect((await leaveRoute.POST(await apiRequest(m1, 'POST', `/api/rooms/${roomId}/leave`, {}), roomParams(roomId))).status).toBe(200);
    expect((await waitForUpdate(ownerA, call.id, hasState(m1.id, 'left'))).state).toBe('active');
    ok(await act(m2A, 'call:hangup', call.id));
    const entry = await theEntry(owner, roomId, call.id);
    expect(entry.author).toEqual(publicUser(m1));
    expect(entry.call).toMatchObject({ outcome: 'completed', participantIds: [m1.id, owner.id, m2.id] });
  });

  it('deleting the room deletes its live call with it: no entry, and its people are free for another call', async () => {
    a.handleRequestsHere();
    const { users, roomId } = await groupRoom(2);
    const [owner, m1] = users as [(typeof users)[0], (typeof users)[0]];
    const [ownerA, m1B] = [await tab(a, owner), await tab(b, m1)];
    const { call } = ok(await start(ownerA, { roomId, kind: 'video' }));
    await eventually(() => m1B.rings.length === 1);
    ok(await act(m1B, 'call:accept', call.id));
    const deleted = new Promise<unknown>((resolve) => m1B.socket.once('room:deleted', resolve));
    const response = await roomRoute.DELETE(await apiRequest(owner, 'DELETE', `/api/rooms/${roomId}`), roomParams(roomId));
    expect(response.status).toBe(204);
    expect(await deleted).toEqual({ roomId });

    expect(ok(await m1B.emit<{ calls: CallInfo[] }>('call:list')).calls).toEqual([]);
    for (const from of [ownerA, m1B]) {
      expect(codeOf(await act(from, 'call:hangup', call.id))).toBe('NOT_FOUND');
      expect(codeOf(await from.emit('call:signal', { callId: call.id, to: from === ownerA ? m1.id : owner.id, candidate: null }))).toBe('NOT_FOUND');
    }
    expect(await getDb().call.count({ where: { id: call.id } })).toBe(0);
    // Neither is "already in a call" any more.
    const alice = await createTestUser();
    const { room: again } = await startDirect({ userId: m1.id, peerId: alice.id });
    const aliceTab = await tab(a, alice);
    const next = ok(await start(m1B, { roomId: again.id, kind: 'audio' }));
    expect(next.call.state).toBe('ringing');
    await eventually(() => aliceTab.rings.length === 1);
    ok(await act(m1B, 'call:hangup', next.call.id));
  });
});

function participantState(call: CallInfo, userId: string): string | undefined {
  return call.participants.find((p) => p.user.id === userId)?.state;
}

describe('calls: limits and outsiders', () => {
  it('call:start is limited per user (10 a minute); payload and room refusals do not count, other refusals do', async () => {
    const { users, roomId } = await groupRoom(2);
    const [alice, bob] = users as [(typeof users)[0], (typeof users)[0]];
    const aliceA = await tab(a, alice);
    const aliceA2 = await tab(a, alice);
    const bobB = await tab(b, bob);
    const { roomId: notHers } = await groupRoom(2);
    for (const payload of [{ roomId, kind: 'screen' }, { roomId }, { roomId, kind: 'audio', extra: true }, { roomId: 'nope', kind: 'audio' }]) {
      expect(codeOf(await start(aliceA, payload)), JSON.stringify(payload)).toBe('INVALID_PAYLOAD');
    }
    expect(codeOf(await start(aliceA, { roomId: notHers, kind: 'audio' }))).toBe('FORBIDDEN');
    expect(codeOf(await start(aliceA, { roomId: 'AAAAAAAAAA', kind: 'audio' }))).toBe('NOT_FOUND');

    // Ten pass the limiter: one starts the call; the others are refused after it (whom to ring, already in it).
    const { call } = ok(await start(aliceA, { roomId, kind: 'audio' }));
    const outsider = await createTestUser();
    const counted = [
      await start(aliceA2, { roomId, kind: 'audio', invite: [outsider.id] }),
      await start(aliceA2, { roomId, kind: 'audio', invite: [alice.id] }),
      ...(await Promise.all(Array.from({ length: 7 }, () => start(aliceA2, { roomId, kind: 'audio' })))),
    ];
    expect(counted.map(codeOf)).toEqual(['INVALID_PAYLOAD', 'INVALID_PAYLOAD', ...Array(7).fill('CONFLICT')]);
    const limited = await start(aliceA2, { roomId, kind: 'audio' });
    expect(codeOf(limited)).toBe('RATE_LIMITED');
    const retryAfter = !limited.ok ? limited.error.retryAfter : undefined;
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(codeOf(await start(aliceA, { roomId, kind: 'audio' }))).toBe('RATE_LIMITED'); // per user, not per tab

    // The call itself goes on: answering and hanging up are not limited.
    await eventually(() => bobB.rings.length === 1);
    ok(await act(bobB, 'call:accept', call.id));
    ok(await act(aliceA, 'call:hangup', call.id));
    expect(await getDb().call.count({ where: { roomId } })).toBe(1);
  });

  it('someone who is not a member gets NOT_FOUND for every call event, the same as for a call that does not exist, and call:list shows them nothing', async () => {
    const { alice, bob, roomId } = await directPair();
    const group = await groupRoom(2);
    const outsider = await createTestUser();
    const aliceA = await tab(a, alice);
    const bobB = await tab(b, bob);
    const groupTabs = [await tab(a, group.users[0]!), await tab(b, group.users[1]!)];
    const outsiderA = await tab(a, outsider);
    const outsiderB = await tab(b, outsider);
    const direct = ok(await start(aliceA, { roomId, kind: 'audio' })).call;
    const grouped = ok(await start(groupTabs[0]!, { roomId: group.roomId, kind: 'video' })).call;
    await eventually(() => bobB.rings.length === 1 && groupTabs[1]!.rings.length === 1);

    const answersFor = async (callId: string, to: string) => [
      await outsiderA.emit('call:accept', { callId }),
      await outsiderA.emit('call:decline', { callId }),
      await outsiderA.emit('call:hangup', { callId }),
      await outsiderA.emit('call:resume', { callId }),
      await outsiderA.emit('call:media', { callId, audio: true, video: false, screen: false }),
      await outsiderB.emit('call:signal', { callId, to, description: { type: 'answer', sdp: 'v=0\r\n' } }),
      await outsiderB.emit('call:signal', { callId, to, candidate: null }),
    ];
    const unknown = (await answersFor('0190d7a4-6d1e-7c3a-9f2b-1a2b3c4d5e6f', alice.id)).map((x) => JSON.stringify(x));
    for (const [call, to] of [
      [direct, alice.id],
      [grouped, group.users[0]!.id],
    ] as const) {
      const answers = await answersFor(call.id, to);
      expect(answers.map(codeOf)).toEqual(Array(7).fill('NOT_FOUND'));
      // Indistinguishable from a call that does not exist: nothing names the room or the people.
      expect(answers.map((x) => JSON.stringify(x))).toEqual(unknown);
    }
    expect(codeOf(await start(outsiderA, { roomId, kind: 'audio' }))).toBe('NOT_FOUND'); // someone else's direct room
    expect(codeOf(await start(outsiderA, { roomId: group.roomId, kind: 'audio' }))).toBe('FORBIDDEN'); // a room they are not in
    expect(ok(await outsiderA.emit<{ calls: CallInfo[] }>('call:list'))).toEqual({ calls: [] });
    // Members list their rooms' live calls, ringing ones included.
    expect(ok(await bobB.emit<{ calls: CallInfo[] }>('call:list')).calls.map((c) => c.id)).toEqual([direct.id]);

    // Nothing changed for the people in the calls, and the outsider heard nothing of either call.
    await settle();
    for (const t of [aliceA, groupTabs[0]!]) expect(t.updates.every((u) => u.call.state === 'ringing')).toBe(true);
    for (const t of [outsiderA, outsiderB]) expect(t.heard.filter((h) => h.event.startsWith('call:'))).toEqual([]);
    ok(await act(aliceA, 'call:hangup', direct.id));
    ok(await act(groupTabs[0]!, 'call:hangup', grouped.id));
  });

  it('tabs of someone in none of these rooms never heard of any call', () => {
    const heard = bystanderTabs.flatMap((t) => t.heard.filter((h) => h.event.startsWith('call:') || h.json.includes('"callId"')));
    expect(heard).toEqual([]);
    expect(bystanderTabs.every((t) => t.socket.connected)).toBe(true);
  });
});
