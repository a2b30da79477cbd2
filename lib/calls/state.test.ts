import { describe, expect, it } from 'vitest';
import { AppError } from '../errors';
import { accept, decline, disconnected, entryOf, expire, hangup, newCall, resume, setMedia, type CallSnapshot } from './state';

const t0 = new Date('2026-11-30T10:00:00.000Z');
const at = (ms: number) => new Date(t0.getTime() + ms);
const RING = 30_000;
const timings = { staleMs: 20_000 };
const GRACE = 10_000;

function direct(callee: { busy?: boolean; online?: boolean } = {}): CallSnapshot {
  return newCall({
    id: 'call', roomId: 'Room000001', roomKind: 'direct', kind: 'video', callerId: 'alice', socketId: 'sa',
    callees: [{ userId: 'bob', busy: callee.busy ?? false, online: callee.online ?? true }], now: t0, ringMs: RING,
  });
}

function group(): CallSnapshot {
  return newCall({
    id: 'call', roomId: 'Room000002', roomKind: 'public', kind: 'audio', callerId: 'alice', socketId: 'sa',
    callees: ['bob', 'carol'].map((userId) => ({ userId, busy: false, online: true })), now: t0, ringMs: RING,
  });
}

const states = (s: CallSnapshot) => s.participants.map((p) => `${p.userId}:${p.state}`).join(' ');

function refusal(fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (error) {
    if (error instanceof AppError) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('the call state machine', () => {
  it('rings, is answered, and completes when one of two hangs up', () => {
    const ringing = direct();
    expect(ringing.call.state).toBe('ringing');
    expect(states(ringing)).toBe('alice:joined bob:invited');
    const active = accept(ringing, { userId: 'bob', socketId: 'sb', now: at(5_000) });
    expect(active.call).toMatchObject({ state: 'active', answeredAt: at(5_000) });
    const ended = hangup(active, { userId: 'alice', now: at(65_000) });
    expect(ended.call).toMatchObject({ state: 'ended', endReason: 'completed' });
    expect(states(ended)).toBe('alice:left bob:left');
    expect(entryOf(ended)).toEqual({ kind: 'video', outcome: 'completed', durationMs: 60_000, participantIds: ['alice', 'bob'] });
  });

  it('ends at once when nobody can be rung: busy before unavailable', () => {
    expect(direct({ busy: true }).call).toMatchObject({ state: 'ended', endReason: 'busy' });
    expect(direct({ online: false }).call).toMatchObject({ state: 'ended', endReason: 'unavailable' });
    expect(states(direct({ online: false }))).toBe('alice:left bob:missed');
  });

  it('declined, cancelled and missed end an unanswered call with their reason', () => {
    expect(decline(direct(), { userId: 'bob', now: at(1) }).call.endReason).toBe('declined');
    expect(hangup(direct(), { userId: 'alice', now: at(1) }).call.endReason).toBe('cancelled');
    const missed = expire(direct(), { now: at(RING), ...timings });
    expect(missed.call.endReason).toBe('missed');
    expect(entryOf(missed)).toMatchObject({ outcome: 'missed', durationMs: null, participantIds: ['alice'] });
    // Before the deadline nothing changes (the same object: nothing to write).
    // (The caller's instance vouches for them meanwhile: no staleness here.)
    const ringing = direct();
    expect(expire(ringing, { now: at(RING - 1), staleMs: 60_000 })).toBe(ringing);
  });

  it('a group call goes on while someone still rings, and ends when one is left', () => {
    const active = accept(group(), { userId: 'bob', socketId: 'sb', now: at(1_000) });
    const bobLeft = hangup(active, { userId: 'bob', now: at(2_000) });
    expect(bobLeft.call.state).toBe('active'); // carol still rings
    const deadline = expire(bobLeft, { now: at(RING), ...timings });
    expect(deadline.call.endReason).toBe('completed');
    expect(states(deadline)).toBe('alice:left bob:left carol:missed');
  });

  it('one person declining a group call does not end it while another still rings', () => {
    const oneDeclined = decline(group(), { userId: 'bob', now: at(1) });
    expect(oneDeclined.call.state).toBe('ringing');
    expect(decline(oneDeclined, { userId: 'carol', now: at(2) }).call.endReason).toBe('declined');
  });

  it('refuses what the state does not allow', () => {
    const active = accept(direct(), { userId: 'bob', socketId: 'sb', now: at(1) });
    expect(refusal(() => accept(active, { userId: 'bob', socketId: 'other-tab', now: at(2) })).code).toBe('CONFLICT');
    expect(accept(active, { userId: 'bob', socketId: 'sb', now: at(2) })).toBe(active); // a retried accept
    expect(refusal(() => decline(active, { userId: 'alice', now: at(2) })).message).toMatch(/not ringing/);
    expect(refusal(() => setMedia(active, { userId: 'bob', socketId: 'other-tab', media: { audio: false, video: true, screen: false } })).code).toBe('CONFLICT');
    const ended = hangup(active, { userId: 'bob', now: at(3) });
    expect(refusal(() => accept(ended, { userId: 'bob', socketId: 'sb', now: at(4) })).message).toMatch(/ended/);
    expect(hangup(ended, { userId: 'bob', now: at(4) })).toBe(ended); // hanging up an ended call answers it
    expect(refusal(() => accept(direct(), { userId: 'mallory', socketId: 'sm', now: at(1) })).code).toBe('CONFLICT');
  });

  it('admits at most four joined people', () => {
    let call = newCall({
      id: 'call', roomId: 'Room000003', roomKind: 'public', kind: 'audio', callerId: 'u0', socketId: 's0',
      callees: ['u1', 'u2', 'u3'].map((userId) => ({ userId, busy: false, online: true })), now: t0, ringMs: RING,
    });
    for (const user of ['u1', 'u2', 'u3']) call = accept(call, { userId: user, socketId: `s-${user}`, now: at(1) });
    expect(refusal(() => accept(call, { userId: 'u4', socketId: 's4', now: at(2) })).message).toMatch(/full/);
    // Someone leaves: a member who was not rung may join.
    call = hangup(call, { userId: 'u1', now: at(3) });
    expect(accept(call, { userId: 'u4', socketId: 's4', now: at(4) }).participants.at(-1)).toMatchObject({ userId: 'u4', state: 'joined', position: 4 });
  });

  it('a lost connection keeps the place for the grace, and resume takes it back', () => {
    const active = accept(direct(), { userId: 'bob', socketId: 'sb', now: at(0) });
    const lost = disconnected(active, { socketId: 'sb', now: at(1_000), graceMs: GRACE });
    expect(lost.participants[1]).toMatchObject({ disconnectedAt: at(1_000), reconnectUntil: at(11_000) });
    expect(expire(lost, { now: at(10_999), ...timings })).toBe(lost);
    const back = resume(lost, { userId: 'bob', socketId: 'sb2', holderGone: true, now: at(5_000) });
    expect(back.participants[1]).toMatchObject({ socketId: 'sb2', disconnectedAt: null, state: 'joined' });
    expect(expire(lost, { now: at(11_000), ...timings }).call.endReason).toBe('completed');
    // A live holder elsewhere is another tab: refused.
    expect(refusal(() => resume(active, { userId: 'bob', socketId: 'sb2', holderGone: false, now: at(1) })).message).toMatch(/another tab/);
  });

  it('a participant whose instance stopped vouching for them leaves', () => {
    const active = accept(direct(), { userId: 'bob', socketId: 'sb', now: at(0) });
    expect(expire(active, { now: at(19_999), ...timings })).toBe(active);
    expect(states(expire(active, { now: at(20_000), ...timings }))).toBe('alice:left bob:left');
  });

  it('the caller losing their connection while it rings cancels it after the grace', () => {
    const lost = disconnected(direct(), { socketId: 'sa', now: at(1_000), graceMs: GRACE });
    expect(expire(lost, { now: at(11_000), ...timings }).call.endReason).toBe('cancelled');
  });
});
