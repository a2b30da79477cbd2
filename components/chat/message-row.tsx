'use client';
/**
 * One stored message: author and time, the quoted message of a quote-reply, the body (Markdown) or its
 * tombstone, "(edited)", reactions, the thread under it, receipts — and a toolbar on hover or keyboard
 * focus that every message action plugs into (react, reply in thread, quote, edit, delete).
 */
import * as AlertDialog from '@radix-ui/react-alert-dialog';
import * as Popover from '@radix-ui/react-popover';
import { memo, useEffect, useRef, useState, type ComponentPropsWithRef, type KeyboardEvent, type ReactNode } from 'react';
import { callSnippet } from '@/lib/calls/describe';
import { attachmentSummary } from '@/lib/files/display';
import { plainSnippet } from '@/lib/notifications/decide';
import type { ChatMessage } from '@/lib/schemas/message';
import type { TickState } from '@/lib/stores/receipts';
import { Avatar } from '@/components/ui/avatar';
import { AttachmentList } from './attachments/attachment-list';
import { CallEntryLine } from './calls/call-entry';
import { EmojiPicker } from './emoji-picker';
import { MessageMarkdown } from './message-markdown';
import { ReactionBar } from './reactions';
import { RoomEventLine } from './room-event-line';
import { useRoom } from './room-context';

const TICK_LABEL: Record<TickState, string> = { sent: 'Sent', delivered: 'Delivered', read: 'Read' };

export function Time({ iso }: { iso: string }) {
  const date = new Date(iso);
  return (
    // The server and the browser may be in different time zones: the browser's wins.
    <time dateTime={iso} title={date.toLocaleString()} suppressHydrationWarning className="text-xs text-fg-subtle">
      {date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}
    </time>
  );
}

/** Direct rooms: ✓ stored, ✓✓ grey delivered to the peer's device, ✓✓ blue read by the peer. */
function Ticks({ state }: { state: TickState }) {
  return (
    <span
      data-testid="ticks"
      data-state={state}
      role="img"
      aria-label={TICK_LABEL[state]}
      title={TICK_LABEL[state]}
      className={`shrink-0 select-none text-xs font-semibold tracking-tighter ${state === 'read' ? 'text-sky-600' : 'text-fg-subtle'}`}
    >
      {state === 'sent' ? '✓' : '✓✓'}
    </span>
  );
}

/** Rooms: "Seen by N"; the names on hover (title) or on tap. */
function SeenBy({ names }: { names: string[] }) {
  const [open, setOpen] = useState(false);
  const list = names.join(', ');
  return (
    <div className="text-right text-xs text-fg-subtle">
      <button type="button" data-testid="seen-by" data-count={names.length} title={`Seen by ${list}`} aria-expanded={open} onClick={() => setOpen((o) => !o)} className="hover:underline">
        Seen by {names.length}
      </button>
      {open ? <span data-testid="seen-by-names">: {list}</span> : null}
    </div>
  );
}

/** How far my message got: ticks (direct rooms) or who has seen it (rooms). */
export type RowReceipt = { kind: 'ticks'; state: TickState } | { kind: 'seen'; names: string[] } | null;

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

export const MessageRow = memo(function MessageRow(props: MessageRowProps) {
  const { message, grouped, mine, receipt, place, editing, highlighted, mentionsMe } = props;
  const deleted = message.deletedAt !== null;
  const row = useRef<HTMLLIElement>(null);
  const clearHighlight = useRoom((s) => s.clearHighlight);

  useEffect(() => {
    if (!highlighted) return;
    row.current?.scrollIntoView({ block: 'center' });
    const timer = setTimeout(clearHighlight, 4_000);
    return () => clearTimeout(timer);
  }, [highlighted, clearHighlight]);

  const tone = highlighted ? 'bg-warning-soft' : mentionsMe ? 'border-l-4 border-warning-line bg-warning-soft' : 'hover:bg-surface-muted focus-within:bg-surface-muted';
  const call = deleted ? null : message.call;
  // A room event (rename, mute, ban…): one centred line, no author block, no reactions or replies.
  const event = deleted ? null : message.event;
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
      // Touch screens have no hover: a tap on the row focuses it, which shows its toolbar (focus-within).
      tabIndex={-1}
      onClick={(event) => {
        if (!(event.target as HTMLElement).closest('a, button, textarea, input, pre')) row.current?.focus({ preventScroll: true });
      }}
      data-call-outcome={call?.outcome}
      data-event-type={event?.type}
      className={`group relative px-3 transition-colors focus:outline-none sm:px-4 ${event ? 'py-0.5' : grouped && !call ? 'pt-0.5' : 'pt-2'} ${tone}`}
    >
      {call ? (
        // A call's entry: one compact line instead of author, body and files (it has none).
        <CallEntryLine message={{ ...message, call }} mine={mine} time={<Time iso={message.createdAt} />} />
      ) : null}
      {event ? <RoomEventLine message={{ ...message, event }} time={<Time iso={message.createdAt} />} /> : null}
      {call || event || grouped ? null : (
        <div className="flex items-baseline gap-2">
          <Avatar user={message.author} size="sm" className="self-center" />
          <span className={`font-medium ${mine ? 'text-link' : 'text-fg'}`}>{message.author.displayName}</span>
          <Time iso={message.createdAt} />
        </div>
      )}
      {message.replyTo && place === 'room' && !call && !event ? <Quote quoted={message.replyTo} /> : null}
      {call || event ? null : (
        <div className="flex items-end gap-2">
          <div data-testid="message-body" className="min-w-0 flex-1 break-words text-fg">
            {deleted ? (
              <p className="text-sm italic text-fg-subtle">This message was deleted.</p>
            ) : editing ? (
              <EditBox message={message} />
            ) : message.body ? (
              <MessageMarkdown
                body={message.body}
                mentionedUsernames={props.mentionedUsernames}
                meUsername={props.meUsername}
                mentionsRoom={message.mentionsRoom}
              />
            ) : null}
            {message.editedAt && !deleted && !editing ? (
              <span data-testid="edited" className="text-xs text-fg-subtle" title={`Edited ${new Date(message.editedAt).toLocaleString()}`}>
                (edited)
              </span>
            ) : null}
          </div>
          {receipt?.kind === 'ticks' ? <Ticks state={receipt.state} /> : null}
        </div>
      )}
      {!deleted && message.attachments.length > 0 ? <AttachmentList attachments={message.attachments} caption={message.author.displayName} /> : null}
      {!deleted && message.reactions.length > 0 ? <ReactionBar message={message} names={props.names} /> : null}
      {place === 'room' && message.thread ? <ThreadSummaryButton message={message} unread={props.threadUnread} /> : null}
      {receipt?.kind === 'seen' && !call && !event ? <SeenBy names={receipt.names} /> : null}
      {!deleted && !editing && (!event || props.canDelete) ? <Toolbar {...props} /> : null}
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
      className="mb-0.5 mt-1 block w-full max-w-prose truncate rounded border-l-4 border-line-strong bg-surface-muted px-2 py-0.5 text-left text-sm text-fg-muted hover:bg-surface-sunken focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-focus"
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
      className="mt-1 inline-flex items-center gap-2 rounded px-1 py-0.5 text-sm hover:bg-surface-sunken focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-focus"
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

/** Editing in place: Enter saves, Shift+Enter is a new line, Escape cancels. */
function EditBox({ message }: { message: ChatMessage }) {
  const edit = useRoom((s) => s.edit);
  const startEditing = useRoom((s) => s.startEditing);
  const [text, setText] = useState(message.body);
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const area = useRef<HTMLTextAreaElement>(null);

  useEffect(() => {
    const el = area.current;
    if (!el) return;
    el.focus();
    el.setSelectionRange(el.value.length, el.value.length);
  }, []);

  async function save() {
    if (saving) return;
    setSaving(true);
    const result = await edit(message.seq, text);
    setSaving(false);
    if (result.ok) startEditing(null);
    else setError(result.message);
  }

  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (event.key === 'Escape') {
      event.preventDefault();
      startEditing(null);
    } else if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      void save();
    }
  }

  return (
    <div className="py-1">
      <label htmlFor={`edit-${message.seq}`} className="sr-only">
        Edit message
      </label>
      <textarea
        id={`edit-${message.seq}`}
        ref={area}
        data-testid="edit-input"
        value={text}
        rows={Math.min(8, Math.max(1, text.split('\n').length))}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={onKeyDown}
        className="w-full resize-none rounded-md border border-line-strong px-3 py-2 text-sm focus:border-accent focus:outline-none focus:ring-2 focus:ring-focus/30"
      />
      <div className="mt-1 flex flex-wrap items-center gap-2 text-xs">
        <span className="text-fg-muted">Escape to cancel · Enter to save</span>
        <button type="button" onClick={() => startEditing(null)} className="rounded px-2 py-1 text-fg-muted hover:bg-surface-sunken">
          Cancel
        </button>
        <button type="button" onClick={() => void save()} disabled={saving} className="rounded bg-accent px-2 py-1 font-medium text-white hover:bg-accent-hover disabled:opacity-60">
          {saving ? 'Saving…' : 'Save'}
        </button>
        {error ? (
          <span role="alert" className="text-danger-fg">
            {error}
          </span>
        ) : null}
      </div>
    </div>
  );
}

/** A toolbar button; takes the props a Radix trigger passes (`asChild`) along. */
function ToolButton({
  label,
  testId,
  danger = false,
  children,
  ...rest
}: { label: string; testId: string; danger?: boolean; children: ReactNode } & ComponentPropsWithRef<'button'>) {
  const tone = danger ? 'text-danger-fg hover:bg-danger-soft focus-visible:ring-danger' : 'text-fg-muted hover:bg-surface-sunken hover:text-fg focus-visible:ring-focus';
  return (
    <button
      type="button"
      aria-label={label}
      title={label}
      data-testid={testId}
      {...rest}
      className={`flex h-7 min-w-7 items-center justify-center rounded px-1 focus-visible:outline-none focus-visible:ring-2 ${tone}`}
    >
      {children}
    </button>
  );
}

/**
 * The message's actions. Shown on hover and whenever focus is inside the row (keyboard users reach it with
 * Tab), always on touch screens' focus; hidden otherwise so the timeline stays calm.
 */
function Toolbar(props: MessageRowProps) {
  const { message, mine, canDelete, place } = props;
  const toggleReaction = useRoom((s) => s.toggleReaction);
  const openThread = useRoom((s) => s.openThread);
  const replyTo = useRoom((s) => s.replyTo);
  const startEditing = useRoom((s) => s.startEditing);
  const remove = useRoom((s) => s.remove);
  const [pickerOpen, setPickerOpen] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<string | null>(null);

  // A room event's line offers nothing but deleting it (moderators).
  const system = message.event !== null;
  const react = (emoji: string) => {
    setPickerOpen(false);
    void toggleReaction(message.seq, emoji).then((r) => setError(r.ok ? null : r.message));
  };

  return (
    <div
      role="toolbar"
      aria-label={`Actions for the message from ${message.author.displayName}`}
      data-testid="message-toolbar"
      className={`absolute -top-3 right-3 z-10 flex items-center gap-0.5 rounded-md border border-line bg-surface p-0.5 shadow-sm ${
        pickerOpen || confirming ? 'flex' : 'opacity-0 group-hover:opacity-100 group-focus-within:opacity-100 focus-within:opacity-100'
      }`}
    >
      {system ? null : (
        <Popover.Root open={pickerOpen} onOpenChange={setPickerOpen}>
          <Popover.Trigger asChild>
            <ToolButton label="Add reaction" testId="react-button">
              <span aria-hidden="true">☺+</span>
            </ToolButton>
          </Popover.Trigger>
          <Popover.Portal>
            <Popover.Content align="end" sideOffset={4} collisionPadding={8} className="z-50 rounded-lg shadow-lg">
              <EmojiPicker onSelect={react} onClose={() => setPickerOpen(false)} label="Choose a reaction" />
            </Popover.Content>
          </Popover.Portal>
        </Popover.Root>
      )}
      {place === 'room' && !system ? (
        <ToolButton label="Reply in thread" testId="thread-button" onClick={() => void openThread(message.seq)}>
          <span aria-hidden="true">💬</span>
        </ToolButton>
      ) : null}
      {place === 'room' && !system ? (
        <ToolButton label="Quote in reply" testId="quote-button" onClick={() => replyTo(message.seq)}>
          <span aria-hidden="true">❝</span>
        </ToolButton>
      ) : null}
      {mine && !message.call && !system ? (
        <ToolButton label="Edit" testId="edit-button" onClick={() => startEditing(message.seq)}>
          <span aria-hidden="true">✎</span>
        </ToolButton>
      ) : null}
      {canDelete ? (
        <AlertDialog.Root open={confirming} onOpenChange={setConfirming}>
          <AlertDialog.Trigger asChild>
            <ToolButton label="Delete" testId="delete-button" danger>
              <span aria-hidden="true">🗑</span>
            </ToolButton>
          </AlertDialog.Trigger>
          <AlertDialog.Portal>
            <AlertDialog.Overlay className="fixed inset-0 z-50 bg-slate-900/40" />
            <AlertDialog.Content className="fixed left-1/2 top-1/2 z-50 w-[min(24rem,calc(100vw-2rem))] -translate-x-1/2 -translate-y-1/2 rounded-lg bg-surface p-5 shadow-xl">
              <AlertDialog.Title className="text-base font-semibold text-fg">Delete this message?</AlertDialog.Title>
              <AlertDialog.Description className="mt-2 text-sm text-fg-muted">
                {mine ? 'It will be removed for everyone.' : `${message.author.displayName}'s message will be removed for everyone.`} This cannot be undone.
              </AlertDialog.Description>
              <div className="mt-4 flex justify-end gap-2">
                <AlertDialog.Cancel className="rounded-md px-3 py-1.5 text-sm text-fg-muted hover:bg-surface-sunken focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-focus">
                  Cancel
                </AlertDialog.Cancel>
                <AlertDialog.Action
                  data-testid="confirm-delete"
                  onClick={() => void remove(message.seq).then((r) => setError(r.ok ? null : r.message))}
                  className="rounded-md bg-danger px-3 py-1.5 text-sm font-medium text-white hover:bg-danger focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-danger"
                >
                  Delete
                </AlertDialog.Action>
              </div>
            </AlertDialog.Content>
          </AlertDialog.Portal>
        </AlertDialog.Root>
      ) : null}
      {error ? (
        <span role="alert" className="px-1 text-xs text-danger-fg">
          {error}
        </span>
      ) : null}
    </div>
  );
}
