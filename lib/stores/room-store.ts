/**
 * One room's live state (a store per room view): the timeline (lib/stores/timeline.ts) fed by the room
 * namespace and REST, my outgoing messages with send/ack/retry, members and who is online, who is
 * typing (both ways), and read receipts (both ways).
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { ErrorBody, ErrorCode } from '../errors';
import type { RoomConnection, RoomConnectionOptions } from '../realtime/client';
import type { RoomReady } from '../realtime/events';
import { HISTORY_DEFAULT_LIMIT, HISTORY_MAX_LIMIT, messageBodySchema, type ChatMessage, type HistoryPage } from '../schemas/message';
import type { RoomMember, RoomSummary } from '../schemas/room';
import type { PublicUser } from '../schemas/user';
import { uuidv4 } from '../uuid';
import { mergeReceipt, mergeReceipts, type Receipts } from './receipts';
import { NO_TYPING, applyTyping, expireTyping, nextTypingExpiry, removeTyping, typingFromSnapshot, type TypingSet } from './typing';
import {
  addOutgoing,
  addSystemLine,
  applyCatchUpPage,
  applyMessages,
  applyNewestPage,
  applyOlderPage,
  hasGap,
  markFailed,
  markPending,
  maxSeq,
  removeOutgoing,
  resendable,
  resetTimeline,
  timelineFromPage,
  type Timeline,
} from './timeline';

/**
 * live, or why this room can no longer be shown live: deleted by its owner; forbidden (not a member);
 * signed-out (session gone); closed (the server ended this tab's connection to the room, e.g. I left it
 * in another tab).
 */
export type RoomStatus = 'live' | 'deleted' | 'forbidden' | 'signed-out' | 'closed';

export interface RoomState {
  room: RoomSummary;
  members: RoomMember[];
  /** Users connected to the room now, by id. */
  online: Record<string, PublicUser>;
  /** Others typing now (expire on their own). */
  typing: TypingSet;
  /** Every member's read and delivery position, by user id (mine included). */
  receipts: Receipts;
  timeline: Timeline;
  status: RoomStatus;
  /** The room namespace is connected (sending goes out at once). */
  connected: boolean;
  loadingOlder: boolean;
  olderError: string | null;
}

export interface RoomActions {
  /** Sends a new message; returns a validation error for the composer, or null. */
  send(body: string): string | null;
  /** The composer's text changed: reports typing (throttled) or its end (emptied). */
  typingInput(text: string): void;
  /**
   * Messages up to `seq` are on screen while the window is focused and visible: reports the read position
   * (throttled, forward only).
   */
  markSeen(seq: number): void;
  /** Resends a failed message with the same clientId. */
  retry(clientId: string): void;
  discard(clientId: string): void;
  loadOlder(): Promise<void>;
  /** The room is gone (learned elsewhere, e.g. the main namespace). */
  markDeleted(): void;
  /** I am no longer a member (left here or in another tab). */
  markClosed(): void;
}

export type RoomStore = StoreApi<RoomState & RoomActions>;

export interface RoomStoreDeps {
  me: PublicUser;
  fetchHistory(query: { before?: number; after?: number; limit?: number }): Promise<HistoryPage>;
  fetchMembers(): Promise<RoomMember[]>;
  sendTimeoutMs?: number;
  /** Wait before fetching a gap: an ack and a broadcast racing each other usually close it on their own. */
  healDelayMs?: number;
  retryDelayMs?: number;
  uuid?: () => string;
  now?: () => Date;
  /** While typing continues, `typing:start` is repeated at most this often (the server's TTL is 5 s). */
  typingRepeatMs?: number;
  /** `typing:stop` after this long without a keystroke. */
  typingIdleMs?: number;
  /** At most one `read:mark` per this interval. */
  readThrottleMs?: number;
}

/** How a room view connects the store to its namespace: `openRoom(id, binding.options)`, then attach. */
export interface RoomSocketBinding {
  options: Omit<RoomConnectionOptions, 'onRefused'> & Required<Pick<RoomConnectionOptions, 'onRefused'>>;
  attach(connection: RoomConnection): void;
  /** Stops timers and ignores late answers; attach again to resume (React may remount). */
  detach(): void;
}

interface Internals {
  binding: RoomSocketBinding;
}

export function createRoomStore(
  initial: { room: RoomSummary; members: RoomMember[]; history: HistoryPage },
  deps: RoomStoreDeps,
): RoomStore & Internals {
  const { me } = deps;
  const sendTimeoutMs = deps.sendTimeoutMs ?? 10_000;
  const healDelayMs = deps.healDelayMs ?? 250;
  const retryDelayMs = deps.retryDelayMs ?? 3_000;
  const uuid = deps.uuid ?? uuidv4;
  const now = deps.now ?? (() => new Date());
  const nowMs = () => now().getTime();
  const typingRepeatMs = deps.typingRepeatMs ?? 3_000;
  const typingIdleMs = deps.typingIdleMs ?? 4_000;
  const readThrottleMs = deps.readThrottleMs ?? 500;

  let connection: RoomConnection | null = null;
  let disposed = false;
  /** Bumped when the timeline is reset, so answers to older requests are dropped. */
  let epoch = 0;
  let readyCount = 0;
  let healing = false;
  let healTimer: ReturnType<typeof setTimeout> | undefined;
  let reloadTimer: ReturnType<typeof setTimeout> | undefined;
  const inFlight = new Set<string>();
  const waitTimers = new Map<string, ReturnType<typeof setTimeout>>();
  /** When I last sent `typing:start` (null: not typing as far as the server knows). */
  let typingSentAt: number | null = null;
  let typingIdleTimer: ReturnType<typeof setTimeout> | undefined;
  let typingExpiryTimer: ReturnType<typeof setTimeout> | undefined;
  /** The highest seq seen on screen, the highest reported on this connection, and when. */
  let seenSeq = 0;
  let readSent = 0;
  let readSentAt = -Infinity;
  let readTimer: ReturnType<typeof setTimeout> | undefined;

  const store = createStore<RoomState & RoomActions>()((set, get) => ({
    room: initial.room,
    members: initial.members,
    online: {},
    typing: NO_TYPING,
    receipts: {},
    timeline: timelineFromPage(initial.history),
    status: 'live',
    connected: false,
    loadingOlder: false,
    olderError: null,

    send(body) {
      if (get().status !== 'live') return 'This room is no longer available.';
      const parsed = messageBodySchema.safeParse(body);
      if (!parsed.success) return parsed.error.issues[0]?.message ?? 'The message is invalid.';
      const clientId = uuid();
      stopTyping();
      setTimeline(addOutgoing(get().timeline, { clientId, body: parsed.data, createdAt: now().toISOString() }));
      void attempt(clientId);
      return null;
    },

    retry(clientId) {
      void attempt(clientId);
    },

    typingInput(text) {
      if (text.trim() === '') return stopTyping();
      const conn = connection;
      if (get().status !== 'live' || !conn?.connected) return;
      const t = nowMs();
      if (typingSentAt === null || t - typingSentAt >= typingRepeatMs) {
        typingSentAt = t;
        conn.typing(true);
      }
      clearTimeout(typingIdleTimer);
      typingIdleTimer = setTimeout(stopTyping, typingIdleMs);
    },

    markSeen(seq) {
      if (seq <= seenSeq) return;
      seenSeq = seq;
      scheduleRead();
    },

    discard(clientId) {
      clearWaitTimer(clientId);
      setTimeline(removeOutgoing(get().timeline, clientId));
    },

    async loadOlder() {
      const { timeline, loadingOlder } = get();
      const oldest = timeline.messages[0]?.seq;
      if (loadingOlder || !timeline.hasOlder || oldest === undefined) return;
      const started = epoch;
      set({ loadingOlder: true, olderError: null });
      try {
        const page = await deps.fetchHistory({ before: oldest, limit: HISTORY_DEFAULT_LIMIT });
        if (disposed || started !== epoch) return;
        setTimeline(applyOlderPage(get().timeline, page, me.id));
      } catch (error) {
        set({ olderError: error instanceof Error ? error.message : 'Could not load older messages.' });
      } finally {
        set({ loadingOlder: false });
      }
    },

    markDeleted() {
      endLive('deleted');
    },

    markClosed() {
      if (get().status === 'live') endLive('closed');
    },
  }));

  function stopTimers(): void {
    clearTimeout(typingIdleTimer);
    clearTimeout(typingExpiryTimer);
    typingExpiryTimer = undefined;
    clearTimeout(readTimer);
    readTimer = undefined;
    clearTimeout(healTimer);
    healTimer = undefined;
    clearTimeout(reloadTimer);
    for (const timer of waitTimers.values()) clearTimeout(timer);
    waitTimers.clear();
  }

  function setTimeline(timeline: Timeline): void {
    if (timeline !== store.getState().timeline) store.setState({ timeline });
  }

  function endLive(status: Exclude<RoomStatus, 'live'>): void {
    if (store.getState().status === 'deleted') return;
    stopTyping();
    store.setState({ status, connected: false, online: {}, typing: NO_TYPING });
    stopTimers();
  }

  // ── typing ──

  function stopTyping(): void {
    clearTimeout(typingIdleTimer);
    typingIdleTimer = undefined;
    if (typingSentAt === null) return;
    typingSentAt = null;
    connection?.typing(false);
  }

  /** Others' typing entries: set them, and drop each one when it expires without a refresh. */
  function setTyping(typing: TypingSet): void {
    if (typing !== store.getState().typing) store.setState({ typing });
    clearTimeout(typingExpiryTimer);
    typingExpiryTimer = undefined;
    const next = nextTypingExpiry(typing);
    if (next === null || disposed) return;
    typingExpiryTimer = setTimeout(() => setTyping(expireTyping(store.getState().typing, nowMs())), Math.max(0, next - nowMs()));
  }

  // ── read receipts ──

  function myReadSeq(): number {
    return store.getState().receipts[me.id]?.lastReadSeq ?? 0;
  }

  function scheduleRead(): void {
    if (readTimer !== undefined || disposed || !connection?.connected) return;
    if (seenSeq <= Math.max(readSent, myReadSeq())) return;
    readTimer = setTimeout(flushRead, Math.max(0, readSentAt + readThrottleMs - nowMs()));
  }

  function flushRead(): void {
    readTimer = undefined;
    const conn = connection;
    const target = seenSeq;
    if (!conn?.connected || target <= Math.max(readSent, myReadSeq())) return;
    readSent = target;
    readSentAt = nowMs();
    conn.markRead(target).then(
      (ack) => {
        if (disposed) return;
        if (ack.ok) applyReceipt({ userId: me.id, lastReadSeq: ack.data.lastReadSeq, lastDeliveredSeq: ack.data.lastReadSeq });
        else if (readSent === target) readSent = 0; // refused (e.g. rate limited): the next sighting retries
      },
      () => {
        if (readSent === target) readSent = 0; // lost: report again on the next sighting or reconnect
      },
    );
    // Anything seen meanwhile goes out after the interval.
    scheduleRead();
  }

  function applyReceipt(receipt: { userId: string; lastReadSeq: number; lastDeliveredSeq: number }): void {
    const receipts = mergeReceipt(store.getState().receipts, receipt);
    if (receipts !== store.getState().receipts) store.setState({ receipts });
  }

  // ── sending ──

  function clearWaitTimer(clientId: string): void {
    clearTimeout(waitTimers.get(clientId));
    waitTimers.delete(clientId);
  }

  /** Offline: the message waits for the connection, and says so once the send timeout has passed. */
  function armWaitTimer(clientId: string): void {
    clearWaitTimer(clientId);
    waitTimers.set(
      clientId,
      setTimeout(() => {
        waitTimers.delete(clientId);
        const item = store.getState().timeline.outgoing.find((o) => o.clientId === clientId);
        if (item?.status === 'pending' && !inFlight.has(clientId)) {
          setTimeline(
            markFailed(store.getState().timeline, clientId, {
              code: 'UNAVAILABLE',
              message: 'Not sent: no connection. It will be sent when the connection is back.',
            }),
          );
        }
      }, sendTimeoutMs),
    );
  }

  async function attempt(clientId: string): Promise<void> {
    const state = store.getState();
    const item = state.timeline.outgoing.find((o) => o.clientId === clientId);
    if (!item || inFlight.has(clientId) || disposed || state.status !== 'live') return;
    setTimeline(markPending(state.timeline, clientId));
    const conn = connection;
    if (!conn?.connected) {
      armWaitTimer(clientId);
      return;
    }
    clearWaitTimer(clientId);
    inFlight.add(clientId);
    let failure: ErrorBody | null = null;
    let stored: ChatMessage | null = null;
    try {
      const ack = await conn.sendMessage({ clientId, body: item.body }, sendTimeoutMs);
      if (ack.ok) stored = ack.data;
      else failure = ack.error;
    } catch {
      failure = conn.connected
        ? { code: 'UNAVAILABLE', message: 'No answer from the server in time.' }
        : { code: 'UNAVAILABLE', message: 'The connection dropped before the message was confirmed.' };
    } finally {
      inFlight.delete(clientId);
    }
    if (disposed) return;
    if (stored) {
      setTimeline(applyMessages(store.getState().timeline, [stored], me.id));
      scheduleHeal();
    } else if (failure) {
      setTimeline(markFailed(store.getState().timeline, clientId, failure));
    }
  }

  function flushOutgoing(): void {
    for (const item of resendable(store.getState().timeline)) void attempt(item.clientId);
  }

  // ── gaps and catch-up ──

  function scheduleHeal(delay = healDelayMs): void {
    if (healing || healTimer !== undefined || disposed) return;
    if (!hasGap(store.getState().timeline)) return;
    healTimer = setTimeout(() => {
      healTimer = undefined;
      void heal();
    }, delay);
  }

  /** Fetches `after=<lastSeq>` until nothing is missing (loops while hasMore). */
  async function heal(): Promise<void> {
    if (healing || disposed) return;
    healing = true;
    let failed = false;
    try {
      for (let round = 0; round < 100 && hasGap(store.getState().timeline) && !disposed; round += 1) {
        const started = epoch;
        const before = store.getState().timeline;
        const heldMax = maxSeq(before.messages);
        const page = await deps.fetchHistory({ after: before.lastSeq, limit: HISTORY_MAX_LIMIT });
        if (disposed || started !== epoch) break;
        const next = applyCatchUpPage(store.getState().timeline, page, heldMax, me.id);
        setTimeline(next);
        if (next.lastSeq <= before.lastSeq) break; // no progress: do not spin
      }
    } catch {
      failed = true;
    } finally {
      healing = false;
    }
    if (failed) scheduleHeal(retryDelayMs);
  }

  async function reloadNewest(): Promise<void> {
    const started = epoch;
    try {
      const page = await deps.fetchHistory({ limit: HISTORY_DEFAULT_LIMIT });
      if (disposed || started !== epoch) return;
      setTimeline(applyNewestPage(store.getState().timeline, page, me.id));
      scheduleHeal();
    } catch {
      if (!disposed && started === epoch) reloadTimer = setTimeout(() => void reloadNewest(), retryDelayMs);
    }
  }

  async function refreshMembers(): Promise<void> {
    try {
      const members = await deps.fetchMembers();
      if (!disposed) store.setState({ members });
    } catch {
      /* the list stays as it was; presence still updates */
    }
  }

  // ── socket events ──

  function onReady({ room, online, receipts, typing }: RoomReady): void {
    readyCount += 1;
    store.setState({
      room,
      status: 'live',
      online: Object.fromEntries(online.map((u) => [u.id, u])),
      receipts: mergeReceipts(store.getState().receipts, receipts ?? []),
    });
    setTyping(typingFromSnapshot(typing ?? [], nowMs(), me.id));
    // A new connection: the server knows nothing of my typing, and a report may have been lost.
    typingSentAt = null;
    readSent = 0;
    scheduleRead();
    // Joins and leaves while we were away were not seen.
    if (readyCount > 1) void refreshMembers();
    flushOutgoing();
  }

  function onReplay({ messages, truncated, lastSeq }: { messages: ChatMessage[]; truncated: boolean; lastSeq: number }): void {
    if (truncated) {
      epoch += 1;
      clearTimeout(reloadTimer);
      setTimeline(resetTimeline(store.getState().timeline, lastSeq));
      void reloadNewest();
      return;
    }
    setTimeline(applyMessages(store.getState().timeline, messages, me.id, { coveredThrough: lastSeq }));
    scheduleHeal();
  }

  function onNew(message: ChatMessage): void {
    setTimeline(applyMessages(store.getState().timeline, [message], me.id));
    // They sent what they were typing.
    setTyping(removeTyping(store.getState().typing, message.author.id));
    scheduleHeal();
  }

  function onMember(kind: 'joined' | 'left', { user, at }: { user: PublicUser; at: string }): void {
    const { members, room, timeline } = store.getState();
    const present = members.some((m) => m.user.id === user.id);
    let nextMembers = members;
    let memberCount = room.memberCount;
    if (kind === 'joined' && !present) {
      nextMembers = [...members, { user, role: 'member', joinedAt: at }];
      memberCount += 1;
    } else if (kind === 'left' && present) {
      nextMembers = members.filter((m) => m.user.id !== user.id);
      memberCount = Math.max(0, memberCount - 1);
    }
    store.setState({
      members: nextMembers,
      room: { ...room, memberCount },
      timeline: addSystemLine(timeline, { id: `${kind}-${user.id}-${at}`, kind, user, at }),
    });
  }

  const binding: RoomSocketBinding = {
    options: {
      userId: me.id,
      lastSeq: () => store.getState().timeline.lastSeq,
      on: {
        'room:ready': onReady,
        'message:replay': onReplay,
        'message:new': onNew,
        'member:joined': (payload) => onMember('joined', payload),
        'member:left': (payload) => onMember('left', payload),
        'presence:online': ({ user }) => store.setState((s) => ({ online: { ...s.online, [user.id]: user } })),
        'presence:offline': ({ userId }) =>
          store.setState((s) => {
            if (!(userId in s.online)) return s;
            const online = { ...s.online };
            delete online[userId];
            return { online };
          }),
        'room:deleted': () => endLive('deleted'),
        'typing:update': ({ user, typing }) => setTyping(applyTyping(store.getState().typing, user, typing, nowMs(), me.id)),
        'receipt:updated': applyReceipt,
      },
      onConnect: () => store.setState({ connected: true }),
      onDisconnect: (reason) => {
        clearTimeout(typingIdleTimer);
        typingSentAt = null;
        store.setState({ connected: false });
        // The server let go of this socket on purpose (after room:deleted, or I left the room): no reconnect comes.
        if (reason === 'io server disconnect' && store.getState().status === 'live') endLive('closed');
      },
      onRefused: ({ code }: { code: ErrorCode }) => {
        if (code === 'NOT_FOUND') endLive('deleted');
        else if (code === 'FORBIDDEN') endLive('forbidden');
        else endLive('signed-out');
      },
    },
    attach(conn) {
      connection = conn;
      disposed = false;
      store.setState({ connected: conn.connected });
    },
    detach() {
      stopTyping();
      connection = null;
      disposed = true;
      stopTimers();
      store.setState({ connected: false });
    },
  };

  return Object.assign(store, { binding });
}
