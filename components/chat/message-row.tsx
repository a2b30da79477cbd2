'use client';
/**
 * One stored message, laid out like a chat product's row: the first message of an author block shows avatar,
 * name and time; the ones after it (same author, within minutes) are compact, their time in the gutter on hover
 * or focus. Then the quoted message of a quote-reply, the body (Markdown) or its tombstone, "(edited)", files,
 * reactions, the thread under it, receipts — and a toolbar (./message-row/toolbar.tsx) that every message action
 * plugs into, also reachable by keyboard and, on touch screens, by a long press.
 */
import { memo, useEffect, useRef, useState, type MouseEvent as ReactMouseEvent, type PointerEvent as ReactPointerEvent } from 'react';
import { callSnippet } from '@/lib/calls/describe';
import { attachmentSummary } from '@/lib/files/display';
import { plainSnippet } from '@/lib/notifications/decide';
import type { ChatMessage } from '@/lib/schemas/message';
import { Avatar } from '@/components/ui/avatar';
import { deferred } from '@/components/ui/deferred';
import { AttachmentList } from './attachments/attachment-list';
import { CallEntryLine } from './calls/call-entry';
import { MessageBody } from './message-body';
import { EditBox } from './message-row/edit-box';
import { ReadReceipts, Ticks, type RowReceipt } from './message-row/receipts';
import { Time } from './message-row/time';
import { ReactionBar } from './reactions';
import { RoomEventLine } from './room-event-line';
import { useRoom } from './room-context';

// The toolbar (and the menu, reaction picker and delete confirmation behind it) appears on hover, focus or a long
// press: it is fetched after the first paint (components/ui/deferred.tsx), not with the page.
const Toolbar = deferred(() => import('./message-row/toolbar').then((m) => m.Toolbar)).Component;

export { Time } from './message-row/time';
export type { RowReceipt } from './message-row/receipts';

export interface MessageRowProps {
  message: ChatMessage;
  grouped: boolean;
  mine: boolean;
  receipt: RowReceipt;
  /** Where the row is: the main timeline, a thread's root, or a reply in a thread. */
  place: 'room' | 'thread-root' | 'thread-reply';
  /** I may delete it (mine, or I own the room). */
  canDelete: boolean;
  editing: boolean;
  highlighted: boolean;
  /** It mentions me (or everyone), by someone else. */
  mentionsMe: boolean;
  /** Lower-cased usernames of the members it mentions (for the chips). */
  mentionedUsernames: ReadonlySet<string>;
  meUsername: string;
  /** New replies in its thread since I last read it. */
  threadUnread: boolean;
  /** Display names by user id (reactions, thread participants). */
  names: ReadonlyMap<string, string>;
}

const LONG_PRESS_MS = 500;
/** A finger that moves this far is scrolling, not pressing. */
const LONG_PRESS_SLOP_PX = 10;

/** A long press with a finger (touch screens have no hover): opens the row's actions menu. */
function useLongPress(onLongPress: () => void, enabled: boolean) {
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const origin = useRef<{ x: number; y: number } | null>(null);
  const cancel = () => {
    if (timer.current) clearTimeout(timer.current);
    timer.current = null;
  };
  useEffect(() => cancel, []);
  if (!enabled) return {};
  return {
    onPointerDown(event: ReactPointerEvent) {
      if (event.pointerType !== 'touch' || (event.target as HTMLElement).closest('a, button, textarea, input, pre, audio, video')) return;
      origin.current = { x: event.clientX, y: event.clientY };
      cancel();
      timer.current = setTimeout(() => {
        timer.current = null;
        onLongPress();
      }, LONG_PRESS_MS);
    },
    onPointerMove(event: ReactPointerEvent) {
      const start = origin.current;
      if (start && Math.hypot(event.clientX - start.x, event.clientY - start.y) > LONG_PRESS_SLOP_PX) cancel();
    },
    onPointerUp: cancel,
    onPointerCancel: cancel,
    onContextMenu(event: ReactMouseEvent) {
      // Android turns a long press into a context menu (and a text selection): ours replaces it.
      if (origin.current && (event.nativeEvent as PointerEvent).pointerType !== 'mouse') event.preventDefault();
    },
  };
}

export const MessageRow = memo(function MessageRow(props: MessageRowProps) {
  const { message, grouped, mine, receipt, place, editing, highlighted, mentionsMe } = props;
  const deleted = message.deletedAt !== null;
  const row = useRef<HTMLLIElement>(null);
  const clearHighlight = useRoom((s) => s.clearHighlight);
  const [menuOpen, setMenuOpen] = useState(false);

  useEffect(() => {
    if (!highlighted) return;
    row.current?.scrollIntoView({ block: 'center' });
    const timer = setTimeout(clearHighlight, 4_000);
    return () => clearTimeout(timer);
  }, [highlighted, clearHighlight]);

  const call = deleted ? null : message.call;
  // A room event (rename, mute, ban…): one centred line, no author block, no reactions or replies.
  const event = deleted ? null : message.event;
  const hasToolbar = !deleted && !editing && (!event || props.canDelete);
  const longPress = useLongPress(() => setMenuOpen(true), hasToolbar);

  // A mention of me: a tinted row with a bar at its edge (not colour alone); a permalink's target: the accent tint.
  const tone = highlighted
    ? 'bg-accent-soft'
    : mentionsMe
      ? 'bg-warning-soft before:absolute before:inset-y-0 before:left-0 before:w-[3px] before:bg-warning-line'
      : 'hover:bg-surface-muted focus:bg-surface-muted has-[:focus-visible]:bg-surface-muted';
  const spacing = event ? 'py-0.5' : grouped && !call ? 'py-0.5' : 'mt-1.5 pb-0.5 pt-1.5';
  const ticks = receipt?.kind === 'ticks' ? <Ticks state={receipt.state} /> : null;
  const readers = receipt?.kind === 'readers' ? <ReadReceipts users={receipt.users} label={receipt.label} /> : null;

  return (
    <li
      ref={row}
      data-testid="message"
      data-seq={message.seq}
      data-status="sent"
      data-mine={mine || undefined}
      data-deleted={deleted || undefined}
      data-mentions-me={mentionsMe || undefined}
      data-highlighted={highlighted || undefined}
      data-grouped={grouped || undefined}
      // Touch screens have no hover: a tap on the row focuses it, which shows its toolbar (focus-within).
      tabIndex={-1}
      onClick={(e) => {
        if (!(e.target as HTMLElement).closest('a, button, textarea, input, pre')) row.current?.focus({ preventScroll: true });
      }}
      {...longPress}
      data-call-outcome={call?.outcome}
      data-event-type={event?.type}
      className={`group relative flex gap-3 px-3 transition-colors focus:outline-none sm:px-4 ${spacing} ${tone}`}
    >
      {call || event ? (
        <div className="min-w-0 flex-1">
          {call ? (
            // A call's entry: one compact line instead of author, body and files (it has none).
            <CallEntryLine message={{ ...message, call }} mine={mine} time={<Time iso={message.createdAt} />} />
          ) : null}
          {event ? <RoomEventLine message={{ ...message, event }} time={<Time iso={message.createdAt} />} /> : null}
        </div>
      ) : (
        <>
          <div className="w-9 shrink-0">
            {grouped ? (
              <Time
                iso={message.createdAt}
                compact
                className="block whitespace-nowrap pt-px text-right text-[0.6875rem] leading-[1.4rem] text-fg-subtle opacity-0 group-hover:opacity-100 group-focus:opacity-100 group-has-[:focus-visible]:opacity-100"
              />
            ) : (
              <Avatar user={message.author} size="lg" className="mt-0.5" />
            )}
          </div>
          <div className="min-w-0 flex-1">
            {grouped ? null : (
              <div className="flex min-w-0 items-baseline gap-2">
                <span className="truncate text-body font-semibold text-fg">{message.author.displayName}</span>
                <Time iso={message.createdAt} />
                {ticks}
              </div>
            )}
            {message.replyTo && place === 'room' ? <Quote quoted={message.replyTo} /> : null}
            <div data-testid="message-body" className="flex min-w-0 items-end gap-1.5 break-words text-fg">
              <div className="min-w-0">
                {deleted ? (
                  <p className="text-sm italic text-fg-subtle">This message was deleted.</p>
                ) : editing ? (
                  <EditBox message={message} />
                ) : message.body ? (
                  <MessageBody body={message.body} mentionedUsernames={props.mentionedUsernames} meUsername={props.meUsername} mentionsRoom={message.mentionsRoom} />
                ) : null}
              </div>
              {message.editedAt && !deleted && !editing ? (
                <span data-testid="edited" className="shrink-0 text-xs leading-[1.4rem] text-fg-subtle" title={`Edited ${new Date(message.editedAt).toLocaleString()}`}>
                  (edited)
                </span>
              ) : null}
              {/* A continuation row has no header: its ticks sit right after its text. */}
              {grouped && ticks ? <span className="shrink-0 leading-[1.4rem]">{ticks}</span> : null}
            </div>
            {!deleted && message.attachments.length > 0 ? <AttachmentList attachments={message.attachments} caption={message.author.displayName} /> : null}
            {!deleted && message.reactions.length > 0 ? <ReactionBar message={message} names={props.names} /> : null}
            {place === 'room' && message.thread ? <ThreadSummaryButton message={message} unread={props.threadUnread} /> : null}
          </div>
        </>
      )}
      {readers ? <div className="flex shrink-0 self-end pb-0.5">{readers}</div> : null}
      {hasToolbar ? <Toolbar message={message} mine={mine} canDelete={props.canDelete} place={place} menuOpen={menuOpen} onMenuOpenChange={setMenuOpen} /> : null}
    </li>
  );
});

/** The quoted message of a quote-reply; activating it jumps to the original. */
function Quote({ quoted: asRead }: { quoted: NonNullable<ChatMessage['replyTo']> }) {
  const jumpTo = useRoom((s) => s.jumpTo);
  // The original as held now wins over the copy read with the reply: it may have been edited or deleted since.
  const held = useRoom((s) => s.timeline.messages.find((m) => m.seq === asRead.seq));
  const quoted = held ? { ...asRead, snippet: held.body, deleted: held.deletedAt !== null } : asRead;
  // A message of files only has no text to quote: say what it carried (as held, or as read with the reply).
  const call = held ? held.call : asRead.call;
  const snippet =
    plainSnippet(quoted.snippet) || (call ? callSnippet(call) : '') || attachmentSummary(held ? held.attachments : (asRead.attachments ?? []));
  return (
    <button
      type="button"
      data-testid="quote"
      onClick={() => void jumpTo(quoted.seq)}
      className="mb-1 mt-0.5 block w-full max-w-prose truncate rounded-control border-l-4 border-line-strong bg-surface-muted px-2 py-0.5 text-left text-sm text-fg-muted hover:bg-surface-sunken focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-focus"
      aria-label={`Replying to ${quoted.author.displayName}: ${quoted.deleted ? 'deleted message' : snippet}. Show the original.`}
    >
      <span className="font-medium text-fg-muted">{quoted.author.displayName}</span>{' '}
      {quoted.deleted ? <span className="italic">deleted message</span> : snippet}
    </button>
  );
}

function ThreadSummaryButton({ message, unread }: { message: ChatMessage; unread: boolean }) {
  const openThread = useRoom((s) => s.openThread);
  const thread = message.thread!;
  const replies = `${thread.replyCount} ${thread.replyCount === 1 ? 'reply' : 'replies'}`;
  return (
    <button
      type="button"
      data-testid="thread-summary"
      data-count={thread.replyCount}
      data-unread={unread || undefined}
      onClick={() => void openThread(message.seq)}
      className="-ml-1 mt-1 inline-flex min-h-8 items-center gap-2 rounded-control px-1 text-sm hover:bg-surface-sunken focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-focus"
    >
      <span className="flex -space-x-1" aria-hidden="true">
        {thread.participants.slice(0, 3).map((p) => (
          <Avatar key={p.id} user={p} size="sm" className="ring-2 ring-surface" />
        ))}
      </span>
      <span className="font-medium text-link">{replies}</span>
      {unread ? <span className="rounded bg-accent px-1 text-xs font-semibold text-white">New</span> : null}
      <span className="text-xs text-fg-subtle">
        Last reply <Time iso={thread.lastReplyAt} />
      </span>
    </button>
  );
}

