'use client';
/**
 * A message's actions: one floating toolbar (react, reply in thread, quote, edit, copy link, delete, more…)
 * shown on hover and whenever focus is inside the row, and the same actions as a menu — the toolbar's "More"
 * button, or a long press on touch screens (the row opens it). The toolbar is one tab stop; the arrow keys move
 * between its buttons (WAI-ARIA toolbar pattern).
 */
import * as AlertDialog from '@radix-ui/react-alert-dialog';
import * as DropdownMenu from '@radix-ui/react-dropdown-menu';
import * as Popover from '@radix-ui/react-popover';
import {
  ArrowUturnLeftIcon,
  ChatBubbleLeftRightIcon,
  EllipsisHorizontalIcon,
  FaceSmileIcon,
  LinkIcon,
  PencilSquareIcon,
  TrashIcon,
} from '@heroicons/react/20/solid';
import dynamic from 'next/dynamic';
import { useEffect, useRef, useState, type ComponentPropsWithRef, type ComponentType, type KeyboardEvent, type SVGProps } from 'react';
import type { ChatMessage } from '@/lib/schemas/message';
import { MenuContent } from '@/components/ui/menu';
import { Tooltip } from '@/components/ui/tooltip';
import { useRoom } from '../room-context';

// The picker (its grid, search and keyboard handling) is fetched when first opened; its data already was.
const EmojiPicker = dynamic(() => import('../emoji-picker').then((m) => m.EmojiPicker), { ssr: false });

type Icon = ComponentType<SVGProps<SVGSVGElement>>;

/** The link that opens the room at this message (the permalink the room view understands). */
export function messageLink(origin: string, roomId: string, seq: number): string {
  return `${origin}/rooms/${roomId}?seq=${seq}`;
}

/** A toolbar button with its tooltip; takes the props a Radix trigger passes (`asChild`) along. */
function ToolButton({ label, testId, icon: IconComponent, danger = false, ...rest }: { label: string; testId: string; icon: Icon; danger?: boolean } & ComponentPropsWithRef<'button'>) {
  const tone = danger ? 'text-danger-fg hover:bg-danger-soft' : 'text-fg-muted hover:bg-surface-sunken hover:text-fg';
  return (
    <Tooltip label={label} side="top">
      <button
        type="button"
        aria-label={label}
        data-testid={testId}
        data-tool=""
        {...rest}
        // 44 px on phones (fingers), compact where there is a pointer and room.
        className={`flex size-11 items-center justify-center rounded-control focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-focus sm:size-8 ${tone}`}
      >
        <IconComponent className="size-5 sm:size-[1.125rem]" aria-hidden="true" />
      </button>
    </Tooltip>
  );
}

export interface ToolbarProps {
  message: ChatMessage;
  mine: boolean;
  canDelete: boolean;
  place: 'room' | 'thread-root' | 'thread-reply';
  /** The actions menu (More, or a long press): owned by the row so a long press anywhere on it can open it. */
  menuOpen: boolean;
  onMenuOpenChange(open: boolean): void;
}

export function Toolbar({ message, mine, canDelete, place, menuOpen, onMenuOpenChange }: ToolbarProps) {
  const toggleReaction = useRoom((s) => s.toggleReaction);
  const openThread = useRoom((s) => s.openThread);
  const replyTo = useRoom((s) => s.replyTo);
  const startEditing = useRoom((s) => s.startEditing);
  const remove = useRoom((s) => s.remove);
  const roomId = useRoom((s) => s.room.id);
  const [pickerOpen, setPickerOpen] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [active, setActive] = useState(0);
  const bar = useRef<HTMLDivElement>(null);
  /**
   * What a menu item asked for, run once the menu has closed: whatever takes focus (picker, dialog, edit box,
   * composer) must do so after the menu has handed focus back, or the menu's focus return undoes it.
   */
  const pending = useRef<(() => void) | null>(null);
  const later = (action: () => void) => {
    pending.current = action;
  };

  useEffect(() => {
    if (!notice) return;
    const timer = setTimeout(() => setNotice(null), 2_500);
    return () => clearTimeout(timer);
  }, [notice]);

  // A room event's line offers nothing but deleting it (moderators).
  const system = message.event !== null;
  const canReact = !system;
  const canThread = place === 'room' && !system;
  const canQuote = place === 'room' && !system;
  const canEdit = mine && !message.call && !system;
  // A thread reply's permalink would open the room, not the thread: only rows of the room get one.
  const canLink = place !== 'thread-reply';

  const react = (emoji: string) => {
    setPickerOpen(false);
    void toggleReaction(message.seq, emoji).then((r) => setError(r.ok ? null : r.message));
  };
  const copyLink = async () => {
    try {
      await navigator.clipboard.writeText(messageLink(location.origin, roomId, message.seq));
      setNotice('Link copied');
    } catch {
      setNotice('Could not copy the link');
    }
  };

  /** Roving focus: arrows, Home and End move between the buttons; the last one focused is the tab stop. */
  function onKeyDown(event: KeyboardEvent<HTMLDivElement>) {
    const buttons = [...(bar.current?.querySelectorAll<HTMLButtonElement>('button[data-tool]') ?? [])].filter((b) => b.getClientRects().length > 0); // not the ones hidden on phones
    const at = buttons.indexOf(document.activeElement as HTMLButtonElement);
    if (at < 0) return;
    const next =
      event.key === 'ArrowRight' ? (at + 1) % buttons.length : event.key === 'ArrowLeft' ? (at - 1 + buttons.length) % buttons.length : event.key === 'Home' ? 0 : event.key === 'End' ? buttons.length - 1 : -1;
    if (next < 0) return;
    event.preventDefault();
    buttons[next]?.focus();
  }
  let index = 0;
  /** Props that make button number `i` part of the roving tab stop. */
  const rove = () => {
    const i = index++;
    return { tabIndex: i === active ? 0 : -1, onFocus: () => setActive(i) };
  };

  // Visible on hover, when the row itself has focus (a tap), or with keyboard focus inside it — not for the
  // focus a mouse click leaves behind (two toolbars at once). Open popups keep it shown.
  const keepOpen = pickerOpen || confirming || menuOpen || notice !== null || error !== null;
  const itemClass =
    'flex min-h-touch cursor-default select-none items-center gap-3 rounded-control px-3 text-sm text-fg outline-none data-[highlighted]:bg-surface-sunken sm:min-h-9';

  return (
    <div
      ref={bar}
      role="toolbar"
      aria-label={`Actions for the message from ${message.author.displayName}`}
      data-testid="message-toolbar"
      data-open={keepOpen || undefined}
      onKeyDown={onKeyDown}
      className={`absolute -top-5 right-2 z-10 flex items-center gap-0.5 rounded-card border border-line bg-surface p-0.5 shadow-raised transition-opacity sm:right-4 ${
        keepOpen ? 'opacity-100' : 'pointer-events-none opacity-0 group-hover:pointer-events-auto group-hover:opacity-100 group-focus:pointer-events-auto group-focus:opacity-100 group-has-[:focus-visible]:pointer-events-auto group-has-[:focus-visible]:opacity-100'
      }`}
    >
      {canReact ? (
        <Popover.Root open={pickerOpen} onOpenChange={setPickerOpen}>
          <Popover.Trigger asChild>
            <ToolButton label="Add reaction" testId="react-button" icon={FaceSmileIcon} {...rove()} />
          </Popover.Trigger>
          <Popover.Portal>
            <Popover.Content aria-label="Choose a reaction" align="end" sideOffset={4} collisionPadding={8} className="z-50 rounded-card shadow-overlay">
              <EmojiPicker onSelect={react} onClose={() => setPickerOpen(false)} label="Choose a reaction" />
            </Popover.Content>
          </Popover.Portal>
        </Popover.Root>
      ) : null}
      {canThread ? <ToolButton label="Reply in thread" testId="thread-button" icon={ChatBubbleLeftRightIcon} onClick={() => void openThread(message.seq)} {...rove()} /> : null}
      {canQuote ? <ToolButton label="Quote in reply" testId="quote-button" icon={ArrowUturnLeftIcon} onClick={() => replyTo(message.seq)} {...rove()} /> : null}
      {canEdit ? <ToolButton label="Edit" testId="edit-button" icon={PencilSquareIcon} onClick={() => startEditing(message.seq)} {...rove()} /> : null}
      {canLink && !system ? (
        // On phones it lives in the More menu: six 44 px buttons are as wide as the toolbar may get.
        <span className="hidden sm:contents">
          <ToolButton label="Copy link" testId="copy-link-button" icon={LinkIcon} onClick={() => void copyLink()} {...rove()} />
        </span>
      ) : null}
      {canDelete ? (
        <AlertDialog.Root open={confirming} onOpenChange={setConfirming}>
          <AlertDialog.Trigger asChild>
            <ToolButton label="Delete" testId="delete-button" icon={TrashIcon} danger {...rove()} />
          </AlertDialog.Trigger>
          <AlertDialog.Portal>
            <AlertDialog.Overlay className="fixed inset-0 z-50 bg-slate-900/40" />
            <AlertDialog.Content className="fixed left-1/2 top-1/2 z-50 w-[min(24rem,calc(100vw-2rem))] -translate-x-1/2 -translate-y-1/2 rounded-card bg-surface p-5 shadow-overlay">
              <AlertDialog.Title className="text-base font-semibold text-fg">Delete this message?</AlertDialog.Title>
              <AlertDialog.Description className="mt-2 text-sm text-fg-muted">
                {mine ? 'It will be removed for everyone.' : `${message.author.displayName}'s message will be removed for everyone.`} This cannot be undone.
              </AlertDialog.Description>
              <div className="mt-4 flex justify-end gap-2">
                <AlertDialog.Cancel className="min-h-touch rounded-control px-3 text-sm text-fg-muted hover:bg-surface-sunken focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-focus sm:min-h-9">
                  Cancel
                </AlertDialog.Cancel>
                <AlertDialog.Action
                  data-testid="confirm-delete"
                  onClick={() => void remove(message.seq).then((r) => setError(r.ok ? null : r.message))}
                  className="min-h-touch rounded-control bg-danger px-3 text-sm font-medium text-white hover:bg-danger-hover focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-focus focus-visible:ring-offset-2 sm:min-h-9"
                >
                  Delete
                </AlertDialog.Action>
              </div>
            </AlertDialog.Content>
          </AlertDialog.Portal>
        </AlertDialog.Root>
      ) : null}
      <DropdownMenu.Root open={menuOpen} onOpenChange={onMenuOpenChange} modal>
        <DropdownMenu.Trigger asChild>
          <ToolButton label="More actions" testId="more-button" icon={EllipsisHorizontalIcon} {...rove()} />
        </DropdownMenu.Trigger>
          <MenuContent
            data-testid="message-menu"
            onCloseAutoFocus={(event) => {
              const next = pending.current;
              pending.current = null;
              if (!next) return;
              event.preventDefault();
              next();
            }}
          >
            {canReact ? (
              <DropdownMenu.Item className={itemClass} onSelect={() => later(() => setPickerOpen(true))}>
                <FaceSmileIcon className="size-5 text-fg-muted" aria-hidden="true" /> Add reaction
              </DropdownMenu.Item>
            ) : null}
            {canThread ? (
              <DropdownMenu.Item className={itemClass} onSelect={() => later(() => void openThread(message.seq))}>
                <ChatBubbleLeftRightIcon className="size-5 text-fg-muted" aria-hidden="true" /> Reply in thread
              </DropdownMenu.Item>
            ) : null}
            {canQuote ? (
              <DropdownMenu.Item className={itemClass} onSelect={() => later(() => replyTo(message.seq))}>
                <ArrowUturnLeftIcon className="size-5 text-fg-muted" aria-hidden="true" /> Quote in reply
              </DropdownMenu.Item>
            ) : null}
            {canEdit ? (
              <DropdownMenu.Item className={itemClass} onSelect={() => later(() => startEditing(message.seq))}>
                <PencilSquareIcon className="size-5 text-fg-muted" aria-hidden="true" /> Edit
              </DropdownMenu.Item>
            ) : null}
            {canLink && !system ? (
              <DropdownMenu.Item className={itemClass} onSelect={() => void copyLink()}>
                <LinkIcon className="size-5 text-fg-muted" aria-hidden="true" /> Copy link
              </DropdownMenu.Item>
            ) : null}
            {canDelete ? (
              <>
                <DropdownMenu.Separator className="my-1 h-px bg-line" />
                <DropdownMenu.Item className={`${itemClass} text-danger-fg data-[highlighted]:bg-danger-soft`} onSelect={() => later(() => setConfirming(true))}>
                  <TrashIcon className="size-5" aria-hidden="true" /> Delete
                </DropdownMenu.Item>
              </>
            ) : null}
          </MenuContent>
      </DropdownMenu.Root>
      {/* Always present, so the confirmation is announced; visible only while it has something to say. */}
      <span role="status" data-testid="toolbar-notice" className={notice ? 'whitespace-nowrap px-2 text-xs font-medium text-success-fg' : 'sr-only'}>
        {notice}
      </span>
      {error ? (
        <span role="alert" className="px-1 text-xs text-danger-fg">
          {error}
        </span>
      ) : null}
    </div>
  );
}
