'use client';
import { ArrowDownIcon, ArrowUpIcon } from '@heroicons/react/16/solid';
import { forwardRef, useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, useSyncExternalStore, type HTMLAttributes } from 'react';
import { Virtuoso, type ItemProps, type ListRange, type VirtuosoHandle } from 'react-virtuoso';
import type { ChatMessage } from '@/lib/schemas/message';
import { tickState } from '@/lib/stores/receipts';
import { inMainTimeline, timelineItems } from '@/lib/stores/timeline';
import { firstUnreadSeq, prependShift, timelineRows, type TimelineRow } from '@/lib/stores/timeline-rows';
import { useRowProps } from '../message-list';
import { MessageRow, type RowReceipt } from '../message-row';
import { OutgoingRow } from '../message-row/outgoing-row';
import { readerReceipts, ticksReceipt } from '../message-row/receipts';
import { useMe, useRoom, useRoomStoreApi } from '../room-context';
import { isWindowActive, subscribeWindowActive } from '../use-window-active';
import { LiveAnnouncer } from './live-announcer';
import { usePrependAnchor } from './use-prepend-anchor';
import { DaySeparator, SystemRow, UnreadDivider } from './rows';

/** A scroll this soon after a wheel, touch, key or pointer in the list is the person's. */
const USER_SCROLL_MS = 1_000;
/** Within this distance of the bottom counts as "at the bottom" (new messages and growing rows keep it there). */
const STICK_PX = 48;
/** Consecutive messages by one author within this window share one header. */
const GROUP_MS = 5 * 60 * 1000;
/**
 * Virtuoso's index of the first row: counts down as older pages are prepended (`firstItemIndex`), so what is
 * on screen stays put. Far from 0 so a long history never runs out.
 */
const BASE_INDEX = 1_000_000_000;
/** Opened at a message: it must stay in view this many frames running before older or newer pages load… */
const SETTLE_FRAMES = 10;
/** …or this long has passed (a message that never shows must not stop paging for good). */
const SETTLE_MAX_MS = 5_000;

/** The person's own wheel, touch, key or pointer at `intentAt` was just now: the scroll that follows is theirs. */
function justActed(intentAt: number): boolean {
  return performance.now() - intentAt < USER_SCROLL_MS;
}

function overlaps(row: DOMRect, view: DOMRect): boolean {
  return row.bottom > view.top + 1 && row.top < view.bottom - 1;
}

interface ListContext {
  hasOlder: boolean;
  loadingOlder: boolean;
  olderError: string | null;
  loadOlder: () => void;
  empty: boolean;
}

/** The list itself: one list of messages for assistive tech (the rows are `<li>`s, wrapped by Virtuoso). */
const List = forwardRef<HTMLDivElement, HTMLAttributes<HTMLDivElement>>(function List(props, ref) {
  return <div {...props} ref={ref} role="list" aria-label="Messages" />;
});

/**
 * Virtuoso's wrapper around each row. Message rows are `<li>`s already, so their wrapper is presentational;
 * separators are wrapped in an `<li>` of their own, keeping the list's children list items.
 */
function Item({ item, context: _context, ...props }: ItemProps<TimelineRow> & { context?: ListContext }) {
  if (item.type === 'day' || item.type === 'unread') return <li {...props} />;
  return <div {...props} role="none" />;
}

function Header({ context }: { context?: ListContext }) {
  if (!context) return null;
  if (context.hasOlder) {
    return (
      <div className="py-2 text-center text-sm">
        {context.loadingOlder ? (
          <span className="text-fg-subtle">Loading older messages…</span>
        ) : (
          <button type="button" onClick={context.loadOlder} className="text-link hover:underline">
            {context.olderError ? 'Could not load older messages. Try again' : 'Load older messages'}
          </button>
        )}
      </div>
    );
  }
  if (context.empty) return <p className="p-6 text-center text-fg-subtle">No messages yet. Say hello!</p>;
  return <p className="py-3 text-center text-xs text-fg-subtle">The beginning of the room.</p>;
}

function Footer() {
  return <div className="h-2" />;
}

const components = { List, Item, Header, Footer };

function rowKey(_index: number, row: TimelineRow) {
  return row.key;
}

/**
 * The timeline, virtualised (react-virtuoso): a bounded number of rows in the DOM however long the history.
 * Opens at the newest message (or at a permalink's message); older pages load on scroll-up without moving what is on screen; stays pinned to the
 * bottom while rows grow (receipts, reactions, images) if I was there.
 */
export function MessageList({ openAt }: { openAt?: number }) {
  // Client only: Virtuoso sizes and places rows with inline styles, which the CSP (style-src with a nonce)
  // blocks in server-rendered HTML; set from script after hydration they apply.
  const hydrated = useSyncExternalStore(noSubscription, isClient, isServer);
  if (!hydrated) return <div className="relative min-h-0 flex-1" data-testid="message-scroller-placeholder" />;
  return <TimelineView openAt={openAt} />;
}

const noSubscription = () => () => undefined;
const isClient = () => true;
const isServer = () => false;

function TimelineView({ openAt }: { openAt?: number }) {
  const me = useMe();
  const storeApi = useRoomStoreApi();
  // What was unread when the room opened: fixed until I leave the room.
  const [firstUnread] = useState(() => {
    const { timeline: t, room } = storeApi.getState();
    return firstUnreadSeq(t.messages, room.lastReadSeq, room.lastSeq, me.id);
  });
  // A stretch that does not join up with the one shown (a jump far back, back to the newest) is a new list,
  // opened where the jump wants it, rather than the old list scrolled through rows it never measured.
  const stretch = useRoom((s) => s.stretch);
  return <TimelineList key={stretch} openAt={stretch === 0 ? openAt : (storeApi.getState().highlightSeq ?? undefined)} firstUnread={firstUnread} />;
}

function TimelineList({ openAt, firstUnread }: { openAt?: number; firstUnread: number | null }) {
  const me = useMe();
  const storeApi = useRoomStoreApi();
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
  const jumpTo = useRoom((s) => s.jumpTo);
  const highlightSeq = useRoom((s) => s.highlightSeq);
  const rowProps = useRowProps();

  const items = useMemo(() => timelineItems(timeline, me.id), [timeline, me.id]);
  const rows = useMemo(() => timelineRows(items, firstUnread), [items, firstUnread]);

  // Prepending moves firstItemIndex down by as many rows as came in above the first message held before.
  const [indexed, setIndexed] = useState({ rows, first: BASE_INDEX });
  let firstItemIndex = indexed.first;
  if (indexed.rows !== rows) {
    const shift = prependShift(indexed.rows, rows);
    if (shift !== null) firstItemIndex = indexed.first - shift;
    setIndexed({ rows, first: firstItemIndex });
  }

  // Rooms and groups: each reader's avatar on the newest message they read (worked out once per change, not per row).
  const readers = useMemo(
    () => (roomKind === 'direct' ? null : readerReceipts(receipts, members, timeline.messages, me.id, timeline.hasNewer)),
    [roomKind, receipts, members, timeline.messages, me.id, timeline.hasNewer],
  );
  const receiptFor = (message: ChatMessage): RowReceipt => {
    // Direct messages: ticks on each of mine.
    if (roomKind === 'direct') return message.author.id === me.id ? ticksReceipt(tickState(peerId ? receipts[peerId] : undefined, message.seq)) : null;
    return readers?.get(message.seq) ?? null;
  };
  /** Keys of messages that continue the previous one's author block (no header repeated). */
  const grouped = useMemo(() => {
    const keys = new Set<string>();
    let previous: ChatMessage | null = null;
    for (const row of rows) {
      // Call entries, room event lines and separators stand alone: the message after one shows its author again.
      if (row.type !== 'message' || row.message.call || row.message.event) {
        previous = null;
        continue;
      }
      const m = row.message;
      if (previous && previous.author.id === m.author.id && Date.parse(m.createdAt) - Date.parse(previous.createdAt) < GROUP_MS) keys.add(row.key);
      previous = m;
    }
    return keys;
  }, [rows]);

  const virtuoso = useRef<VirtuosoHandle>(null);
  const [scroller, setScroller] = useState<HTMLElement | null>(null);
  const scrollerEl = useRef<HTMLElement | null>(null);
  const scrollerRef = useCallback((el: HTMLElement | Window | null) => {
    scrollerEl.current = el instanceof HTMLElement ? el : null;
    setScroller(scrollerEl.current);
  }, []);

  // Where to open: a permalink's message, else the newest message (issue 15: a room opens at its newest; what
  // was unread is marked by the divider, one "Jump to unread" away when it is above the view).
  // The bottom needs no index: alignToBottom, followOutput and the pin keep the list there.
  const [openIndex] = useState(() => (openAt !== undefined ? rows.findIndex((r) => r.key === `seq-${openAt}`) : -1));
  const opensAtBottom = openIndex < 0;

  /** I am at (or was left at) the bottom: new messages and growing rows keep me there. */
  const pinned = useRef(opensAtBottom);
  /** When the person last wheeled, touched, pressed a key or a pointer in the list (a scroll soon after is theirs). */
  const intentAt = useRef(-Infinity);
  /** Back to the bottom at my request (a button, my own message): the scroll that follows is not me leaving it. */
  const pin = useCallback(() => {
    pinned.current = true;
    intentAt.current = -Infinity;
  }, []);
  const [atBottom, setAtBottom] = useState(opensAtBottom);
  const stick = useCallback(() => {
    const el = scrollerEl.current;
    // The person's wheel or key just now: their scroll (its event not dispatched yet) must not be undone.
    if (justActed(intentAt.current)) return;
    if (el && pinned.current && !storeApi.getState().timeline.hasNewer) el.scrollTop = el.scrollHeight;
  }, [storeApi]);

  useEffect(() => {
    if (!scroller) return;
    // Only the person leaves the bottom: Virtuoso's own scrolling while it measures rows (and rows growing under
    // the view) must not unpin it, or the room opens, or stays, short of its newest message (defect 1).
    const intent = () => {
      intentAt.current = performance.now();
    };
    const onScroll = () => {
      const below = scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight;
      const bottom = below < STICK_PX;
      const mine = justActed(intentAt.current);
      if (bottom) pinned.current = true;
      else if (mine) pinned.current = false;
      // Pinned means the very bottom: Virtuoso's own end alignment leaves its header's height uncovered.
      if (pinned.current && !mine && below > 1) stick();
      setAtBottom(bottom || pinned.current);
    };
    onScroll();
    const userEvents = ['wheel', 'touchmove', 'keydown', 'pointerdown'] as const;
    for (const type of userEvents) scroller.addEventListener(type, intent, { passive: true });
    scroller.addEventListener('scroll', onScroll, { passive: true });
    // The viewport shrinking (composer grows, typing line, phone keyboard) must not uncover the bottom either.
    const resize = new ResizeObserver(stick);
    resize.observe(scroller);
    // And the content growing where Virtuoso does not report it (its header and footer, e.g. "Load older
    // messages" becoming "The beginning of the room"), which would leave the bottom short by that much.
    for (const child of scroller.children) resize.observe(child);
    return () => {
      for (const type of userEvents) scroller.removeEventListener(type, intent);
      scroller.removeEventListener('scroll', onScroll);
      resize.disconnect();
    };
  }, [scroller, stick]);

  // I sent a message: show it, wherever I was.
  const outgoingCount = timeline.outgoing.length;
  const lastOutgoing = useRef(outgoingCount);
  useLayoutEffect(() => {
    if (outgoingCount > lastOutgoing.current && !timeline.hasNewer) {
      pin();
      virtuoso.current?.scrollToIndex({ index: 'LAST', align: 'end' });
    }
    lastOutgoing.current = outgoingCount;
  }, [outgoingCount, timeline.hasNewer, pin]);

  // Older pages keep what is on screen where it is (use-prepend-anchor.ts).
  const pageOlder = usePrependAnchor({ scroller, loadOlder, firstItemIndex, intentAt });

  // Paging waits until the opening position is reached: a page prepended before then shifts the index
  // Virtuoso is still scrolling to, and the room opened mid-history, away from where it was asked to.
  const [settled, setSettled] = useState(false);
  const onListHeight = useCallback(() => {
    stick();
    if (settled || !opensAtBottom) return;
    let frames = 2;
    const wait = () => {
      if (frames-- > 0) return void requestAnimationFrame(wait);
      // Laid out now: with few messages Virtuoso's bottom alignment leaves the header's height to scroll, and
      // nothing changes size afterwards to make the pin act.
      stick();
      setSettled(true);
    };
    requestAnimationFrame(wait);
  }, [stick, settled, opensAtBottom]);
  // Opened at a message (a permalink or a jump far back): settled once that row has stayed in view a few
  // frames running (Virtuoso places by estimates first), or after a while whatever happened.
  useEffect(() => {
    if (opensAtBottom || openAt === undefined) return;
    const started = performance.now();
    let steady = 0;
    let frame = 0;
    const check = () => {
      const view = scrollerEl.current;
      const row = view?.querySelector<HTMLElement>(`li[data-seq="${openAt}"]`);
      const inView = Boolean(view && row && overlaps(row.getBoundingClientRect(), view.getBoundingClientRect()));
      steady = inView ? steady + 1 : 0;
      if (steady >= SETTLE_FRAMES || performance.now() - started > SETTLE_MAX_MS) return setSettled(true);
      frame = requestAnimationFrame(check);
    };
    frame = requestAnimationFrame(check);
    return () => cancelAnimationFrame(frame);
  }, [opensAtBottom, openAt]);
  const mayPageOlder = settled && timeline.hasOlder && !loadingOlder && !olderError;
  // Not enough history to scroll (or settled at the very top): fetch more so scrolling up can work.
  useEffect(() => {
    if (scroller && mayPageOlder && (scroller.scrollHeight <= scroller.clientHeight || scroller.scrollTop === 0)) pageOlder();
  }, [scroller, mayPageOlder, rows, pageOlder]);

  // A jump (quote, search hit, permalink): bring the message into view once it is held. Counted by `jumps`, so
  // a second jump to the message already highlighted (scrolled away since) brings it back too.
  const jumps = useRoom((s) => s.jumps);
  const shownJump = useRef<number | null>(null);
  const settleFrame = useRef(0);
  const rowsNow = useRef(rows);
  useLayoutEffect(() => {
    rowsNow.current = rows;
  }, [rows]);
  useEffect(() => {
    if (highlightSeq === null || shownJump.current === jumps) return;
    const key = `seq-${highlightSeq}`;
    const index = rows.findIndex((r) => r.key === key);
    if (index < 0) return; // not held yet (its page is on the way), or not in the timeline (a thread reply)
    shownJump.current = jumps;
    pinned.current = false;
    virtuoso.current?.scrollToIndex({ index, align: 'center' });
    // Virtuoso places by estimated heights until rows are measured (rows re-wrap when a side panel opens), and
    // a page arriving meanwhile moves the target: for a moment after, the target is brought in directly once
    // mounted, and asked for again while it is not. (Not cancelled when rows change — that is when it
    // matters — only by the next jump or unmounting.)
    cancelAnimationFrame(settleFrame.current);
    let frames = 90;
    const settle = () => {
      const view = scrollerEl.current;
      const row = view?.querySelector<HTMLElement>(`li[data-seq="${highlightSeq}"]`);
      if (view && row) {
        if (!overlaps(row.getBoundingClientRect(), view.getBoundingClientRect())) row.scrollIntoView({ block: 'center' });
      } else if (frames % 10 === 0) {
        const now = rowsNow.current.findIndex((r) => r.key === key);
        if (now >= 0) virtuoso.current?.scrollToIndex({ index: now, align: 'center' });
      }
      if (frames-- > 0) settleFrame.current = requestAnimationFrame(settle);
    };
    settleFrame.current = requestAnimationFrame(settle);
  }, [highlightSeq, jumps, rows]);
  useEffect(() => () => cancelAnimationFrame(settleFrame.current), []);

  // Read receipts: the highest seq on screen, reported while the window is focused and visible. Rows come
  // and go as one scrolls, so a MutationObserver hands each mounted row to the IntersectionObserver.
  useEffect(() => {
    if (!scroller || typeof IntersectionObserver === 'undefined') return;
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
      { root: scroller, threshold: [0, 0.5, 1] },
    );
    const observeRows = () => {
      // observe() on an element already observed is a no-op.
      for (const row of scroller.querySelectorAll<HTMLElement>('li[data-seq]')) io.observe(row);
    };
    observeRows();
    const mutations = new MutationObserver((records) => {
      for (const record of records) {
        for (const node of record.removedNodes) {
          if (!(node instanceof HTMLElement)) continue;
          for (const row of node.matches('li[data-seq]') ? [node] : node.querySelectorAll<HTMLElement>('li[data-seq]')) {
            io.unobserve(row);
            onScreen.delete(Number(row.dataset.seq));
          }
        }
      }
      observeRows();
    });
    mutations.observe(scroller, { childList: true, subtree: true });
    const unsubscribe = subscribeWindowActive(report);
    return () => {
      unsubscribe();
      mutations.disconnect();
      io.disconnect();
    };
  }, [scroller, storeApi]);

  // "Jump to unread": shown while the divider (or the first unread, not loaded yet) is above the view.
  // Virtuoso's range counts the rows rendered beyond the view too: a rendered divider is measured on screen.
  const dividerIndex = rows.findIndex((r) => r.type === 'unread');
  const range = useRef<ListRange | null>(null);
  const dividerAt = useRef({ index: dividerIndex, first: firstItemIndex });
  useLayoutEffect(() => {
    dividerAt.current = { index: dividerIndex, first: firstItemIndex };
  }, [dividerIndex, firstItemIndex]);
  const [dividerAbove, setDividerAbove] = useState(false);
  const checkDivider = useCallback(() => {
    const view = scrollerEl.current;
    if (!view) return;
    const divider = view.querySelector('[data-testid="unread-divider"]');
    const { index, first } = dividerAt.current;
    if (divider) setDividerAbove(divider.getBoundingClientRect().bottom <= view.getBoundingClientRect().top + 1);
    else setDividerAbove(index >= 0 && range.current !== null && first + index < range.current.startIndex);
  }, []);
  useEffect(() => {
    if (!scroller) return;
    scroller.addEventListener('scroll', checkDivider, { passive: true });
    return () => scroller.removeEventListener('scroll', checkDivider);
  }, [scroller, checkDivider]);
  const onRange = useCallback(
    (next: ListRange) => {
      range.current = next;
      checkDivider();
    },
    [checkDivider],
  );
  const unreadAbove = firstUnread !== null && (dividerIndex < 0 ? (timeline.messages[0]?.seq ?? 0) > firstUnread : dividerAbove);
  const jumpToUnread = () => {
    if (dividerIndex >= 0) {
      pinned.current = false;
      virtuoso.current?.scrollToIndex({ index: dividerIndex, align: 'start' });
    } else if (firstUnread !== null) {
      void jumpTo(firstUnread);
    }
  };

  // "Jump to newest, N new messages": what came in below while I was scrolled up.
  const [awaySince, setAwaySince] = useState<number | null>(null);
  const newestSeq = timeline.messages.at(-1)?.seq ?? 0;
  if (!atBottom && awaySince === null) setAwaySince(newestSeq);
  if (atBottom && awaySince !== null && !timeline.hasNewer) setAwaySince(null);
  const newBelow = useMemo(
    () =>
      awaySince === null ? 0 : timeline.messages.filter((m) => m.seq > awaySince && m.author.id !== me.id && inMainTimeline(m)).length,
    [awaySince, timeline.messages, me.id],
  );
  const showJumpToNewest = !atBottom || timeline.hasNewer;
  const jumpToNewest = () => {
    pin();
    if (timeline.hasNewer) void jumpToLatest();
    else virtuoso.current?.scrollToIndex({ index: 'LAST', align: 'end' });
  };

  const context: ListContext = {
    hasOlder: timeline.hasOlder,
    loadingOlder,
    olderError,
    loadOlder: pageOlder,
    empty: rows.length === 0,
  };

  return (
    <div className="relative min-h-0 flex-1">
      <Virtuoso<TimelineRow, ListContext>
        ref={virtuoso}
        scrollerRef={scrollerRef}
        data-testid="message-scroller"
        tabIndex={0}
        aria-label="Messages"
        // Virtuoso's own style makes the scroller `position: relative; height: 100%`: fill the box instead.
        style={{ position: 'absolute', inset: 0, height: 'auto' }}
        className="overscroll-contain focus-visible:ring-2 focus-visible:ring-inset focus-visible:ring-focus"
        data={rows}
        context={context}
        components={components}
        computeItemKey={rowKey}
        firstItemIndex={firstItemIndex}
        initialTopMostItemIndex={opensAtBottom ? undefined : { index: openIndex, align: 'center' }}
        alignToBottom
        // Rows above and below the view stay rendered, so short rooms are whole in the DOM and fast
        // scrolling rarely shows blank space; still a bounded number however long the history.
        increaseViewportBy={{ top: 800, bottom: 800 }}
        followOutput={() => (pinned.current && !storeApi.getState().timeline.hasNewer ? 'auto' : false)}
        totalListHeightChanged={onListHeight}
        startReached={() => {
          if (mayPageOlder) pageOlder();
        }}
        endReached={() => {
          if (settled && timeline.hasNewer && !loadingNewer) void loadNewer();
        }}
        atTopStateChange={(top) => {
          // Settling while already at the top (a short first page): startReached has fired and gone.
          if (top && mayPageOlder) pageOlder();
        }}
        rangeChanged={onRange}
        itemContent={(_index, row) => {
          switch (row.type) {
            case 'message':
              return (
                <MessageRow message={row.message} grouped={grouped.has(row.key)} receipt={receiptFor(row.message)} place="room" {...rowProps(row.message)} />
              );
            case 'system':
              return <SystemRow line={row.line} />;
            case 'outgoing':
              return <OutgoingRow message={row.message} me={me.displayName} />;
            case 'day':
              return <DaySeparator label={row.label} iso={row.iso} />;
            case 'unread':
              return <UnreadDivider />;
          }
        }}
      />
      {unreadAbove ? (
        <div className="pointer-events-none absolute inset-x-0 top-2 flex justify-center">
          <button
            type="button"
            data-testid="jump-to-unread"
            onClick={jumpToUnread}
            className="pointer-events-auto inline-flex min-h-9 items-center gap-1.5 rounded-full border border-line bg-surface px-3 text-sm font-medium text-fg shadow-raised hover:bg-surface-muted focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-focus"
          >
            <ArrowUpIcon aria-hidden="true" className="size-4 text-danger-fg" />
            Jump to unread
          </button>
        </div>
      ) : null}
      {showJumpToNewest ? (
        <div className="pointer-events-none absolute inset-x-0 bottom-3 flex items-center justify-end gap-2 px-3 sm:px-4">
          {loadingNewer ? <span className="rounded-control bg-surface px-2 text-sm text-fg-muted shadow-raised">Loading newer messages…</span> : null}
          <button
            type="button"
            data-testid="scroll-to-bottom"
            aria-label={newBelow > 0 ? `Jump to newest, ${newBelow} new message${newBelow === 1 ? '' : 's'}` : 'Jump to newest'}
            onClick={jumpToNewest}
            className="pointer-events-auto inline-flex min-h-touch items-center gap-1.5 rounded-full bg-accent px-4 text-sm font-medium text-white shadow-raised hover:bg-accent-hover focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-focus focus-visible:ring-offset-2"
          >
            <ArrowDownIcon aria-hidden="true" className="size-4" />
            {newBelow > 0 ? `${newBelow} new` : 'Newest'}
          </button>
        </div>
      ) : null}
      <LiveAnnouncer messages={timeline.messages} meId={me.id} live={!timeline.hasNewer} />
    </div>
  );
}
