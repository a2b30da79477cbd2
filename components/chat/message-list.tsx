'use client';
import { useEffect, useLayoutEffect, useMemo, useRef } from 'react';
import type { ChatMessage } from '@/lib/schemas/message';
import { roomPowers } from '@/lib/community/permissions';
import type { RoomMember } from '@/lib/schemas/room';
import { tickState } from '@/lib/stores/receipts';
import { timelineItems, type SystemLine } from '@/lib/stores/timeline';
import { MessageRow, Time, type RowReceipt } from './message-row';
import { OutgoingRow } from './message-row/outgoing-row';
import { readerReceipts, ticksReceipt } from './message-row/receipts';
import { useMe, useRoom, useRoomStoreApi } from './room-context';
import { isWindowActive, subscribeWindowActive } from './use-window-active';

/** Within this distance of the bottom counts as "at the bottom" (new messages keep it there). */
const STICK_PX = 48;
/** Within this distance of the top, load the previous page (and of the bottom, the next one after a jump). */
const LOAD_OLDER_PX = 160;
/** Consecutive messages by one author within this window share one header. */
const GROUP_MS = 5 * 60 * 1000;

/** One of my messages the server has not confirmed: pending, or failed with Retry and Discard. */
export { OutgoingRow } from './message-row/outgoing-row';

function SystemRow({ line }: { line: SystemLine }) {
  return (
    <li role="note" data-testid="system-line" className="px-3 py-1 text-center text-xs text-fg-subtle sm:px-4">
      {line.user.displayName} {line.kind === 'joined' ? 'joined the room' : 'left the room'} · <Time iso={line.at} />
    </li>
  );
}

/** Display names and usernames of the room's members, by user id. */
export function useMemberNames(members: RoomMember[]) {
  return useMemo(() => {
    const names = new Map<string, string>();
    const usernames = new Map<string, string>();
    for (const m of members) {
      names.set(m.user.id, m.user.displayName);
      usernames.set(m.user.id, m.user.username);
    }
    return { names, usernames };
  }, [members]);
}

/** Per member list, per message: one Set each, so memoized rows are not re-rendered for a new but equal Set. */
const mentionSets = new WeakMap<ReadonlyMap<string, string>, WeakMap<ChatMessage, ReadonlySet<string>>>();

function mentionedUsernames(message: ChatMessage, usernames: ReadonlyMap<string, string>): ReadonlySet<string> {
  let byMessage = mentionSets.get(usernames);
  if (!byMessage) mentionSets.set(usernames, (byMessage = new WeakMap()));
  let set = byMessage.get(message);
  if (!set) byMessage.set(message, (set = new Set(message.mentions.map((id) => usernames.get(id)).filter((u): u is string => Boolean(u)))));
  return set;
}

/** The per-message props every row view (timeline, thread) computes the same way. */
export function useRowProps() {
  const me = useMe();
  const members = useRoom((s) => s.members);
  const room = useRoom((s) => s.room);
  const editingSeq = useRoom((s) => s.editingSeq);
  const highlightSeq = useRoom((s) => s.highlightSeq);
  const threadReads = useRoom((s) => s.threadReads);
  const { names, usernames } = useMemberNames(members);
  const deleteAny = roomPowers(room).deleteAnyMessage;
  return (message: ChatMessage) => {
    const mentioned = mentionedUsernames(message, usernames);
    const mine = message.author.id === me.id;
    const thread = message.thread;
    const following = thread !== null && (mine || threadReads[message.seq] !== undefined || thread.participants.some((p) => p.id === me.id));
    return {
      mine,
      // Moderators and up delete anyone's message; a room event's line only they may delete (§4.13).
      // An archived room is read-only: nothing is deleted either.
      canDelete: room.archivedAt === null && (message.event ? deleteAny : mine || deleteAny),
      editing: editingSeq === message.seq,
      highlighted: highlightSeq === message.seq,
      mentionsMe: !mine && (message.mentionsRoom || message.mentions.includes(me.id)),
      mentionedUsernames: mentioned,
      meUsername: me.username,
      threadUnread: following && thread.participants[0]?.id !== me.id && thread.lastReplySeq > (threadReads[message.seq] ?? 0),
      names,
    };
  };
}

/** The timeline: older pages load on scroll-up without moving what is on screen; sticks to the bottom when there. */
export function MessageList() {
  const me = useMe();
  const timeline = useRoom((s) => s.timeline);
  const loadingOlder = useRoom((s) => s.loadingOlder);
  const olderError = useRoom((s) => s.olderError);
  const loadOlder = useRoom((s) => s.loadOlder);
  const roomKind = useRoom((s) => s.room.kind);
  const peerId = useRoom((s) => s.room.peer?.id);
  const members = useRoom((s) => s.members);
  const receipts = useRoom((s) => s.receipts);
  const loadingNewer = useRoom((s) => s.loadingNewer);
  const loadNewer = useRoom((s) => s.loadNewer);
  const jumpToLatest = useRoom((s) => s.jumpToLatest);
  const rowProps = useRowProps();
  const storeApi = useRoomStoreApi();
  const items = useMemo(() => timelineItems(timeline, me.id), [timeline, me.id]);
  const receiptFor = (message: ChatMessage): RowReceipt => {
    // Direct messages: ticks on each of mine. Rooms and groups: each reader's avatar on the newest message they read.
    if (roomKind === 'direct') return message.author.id === me.id ? ticksReceipt(tickState(peerId ? receipts[peerId] : undefined, message.seq)) : null;
    return readerReceipts(receipts, members, timeline.messages, me.id, timeline.hasNewer).get(message.seq) ?? null;
  };
  /** Keys of messages that continue the previous one's author block (no header repeated). */
  const grouped = useMemo(() => {
    const keys = new Set<string>();
    let previous: ChatMessage | null = null;
    for (const item of items) {
      // Call entries and room event lines stand alone: the message after one shows its author again.
      if (item.type !== 'message' || item.message.call || item.message.event) {
        previous = null;
        continue;
      }
      const m = item.message;
      if (previous && previous.author.id === m.author.id && Date.parse(m.createdAt) - Date.parse(previous.createdAt) < GROUP_MS) keys.add(item.key);
      previous = m;
    }
    return keys;
  }, [items]);

  const scroller = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  const firstSeq = timeline.messages[0]?.seq;
  const outgoingCount = timeline.outgoing.length;
  /** The last known geometry, to keep the view still when a page is prepended. */
  const last = useRef({ height: 0, top: 0, firstSeq, outgoingCount });

  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const prev = last.current;
    if (firstSeq !== undefined && prev.firstSeq !== undefined && firstSeq < prev.firstSeq && prev.height > 0) {
      el.scrollTop = el.scrollHeight - prev.height + prev.top;
    } else if ((atBottom.current && !timeline.hasNewer) || outgoingCount > prev.outgoingCount) {
      el.scrollTop = el.scrollHeight; // new messages while at the bottom, or I just sent one
      atBottom.current = true;
    }
    last.current = { height: el.scrollHeight, top: el.scrollTop, firstSeq, outgoingCount };
    // Not enough history to scroll: fetch more so scrolling up can work.
    if (el.scrollHeight <= el.clientHeight && timeline.hasOlder && !loadingOlder && !olderError) void loadOlder();
  }, [items, firstSeq, outgoingCount, timeline.hasOlder, timeline.hasNewer, loadingOlder, olderError, loadOlder]);

  // Read receipts: the highest seq on screen, reported while the window is focused and visible.
  const observer = useRef<IntersectionObserver | null>(null);
  useEffect(() => {
    const root = scroller.current;
    if (!root || typeof IntersectionObserver === 'undefined') return;
    const onScreen = new Set<number>();
    const report = () => {
      if (onScreen.size === 0 || !isWindowActive()) return;
      storeApi.getState().markSeen(Math.max(...onScreen));
    };
    const io = new IntersectionObserver(
      (entries) => {
        for (const entry of entries) {
          const seq = Number((entry.target as HTMLElement).dataset.seq);
          if (!Number.isFinite(seq)) continue;
          // Mostly visible, or filling most of the view (a message taller than the view).
          const seen =
            entry.isIntersecting &&
            (entry.intersectionRatio >= 0.5 || (entry.rootBounds !== null && entry.intersectionRect.height >= entry.rootBounds.height * 0.5));
          if (seen) onScreen.add(seq);
          else onScreen.delete(seq);
        }
        report();
      },
      { root, threshold: [0, 0.5, 1] },
    );
    observer.current = io;
    const unsubscribe = subscribeWindowActive(report);
    return () => {
      unsubscribe();
      io.disconnect();
      observer.current = null;
    };
  }, [storeApi]);
  useEffect(() => {
    const io = observer.current;
    if (!io || !scroller.current) return;
    // observe() on an element already observed is a no-op.
    for (const row of scroller.current.querySelectorAll<HTMLElement>('li[data-seq]')) io.observe(row);
  }, [items]);

  function onScroll() {
    const el = scroller.current;
    if (!el) return;
    atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < STICK_PX;
    last.current = { ...last.current, height: el.scrollHeight, top: el.scrollTop };
    if (el.scrollTop < LOAD_OLDER_PX && timeline.hasOlder && !loadingOlder) void loadOlder();
    if (timeline.hasNewer && !loadingNewer && el.scrollHeight - el.scrollTop - el.clientHeight < LOAD_OLDER_PX) void loadNewer();
  }

  return (
    <div ref={scroller} onScroll={onScroll} data-testid="message-scroller" className="min-h-0 flex-1 overflow-y-auto overscroll-contain pb-2">
      <div className="flex min-h-full flex-col justify-end">
        {timeline.hasOlder ? (
          <div className="py-2 text-center text-sm">
            {loadingOlder ? (
              <span className="text-fg-subtle">Loading older messages…</span>
            ) : (
              <button type="button" onClick={() => void loadOlder()} className="text-link hover:underline">
                {olderError ? 'Could not load older messages. Try again' : 'Load older messages'}
              </button>
            )}
          </div>
        ) : items.length > 0 ? (
          <p className="py-3 text-center text-xs text-fg-subtle">The beginning of the room.</p>
        ) : null}
        {items.length === 0 ? <p className="m-auto p-6 text-center text-fg-subtle">No messages yet. Say hello!</p> : null}
        <ol aria-label="Messages" aria-live="polite" aria-relevant="additions" className="flex flex-col">
          {items.map((item) => {
            if (item.type === 'message') {
              return (
                <MessageRow
                  key={item.key}
                  message={item.message}
                  grouped={grouped.has(item.key)}
                  receipt={receiptFor(item.message)}
                  place="room"
                  {...rowProps(item.message)}
                />
              );
            }
            if (item.type === 'system') return <SystemRow key={item.key} line={item.line} />;
            return <OutgoingRow key={item.key} message={item.message} me={me.displayName} />;
          })}
        </ol>
        {timeline.hasNewer ? (
          <div className="sticky bottom-2 flex justify-center gap-2 py-2 text-sm">
            {loadingNewer ? <span className="rounded bg-surface px-2 text-fg-muted shadow">Loading newer messages…</span> : null}
            <button
              type="button"
              data-testid="jump-to-latest"
              onClick={() => void jumpToLatest()}
              className="rounded-full bg-accent px-3 py-1 font-medium text-white shadow hover:bg-accent-hover focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-focus focus-visible:ring-offset-2"
            >
              Jump to latest messages
            </button>
          </div>
        ) : null}
      </div>
    </div>
  );
}
