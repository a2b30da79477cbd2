import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CallEngine, EngineOptions } from '../calls/engine';
import type { Ack } from '../errors';
import type { CallRequestEvent, CallRequests } from '../realtime/client';
import type { CallInfo, CallParticipant, IceServer } from '../schemas/call';
import type { PublicUser } from '../schemas/user';
import { createCallsStore, liveCallIn, ringDeadline, type CallsStore } from './calls';

const me: PublicUser = { id: 'b-me', username: 'me', displayName: 'Me' };
const ann: PublicUser = { id: 'a-ann', username: 'ann', displayName: 'Ann' };
const cy: PublicUser = { id: 'c-cy', username: 'cy', displayName: 'Cy' };
const T0 = Date.parse('2026-01-01T10:00:00.000Z');
const ICE: IceServer[] = [{ urls: ['stun:stun.example.org'] }];

function person(user: PublicUser, state: CallParticipant['state'], extra: Partial<CallParticipant> = {}): CallParticipant {
  return { user, state, joinedAt: state === 'joined' ? new Date(T0).toISOString() : null, leftAt: null, reconnecting: false, media: { audio: state === 'joined', video: false, screen: false }, ...extra };
}

function callInfo(overrides: Partial<CallInfo> = {}): CallInfo {
  return {
    id: '11111111-1111-4111-8111-111111111111',
    roomId: 'Room000001',
    kind: 'video',
    caller: ann,
    state: 'ringing',
    createdAt: new Date(T0).toISOString(),
    ringUntil: new Date(T0 + 30_000).toISOString(),
    answeredAt: null,
    endedAt: null,
    endReason: null,
    participants: [person(ann, 'joined'), person(me, 'invited')],
    ...overrides,
  };
}

interface Sent {
  event: CallRequestEvent | 'call:list';
  payload: unknown;
}

/** The main socket as the store sees it: answers programmed per event (default: the call as it is). */
function fakeRequests() {
  const sent: Sent[] = [];
  const answers = new Map<string, (payload: unknown) => Promise<Ack<unknown>>>();
  const requests: CallRequests & { connectedNow: boolean } = {
    connectedNow: true,
    get connected() {
      return this.connectedNow;
    },
    async send(event, payload) {
      sent.push({ event, payload });
      const answer = answers.get(event);
      if (!answer) return { ok: false, error: { code: 'INTERNAL', message: 'No answer programmed.' } } as never;
      return (await answer(payload)) as never;
    },
    async list() {
      sent.push({ event: 'call:list', payload: undefined });
      const answer = answers.get('call:list');
      return (answer ? await answer(undefined) : { ok: true, data: { calls: [] } }) as never;
    },
  };
  return { requests, sent, answers };
}

function fakeEngine() {
  const log: string[] = [];
  let options: EngineOptions | null = null;
  const engine: CallEngine = {
    join: (ice, offerTo) => log.push(`join ${ice.length} ${offerTo.join(',')}`),
    signal: (s) => log.push(`signal ${s.from} ${s.description?.type ?? (s.candidate === null ? 'end' : 'candidate')}`),
    keepOnly: (ids) => log.push(`keep ${ids.join(',')}`),
    resume: (ice, ids) => log.push(`resume ${ice.length} ${ids.join(',')}`),
    media: () => ({ audio: true, video: true, screen: false }),
    setMuted: (m) => log.push(`muted ${m}`),
    setCamera: async () => undefined,
    setScreen: async () => undefined,
    selectDevice: async () => undefined,
    snapshot: () => ({ local: {} as never, peers: {} }),
    subscribe: () => () => undefined,
    close: () => log.push('close'),
  };
  return { engine, log, options: () => options, open: async (o: EngineOptions) => ((options = o), engine) };
}

describe('calls store', () => {
  let store: CallsStore;
  let net: ReturnType<typeof fakeRequests>;
  let media: ReturnType<typeof fakeEngine>;
  const beacons: string[] = [];
  let now = T0;

  beforeEach(() => {
    vi.useFakeTimers();
    now = T0;
    beacons.length = 0;
    net = fakeRequests();
    media = fakeEngine();
    store = createCallsStore({ meId: me.id, openEngine: media.open, beacon: (url) => (beacons.push(url), true), now: () => now, resumeRetryMs: 100 });
    store.binding.attach(net.requests);
  });
  afterEach(() => vi.useRealTimers());

  it('rings on call:ring for the call’s own window, and stops when another tab answers — without a missed-call notice', () => {
    store.binding.onRing(callInfo());
    expect(Object.keys(store.getState().ringing)).toEqual([callInfo().id]);
    store.binding.onUpdated(callInfo({ state: 'active', participants: [person(ann, 'joined'), person(me, 'joined')] }));
    expect(store.getState().ringing).toEqual({});
    expect(store.getState().notice).toBeNull();
  });

  it('stops ringing at the deadline, and says "Missed call" when the server says so', () => {
    store.binding.onRing(callInfo());
    vi.advanceTimersByTime(30_001);
    expect(store.getState().ringing).toEqual({});
    store.binding.onUpdated(callInfo({ state: 'ended', endReason: 'missed', participants: [person(ann, 'joined'), person(me, 'missed')] }));
    expect(store.getState().notice).toMatchObject({ text: 'Missed call from Ann', tone: 'missed' });
  });

  it('a ring window does not depend on this tab’s clock; a listed ringing call rings until ringUntil', () => {
    const call = callInfo();
    expect(ringDeadline(call, T0 + 3_600_000, true)).toBe(T0 + 3_600_000 + 30_000);
    expect(ringDeadline(call, T0 + 20_000, false)).toBe(T0 + 30_000);
    expect(ringDeadline(call, T0 + 40_000, false)).toBe(T0 + 40_000);
  });

  it('ignores an update older than what it holds (never back from ended, nor from active to ringing)', () => {
    store.binding.onUpdated(callInfo({ state: 'active' }));
    store.binding.onUpdated(callInfo({ state: 'ringing' }));
    expect(store.getState().calls[callInfo().id]!.state).toBe('active');
    expect(liveCallIn(store.getState().calls, 'Room000001')?.state).toBe('active');
    store.binding.onUpdated(callInfo({ state: 'ended', endReason: 'completed' }));
    store.binding.onUpdated(callInfo({ state: 'active' }));
    expect(store.getState().calls[callInfo().id]!.state).toBe('ended');
    expect(liveCallIn(store.getState().calls, 'Room000001')).toBeNull();
  });

  it('answers: media first, then call:accept; offers to everyone already joined; reports its media', async () => {
    const call = callInfo();
    store.binding.onRing(call);
    const joinedCall = callInfo({ state: 'active', participants: [person(ann, 'joined'), person(me, 'joined')] });
    net.answers.set('call:accept', async () => ({ ok: true, data: { call: joinedCall, iceServers: ICE } }));
    net.answers.set('call:media', async () => ({ ok: true, data: { call: joinedCall } }));
    await store.getState().accept(call.id);
    expect(net.sent.map((s) => s.event)).toEqual(['call:accept', 'call:media']);
    expect(media.log).toEqual(['keep a-ann,b-me', 'join 1 a-ann', 'keep a-ann,b-me']);
    expect(store.getState().current).toMatchObject({ callId: call.id, phase: 'joined', kind: 'video' });
    expect(store.getState().ringing).toEqual({});
    expect(net.sent[1]!.payload).toEqual({ callId: call.id, audio: true, video: true, screen: false });

    // Signals of this call reach the engine; others' do not.
    store.binding.onSignal({ callId: call.id, from: ann.id, candidate: null });
    store.binding.onSignal({ callId: '22222222-2222-4222-8222-222222222222', from: ann.id, candidate: null });
    expect(media.log.at(-1)).toBe('signal a-ann end');
    expect(media.log.filter((l) => l.startsWith('signal'))).toHaveLength(1);

    // The engine's signals go out as call:signal with the call id; candidates keep only the protocol's fields.
    media.options()!.send({ to: ann.id, candidate: { candidate: 'candidate:1 1 udp 1 192.0.2.2 5000 typ host', sdpMid: '0', sdpMLineIndex: 0, usernameFragment: 'u' } });
    expect(net.sent.at(-1)).toEqual({
      event: 'call:signal',
      payload: { callId: call.id, to: ann.id, candidate: { candidate: 'candidate:1 1 udp 1 192.0.2.2 5000 typ host', sdpMid: '0', sdpMLineIndex: 0, usernameFragment: 'u' } },
    });

    // The other side hangs up: the call ends completed, media off, the outcome on screen.
    store.binding.onUpdated(
      callInfo({ state: 'ended', endReason: 'completed', answeredAt: new Date(T0).toISOString(), endedAt: new Date(T0 + 192_000).toISOString() }),
    );
    expect(store.getState().current).toBeNull();
    expect(media.log.at(-1)).toBe('close');
    expect(store.getState().notice).toMatchObject({ text: 'Call ended · 3 min 12 s', tone: 'info' });
  });

  it('a start nobody can be rung for ends at once, with the reason', async () => {
    const ended = callInfo({ caller: me, state: 'ended', endReason: 'unavailable', participants: [person(me, 'joined'), person(ann, 'missed')] });
    net.answers.set('call:start', async () => ({ ok: true, data: { call: ended, iceServers: ICE } }));
    await store.getState().start('Room000001', 'audio');
    expect(store.getState().current).toBeNull();
    expect(media.log).toEqual(['close']);
    expect(store.getState().notice).toMatchObject({ text: 'Ann is not available' });
  });

  it('a refused start releases the media and says why', async () => {
    net.answers.set('call:start', async () => ({ ok: false, error: { code: 'CONFLICT', message: 'You are already in a call.' } }));
    await store.getState().start('Room000001', 'video');
    expect(store.getState().current).toBeNull();
    expect(media.log).toEqual(['close']);
    expect(store.getState().notice).toMatchObject({ text: 'You are already in a call.', tone: 'error' });
  });

  it('hanging up while call:start is on its way leaves the call as soon as it answers', async () => {
    let answer!: (ack: Ack<unknown>) => void;
    net.answers.set('call:start', () => new Promise((resolve) => (answer = resolve)));
    net.answers.set('call:hangup', async () => ({ ok: true, data: { call: callInfo({ state: 'ended', endReason: 'cancelled' }) } }));
    const started = store.getState().start('Room000001', 'video');
    await vi.waitFor(() => expect(net.sent.map((s) => s.event)).toEqual(['call:start']));
    await store.getState().hangup();
    answer({ ok: true, data: { call: callInfo({ caller: me, participants: [person(me, 'joined'), person(ann, 'invited')] }), iceServers: ICE } });
    await started;
    expect(net.sent.map((s) => s.event)).toEqual(['call:start', 'call:hangup']);
    expect(store.getState().current).toBeNull();
  });

  it('after a reconnect: call:resume, then an ICE restart towards everyone joined; call:list every time', async () => {
    const active = callInfo({ state: 'active', participants: [person(ann, 'joined'), person(me, 'joined'), person(cy, 'joined')] });
    net.answers.set('call:accept', async () => ({ ok: true, data: { call: active, iceServers: ICE } }));
    store.binding.onUpdated(callInfo());
    await store.getState().accept(active.id);
    media.log.length = 0;
    net.sent.length = 0;

    store.binding.onDisconnect();
    expect(store.getState().current?.phase).toBe('reconnecting');
    net.answers.set('call:resume', async () => ({ ok: true, data: { call: active, iceServers: [...ICE, ...ICE] } }));
    net.answers.set('call:list', async () => ({ ok: true, data: { calls: [active] } }));
    store.binding.onReady();
    await vi.waitFor(() => expect(store.getState().current?.phase).toBe('joined'));
    expect(net.sent.map((s) => s.event).sort()).toEqual(['call:list', 'call:media', 'call:resume']);
    expect(media.log).toContain('resume 2 a-ann,b-me,c-cy');
  });

  it('a resume the server refuses (the place is gone) ends the call here', async () => {
    const active = callInfo({ state: 'active', participants: [person(ann, 'joined'), person(me, 'joined')] });
    net.answers.set('call:accept', async () => ({ ok: true, data: { call: active, iceServers: ICE } }));
    store.binding.onUpdated(callInfo());
    await store.getState().accept(active.id);
    net.answers.set('call:resume', async () => ({ ok: false, error: { code: 'CONFLICT', message: 'You are not in this call.' } }));
    net.answers.set('call:list', async () => ({ ok: true, data: { calls: [callInfo({ state: 'active', participants: [person(ann, 'joined'), person(me, 'left')] })] } }));
    store.binding.onDisconnect();
    store.binding.onReady();
    await vi.waitFor(() => expect(store.getState().current).toBeNull());
    expect(store.getState().notice?.text).toBe('You were disconnected from the call.');
  });

  it('before an ICE restart late in a call: fresh ICE servers from call:resume (once for all connections)', async () => {
    const active = callInfo({ state: 'active', participants: [person(ann, 'joined'), person(me, 'joined')] });
    net.answers.set('call:accept', async () => ({ ok: true, data: { call: active, iceServers: ICE } }));
    store.binding.onUpdated(callInfo());
    await store.getState().accept(active.id);
    const refresh = media.options()!.refreshIceServers!;
    expect(await refresh()).toBeNull(); // young credentials: kept
    expect(net.sent.some((s) => s.event === 'call:resume')).toBe(false);

    now = T0 + 61 * 60 * 1000;
    const fresh: IceServer[] = [{ urls: ['turn:turn.example.org'], username: '1:me', credential: 'x' }];
    net.answers.set('call:resume', async () => ({ ok: true, data: { call: active, iceServers: fresh } }));
    const [a, b] = await Promise.all([refresh(), refresh()]);
    expect(a).toEqual(fresh);
    expect(b).toEqual(fresh);
    expect(net.sent.filter((s) => s.event === 'call:resume')).toHaveLength(1);
    expect(await refresh()).toBeNull(); // renewed just now
  });

  it('a media report the server did not take is sent again', async () => {
    const active = callInfo({ state: 'active', participants: [person(ann, 'joined'), person(me, 'joined')] });
    net.answers.set('call:accept', async () => ({ ok: true, data: { call: active, iceServers: ICE } }));
    net.answers.set('call:media', async () => ({ ok: false, error: { code: 'RATE_LIMITED', message: 'Too many changes.' } }));
    store.binding.onUpdated(callInfo());
    await store.getState().accept(active.id);
    await vi.waitFor(() => expect(net.sent.filter((s) => s.event === 'call:media')).toHaveLength(1));
    net.answers.set('call:media', async () => ({ ok: true, data: { call: active } }));
    await vi.advanceTimersByTimeAsync(150);
    expect(net.sent.filter((s) => s.event === 'call:media')).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(net.sent.filter((s) => s.event === 'call:media')).toHaveLength(2);
  });

  it('a hang-up the socket could not deliver goes over HTTP (the place must not stay taken)', async () => {
    const active = callInfo({ state: 'active', participants: [person(ann, 'joined'), person(me, 'joined')] });
    net.answers.set('call:accept', async () => ({ ok: true, data: { call: active, iceServers: ICE } }));
    net.answers.set('call:hangup', async () => ({ ok: false, error: { code: 'RATE_LIMITED', message: 'Slow down.' } }));
    store.binding.onUpdated(callInfo());
    await store.getState().accept(active.id);
    await store.getState().hangup();
    expect(store.getState().current).toBeNull();
    expect(beacons).toEqual([`/api/calls/${active.id}/hangup`]);
  });

  it('leaving the page sends one beacon to the hang-up route', async () => {
    const active = callInfo({ state: 'active', participants: [person(ann, 'joined'), person(me, 'joined')] });
    net.answers.set('call:accept', async () => ({ ok: true, data: { call: active, iceServers: ICE } }));
    store.binding.onUpdated(callInfo());
    await store.getState().accept(active.id);
    store.getState().leaveOnUnload();
    store.getState().leaveOnUnload(); // pagehide after beforeunload
    expect(beacons).toEqual([`/api/calls/${active.id}/hangup`]);
  });

  it('a call:list after reconnecting rings what still rings me, and forgets calls that ended meanwhile', async () => {
    const gone = callInfo({ id: '33333333-3333-4333-8333-333333333333', roomId: 'Room000002', state: 'active' });
    store.binding.onUpdated(gone);
    now = T0 + 10_000;
    net.answers.set('call:list', async () => ({ ok: true, data: { calls: [callInfo()] } }));
    store.binding.onReady();
    await vi.waitFor(() => expect(store.getState().ringing[callInfo().id]).toBe(T0 + 30_000));
    expect(store.getState().calls[gone.id]).toBeUndefined();
  });
});
