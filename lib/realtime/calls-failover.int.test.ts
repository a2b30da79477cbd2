/**
 * Calls when an instance dies (docs/protocol.md §4.12 "Ring timeout", "Lost connections"): a real instance
 * process killed with SIGKILL — its timers die with it, nobody hears its sockets disconnect — and two
 * in-process instances that survive it. The ring timeout still happens, a participant it held resumes on
 * another instance, and one who does not come back leaves once their instance stops vouching for them.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { CallInfo, CallJoined } from '../schemas/call';
import {
  directPair,
  hasState,
  isEnded,
  ok,
  openTab,
  SDP_OFFER,
  startCallCluster,
  statesOf,
  theEntry,
  waitForUpdate,
  waitForUpdateAt,
  type CallTab,
  type TestUser,
} from '../testing/calls';
import { startInstance, type Instance } from '../testing/instances';
import { eventually, type TestRealtime } from '../testing/realtime';

const RING_MS = 3_000;

let a: TestRealtime;
let b: TestRealtime;
const processes: Instance[] = [];
const tabs: CallTab[] = [];

beforeAll(async () => {
  [a, b] = await startCallCluster();
});
afterAll(async () => {
  for (const t of tabs) t.close();
  await Promise.all(processes.map((p) => p.kill('SIGTERM')));
  await Promise.all([a?.close(), b?.close()]);
});

async function doomedInstance(): Promise<Instance> {
  const instance = await startInstance(inject('databaseUrl'), 0, { TEST_CALL_RING_MS: String(RING_MS) });
  processes.push(instance);
  return instance;
}
async function tab(url: string, user: TestUser): Promise<CallTab> {
  const opened = await openTab(url, user);
  tabs.push(opened);
  return opened;
}
const act = (from: CallTab, event: 'call:start' | 'call:accept' | 'call:hangup' | 'call:resume', payload: Record<string, unknown>) =>
  from.emit<CallJoined & { call: CallInfo }>(event, payload);

describe('calls when an instance dies', () => {
  it('the ring timeout happens even though the instance that started the call was killed', async () => {
    const doomed = await doomedInstance();
    const { alice, bob, roomId } = await directPair();
    const aliceDoomed = await tab(doomed.url, alice);
    const bobDoomed = await tab(doomed.url, bob); // found online by the instance itself, whatever it knows of the others yet
    const bobB = await tab(b.url, bob);
    const { call } = ok(await act(aliceDoomed, 'call:start', { roomId, kind: 'audio' }));
    expect(Date.parse(call.ringUntil) - Date.parse(call.createdAt)).toBe(RING_MS);
    await eventually(() => bobB.rings.length === 1 && bobDoomed.rings.length === 1);
    await doomed.kill('SIGKILL');
    expect(Date.now()).toBeLessThan(Date.parse(call.ringUntil)); // it died while the call rang

    // The survivors end it at ringUntil (within their sweep), as missed: the caller's silence is not yet known.
    const ended = await waitForUpdate(bobB, call.id, isEnded(), { timeoutMs: RING_MS + 10_000 });
    expect(ended.endReason).toBe('missed');
    expect(statesOf(ended)).toEqual({ [alice.id]: 'left', [bob.id]: 'missed' });
    expect((await theEntry(bob, roomId, call.id)).call).toMatchObject({ outcome: 'missed', participantIds: [alice.id] });
  }, 30_000);

  it('a participant held by a killed instance resumes from a tab on another instance', async () => {
    const doomed = await doomedInstance();
    const { alice, bob, roomId } = await directPair();
    const aliceB = await tab(b.url, alice);
    const bobB = await tab(b.url, bob);
    const bobDoomed = await tab(doomed.url, bob);
    const { call } = ok(await act(aliceB, 'call:start', { roomId, kind: 'video' }));
    await eventually(() => bobDoomed.rings.length === 1);
    ok(await act(bobDoomed, 'call:accept', { callId: call.id }));
    await waitForUpdate(aliceB, call.id, (c) => c.state === 'active');
    await doomed.kill('SIGKILL');

    const bobNew = await tab(a.url, bob);
    const resumed = ok(await act(bobNew, 'call:resume', { callId: call.id }));
    expect(hasState(bob.id, 'joined', { reconnecting: false })(resumed.call)).toBe(true);
    ok(await bobNew.emit('call:signal', { callId: call.id, to: alice.id, description: { type: 'offer', sdp: SDP_OFFER } }));
    await eventually(() => aliceB.signals.some((s) => s.from === bob.id));
    expect(bobB.signals).toEqual([]);
    ok(await act(aliceB, 'call:hangup', { callId: call.id }));
  }, 30_000);

  it('a participant held by a killed instance who does not come back leaves when it stops vouching for them (about 20 s)', async () => {
    const doomed = await doomedInstance();
    const { alice, bob, roomId } = await directPair();
    const aliceB = await tab(b.url, alice);
    const bobHere = await tab(b.url, bob); // so that B finds Bob online whatever it knows of the new instance yet
    const bobDoomed = await tab(doomed.url, bob);
    const { call } = ok(await act(aliceB, 'call:start', { roomId, kind: 'audio' }));
    await eventually(() => bobDoomed.rings.length === 1);
    ok(await act(bobDoomed, 'call:accept', { callId: call.id }));
    await waitForUpdate(aliceB, call.id, (c) => c.state === 'active');
    bobHere.close();
    const killedAt = Date.now();
    await doomed.kill('SIGKILL');

    const { call: ended, at } = await waitForUpdateAt(aliceB, call.id, isEnded(), { timeoutMs: 40_000 });
    expect(ended.endReason).toBe('completed');
    expect(statesOf(ended)).toEqual({ [alice.id]: 'left', [bob.id]: 'left' });
    // Not the 10 s grace of a disconnect someone saw: the 20 s of silence (its last heartbeat was up to 5 s before).
    expect(at - killedAt).toBeGreaterThanOrEqual(14_000);
    expect((await theEntry(alice, roomId, call.id)).call).toMatchObject({ outcome: 'completed', participantIds: [alice.id, bob.id] });
  }, 60_000);
});
