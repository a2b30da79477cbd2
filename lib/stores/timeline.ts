/**
 * The message path on the client, as pure functions (the room store wires them to the socket and REST):
 * confirmed messages ordered and deduplicated by `seq`, a contiguity watermark (`lastSeq`) for gap
 * detection and catch-up, my outgoing messages keyed by `clientId`, and ephemeral system lines.
 */
import { eventMembership } from '../community/describe';
import type { ErrorBody, ErrorCode } from '../errors';
import type { Attachment } from '../schemas/attachment';
import type { ChatMessage, HistoryPage } from '../schemas/message';
import type { PublicUser } from '../schemas/user';

export type OutgoingStatus = 'pending' | 'failed';

/** A message I sent that the server has not confirmed yet. */
export interface OutgoingMessage {
  /** The idempotency key: made once, reused on every retry. */
  clientId: string;
  /** The caption when it carries files ("" allowed then). */
  body: string;
  /** Uploaded files it carries (sent as their ids), shown while it is on its way. */
  attachments?: Attachment[];
  createdAt: string;
  /** A thread reply (shown in the thread panel, and in the room too when alsoInRoom). */
  threadRootSeq?: number;
  alsoInRoom?: boolean;
  /** A quote-reply. */
  replyToSeq?: number;
  status: OutgoingStatus;
  error?: ErrorBody;
  /** Failed for a reason that a resend can fix (timeout, connection, server busy): resent after reconnect. */
  retryable: boolean;
}

/** A join/leave notice: shown inline, never stored. */
export interface SystemLine {
  id: string;
  kind: 'joined' | 'left';
  user: PublicUser;
  at: string;
  /** Shown after the message with this seq (the newest held when it happened). */
  afterSeq: number;
}

export interface Timeline {
  /** Confirmed messages, ascending by seq, one per seq. */
  messages: ChatMessage[];
  /**
   * The newest seq up to which nothing is missing: every message from the oldest held up to it is held
   * (or known not to exist). Sent as `lastSeq` on every (re)connect, and the `after=` of a gap fetch.
   */
  lastSeq: number;
  /** Older history exists before `messages[0]`. */
  hasOlder: boolean;
  /**
   * The timeline shows an older stretch (after a jump to a message far back): newer messages exist after
   * `lastSeq` and are loaded by paging forwards, not live (they would not join up with what is shown).
   */
  hasNewer: boolean;
  /**
   * The newest change (rev) up to which every change has been applied (or superseded): sent as `lastRev`
   * on every (re)connect, and the `changedAfter=` of a heal.
   */
  lastRev: number;
  /** Revs applied above `lastRev` (a missing one below them is a hole to heal). */
  revsAbove: number[];
  /** My unconfirmed messages, in the order I sent them. */
  outgoing: OutgoingMessage[];
  system: SystemLine[];
}

export function maxSeq(messages: readonly ChatMessage[]): number {
  return messages.length ? messages[messages.length - 1]!.seq : 0;
}

/** The timeline for a first page of history (the newest page: everything up to its end is held). */
export function timelineFromPage(page: HistoryPage, lastRev = 0): Timeline {
  const messages = mergeMessages([], page.messages);
  return { messages, lastSeq: maxSeq(messages), hasOlder: page.hasMore, hasNewer: false, lastRev, revsAbove: [], outgoing: [], system: [] };
}

/**
 * Merges `incoming` into `existing` (ascending by seq), dropping duplicates by seq. An incoming copy
 * replaces the held one only if it is a newer state (higher rev). Returns `existing` itself when nothing changed.
 */
export function mergeMessages(existing: readonly ChatMessage[], incoming: readonly ChatMessage[]): ChatMessage[] {
  if (incoming.length === 0) return existing as ChatMessage[];
  const bySeq = new Map<number, ChatMessage>();
  for (const m of existing) bySeq.set(m.seq, m);
  let changed = false;
  for (const m of incoming) {
    const held = bySeq.get(m.seq);
    if (!held) {
      bySeq.set(m.seq, m);
      changed = true;
    } else if (m.rev > held.rev) {
      bySeq.set(m.seq, m);
      changed = true;
    }
  }
  if (!changed) return existing as ChatMessage[];
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
}

/** Moves the watermark up through every held message that directly follows it. */
export function advanceWatermark(messages: readonly ChatMessage[], lastSeq: number): number {
  let mark = lastSeq;
  // messages are sorted: walk from the first seq above the mark.
  for (const m of messages) {
    if (m.seq <= mark) continue;
    if (m.seq === mark + 1) mark = m.seq;
    else break;
  }
  return mark;
}

/** A live message with this seq means something between the watermark and it is missing. */
export function isGap(lastSeq: number, seq: number): boolean {
  return seq > lastSeq + 1;
}

/** Messages are held above the watermark, so something below them is missing. */
export function hasGap(timeline: Timeline): boolean {
  return maxSeq(timeline.messages) > timeline.lastSeq;
}

/** Drops outgoing entries that these confirmed messages (by me) settle. */
function settleOutgoing(outgoing: OutgoingMessage[], confirmed: readonly ChatMessage[], meId: string): OutgoingMessage[] {
  if (outgoing.length === 0) return outgoing;
  const settled = new Set(confirmed.filter((m) => m.author.id === meId).map((m) => m.clientId));
  if (settled.size === 0) return outgoing;
  const rest = outgoing.filter((o) => !settled.has(o.clientId));
  return rest.length === outgoing.length ? outgoing : rest;
}

export interface ApplyOptions {
  /** The sender of these messages vouches that nothing up to this seq is missing (REST page, replay). */
  coveredThrough?: number;
}

/** Of `incoming`, those at or below `upTo` and the run that directly follows it. */
function joinedUp(incoming: readonly ChatMessage[], upTo: number): ChatMessage[] {
  let mark = upTo;
  const kept: ChatMessage[] = [];
  for (const m of [...incoming].sort((a, b) => a.seq - b.seq)) {
    if (m.seq <= mark) kept.push(m);
    else if (m.seq === mark + 1) {
      kept.push(m);
      mark = m.seq;
    }
  }
  return kept;
}

/**
 * Applies confirmed messages from any source (ack, broadcast, replay, REST): merge, settle my pending
 * copies (pending → sent, never shown twice), and advance the watermark.
 */
export function applyMessages(timeline: Timeline, incoming: readonly ChatMessage[], meId: string, options: ApplyOptions = {}): Timeline {
  // Showing an older stretch: what lies beyond it arrives by paging forwards, not as a disconnected island.
  const kept = timeline.hasNewer ? joinedUp(incoming, Math.max(timeline.lastSeq, options.coveredThrough ?? 0)) : incoming;
  const messages = mergeMessages(timeline.messages, kept);
  const outgoing = settleOutgoing(timeline.outgoing, incoming, meId);
  let lastSeq = timeline.lastSeq;
  if (options.coveredThrough !== undefined && options.coveredThrough > lastSeq) lastSeq = options.coveredThrough;
  lastSeq = advanceWatermark(messages, lastSeq);
  if (messages === timeline.messages && outgoing === timeline.outgoing && lastSeq === timeline.lastSeq) return timeline;
  return { ...timeline, messages, outgoing, lastSeq };
}

// ── Changes (rev) ──

/** Whether a changed message belongs in what is held: not when it is older than the loaded history, or beyond a shown stretch. */
function withinWindow(timeline: Timeline, seq: number): boolean {
  const first = timeline.messages[0]?.seq;
  if (first !== undefined && seq < first && timeline.hasOlder) return false;
  if (timeline.hasNewer && seq > timeline.lastSeq) return false;
  return true;
}

/** Moves the rev watermark up through the revs held above it; `coveredThrough` vouches for everything up to it. */
function advanceRevs(timeline: Timeline, revs: readonly number[], coveredThrough?: number): Pick<Timeline, 'lastRev' | 'revsAbove'> {
  let lastRev = Math.max(timeline.lastRev, coveredThrough ?? 0);
  const above = new Set(timeline.revsAbove);
  for (const rev of revs) if (rev > lastRev) above.add(rev);
  while (above.delete(lastRev + 1)) lastRev += 1;
  for (const rev of above) if (rev <= lastRev) above.delete(rev);
  return { lastRev, revsAbove: [...above].sort((a, b) => a - b) };
}

/**
 * Applies changed messages (`message:updated`, a change ack, the replay's `changes`, a `changedAfter=` page):
 * the higher rev wins per seq; a message outside what is held only moves the rev watermark.
 * `coveredThrough`: the sender vouches that every change up to this rev is included (replay, final page).
 */
export function applyChanges(timeline: Timeline, changed: readonly ChatMessage[], meId: string, coveredThrough?: number): Timeline {
  const inWindow = changed.filter((m) => withinWindow(timeline, m.seq));
  const next = inWindow.length ? applyMessages(timeline, inWindow, meId) : timeline;
  const revs = advanceRevs(timeline, changed.map((m) => m.rev).filter((rev) => rev > 0), coveredThrough);
  if (next === timeline && revs.lastRev === timeline.lastRev && revs.revsAbove.length === timeline.revsAbove.length) return timeline;
  return { ...next, ...revs };
}

/** A change is missing below one that arrived. */
export function hasRevGap(timeline: Timeline): boolean {
  return timeline.revsAbove.length > 0;
}

/**
 * Applies one page of a gap fetch (`after=<lastSeq>`). `heldMaxAtRequest` is the newest seq held when the
 * request was made: seqs commit in order, so a final page (hasMore false) proves nothing up to it is missing.
 */
export function applyCatchUpPage(timeline: Timeline, page: HistoryPage, heldMaxAtRequest: number, meId: string): Timeline {
  const pageMax = maxSeq(page.messages);
  const coveredThrough = page.hasMore ? pageMax : Math.max(pageMax, heldMaxAtRequest);
  return applyMessages(timeline, page.messages, meId, { coveredThrough });
}

/** Prepends an older page (`before=<oldest seq>`). */
export function applyOlderPage(timeline: Timeline, page: HistoryPage, meId: string): Timeline {
  const next = applyMessages(timeline, page.messages, meId);
  return { ...next, hasOlder: page.hasMore };
}

/** Appends a newer page while showing an older stretch (`after=<lastSeq>`); the stretch joins the present when it is the last. */
export function applyNewerPage(timeline: Timeline, page: HistoryPage, meId: string): Timeline {
  const next = applyMessages(timeline, page.messages, meId, { coveredThrough: maxSeq(page.messages) });
  return { ...next, hasNewer: page.hasMore };
}

/**
 * The replay was truncated: drop held messages (keep my unsent ones) and start over from the server's
 * newest seq and rev; the caller then reloads the newest page.
 */
export function resetTimeline(timeline: Timeline, serverLastSeq: number, serverLastRev = timeline.lastRev): Timeline {
  return { ...timeline, messages: [], lastSeq: serverLastSeq, hasOlder: true, hasNewer: false, lastRev: serverLastRev, revsAbove: [], system: [] };
}

/** Applies the newest page after a reset. */
export function applyNewestPage(timeline: Timeline, page: HistoryPage, meId: string): Timeline {
  const next = applyMessages({ ...timeline, hasNewer: false }, page.messages, meId, { coveredThrough: maxSeq(page.messages) });
  return { ...next, hasOlder: page.hasMore };
}

/**
 * Shows the stretch around a message far back (`around=` page): replaces what is held, keeps my unsent
 * messages and the rev watermark (changes keep arriving for the whole room).
 */
export function showStretch(timeline: Timeline, page: HistoryPage): Timeline {
  const messages = mergeMessages([], page.messages);
  return { ...timeline, messages, lastSeq: maxSeq(messages), hasOlder: page.hasMore, hasNewer: page.hasNewer ?? false, system: [] };
}

// ── My outgoing messages ──

export function addOutgoing(
  timeline: Timeline,
  message: Pick<OutgoingMessage, 'clientId' | 'body' | 'attachments' | 'createdAt' | 'threadRootSeq' | 'alsoInRoom' | 'replyToSeq'>,
): Timeline {
  if (timeline.outgoing.some((o) => o.clientId === message.clientId)) return timeline;
  return { ...timeline, outgoing: [...timeline.outgoing, { ...message, status: 'pending', retryable: true }] };
}

function updateOutgoing(timeline: Timeline, clientId: string, patch: (o: OutgoingMessage) => OutgoingMessage): Timeline {
  const index = timeline.outgoing.findIndex((o) => o.clientId === clientId);
  if (index < 0) return timeline;
  const outgoing = [...timeline.outgoing];
  outgoing[index] = patch(outgoing[index]!);
  return { ...timeline, outgoing };
}

export function markPending(timeline: Timeline, clientId: string): Timeline {
  return updateOutgoing(timeline, clientId, (o) => (o.status === 'pending' && !o.error ? o : { ...o, status: 'pending', error: undefined }));
}

/** Error codes a resend can fix; anything else needs the user to change something. */
const RETRYABLE: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['UNAVAILABLE', 'INTERNAL', 'RATE_LIMITED']);

export function isRetryable(code: ErrorCode): boolean {
  return RETRYABLE.has(code);
}

export function markFailed(timeline: Timeline, clientId: string, error: ErrorBody): Timeline {
  return updateOutgoing(timeline, clientId, (o) => ({ ...o, status: 'failed', error, retryable: isRetryable(error.code) }));
}

export function removeOutgoing(timeline: Timeline, clientId: string): Timeline {
  const outgoing = timeline.outgoing.filter((o) => o.clientId !== clientId);
  return outgoing.length === timeline.outgoing.length ? timeline : { ...timeline, outgoing };
}

/** What to resend after a reconnect: waiting messages and those that failed for a transient reason. */
export function resendable(timeline: Timeline): OutgoingMessage[] {
  return timeline.outgoing.filter((o) => o.status === 'pending' || o.retryable);
}

// ── System lines ──

export const MAX_SYSTEM_LINES = 50;

export function addSystemLine(timeline: Timeline, line: Omit<SystemLine, 'afterSeq'>): Timeline {
  const system = [...timeline.system, { ...line, afterSeq: maxSeq(timeline.messages) }].slice(-MAX_SYSTEM_LINES);
  return { ...timeline, system };
}

// ── Rendering ──

/** A join or leave this close in time to a stored line about the same person is that line's news. */
const SAME_NEWS_MS = 60_000;

/**
 * Whether a stored room event already tells what a join/leave notice says: "Alice added Carol" and
 * "Carol joined the room" are one piece of news (adding, joining by invitation, leaving a group, a kick
 * or ban each also announce the member's arrival or departure).
 */
export function toldByEvent(messages: readonly ChatMessage[], line: Pick<SystemLine, 'kind' | 'user' | 'at'>): boolean {
  const at = Date.parse(line.at);
  // Events are rare and recent ones sit at the end: look back over a short stretch only.
  for (let i = messages.length - 1, looked = 0; i >= 0 && looked < 200; i -= 1, looked += 1) {
    const m = messages[i]!;
    if (!m.event || Math.abs(Date.parse(m.createdAt) - at) > SAME_NEWS_MS) continue;
    const { joined, left } = eventMembership(m.event, m.author.id);
    if ((line.kind === 'joined' ? joined : left).includes(line.user.id)) return true;
  }
  return false;
}

/** Shown in the main timeline: top-level messages, and thread replies sent to the room too. */
export function inMainTimeline(message: Pick<ChatMessage, 'threadRootSeq' | 'alsoInRoom'>): boolean {
  return message.threadRootSeq === null || message.alsoInRoom;
}

export type TimelineItem =
  | { type: 'message'; key: string; message: ChatMessage }
  | { type: 'system'; key: string; line: SystemLine }
  | { type: 'outgoing'; key: string; message: OutgoingMessage };

/**
 * The rows to show: confirmed messages by seq with system lines after the seq they followed, then my
 * unconfirmed messages. An outgoing entry whose clientId is already confirmed is never shown.
 */
export function timelineItems(timeline: Timeline, meId: string): TimelineItem[] {
  const items: TimelineItem[] = [];
  const system = [...timeline.system].filter((line) => !toldByEvent(timeline.messages, line)).sort((a, b) => a.afterSeq - b.afterSeq);
  let s = 0;
  const confirmedMine = new Set<string>();
  for (const message of timeline.messages) {
    // A line recorded after seq N goes between N and the next held message.
    while (s < system.length && system[s]!.afterSeq < message.seq) {
      items.push({ type: 'system', key: `sys-${system[s]!.id}`, line: system[s]! });
      s += 1;
    }
    if (message.author.id === meId) confirmedMine.add(message.clientId);
    if (inMainTimeline(message)) items.push({ type: 'message', key: `seq-${message.seq}`, message });
  }
  for (; s < system.length; s += 1) items.push({ type: 'system', key: `sys-${system[s]!.id}`, line: system[s]! });
  for (const message of timeline.outgoing) {
    const shown = message.threadRootSeq === undefined || message.alsoInRoom === true;
    if (shown && !confirmedMine.has(message.clientId)) items.push({ type: 'outgoing', key: `out-${message.clientId}`, message });
  }
  return items;
}
