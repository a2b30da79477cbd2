/**
 * One room's live state (a store per room view): the timeline (lib/stores/timeline.ts) fed by the room
 * namespace and REST, my outgoing messages with send/ack/retry, members and who is online, who is
 * typing (both ways), and read receipts (both ways).
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { ErrorBody, ErrorCode } from '../errors';
import type { ChangeEvent, ChangePayload, RoomConnection, RoomConnectionOptions } from '../realtime/client';
import type { RoomReady, ThreadRead } from '../realtime/events';
import type { Attachment } from '../schemas/attachment';
import { checkMessageBody, HISTORY_DEFAULT_LIMIT, HISTORY_MAX_LIMIT } from '../schemas/limits';
import type { ChatMessage, HistoryPage, MessageReplay } from '../schemas/message';
import type { RoomMember, RoomSettings, RoomSummary } from '../schemas/room';
import type { PublicUser } from '../schemas/user';
import { uuidv4 } from '../uuid';
import { settingsOf, withSettings } from './room-list';
import { mergeReceipt, mergeReceipts, type Receipts } from './receipts';
import { NO_TYPING, applyTyping, expireTyping, nextTypingExpiry, removeTyping, typingFromSnapshot, type TypingSet } from './typing';
import {
  addOutgoing,
  addSystemLine,
  applyCatchUpPage,
  applyChanges,
  applyMessages,
  applyNewerPage,
  applyNewestPage,
  applyOlderPage,
  hasGap,
  hasRevGap,
  mergeMessages,
  showStretch,
  markFailed,
  markPending,
  maxSeq,
  removeOutgoing,
  resendable,
  resetTimeline,
  timelineFromPage,
  type OutgoingMessage,
  type Timeline,
} from './timeline';

/**
 * live, or why this room can no longer be shown live: deleted by its owner; forbidden (not a member);
 * signed-out (session gone); closed (the server ended this tab's connection to the room, e.g. I left it
 * in another tab); removed (a moderator kicked or banned me: `removal` says which, and by whom).
 */
export type RoomStatus = 'live' | 'deleted' | 'forbidden' | 'signed-out' | 'closed' | 'removed';

/** How I was removed from the room, as far as this tab heard it (`by`: from the room's own `member:left`). */
export interface Removal {
  reason: 'kicked' | 'banned';
  by: PublicUser | null;
}

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
  /** status 'removed': kicked or banned, and by whom. */
  removal: Removal | null;
  /** status 'forbidden': the server's words for the refusal ("You are banned from this room."). */
  refusal: string | null;
  /** The room namespace is connected (sending goes out at once). */
  connected: boolean;
  loadingOlder: boolean;
  olderError: string | null;
  loadingNewer: boolean;
  /** The thread open in the side panel. */
  thread: ThreadView | null;
  /** My read position per thread root (room:ready, thread:read, my own marks). */
  threadReads: Record<number, number>;
  /** A message to scroll to and highlight (a jump: quote, notification, link). */
  highlightSeq: number | null;
  /** Counts jumps, so jumping again to the message already highlighted (scrolled away since) brings it back. */
  jumps: number;
  /** room:ready answers received (each connection and reconnection brings one, with a fresh snapshot). */
  readyCount: number;
  /**
   * Counts the times the timeline was replaced by messages that do not join up with what was shown (a jump far
   * back, back to the newest, a replay too long to apply): the view starts a new list rather than scroll one.
   */
  stretch: number;
  /** The quote-reply in progress in the main composer. */
  replyingTo: number | null;
  /** The message being edited in place. */
  editingSeq: number | null;
}

export interface ThreadView {
  rootSeq: number;
  root: ChatMessage | null;
  /** Its replies, ascending by seq (live and loaded). */
  replies: ChatMessage[];
  hasOlder: boolean;
  loading: boolean;
  error: string | null;
}

export type ChangeResult = { ok: true } | { ok: false; message: string };

export interface RoomActions {
  /**
   * Sends a new message (with uploaded files: `body` is their caption and may be empty); returns a
   * validation error for the composer, or null.
   */
  send(body: string, attachments?: Attachment[]): string | null;
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
  /** While showing an older stretch: the next page towards the present. */
  loadNewer(): Promise<void>;
  /** Back to the newest messages (leaves an older stretch). */
  jumpToLatest(): Promise<void>;
  /** Scrolls to a message and highlights it, loading the history around it if it is not loaded. */
  jumpTo(seq: number): Promise<void>;
  clearHighlight(): void;
  /** Edits my message (retried with the same clientId until answered). */
  edit(seq: number, body: string): Promise<ChangeResult>;
  startEditing(seq: number | null): void;
  /** Edits my newest message in the main timeline: true if there is one. */
  editLast(): boolean;
  /** Deletes a message (mine, or anyone's as the room owner). */
  remove(seq: number): Promise<ChangeResult>;
  /** Adds my reaction, or removes it if I had reacted with that emoji. */
  toggleReaction(seq: number, emoji: string): Promise<ChangeResult>;
  /** Quote-reply in the main composer (null: cancel). */
  replyTo(seq: number | null): void;
  /** Sends a reply in a thread; returns a validation error for the composer, or null. */
  sendInThread(rootSeq: number, body: string, alsoInRoom: boolean, attachments?: Attachment[]): string | null;
  openThread(rootSeq: number): Promise<void>;
  closeThread(): void;
  loadOlderReplies(): Promise<void>;
  /** The open thread's replies up to `seq` are on screen: reports my thread read position (forward only). */
  markThreadSeen(rootSeq: number, seq: number): void;
  /** The room is gone (learned elsewhere, e.g. the main namespace). */
  markDeleted(): void;
  /** I am no longer a member (left here or in another tab). */
  markClosed(): void;
  /** A moderator removed me (heard on the main namespace; the room's own `member:left` also says by whom). */
  markRemoved(reason: Removal['reason']): void;
  /** The room's shared settings changed (`room:updated`, or the answer to changing them). */
  applySettings(settings: RoomSettings): void;
  /** My view of the room from a REST answer (settings, archive, transfer): settings, my role and mute. */
  applyRoom(room: RoomSummary): void;
  /** A member's role or mute changed (`member:updated`, or the answer to changing it). */
  applyMember(member: RoomMember): void;
}

export type RoomStore = StoreApi<RoomState & RoomActions>;

export interface HistoryRequest {
  before?: number;
  after?: number;
  around?: number;
  changedAfter?: number;
  thread?: number;
  limit?: number;
}

export interface RoomStoreDeps {
  me: PublicUser;
  fetchHistory(query: HistoryRequest): Promise<HistoryPage>;
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
  /** A discarded message's uploads are not wanted any more (DELETE /api/uploads/:id; best effort). */
  discardUploads?(ids: string[]): void;
}

/** Older messages a jump pages through before it shows the stretch around the target instead. */
const JUMP_PAGE_BACK_LIMIT = 500;
/** Attempts of a change (edit, delete, reaction) that got no answer: the same request again. */
const CHANGE_ATTEMPTS = 4;

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
  /**
   * Changes heard on this connection before its room:ready (null once it came). The server reads the snapshot
   * room:ready carries while the socket already hears the room, so a role or presence change committed
   * meanwhile can arrive first and be overwritten by the older snapshot: they are applied again on top of it.
   */
  let heardBeforeReady: (() => void)[] | null = null;
  function beforeOrAfterReady(apply: () => void): void {
    apply();
    heardBeforeReady?.push(apply);
  }
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
    timeline: timelineFromPage(initial.history, initial.history.lastRev ?? 0),
    status: 'live',
    removal: null,
    refusal: null,
    connected: false,
    loadingOlder: false,
    olderError: null,
    loadingNewer: false,
    thread: null,
    threadReads: {},
    highlightSeq: null,
    jumps: 0,
    readyCount: 0,
    stretch: 0,
    replyingTo: null,
    editingSeq: null,

    send(body, attachments = []) {
      const replyToSeq = get().replyingTo ?? undefined;
      const problem = queueSend(body, attachments, { replyToSeq });
      if (!problem) set({ replyingTo: null });
      return problem;
    },

    sendInThread(rootSeq, body, alsoInRoom, attachments = []) {
      return queueSend(body, attachments, { threadRootSeq: rootSeq, alsoInRoom: alsoInRoom || undefined });
    },

    replyTo(seq) {
      set({ replyingTo: seq });
    },

    startEditing(seq) {
      set({ editingSeq: seq });
    },

    editLast() {
      // Call entries and room event lines are written by the server under my name and cannot be edited.
      const mine = [...get().timeline.messages].reverse().find((m) => m.author.id === me.id && !m.deletedAt && !m.call && !m.event && inMain(m));
      if (!mine) return false;
      set({ editingSeq: mine.seq });
      return true;
    },

    async edit(seq, body) {
      const held = findMessage(seq);
      // A message with files may lose its caption; one without must keep some text.
      const checked = checkMessageBody(body, { caption: Boolean(held && held.attachments.length > 0) });
      if (!checked.ok) return { ok: false, message: checked.message };
      if (held && held.body === checked.body) return { ok: true };
      return change('message:edit', { seq, clientId: uuid(), body: checked.body });
    },

    async remove(seq) {
      return change('message:delete', { seq });
    },

    async toggleReaction(seq, emoji) {
      const held = findMessage(seq);
      // The server stores one form per emoji (the picker may add U+FE0F where it keeps none): compare without it.
      const bare = (text: string) => text.replaceAll('\uFE0F', '');
      const existing = held?.reactions.find((r) => bare(r.emoji) === bare(emoji));
      const mine = existing?.userIds.includes(me.id) ?? false;
      return change(mine ? 'reaction:remove' : 'reaction:add', { seq, emoji: existing?.emoji ?? emoji });
    },

    async openThread(rootSeq) {
      if (get().thread?.rootSeq === rootSeq) return;
      const held = findMessage(rootSeq);
      const replies = get().timeline.messages.filter((m) => m.threadRootSeq === rootSeq);
      set({ thread: { rootSeq, root: held, replies, hasOlder: true, loading: true, error: null } });
      try {
        const page = await deps.fetchHistory({ thread: rootSeq, limit: HISTORY_DEFAULT_LIMIT });
        const current = get().thread;
        if (disposed || current?.rootSeq !== rootSeq) return;
        set({
          thread: {
            ...current,
            root: newer(current.root, page.root ?? null),
            replies: mergeMessages(current.replies, page.messages),
            hasOlder: page.hasMore,
            loading: false,
          },
        });
      } catch (error) {
        const current = get().thread;
        if (current?.rootSeq === rootSeq) {
          set({ thread: { ...current, loading: false, error: error instanceof Error ? error.message : 'Could not load the thread.' } });
        }
      }
    },

    closeThread() {
      set({ thread: null });
    },

    async loadOlderReplies() {
      const thread = get().thread;
      const oldest = thread?.replies[0]?.seq;
      if (!thread || thread.loading || !thread.hasOlder || oldest === undefined) return;
      set({ thread: { ...thread, loading: true } });
      try {
        const page = await deps.fetchHistory({ thread: thread.rootSeq, before: oldest, limit: HISTORY_DEFAULT_LIMIT });
        const current = get().thread;
        if (current?.rootSeq !== thread.rootSeq) return;
        set({ thread: { ...current, replies: mergeMessages(current.replies, page.messages), hasOlder: page.hasMore, loading: false } });
      } catch (error) {
        const current = get().thread;
        if (current?.rootSeq === thread.rootSeq) set({ thread: { ...current, loading: false, error: error instanceof Error ? error.message : 'Could not load older replies.' } });
      }
    },

    markThreadSeen(rootSeq, seq) {
      const known = get().threadReads[rootSeq] ?? 0;
      if (seq <= known) return;
      applyThreadRead({ rootSeq, lastReadSeq: seq });
      const conn = connection;
      if (!conn?.connected) return;
      conn.request('thread:mark', { rootSeq, seq }, sendTimeoutMs).then(
        (ack) => {
          if (ack.ok) applyThreadRead(ack.data);
        },
        () => undefined, // the next sighting (or room:ready) brings it back in line
      );
    },

    async jumpTo(seq) {
      const held = findMessage(seq);
      if (held) return show(held);
      const started = epoch;
      // Not far back: page back to it, so the timeline stays one stretch up to the present.
      const oldest = get().timeline.messages[0]?.seq ?? 0;
      if (get().timeline.hasOlder && !get().timeline.hasNewer && seq < oldest && oldest - seq <= JUMP_PAGE_BACK_LIMIT) {
        while (!findMessage(seq) && get().timeline.hasOlder && started === epoch && !disposed) {
          const before = get().timeline.messages[0]?.seq;
          await get().loadOlder();
          if (get().olderError || get().timeline.messages[0]?.seq === before) break;
        }
        const found = findMessage(seq);
        if (found) show(found);
        return;
      }
      try {
        const page = await deps.fetchHistory({ around: seq, limit: HISTORY_DEFAULT_LIMIT });
        if (disposed || started !== epoch) return;
        const target = page.messages.find((m) => m.seq === seq);
        if (!target) return; // no such message (any more): nothing to show
        if (!inMain(target)) return show(target);
        epoch += 1;
        setTimeline(showStretch(get().timeline, page));
        // One update: the new list opens at the target, highlighted.
        set({ highlightSeq: target.seq, jumps: get().jumps + 1, stretch: get().stretch + 1 });
      } catch {
        /* the view stays where it was */
      }
    },

    clearHighlight() {
      set({ highlightSeq: null });
    },

    async loadNewer() {
      const { timeline, loadingNewer } = get();
      if (loadingNewer || !timeline.hasNewer) return;
      const started = epoch;
      set({ loadingNewer: true });
      try {
        const page = await deps.fetchHistory({ after: timeline.lastSeq, limit: HISTORY_MAX_LIMIT });
        if (disposed || started !== epoch) return;
        setTimeline(applyNewerPage(get().timeline, page, me.id));
      } catch {
        /* scrolling down again retries */
      } finally {
        set({ loadingNewer: false });
      }
    },

    async jumpToLatest() {
      epoch += 1;
      setTimeline({ ...get().timeline, hasNewer: false, messages: [], lastSeq: 0, hasOlder: true });
      set({ stretch: get().stretch + 1 });
      await reloadNewest();
    },

    retry(clientId) {
      send(clientId);
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
      const through = readThrough(get().timeline, seq);
      if (through <= seenSeq) return;
      seenSeq = through;
      scheduleRead();
    },

    discard(clientId) {
      clearWaitTimer(clientId);
      const item = get().timeline.outgoing.find((o) => o.clientId === clientId);
      // Had it been stored after all (a lost ack), its files belong to it now and the server keeps them.
      if (item?.attachments?.length) deps.discardUploads?.(item.attachments.map((a) => a.id));
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

    markRemoved(reason) {
      const { status, removal } = get();
      if (status === 'deleted' || (status === 'removed' && removal?.reason === reason)) return;
      // The room's own member:left (with `by`) may have come first, or the connection closed before it did.
      if (status === 'live') endLive('removed');
      set({ status: 'removed', removal: { reason, by: removal?.by ?? null } });
    },

    applySettings(settings) {
      const room = withSettings(get().room, settings);
      if (room !== get().room) set({ room });
    },

    applyRoom(answer) {
      const { id: _, ...settings } = settingsOf(answer);
      const current = get().room;
      set({ room: { ...withSettings(current, { id: current.id, ...settings }), role: answer.role, mutedUntil: answer.mutedUntil } });
    },

    applyMember(member) {
      const { members, room } = get();
      const nextMembers = members.map((m) => (m.user.id === member.user.id ? member : m));
      let nextRoom = room;
      if (member.user.id === me.id) nextRoom = { ...nextRoom, role: member.role, mutedUntil: member.mutedUntil };
      // Ownership moved (a transfer): the summary's owner follows the member who is owner now.
      if (member.role === 'owner' && room.ownerId !== member.user.id) nextRoom = { ...nextRoom, ownerId: member.user.id };
      set({ members: nextMembers, room: nextRoom });
    },
  }));

  /**
   * Seeing a message also reads the thread replies right after it that the timeline does not show (up to
   * the next message it does show): they are read in their thread, and must not keep the room unread.
   */
  function readThrough(timeline: Timeline, seq: number): number {
    let through = seq;
    for (const m of timeline.messages) {
      if (m.seq <= seq) continue;
      if (m.seq !== through + 1 || inMain(m) || m.seq > timeline.lastSeq) break;
      through = m.seq;
    }
    return through;
  }

  /** Highlights a held message: in the timeline, or in its thread (opened for it) when the timeline does not show it. */
  function show(message: ChatMessage): void {
    if (!inMain(message) && message.threadRootSeq !== null) void store.getState().openThread(message.threadRootSeq);
    store.setState({ highlightSeq: message.seq, jumps: store.getState().jumps + 1 });
  }

  function inMain(m: ChatMessage): boolean {
    return m.threadRootSeq === null || m.alsoInRoom;
  }

  function findMessage(seq: number): ChatMessage | null {
    const { timeline, thread } = store.getState();
    return timeline.messages.find((m) => m.seq === seq) ?? (thread?.root?.seq === seq ? thread.root : null) ?? thread?.replies.find((m) => m.seq === seq) ?? null;
  }

  function newer(a: ChatMessage | null, b: ChatMessage | null): ChatMessage | null {
    if (!a) return b;
    if (!b) return a;
    return b.rev > a.rev ? b : a;
  }

  function queueSend(
    body: string,
    attachments: Attachment[],
    reply: { threadRootSeq?: number; alsoInRoom?: boolean; replyToSeq?: number },
  ): string | null {
    if (store.getState().status !== 'live') return 'This room is no longer available.';
    const checked = checkMessageBody(body, { caption: attachments.length > 0 });
    if (!checked.ok) return checked.message;
    const clientId = uuid();
    stopTyping();
    setTimeline(
      addOutgoing(store.getState().timeline, {
        clientId,
        body: checked.body,
        ...(attachments.length > 0 ? { attachments } : {}),
        createdAt: now().toISOString(),
        ...reply,
      }),
    );
    send(clientId);
    return null;
  }

  /**
   * A change to a stored message: sent with an ack timeout and, when no answer comes (timeout, dropped
   * connection), sent again as it was — edits carry their clientId, so a repeat is applied once.
   */
  async function change<E extends Exclude<ChangeEvent, 'thread:mark'>>(event: E, payload: ChangePayload<E>): Promise<ChangeResult> {
    for (let attemptNo = 1; ; attemptNo += 1) {
      const conn = connection;
      if (disposed || store.getState().status !== 'live') return { ok: false, message: 'This room is no longer available.' };
      if (!conn?.connected) {
        if (attemptNo >= CHANGE_ATTEMPTS) return { ok: false, message: 'No connection. Try again when it is back.' };
        await new Promise((r) => setTimeout(r, retryDelayMs));
        continue;
      }
      try {
        const ack = await conn.request(event, payload, sendTimeoutMs);
        if (!ack.ok) {
          if ((ack.error.code === 'UNAVAILABLE' || ack.error.code === 'INTERNAL') && attemptNo < CHANGE_ATTEMPTS) {
            await new Promise((r) => setTimeout(r, retryDelayMs));
            continue;
          }
          return { ok: false, message: ack.error.message };
        }
        if (!disposed) applyChanged([ack.data]);
        return { ok: true };
      } catch {
        if (attemptNo >= CHANGE_ATTEMPTS) return { ok: false, message: 'No answer from the server. Try again.' };
      }
    }
  }

  /** Changed messages from any source: timeline, open thread, and the rev watermark (heals holes). */
  function applyChanged(messages: ChatMessage[], coveredThrough?: number): void {
    setTimeline(applyChanges(store.getState().timeline, messages, me.id, coveredThrough));
    applyToThread(messages);
    revHealer.schedule();
  }

  function applyToThread(messages: ChatMessage[]): void {
    const thread = store.getState().thread;
    if (!thread) return;
    let root = thread.root;
    const replies: ChatMessage[] = [];
    for (const m of messages) {
      if (m.seq === thread.rootSeq) root = newer(root, m);
      else if (m.threadRootSeq === thread.rootSeq) replies.push(m);
    }
    const merged = mergeMessages(thread.replies, replies);
    if (root !== thread.root || merged !== thread.replies) store.setState({ thread: { ...thread, root, replies: merged } });
  }

  function applyThreadRead(read: ThreadRead): void {
    const known = store.getState().threadReads[read.rootSeq] ?? 0;
    if (read.lastReadSeq > known) store.setState((s) => ({ threadReads: { ...s.threadReads, [read.rootSeq]: read.lastReadSeq } }));
  }

  function stopTimers(): void {
    clearTimeout(typingIdleTimer);
    clearTimeout(typingExpiryTimer);
    typingExpiryTimer = undefined;
    clearTimeout(readTimer);
    readTimer = undefined;
    seqHealer.stop();
    revHealer.stop();
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

  /**
   * Sends go out one at a time, in the order they were written (retries join the end). A message the server
   * holds back (RATE_LIMITED) holds back the ones after it, so they still arrive, and get their seq, in the
   * user's order — sent in parallel, the ones after it would overtake it.
   */
  let sendQueue: Promise<void> = Promise.resolve();
  let sendsQueued = 0;
  function send(clientId: string): void {
    sendsQueued += 1;
    const run = () =>
      attempt(clientId)
        .catch(() => undefined)
        .finally(() => {
          sendsQueued -= 1;
        });
    // Nothing ahead of it: start now (the emit goes out in this tick, as before the queue existed).
    sendQueue = sendsQueued === 1 ? run() : sendQueue.then(run);
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
      for (;;) {
        const ack = await sendOnce(conn, item);
        if (ack.ok) stored = ack.data;
        else if (ack.error.code === 'RATE_LIMITED' && conn.connected) {
          // §4.1: wait as told and send again with the same clientId; it stays "Sending…" meanwhile.
          await new Promise((r) => setTimeout(r, Math.max(1, ack.error.retryAfter ?? 1) * 1000));
          if (!disposed && store.getState().status === 'live' && conn.connected && stillQueued(clientId)) continue;
          failure = ack.error;
        } else failure = ack.error;
        break;
      }
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
      applyToThread([stored]);
      seqHealer.schedule();
    } else if (failure) {
      setTimeline(markFailed(store.getState().timeline, clientId, failure));
    }
  }

  /** Discarded while it waited out a rate limit: no longer mine to send. */
  function stillQueued(clientId: string): boolean {
    return store.getState().timeline.outgoing.some((o) => o.clientId === clientId);
  }

  function sendOnce(conn: RoomConnection, item: OutgoingMessage) {
    return conn.sendMessage(
      {
        clientId: item.clientId,
        body: item.body,
        ...(item.attachments?.length ? { attachments: item.attachments.map((a) => a.id) } : {}),
        ...(item.threadRootSeq !== undefined ? { threadRootSeq: item.threadRootSeq, ...(item.alsoInRoom ? { alsoInRoom: true } : {}) } : {}),
        ...(item.replyToSeq !== undefined ? { replyToSeq: item.replyToSeq } : {}),
      },
      sendTimeoutMs,
    );
  }

  function flushOutgoing(): void {
    for (const item of resendable(store.getState().timeline)) send(item.clientId);
  }

  // ── gaps and catch-up ──

  /**
   * Fetches pages while something is missing: after a short wait (an ack and a broadcast racing each other
   * usually close a gap on their own), one run at a time, again after `retryDelayMs` when a fetch fails.
   * `round` fetches and applies one page and says whether it made progress (no progress: stop, do not spin).
   */
  function createHealer(options: { missing(): boolean; round(): Promise<boolean>; maxRounds: number }) {
    let running = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    async function run(): Promise<void> {
      if (running || disposed) return;
      running = true;
      let failed = false;
      try {
        for (let n = 0; n < options.maxRounds && options.missing() && !disposed; n += 1) {
          if (!(await options.round())) break;
        }
      } catch {
        failed = true;
      } finally {
        running = false;
      }
      if (failed) schedule(retryDelayMs);
    }
    function schedule(delay = healDelayMs): void {
      if (running || timer !== undefined || disposed || !options.missing()) return;
      timer = setTimeout(() => {
        timer = undefined;
        void run();
      }, delay);
    }
    return {
      schedule,
      stop() {
        clearTimeout(timer);
        timer = undefined;
      },
    };
  }

  /** Missing messages: `after=<lastSeq>` until nothing is missing (pages while hasMore). */
  const seqHealer = createHealer({
    missing: () => hasGap(store.getState().timeline),
    maxRounds: 100,
    async round() {
      const started = epoch;
      const before = store.getState().timeline;
      const heldMax = maxSeq(before.messages);
      const page = await deps.fetchHistory({ after: before.lastSeq, limit: HISTORY_MAX_LIMIT });
      if (disposed || started !== epoch) return false;
      const next = applyCatchUpPage(store.getState().timeline, page, heldMax, me.id);
      setTimeline(next);
      return next.lastSeq > before.lastSeq;
    },
  });

  /** Missing changes: `changedAfter=<lastRev>` until no change is missing. */
  const revHealer = createHealer({
    missing: () => hasRevGap(store.getState().timeline),
    maxRounds: 20,
    async round() {
      const before = store.getState().timeline.lastRev;
      const page = await deps.fetchHistory({ changedAfter: before, limit: HISTORY_MAX_LIMIT });
      if (disposed) return false;
      const top = page.messages.at(-1)?.rev ?? before;
      applyChanged(page.messages, page.hasMore ? top : Math.max(top, page.lastRev ?? 0));
      return store.getState().timeline.lastRev > before;
    },
  });

  async function reloadNewest(): Promise<void> {
    const started = epoch;
    try {
      const page = await deps.fetchHistory({ limit: HISTORY_DEFAULT_LIMIT });
      if (disposed || started !== epoch) return;
      const current = store.getState().timeline;
      setTimeline(applyNewestPage({ ...current, lastRev: Math.max(current.lastRev, page.lastRev ?? 0), revsAbove: [] }, page, me.id));
      seqHealer.schedule();
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

  function onReady({ room, online, receipts, typing, threads }: RoomReady): void {
    const readyCount = store.getState().readyCount + 1;
    for (const read of threads ?? []) applyThreadRead(read);
    store.setState({
      room,
      status: 'live',
      readyCount,
      online: Object.fromEntries(online.map((u) => [u.id, u])),
      receipts: mergeReceipts(store.getState().receipts, receipts ?? []),
    });
    const heard = heardBeforeReady ?? [];
    heardBeforeReady = null;
    for (const apply of heard) apply();
    setTyping(typingFromSnapshot(typing ?? [], nowMs(), me.id));
    // A new connection: the server knows nothing of my typing, and a report may have been lost.
    typingSentAt = null;
    readSent = 0;
    scheduleRead();
    // Joins and leaves while we were away were not seen.
    if (readyCount > 1) void refreshMembers();
    flushOutgoing();
  }

  function onReplay({ messages, changes, truncated, lastSeq, lastRev }: MessageReplay): void {
    if (truncated) {
      epoch += 1;
      clearTimeout(reloadTimer);
      setTimeline(resetTimeline(store.getState().timeline, lastSeq, lastRev));
      store.setState({ stretch: store.getState().stretch + 1 });
      void reloadNewest();
      return;
    }
    setTimeline(applyMessages(store.getState().timeline, messages, me.id, { coveredThrough: lastSeq }));
    // Every change up to lastRev is in the replay: to messages held (changes) or as their current state (messages).
    applyChanged([...(changes ?? []), ...messages], lastRev);
    seqHealer.schedule();
  }

  function onNew(message: ChatMessage): void {
    setTimeline(applyMessages(store.getState().timeline, [message], me.id));
    applyToThread([message]);
    // They sent what they were typing.
    setTyping(removeTyping(store.getState().typing, message.author.id));
    seqHealer.schedule();
  }

  function onMember(kind: 'joined' | 'left', { user, at, reason, by }: { user: PublicUser; at: string; reason?: Removal['reason']; by?: PublicUser }): void {
    if (kind === 'left' && user.id === me.id && reason) {
      // I was removed: the server disconnects this socket right after. Say so rather than "closed".
      if (store.getState().status === 'live') endLive('removed');
      if (store.getState().status !== 'deleted') store.setState({ status: 'removed', removal: { reason, by: by ?? null } });
      return;
    }
    const { members, room, timeline } = store.getState();
    const present = members.some((m) => m.user.id === user.id);
    let nextMembers = members;
    let memberCount = room.memberCount;
    if (kind === 'joined' && !present) {
      nextMembers = [...members, { user, role: 'member', joinedAt: at, mutedUntil: null }];
      memberCount += 1;
    } else if (kind === 'left' && present) {
      nextMembers = members.filter((m) => m.user.id !== user.id);
      memberCount = Math.max(0, memberCount - 1);
    }
    // A group is named by its other members: they follow who comes and goes.
    let participants = room.participants;
    if (room.kind === 'group' && participants && user.id !== me.id) {
      const listed = participants.some((p) => p.id === user.id);
      if (kind === 'joined' && !listed) participants = [...participants, user];
      else if (kind === 'left' && listed) participants = participants.filter((p) => p.id !== user.id);
    }
    store.setState({
      members: nextMembers,
      room: { ...room, memberCount, participants },
      // A removal by a moderator leaves a stored line of its own (who, by whom, why): no second one.
      timeline: reason ? timeline : addSystemLine(timeline, { id: `${kind}-${user.id}-${at}`, kind, user, at }),
    });
  }

  const binding: RoomSocketBinding = {
    options: {
      userId: me.id,
      lastSeq: () => store.getState().timeline.lastSeq,
      lastRev: () => store.getState().timeline.lastRev,
      on: {
        'message:updated': (message) => applyChanged([message]),
        'thread:read': applyThreadRead,
        'room:ready': onReady,
        'message:replay': onReplay,
        'message:new': onNew,
        'member:joined': (payload) => onMember('joined', payload),
        'member:left': (payload) => onMember('left', payload),
        'member:updated': ({ member }) => beforeOrAfterReady(() => store.getState().applyMember(member)),
        'presence:online': ({ user }) => beforeOrAfterReady(() => store.setState((s) => ({ online: { ...s.online, [user.id]: user } }))),
        'presence:offline': ({ userId }) =>
          beforeOrAfterReady(() =>
            store.setState((s) => {
              if (!(userId in s.online)) return s;
              const online = { ...s.online };
              delete online[userId];
              return { online };
            }),
          ),
        'room:deleted': () => endLive('deleted'),
        'typing:update': ({ user, typing }) => setTyping(applyTyping(store.getState().typing, user, typing, nowMs(), me.id)),
        'receipts:updated': ({ receipts }) => {
          const merged = mergeReceipts(store.getState().receipts, receipts);
          if (merged !== store.getState().receipts) store.setState({ receipts: merged });
        },
      },
      onConnect: () => {
        heardBeforeReady = [];
        store.setState({ connected: true });
      },
      onDisconnect: (reason) => {
        clearTimeout(typingIdleTimer);
        typingSentAt = null;
        store.setState({ connected: false });
        // The server let go of this socket on purpose (after room:deleted, or I left the room): no reconnect comes.
        if (reason === 'io server disconnect' && store.getState().status === 'live') endLive('closed');
      },
      onRefused: ({ code, message }: { code: ErrorCode; message: string }) => {
        if (code === 'NOT_FOUND') endLive('deleted');
        else if (code === 'FORBIDDEN') {
          // Already shown as removed (kicked or banned): the refusal to reconnect says nothing new.
          if (store.getState().status === 'removed') return;
          endLive('forbidden');
          store.setState({ refusal: message || null });
        } else endLive('signed-out');
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
