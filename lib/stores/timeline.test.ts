import { describe, expect, it } from 'vitest';
import { chatMessage } from '../testing/room-fixtures';
import type { ChatMessage } from '../schemas/message';
import {
  addOutgoing,
  addSystemLine,
  advanceWatermark,
  applyCatchUpPage,
  applyMessages,
  applyNewestPage,
  applyOlderPage,
  hasGap,
  isGap,
  markFailed,
  markPending,
  mergeMessages,
  applyChanges,
  applyNewerPage,
  hasRevGap,
  showStretch,
  resendable,
  resetTimeline,
  timelineFromPage,
  timelineItems,
  type Timeline,
} from './timeline';

const me = { id: 'me', username: 'me', displayName: 'Me' };
const other = { id: 'other', username: 'other', displayName: 'Other' };

function msg(seq: number, overrides: Partial<ChatMessage> = {}): ChatMessage {
  return chatMessage(seq, { author: other, ...overrides });
}

const seqs = (t: Timeline) => t.messages.map((m) => m.seq);

describe('mergeMessages', () => {
  it('orders by seq and drops duplicates', () => {
    const merged = mergeMessages([msg(1), msg(3)], [msg(3), msg(2), msg(2), msg(5)]);
    expect(merged.map((m) => m.seq)).toEqual([1, 2, 3, 5]);
  });

  it('returns the same array when nothing is new', () => {
    const held = [msg(1), msg(2)];
    expect(mergeMessages(held, [msg(2)])).toBe(held);
    expect(mergeMessages(held, [])).toBe(held);
  });

  it('takes a newer state (higher rev) of a held message, never an older one', () => {
    const edited = msg(2, { body: 'edited', editedAt: new Date().toISOString(), rev: 3 });
    const merged = mergeMessages([msg(1), msg(2)], [edited]);
    expect(merged[1]!.body).toBe('edited');
    expect(mergeMessages(merged, [msg(2, { body: 'older edit', rev: 2 })])[1]!.body).toBe('edited');
    expect(mergeMessages(merged, [msg(2)])).toBe(merged);
  });
});

describe('changes (rev)', () => {
  const base = () => timelineFromPage({ messages: [msg(1), msg(2), msg(3)], hasMore: true }, 10);

  it('applies the newest state whatever order changes arrive in, and moves the rev watermark over contiguous revs', () => {
    let t = applyChanges(base(), [msg(2, { body: 'second edit', rev: 12 })], me.id);
    expect(t.lastRev).toBe(10);
    expect(hasRevGap(t)).toBe(true);
    t = applyChanges(t, [msg(2, { body: 'first edit', rev: 11 })], me.id);
    expect(t.messages[1]!.body).toBe('second edit');
    expect(t.lastRev).toBe(12);
    expect(hasRevGap(t)).toBe(false);
  });

  it('a change to a message older than the loaded history only moves the watermark', () => {
    const t = applyChanges(base(), [{ ...msg(1, { rev: 11 }), seq: 0 }], me.id);
    expect(t.messages.map((m) => m.seq)).toEqual([1, 2, 3]);
    expect(t.lastRev).toBe(11);
  });

  it('a covered range (replay, final heal page) closes holes of superseded changes', () => {
    let t = applyChanges(base(), [msg(3, { rev: 14 })], me.id);
    expect(hasRevGap(t)).toBe(true);
    t = applyChanges(t, [msg(3, { body: 'latest', rev: 14 })], me.id, 14);
    expect(t.lastRev).toBe(14);
    expect(hasRevGap(t)).toBe(false);
  });

  it('hides thread replies from the main timeline unless sent to the room too', () => {
    const t = timelineFromPage({ messages: [msg(1), msg(2, { threadRootSeq: 1 }), msg(3, { threadRootSeq: 1, alsoInRoom: true })], hasMore: false });
    expect(timelineItems(t, me.id).map((i) => i.key)).toEqual(['seq-1', 'seq-3']);
    expect(t.lastSeq).toBe(3);
  });

  it('while showing an older stretch, live messages beyond it wait for paging forwards', () => {
    let t = showStretch(base(), { messages: [msg(40), msg(41)], hasMore: true, hasNewer: true });
    t = applyMessages(t, [msg(90)], me.id);
    expect(t.messages.map((m) => m.seq)).toEqual([40, 41]);
    t = applyNewerPage(t, { messages: [msg(42), msg(43)], hasMore: false }, me.id);
    expect(t.hasNewer).toBe(false);
    expect(t.lastSeq).toBe(43);
  });
});

describe('watermark and gaps', () => {
  it('advances through contiguous seqs only', () => {
    expect(advanceWatermark([msg(1), msg(2), msg(3), msg(5)], 1)).toBe(3);
    expect(advanceWatermark([msg(5)], 3)).toBe(3);
    expect(advanceWatermark([], 0)).toBe(0);
  });

  it('detects a gap when a live seq skips ahead', () => {
    expect(isGap(10, 11)).toBe(false);
    expect(isGap(10, 10)).toBe(false);
    expect(isGap(10, 12)).toBe(true);
  });

  it('a first page is complete up to its newest seq', () => {
    const t = timelineFromPage({ messages: [msg(48), msg(50)], hasMore: true });
    expect(t.lastSeq).toBe(50);
    expect(t.hasOlder).toBe(true);
    expect(timelineFromPage({ messages: [], hasMore: false }).lastSeq).toBe(0);
  });

  it('a live message after a gap is held but does not move the watermark until the gap heals', () => {
    let t = timelineFromPage({ messages: [msg(1), msg(2)], hasMore: false });
    t = applyMessages(t, [msg(4)], me.id);
    expect(seqs(t)).toEqual([1, 2, 4]);
    expect(t.lastSeq).toBe(2);
    expect(hasGap(t)).toBe(true);
    t = applyMessages(t, [msg(3)], me.id);
    expect(t.lastSeq).toBe(4);
    expect(hasGap(t)).toBe(false);
  });

  it('a catch-up page with more to come covers only its own range', () => {
    let t = timelineFromPage({ messages: [msg(1)], hasMore: false });
    t = applyMessages(t, [msg(10)], me.id);
    t = applyCatchUpPage(t, { messages: [msg(2), msg(3)], hasMore: true }, 10, me.id);
    expect(t.lastSeq).toBe(3);
    expect(hasGap(t)).toBe(true);
  });

  it('a final catch-up page covers everything held when it was asked for (deleted seqs leave no hole)', () => {
    let t = timelineFromPage({ messages: [msg(1)], hasMore: false });
    t = applyMessages(t, [msg(10)], me.id);
    // 5 was deleted: the server has nothing more, so nothing up to 10 is missing.
    t = applyCatchUpPage(t, { messages: [msg(2), msg(3), msg(4), msg(6), msg(7), msg(8), msg(9)], hasMore: false }, 10, me.id);
    expect(t.lastSeq).toBe(10);
    expect(hasGap(t)).toBe(false);
  });

  it('a final catch-up page does not vouch for messages that arrived after the request', () => {
    let t = timelineFromPage({ messages: [msg(1)], hasMore: false });
    t = applyMessages(t, [msg(3)], me.id);
    const heldAtRequest = 3;
    t = applyMessages(t, [msg(6)], me.id); // arrives while the request is in flight
    t = applyCatchUpPage(t, { messages: [msg(2)], hasMore: false }, heldAtRequest, me.id);
    expect(t.lastSeq).toBe(3);
    expect(hasGap(t)).toBe(true); // 4 and 5 still need fetching
  });

  it('replay vouches through its lastSeq', () => {
    let t = timelineFromPage({ messages: [msg(1)], hasMore: false });
    t = applyMessages(t, [msg(2), msg(4)], me.id, { coveredThrough: 4 });
    expect(t.lastSeq).toBe(4);
  });

  it('older pages prepend without touching the watermark', () => {
    let t = timelineFromPage({ messages: [msg(51), msg(52)], hasMore: true });
    t = applyOlderPage(t, { messages: [msg(49), msg(50)], hasMore: false }, me.id);
    expect(seqs(t)).toEqual([49, 50, 51, 52]);
    expect(t.lastSeq).toBe(52);
    expect(t.hasOlder).toBe(false);
  });

  it('a truncated replay drops held messages but keeps my unsent ones', () => {
    let t = timelineFromPage({ messages: [msg(1), msg(2)], hasMore: false });
    t = addOutgoing(t, { clientId: 'c1', body: 'hi', createdAt: '' });
    t = resetTimeline(t, 900);
    expect(t.messages).toEqual([]);
    expect(t.outgoing).toHaveLength(1);
    t = applyNewestPage(t, { messages: [msg(899), msg(900)], hasMore: true }, me.id);
    expect(seqs(t)).toEqual([899, 900]);
    expect(t.lastSeq).toBe(900);
    expect(t.hasOlder).toBe(true);
  });
});

describe('my outgoing messages', () => {
  const mine = (seq: number, clientId: string) => msg(seq, { author: me, clientId, body: 'hello' });

  it('pending → sent when the ack arrives, then the broadcast is a duplicate', () => {
    let t = addOutgoing(timelineFromPage({ messages: [msg(1)], hasMore: false }), { clientId: 'c1', body: 'hello', createdAt: '' });
    expect(timelineItems(t, me.id).map((i) => i.type)).toEqual(['message', 'outgoing']);
    t = applyMessages(t, [mine(2, 'c1')], me.id); // ack
    t = applyMessages(t, [mine(2, 'c1')], me.id); // broadcast
    expect(t.outgoing).toEqual([]);
    expect(timelineItems(t, me.id).map((i) => i.key)).toEqual(['seq-1', 'seq-2']);
  });

  it('pending → sent when the broadcast beats the ack', () => {
    let t = addOutgoing(timelineFromPage({ messages: [], hasMore: false }), { clientId: 'c1', body: 'hello', createdAt: '' });
    t = applyMessages(t, [mine(1, 'c1')], me.id);
    expect(t.outgoing).toEqual([]);
    expect(timelineItems(t, me.id)).toHaveLength(1);
  });

  it('another user with the same clientId does not settle my message', () => {
    let t = addOutgoing(timelineFromPage({ messages: [], hasMore: false }), { clientId: 'c1', body: 'hello', createdAt: '' });
    t = applyMessages(t, [msg(1, { clientId: 'c1' })], me.id);
    expect(t.outgoing).toHaveLength(1);
  });

  it('a failed message keeps its clientId and is resent only if the failure is transient', () => {
    let t = timelineFromPage({ messages: [], hasMore: false });
    t = addOutgoing(t, { clientId: 'c1', body: 'a', createdAt: '' });
    t = addOutgoing(t, { clientId: 'c2', body: 'b', createdAt: '' });
    t = addOutgoing(t, { clientId: 'c3', body: 'c', createdAt: '' });
    t = markFailed(t, 'c1', { code: 'UNAVAILABLE', message: 'timed out' });
    t = markFailed(t, 'c2', { code: 'INVALID_PAYLOAD', message: 'too long' });
    expect(t.outgoing.map((o) => o.status)).toEqual(['failed', 'failed', 'pending']);
    expect(resendable(t).map((o) => o.clientId)).toEqual(['c1', 'c3']);
    t = markPending(t, 'c2');
    expect(t.outgoing[1]).toMatchObject({ clientId: 'c2', status: 'pending', error: undefined });
  });

  it('adding the same clientId twice is a no-op', () => {
    let t = addOutgoing(timelineFromPage({ messages: [], hasMore: false }), { clientId: 'c1', body: 'a', createdAt: '' });
    t = addOutgoing(t, { clientId: 'c1', body: 'a', createdAt: '' });
    expect(t.outgoing).toHaveLength(1);
  });
});

describe('system lines', () => {
  it('sit after the newest message held when they happened', () => {
    let t = timelineFromPage({ messages: [msg(1), msg(2)], hasMore: false });
    t = addSystemLine(t, { id: 'j1', kind: 'joined', user: other, at: '' });
    t = applyMessages(t, [msg(3)], me.id);
    expect(timelineItems(t, me.id).map((i) => i.key)).toEqual(['seq-1', 'seq-2', 'sys-j1', 'seq-3']);
  });

  it('give way to a stored room event that tells the same news (added, joined by invitation, removed)', () => {
    const at = '2026-11-30T10:00:00.000Z';
    const carol = { id: 'carol', username: 'carol', displayName: 'Carol' };
    const added = msg(2, { body: '', createdAt: '2026-11-30T10:00:00.300Z', event: { type: 'members_added', subjects: [carol] } });
    let t = timelineFromPage({ messages: [msg(1)], hasMore: false });
    t = addSystemLine(t, { id: 'j1', kind: 'joined', user: carol, at });
    t = addSystemLine(t, { id: 'j2', kind: 'joined', user: other, at });
    t = applyMessages(t, [added], me.id);
    expect(timelineItems(t, me.id).map((i) => i.key)).toEqual(['seq-1', 'sys-j2', 'seq-2']);
    // An hour later the same person joining again is news again.
    t = addSystemLine(t, { id: 'j3', kind: 'joined', user: carol, at: '2026-11-30T11:00:00.000Z' });
    expect(timelineItems(t, me.id).map((i) => i.key)).toContain('sys-j3');
  });

  it('in an empty room come first', () => {
    let t = timelineFromPage({ messages: [], hasMore: false });
    t = addSystemLine(t, { id: 'j1', kind: 'joined', user: other, at: '' });
    t = applyMessages(t, [msg(1)], me.id);
    expect(timelineItems(t, me.id).map((i) => i.key)).toEqual(['sys-j1', 'seq-1']);
  });
});
