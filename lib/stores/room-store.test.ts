import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { chatMessage } from '../testing/room-fixtures';
import type { Ack } from '../errors';
import type { RoomConnection } from '../realtime/client';
import type { ChatMessage, HistoryPage, SendMessageInput } from '../schemas/message';
import type { RoomSummary } from '../schemas/room';
import type { Attachment } from '../schemas/attachment';
import { createRoomStore, type HistoryRequest, type RoomStoreDeps } from './room-store';
import { timelineItems } from './timeline';

const me = { id: 'me', username: 'me', displayName: 'Me' };
const other = { id: 'other', username: 'other', displayName: 'Other' };
const room: RoomSummary = {
  id: 'Room000001',
  name: 'General',
  description: '',
  kind: 'public',
  ownerId: 'other',
  memberCount: 2,
  createdAt: new Date(0).toISOString(),
  isMember: true,
  role: 'member',
  lastSeq: 2,
  lastReadSeq: 0,
  peer: null,
  unreadMentions: 0,
  notify: 'mentions',
  roomMentions: 'anyone',
  topic: '',
  hasPassword: false,
  archivedAt: null,
  mutedUntil: null,
  participants: null,
};

function msg(seq: number, overrides: Partial<ChatMessage> = {}): ChatMessage {
  return chatMessage(seq, { roomId: room.id, author: other, createdAt: new Date(seq * 1000).toISOString(), ...overrides });
}

/** A room namespace stand-in: sends resolve when the test says so. */
class FakeConnection implements RoomConnection {
  connected = true;
  sent: SendMessageInput[] = [];
  private waiting: { resolve: (ack: Ack<ChatMessage>) => void; reject: (e: Error) => void }[] = [];
  sendMessage(input: SendMessageInput): Promise<Ack<ChatMessage>> {
    if (!this.connected) return Promise.reject(new Error('not connected'));
    this.sent.push(input);
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }
  ack(response: Ack<ChatMessage>) {
    this.waiting.shift()!.resolve(response);
  }
  drop() {
    this.connected = false;
    for (const w of this.waiting.splice(0)) w.reject(new Error('socket has been disconnected'));
  }
  typed: boolean[] = [];
  typing(start: boolean) {
    if (this.connected) this.typed.push(start);
  }
  marks: { seq: number; resolve: (ack: Ack<{ lastReadSeq: number }>) => void }[] = [];
  markRead(seq: number): Promise<Ack<{ lastReadSeq: number }>> {
    if (!this.connected) return Promise.reject(new Error('not connected'));
    return new Promise((resolve) => this.marks.push({ seq, resolve }));
  }
  requests: { event: string; payload: unknown; resolve: (ack: unknown) => void; reject: (e: Error) => void }[] = [];
  request(event: string, payload: unknown): Promise<never> {
    if (!this.connected) return Promise.reject(new Error('not connected'));
    return new Promise((resolve, reject) => this.requests.push({ event, payload, resolve: resolve as (ack: unknown) => void, reject }));
  }
  close() {}
}

function attachment(id: string): Attachment {
  return { id, name: `${id.slice(-1)}.pdf`, size: 10, contentType: 'application/pdf', kind: 'file', width: null, height: null, thumbnail: null, voice: false, durationMs: null, waveform: null, url: `/api/files/${id}` };
}

function setup(history: HistoryPage = { messages: [msg(1), msg(2)], hasMore: false }, extra: Partial<RoomStoreDeps> = {}) {
  let n = 0;
  const fetchHistory = vi.fn<(q: HistoryRequest) => Promise<HistoryPage>>();
  const store = createRoomStore(
    { room, members: [], history },
    {
      me,
      fetchHistory,
      fetchMembers: async () => [],
      uuid: () => `11111111-1111-4111-8111-${String(++n).padStart(12, '0')}`,
      sendTimeoutMs: 10_000,
      healDelayMs: 0,
      ...extra,
    },
  );
  const conn = new FakeConnection();
  store.binding.attach(conn);
  const on = store.binding.options.on;
  const rows = () =>
    timelineItems(store.getState().timeline, me.id).flatMap((item) =>
      item.type === 'message' ? [`${item.message.seq}:sent`] : item.type === 'outgoing' ? [`${item.message.body}:${item.message.status}`] : [],
    );
  return { store, conn, on, rows, fetchHistory };
}

const flush = () => vi.advanceTimersByTimeAsync(0);

describe('room store: sending', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('refuses empty and over-long messages', () => {
    const { store } = setup();
    expect(store.getState().send('   ')).toBe('The message is empty.');
    expect(store.getState().send('x'.repeat(2001))).toMatch(/at most 2000/);
    expect(store.getState().timeline.outgoing).toEqual([]);
  });

  it('pending → sent on the ack; the broadcast that follows is not shown twice', async () => {
    const { store, conn, on, rows } = setup();
    expect(store.getState().send(' hello ')).toBeNull();
    expect(rows()).toEqual(['1:sent', '2:sent', 'hello:pending']);
    const clientId = conn.sent[0]!.clientId;
    expect(conn.sent[0]!.body).toBe('hello');
    conn.ack({ ok: true, data: msg(3, { author: me, clientId, body: 'hello' }) });
    await flush();
    on['message:new']!(msg(3, { author: me, clientId, body: 'hello' }));
    expect(rows()).toEqual(['1:sent', '2:sent', '3:sent']);
  });

  it('sends go out one at a time, in the order written', async () => {
    const { store, conn, rows } = setup();
    store.getState().send('one');
    store.getState().send('two');
    await flush();
    expect(conn.sent.map((s) => s.body)).toEqual(['one']); // 'two' waits for the answer to 'one'
    conn.ack({ ok: true, data: msg(3, { author: me, clientId: conn.sent[0]!.clientId, body: 'one' }) });
    await flush();
    expect(conn.sent.map((s) => s.body)).toEqual(['one', 'two']);
    conn.ack({ ok: true, data: msg(4, { author: me, clientId: conn.sent[1]!.clientId, body: 'two' }) });
    await flush();
    expect(rows()).toEqual(['1:sent', '2:sent', '3:sent', '4:sent']);
  });

  it('RATE_LIMITED: waits retryAfter and resends the same message, holding back the ones after it', async () => {
    const { store, conn, rows } = setup();
    store.getState().send('one');
    store.getState().send('two');
    const first = conn.sent[0]!.clientId;
    conn.ack({ ok: false, error: { code: 'RATE_LIMITED', message: 'You are sending too fast. Wait 2 seconds.', retryAfter: 2 } });
    await vi.advanceTimersByTimeAsync(1_900);
    expect(conn.sent).toHaveLength(1); // still waiting, and 'two' has not overtaken it
    expect(rows()).toEqual(['1:sent', '2:sent', 'one:pending', 'two:pending']);
    await vi.advanceTimersByTimeAsync(100);
    expect(conn.sent.map((s) => s.clientId)).toEqual([first, first]);
    conn.ack({ ok: true, data: msg(3, { author: me, clientId: first, body: 'one' }) });
    await flush();
    expect(conn.sent.map((s) => s.body)).toEqual(['one', 'one', 'two']);
    conn.ack({ ok: true, data: msg(4, { author: me, clientId: conn.sent[2]!.clientId, body: 'two' }) });
    await flush();
    expect(rows()).toEqual(['1:sent', '2:sent', '3:sent', '4:sent']);
  });

  it('a message discarded while it waits out a rate limit is not sent again', async () => {
    const { store, conn, rows } = setup();
    store.getState().send('one');
    const first = conn.sent[0]!.clientId;
    conn.ack({ ok: false, error: { code: 'RATE_LIMITED', message: 'Wait 1 second.', retryAfter: 1 } });
    await flush();
    store.getState().discard(first);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(conn.sent).toHaveLength(1);
    expect(rows()).toEqual(['1:sent', '2:sent']);
  });

  it('a failed send is retried with the same clientId', async () => {
    const { store, conn, rows } = setup();
    store.getState().send('hello');
    conn.ack({ ok: false, error: { code: 'INTERNAL', message: 'boom' } });
    await flush();
    expect(rows()).toEqual(['1:sent', '2:sent', 'hello:failed']);
    const clientId = conn.sent[0]!.clientId;
    store.getState().retry(clientId);
    expect(rows()).toEqual(['1:sent', '2:sent', 'hello:pending']);
    expect(conn.sent[1]!.clientId).toBe(clientId);
    conn.ack({ ok: true, data: msg(3, { author: me, clientId, body: 'hello' }) });
    await flush();
    expect(rows()).toEqual(['1:sent', '2:sent', '3:sent']);
  });

  it('offline: waits, fails after the timeout, and is resent once after reconnect', async () => {
    const { store, conn, on, rows } = setup();
    conn.drop();
    store.getState().send('offline hello');
    expect(rows()).toEqual(['1:sent', '2:sent', 'offline hello:pending']);
    expect(conn.sent).toEqual([]);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(rows()).toEqual(['1:sent', '2:sent', 'offline hello:failed']);

    conn.connected = true;
    on['room:ready']!({ room, online: [me], receipts: [], threads: [], typing: [] });
    expect(conn.sent).toHaveLength(1);
    on['message:replay']!({ messages: [], changes: [], lastRev: 0, truncated: false, lastSeq: 2 });
    const { clientId } = conn.sent[0]!;
    conn.ack({ ok: true, data: msg(3, { author: me, clientId, body: 'offline hello' }) });
    await flush();
    expect(rows()).toEqual(['1:sent', '2:sent', '3:sent']);
  });

  it('a send interrupted by a disconnect is resent after reconnect; the replay settles it', async () => {
    const { store, conn, on, rows } = setup();
    store.getState().send('in flight');
    const { clientId } = conn.sent[0]!;
    conn.drop();
    await flush();
    expect(rows()).toEqual(['1:sent', '2:sent', 'in flight:failed']);
    conn.connected = true;
    on['room:ready']!({ room, online: [], receipts: [], threads: [], typing: [] });
    expect(conn.sent.map((s) => s.clientId)).toEqual([clientId, clientId]);
    // The first attempt had reached the server: the replay carries it, the resend's ack repeats it.
    on['message:replay']!({ messages: [msg(3, { author: me, clientId, body: 'in flight' })], changes: [], lastRev: 0, truncated: false, lastSeq: 3 });
    conn.ack({ ok: true, data: msg(3, { author: me, clientId, body: 'in flight' }) });
    await flush();
    expect(rows()).toEqual(['1:sent', '2:sent', '3:sent']);
  });

  it('files: an empty caption is fine, the ids go out in order, and a retry sends the same ones with the same clientId', async () => {
    const { store, conn, rows } = setup();
    const files = [attachment('00000000-0000-4000-8000-00000000000a'), attachment('00000000-0000-4000-8000-00000000000b')];
    expect(store.getState().send('  ', files)).toBeNull();
    expect(store.getState().timeline.outgoing[0]!.attachments?.map((a) => a.id)).toEqual(files.map((f) => f.id));
    expect(conn.sent[0]).toMatchObject({ body: '', attachments: files.map((f) => f.id) });
    conn.ack({ ok: false, error: { code: 'UNAVAILABLE', message: 'busy' } });
    await flush();
    store.getState().retry(conn.sent[0]!.clientId);
    expect(conn.sent[1]).toEqual(conn.sent[0]);
    conn.ack({ ok: true, data: msg(3, { author: me, clientId: conn.sent[0]!.clientId, body: '', attachments: files }) });
    await flush();
    expect(rows()).toEqual(['1:sent', '2:sent', '3:sent']);
  });

  it('files: a message without files still needs text, and an edit may empty the caption of one with files', async () => {
    const { store, conn } = setup({ messages: [msg(1, { author: me, attachments: [attachment('00000000-0000-4000-8000-00000000000c')] }), msg(2, { author: me })], hasMore: false });
    expect(store.getState().send('', [])).toBe('The message is empty.');
    void store.getState().edit(1, '');
    await flush();
    expect(conn.requests[0]).toMatchObject({ event: 'message:edit', payload: { seq: 1, body: '' } });
    expect(await store.getState().edit(2, '')).toEqual({ ok: false, message: 'The message is empty.' });
  });

  it('files: discarding a failed message gives its uploads back', async () => {
    const discarded: string[][] = [];
    const { store, conn } = setup(undefined, { discardUploads: (ids) => discarded.push(ids) });
    store.getState().send('', [attachment('00000000-0000-4000-8000-00000000000d')]);
    conn.ack({ ok: false, error: { code: 'NOT_FOUND', message: 'gone', issues: [{ path: 'attachments.0', message: 'gone' }] } });
    await flush();
    store.getState().discard(conn.sent[0]!.clientId);
    expect(discarded).toEqual([['00000000-0000-4000-8000-00000000000d']]);
    expect(store.getState().timeline.outgoing).toEqual([]);
  });

  it('permanent failures are not resent automatically', async () => {
    const { store, conn, on } = setup();
    store.getState().send('nope');
    conn.ack({ ok: false, error: { code: 'FORBIDDEN', message: 'not a member' } });
    await flush();
    on['room:ready']!({ room, online: [], receipts: [], threads: [], typing: [] });
    expect(conn.sent).toHaveLength(1);
  });
});

describe('room store: ordering and gaps', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('heals a gap over REST, looping while hasMore', async () => {
    const { on, rows, fetchHistory, store } = setup();
    fetchHistory
      .mockResolvedValueOnce({ messages: [msg(3), msg(4)], hasMore: true })
      .mockResolvedValueOnce({ messages: [msg(5), msg(6)], hasMore: false });
    on['message:new']!(msg(7));
    expect(store.getState().timeline.lastSeq).toBe(2);
    await flush();
    await flush();
    expect(fetchHistory.mock.calls.map((c) => c[0].after)).toEqual([2, 4]);
    expect(rows()).toEqual(['1:sent', '2:sent', '3:sent', '4:sent', '5:sent', '6:sent', '7:sent']);
    expect(store.getState().timeline.lastSeq).toBe(7);
  });

  it('drops duplicates and does not fetch when nothing is missing', async () => {
    const { on, rows, fetchHistory } = setup();
    on['message:new']!(msg(3));
    on['message:new']!(msg(3));
    on['message:new']!(msg(2));
    await flush();
    expect(rows()).toEqual(['1:sent', '2:sent', '3:sent']);
    expect(fetchHistory).not.toHaveBeenCalled();
  });

  it('sends the newest contiguous seq on reconnect', () => {
    const { on, store } = setup();
    on['message:new']!(msg(3));
    expect(store.binding.options.lastSeq()).toBe(3);
  });

  it('a truncated replay reloads the newest page', async () => {
    const { store, on, rows, fetchHistory } = setup();
    fetchHistory.mockResolvedValueOnce({ messages: [msg(899), msg(900)], hasMore: true });
    on['message:replay']!({ messages: [], changes: [], lastRev: 0, truncated: true, lastSeq: 900 });
    await flush();
    expect(fetchHistory).toHaveBeenCalledWith({ limit: 50 });
    expect(rows()).toEqual(['899:sent', '900:sent']);
    expect(store.getState().stretch).toBe(1); // what was shown does not join up: the view starts a new list
  });

  it('loads older pages with before=<oldest seq>', async () => {
    const { store, fetchHistory, rows } = setup({ messages: [msg(51), msg(52)], hasMore: true });
    fetchHistory.mockResolvedValueOnce({ messages: [msg(49), msg(50)], hasMore: false });
    await store.getState().loadOlder();
    expect(fetchHistory).toHaveBeenCalledWith({ before: 51, limit: 50 });
    expect(rows()).toEqual(['49:sent', '50:sent', '51:sent', '52:sent']);
    expect(store.getState().timeline.hasOlder).toBe(false);
  });
});

describe('room store: members, presence, deletion', () => {
  it('tracks members, online users and join/leave lines', () => {
    const { on, store } = setup();
    on['room:ready']!({ room, online: [me], receipts: [], threads: [], typing: [] });
    on['member:joined']!({ user: other, at: new Date().toISOString() });
    on['presence:online']!({ user: other });
    expect(store.getState().members.map((m) => m.user.id)).toEqual(['other']);
    expect(Object.keys(store.getState().online).sort()).toEqual(['me', 'other']);
    on['presence:offline']!({ userId: 'other' });
    on['member:left']!({ user: other, at: new Date().toISOString() });
    expect(store.getState().members).toEqual([]);
    expect(Object.keys(store.getState().online)).toEqual(['me']);
    expect(store.getState().timeline.system.map((s) => s.kind)).toEqual(['joined', 'left']);
  });

  it('a role or presence change heard while connecting survives the older snapshot room:ready brings', () => {
    const { on, store } = setup();
    store.binding.options.onConnect?.();
    // Made moderator, and Other came online, between the server reading the snapshot and sending it.
    on['member:updated']!({ member: { user: me, role: 'moderator', joinedAt: new Date().toISOString(), mutedUntil: null } });
    on['presence:online']!({ user: other });
    on['room:ready']!({ room: { ...room, role: 'member' }, online: [me], receipts: [], threads: [], typing: [] });
    expect(store.getState().room.role).toBe('moderator');
    expect(Object.keys(store.getState().online).sort()).toEqual(['me', 'other']);
    // After ready, the snapshot of a later reconnect is what counts again (nothing heard before it is replayed).
    store.binding.options.onConnect?.();
    on['room:ready']!({ room: { ...room, role: 'admin' }, online: [me], receipts: [], threads: [], typing: [] });
    expect(store.getState().room.role).toBe('admin');
    expect(Object.keys(store.getState().online)).toEqual(['me']);
  });

  it('room:deleted and a NOT_FOUND refusal end the live view', () => {
    const a = setup();
    a.on['room:deleted']!({ roomId: room.id });
    expect(a.store.getState().status).toBe('deleted');
    expect(a.store.getState().send('hi')).toBe('This room is no longer available.');
    const b = setup();
    b.store.binding.options.onRefused({ code: 'NOT_FOUND', message: 'gone' });
    expect(b.store.getState().status).toBe('deleted');
  });
});

describe('room store: typing', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('reports typing at most every 3 s, and stops after 4 s idle, when emptied, or on send', () => {
    const { store, conn } = setup();
    const { typingInput } = store.getState();
    typingInput('h');
    typingInput('he');
    expect(conn.typed).toEqual([true]);
    vi.advanceTimersByTime(2_000);
    typingInput('hel');
    expect(conn.typed).toEqual([true]);
    vi.advanceTimersByTime(1_000);
    typingInput('hell'); // still typing 3 s later: repeated
    expect(conn.typed).toEqual([true, true]);
    vi.advanceTimersByTime(4_000);
    expect(conn.typed).toEqual([true, true, false]);

    typingInput('again');
    typingInput('   ');
    expect(conn.typed).toEqual([true, true, false, true, false]);
    typingInput('');
    expect(conn.typed).toHaveLength(5); // already stopped

    typingInput('to send');
    store.getState().send('to send');
    expect(conn.typed).toEqual([true, true, false, true, false, true, false]);
  });

  it('shows others typing from room:ready and typing:update, never me, and expires silent entries', () => {
    const { on, store } = setup();
    const third = { id: 'third', username: 'third', displayName: 'Third' };
    on['room:ready']!({ room, online: [], receipts: [], threads: [], typing: [other, me] });
    expect(Object.keys(store.getState().typing)).toEqual(['other']);
    on['typing:update']!({ user: third, typing: true });
    on['typing:update']!({ user: me, typing: true });
    expect(Object.keys(store.getState().typing).sort()).toEqual(['other', 'third']);
    on['typing:update']!({ user: third, typing: false });
    expect(Object.keys(store.getState().typing)).toEqual(['other']);
    vi.advanceTimersByTime(5_000);
    on['typing:update']!({ user: third, typing: true });
    vi.advanceTimersByTime(1_000); // 'other' was not refreshed for 6 s
    expect(Object.keys(store.getState().typing)).toEqual(['third']);
    // Sending ends their typing.
    on['message:new']!(msg(3, { author: third }));
    expect(store.getState().typing).toEqual({});
  });
});

describe('room store: read receipts', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('keeps every member\'s positions, forward only', () => {
    const { on, store } = setup();
    on['room:ready']!({ room, online: [], receipts: [{ userId: 'other', lastReadSeq: 1, lastDeliveredSeq: 2 }], threads: [], typing: [] });
    on['receipts:updated']!({ receipts: [{ userId: 'other', lastReadSeq: 2, lastDeliveredSeq: 2 }, { userId: 'third', lastReadSeq: 1, lastDeliveredSeq: 1 }] });
    on['receipts:updated']!({ receipts: [{ userId: 'other', lastReadSeq: 1, lastDeliveredSeq: 1 }] }); // late
    expect(store.getState().receipts.other).toEqual({ userId: 'other', lastReadSeq: 2, lastDeliveredSeq: 2 });
    expect(store.getState().receipts.third).toEqual({ userId: 'third', lastReadSeq: 1, lastDeliveredSeq: 1 });
  });

  it('reports the highest seq seen, forward only, at most every 500 ms', async () => {
    const { store, conn } = setup();
    store.getState().markSeen(1);
    store.getState().markSeen(2);
    await vi.advanceTimersByTimeAsync(0);
    expect(conn.marks.map((m) => m.seq)).toEqual([2]);
    conn.marks[0]!.resolve({ ok: true, data: { lastReadSeq: 2 } });
    await flush();
    expect(store.getState().receipts.me!.lastReadSeq).toBe(2);
    store.getState().markSeen(2);
    store.getState().markSeen(3);
    store.getState().markSeen(4);
    await vi.advanceTimersByTimeAsync(100);
    expect(conn.marks).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(400);
    expect(conn.marks.map((m) => m.seq)).toEqual([2, 4]);
  });

  it('a report lost to a disconnect is made again after reconnecting', async () => {
    const { store, conn, on } = setup();
    conn.drop();
    store.getState().markSeen(2);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(conn.marks).toEqual([]);
    conn.connected = true;
    on['room:ready']!({ room, online: [], receipts: [{ userId: 'me', lastReadSeq: 1, lastDeliveredSeq: 1 }], threads: [], typing: [] });
    await vi.advanceTimersByTimeAsync(500);
    expect(conn.marks.map((m) => m.seq)).toEqual([2]);
  });
});

describe('room store: changes to messages', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('an edit that got no answer is sent again with the same clientId, and applied once', async () => {
    const { store, conn } = setup({ messages: [msg(1, { author: me }), msg(2)], hasMore: false, lastRev: 4 });
    const done = store.getState().edit(1, 'fixed');
    expect(conn.requests[0]).toMatchObject({ event: 'message:edit', payload: { seq: 1, body: 'fixed' } });
    conn.requests[0]!.reject(new Error('operation has timed out'));
    await flush();
    expect(conn.requests).toHaveLength(2);
    const first = conn.requests[0]!.payload as { clientId: string };
    expect((conn.requests[1]!.payload as { clientId: string }).clientId).toBe(first.clientId);
    conn.requests[1]!.resolve({ ok: true, data: msg(1, { author: me, body: 'fixed', rev: 5, editedAt: new Date(0).toISOString() }) });
    await expect(done).resolves.toEqual({ ok: true });
    expect(store.getState().timeline.messages[0]!.body).toBe('fixed');
    expect(store.getState().timeline.lastRev).toBe(5);
  });

  it('updates arriving out of order end with the newest state; a missing rev is healed over REST', async () => {
    const { store, on, fetchHistory } = setup({ messages: [msg(1), msg(2)], hasMore: false, lastRev: 10 });
    fetchHistory.mockResolvedValue({ messages: [msg(2, { body: 'b', rev: 12 })], hasMore: false, lastRev: 12 });
    on['message:updated']!(msg(2, { body: 'b', rev: 12 }));
    on['message:updated']!(msg(1, { body: 'x', rev: 13 }));
    expect(store.getState().timeline.lastRev).toBe(10);
    await flush();
    expect(fetchHistory).toHaveBeenCalledWith({ changedAfter: 10, limit: 100 });
    await flush();
    expect(store.getState().timeline.lastRev).toBe(13);
    on['message:updated']!(msg(2, { body: 'older', rev: 11 }));
    expect(store.getState().timeline.messages.map((m) => m.body)).toEqual(['x', 'b']);
  });

  it('the replay applies missed changes and vouches for every rev up to its lastRev', () => {
    const { store, on } = setup({ messages: [msg(1), msg(2)], hasMore: false, lastRev: 3 });
    on['message:replay']!({ messages: [msg(3)], changes: [msg(1, { deletedAt: new Date(0).toISOString(), body: '', rev: 7 })], truncated: false, lastSeq: 3, lastRev: 9 });
    const t = store.getState().timeline;
    expect(t.messages.map((m) => [m.seq, m.body])).toEqual([[1, ''], [2, 'message 2'], [3, 'message 3']]);
    expect(t.lastRev).toBe(9);
    expect(t.revsAbove).toEqual([]);
  });

  it('a reaction toggles: add when I have not reacted, remove when I have', async () => {
    const { store, conn } = setup({ messages: [msg(1, { reactions: [{ emoji: '👍', count: 1, userIds: [me.id] }] }), msg(2)], hasMore: false });
    void store.getState().toggleReaction(1, '👍');
    void store.getState().toggleReaction(2, '👍');
    expect(conn.requests.map((r) => r.event)).toEqual(['reaction:remove', 'reaction:add']);
  });

  it('a thread shows its replies, live ones included; the main timeline does not', async () => {
    const { store, on, fetchHistory, rows } = setup();
    fetchHistory.mockResolvedValue({ messages: [msg(3, { threadRootSeq: 1 })], hasMore: false, root: msg(1, { rev: 2 }) });
    await store.getState().openThread(1);
    on['message:new']!(msg(4, { threadRootSeq: 1 }));
    expect(store.getState().thread!.replies.map((m) => m.seq)).toEqual([3, 4]);
    expect(rows()).toEqual(['1:sent', '2:sent']);
  });
});

describe('room store: reading past thread replies', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('seeing a message reads the hidden thread replies after it, so they do not keep the room unread', async () => {
    const { store, conn } = setup({ messages: [msg(1), msg(2), msg(3, { threadRootSeq: 1 }), msg(4, { threadRootSeq: 1 })], hasMore: false });
    store.getState().markSeen(2);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(conn.marks.map((m) => m.seq)).toEqual([4]);
  });
});

describe('room store: jumping to a message', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('a thread reply opens its thread and is highlighted there; a held message is highlighted in place', async () => {
    const { store, fetchHistory } = setup({ messages: [msg(1), msg(2), msg(3, { threadRootSeq: 1 })], hasMore: false });
    await store.getState().jumpTo(2);
    expect(store.getState().highlightSeq).toBe(2);
    expect(store.getState().thread).toBeNull();
    fetchHistory.mockResolvedValue({ messages: [msg(3, { threadRootSeq: 1 })], hasMore: false, root: msg(1) });
    await store.getState().jumpTo(3);
    expect(store.getState().highlightSeq).toBe(3);
    expect(store.getState().thread?.rootSeq).toBe(1);
    // Back to 2, and to 2 again: each jump counts (the view brings the row back even if it is highlighted).
    const jumps = store.getState().jumps;
    await store.getState().jumpTo(2);
    await store.getState().jumpTo(2);
    expect(store.getState().highlightSeq).toBe(2);
    expect(store.getState().jumps).toBe(jumps + 2);
    expect(store.getState().stretch).toBe(0); // held: the list shown stays
  });

  it('a message far back replaces the timeline with the stretch around it, until "jump to latest"', async () => {
    const { store, fetchHistory } = setup({ messages: [msg(900), msg(901)], hasMore: true });
    fetchHistory.mockResolvedValueOnce({ messages: [msg(10), msg(11), msg(12)], hasMore: true, hasNewer: true });
    // The stretch and its highlight arrive in one update, so the view opens its new list at the target.
    const updates: { seqs: number[]; highlight: number | null; stretch: number }[] = [];
    const unsubscribe = store.subscribe((s) => updates.push({ seqs: s.timeline.messages.map((m) => m.seq), highlight: s.highlightSeq, stretch: s.stretch }));
    await store.getState().jumpTo(11);
    unsubscribe();
    expect(store.getState().timeline.messages.map((m) => m.seq)).toEqual([10, 11, 12]);
    expect(store.getState().timeline.hasNewer).toBe(true);
    expect(store.getState().highlightSeq).toBe(11);
    expect(store.getState().stretch).toBe(1);
    expect(updates.find((u) => u.stretch === 1)).toEqual({ seqs: [10, 11, 12], highlight: 11, stretch: 1 });
    fetchHistory.mockResolvedValueOnce({ messages: [msg(900), msg(901)], hasMore: true });
    await store.getState().jumpToLatest();
    expect(store.getState().timeline.messages.map((m) => m.seq)).toEqual([900, 901]);
    expect(store.getState().timeline.hasNewer).toBe(false);
    expect(store.getState().stretch).toBe(2);
  });
});

describe('room store: running a room (§4.13)', () => {
  const moderator = { id: 'mod', username: 'mod', displayName: 'Mod' };
  const member = (user: typeof me, role: 'owner' | 'admin' | 'moderator' | 'member', mutedUntil: string | null = null) => ({
    user,
    role,
    joinedAt: new Date(0).toISOString(),
    mutedUntil,
  });

  it('member:left about me with a reason shows the removal, by whom, and the disconnect that follows changes nothing', () => {
    const { on, store } = setup();
    on['member:left']!({ user: me, at: new Date().toISOString(), reason: 'banned', by: moderator });
    expect(store.getState().status).toBe('removed');
    expect(store.getState().removal).toEqual({ reason: 'banned', by: moderator });
    store.binding.options.onDisconnect?.('io server disconnect');
    expect(store.getState().status).toBe('removed');
    expect(store.getState().send('hi')).toBe('This room is no longer available.');
  });

  it('a removal heard on the main namespace first (the socket already closed) still says what happened', () => {
    const { store } = setup();
    store.binding.options.onDisconnect?.('io server disconnect');
    expect(store.getState().status).toBe('closed');
    store.getState().markRemoved('kicked');
    expect(store.getState()).toMatchObject({ status: 'removed', removal: { reason: 'kicked', by: null } });
  });

  it('someone else removed by a moderator leaves the list without a "left" notice (their stored line says it)', () => {
    const { on, store } = setup();
    on['member:joined']!({ user: other, at: new Date().toISOString() });
    on['member:left']!({ user: other, at: new Date().toISOString(), reason: 'kicked', by: moderator });
    expect(store.getState().members).toEqual([]);
    expect(store.getState().timeline.system.map((s) => s.kind)).toEqual(['joined']);
  });

  it('member:updated changes a role or mute; mine also moves my summary (role, mute, owner)', () => {
    const { store } = setup();
    store.setState({ members: [member(other, 'owner'), member(me, 'member')] });
    const until = new Date(Date.now() + 3_600_000).toISOString();
    store.getState().applyMember(member(me, 'member', until));
    expect(store.getState().room.mutedUntil).toBe(until);
    store.getState().applyMember(member(me, 'owner'));
    store.getState().applyMember(member(other, 'admin'));
    expect(store.getState().room).toMatchObject({ role: 'owner', ownerId: 'me', mutedUntil: null });
    expect(store.getState().members.map((m) => m.role)).toEqual(['admin', 'owner']);
  });

  it('room:updated merges the shared settings into the room', () => {
    const { store } = setup();
    store.getState().applySettings({ ...room, name: 'Design', topic: 'Pixels', archivedAt: '2026-11-30T10:00:00.000Z' });
    expect(store.getState().room).toMatchObject({ name: 'Design', topic: 'Pixels', archivedAt: '2026-11-30T10:00:00.000Z', role: 'member' });
  });

  it('a FORBIDDEN refusal keeps the server\'s words (a ban)', () => {
    const { store } = setup();
    store.binding.options.onRefused({ code: 'FORBIDDEN', message: 'You are banned from this room.' });
    expect(store.getState()).toMatchObject({ status: 'forbidden', refusal: 'You are banned from this room.' });
  });

  it('room event lines are never offered for editing', () => {
    const { store } = setup({ messages: [msg(1, { author: me, body: 'mine' }), msg(2, { author: me, body: '', event: { type: 'archived' } })], hasMore: false });
    expect(store.getState().editLast()).toBe(true);
    expect(store.getState().editingSeq).toBe(1);
  });

  it('a group is named by who is in it: its participants follow joins and leaves', () => {
    const { on, store } = setup();
    const carol = { id: 'carol', username: 'carol', displayName: 'Carol' };
    store.setState({ room: { ...room, kind: 'group', name: '', participants: [other] } });
    on['member:joined']!({ user: carol, at: new Date().toISOString() });
    expect(store.getState().room.participants?.map((p) => p.id)).toEqual(['other', 'carol']);
    on['member:left']!({ user: other, at: new Date().toISOString() });
    expect(store.getState().room.participants?.map((p) => p.id)).toEqual(['carol']);
  });
});
