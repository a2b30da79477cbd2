'use client';
import { PaperAirplaneIcon, PaperClipIcon } from '@heroicons/react/20/solid';
import {
  useEffect,
  useId,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
  type ClipboardEvent,
  type FormEvent,
  type KeyboardEvent,
  type ReactNode,
} from 'react';
import { insertMention, matchMentions, mentionQueryAt, optionName, type MentionOption } from '@/lib/mentions/autocomplete';
import { MAX_ATTACHMENTS_PER_MESSAGE } from '@/lib/schemas/limits';
import type { Attachment } from '@/lib/schemas/attachment';
import { MESSAGE_MAX_CHARS, charCount } from '@/lib/schemas/limits';
import type { PublicUser } from '@/lib/schemas/user';
import { deferred } from '@/components/ui/deferred';
import { filesFromTransfer, uploadsStore, useTray } from './attachments/uploads';
import { MicButton, RecordingBar, useVoiceRecorder } from './attachments/voice-recorder';
import { useNotificationPermission } from './notification-permission';

// The tray of files being sent shows once something is attached: fetched after the first paint (ui/deferred.tsx).
const UploadTray = deferred(() => import('./attachments/upload-tray').then((m) => m.UploadTray)).Component;

const MAX_TEXTAREA_PX = 200;

export interface ComposerProps {
  /** Sends (with the tray's uploaded files, in order); returns a validation error to show, or null. */
  onSend(body: string, attachments: Attachment[]): string | null;
  /**
   * Files: the room to upload into and the tray (lib/stores/uploads.ts) this composer fills from its
   * paperclip, the microphone, pastes, and drops on the area around it. Without it, text only.
   */
  files?: { roomId: string; trayKey: string };
  onTyping?(text: string): void;
  /** The room is not live: nothing can be typed or sent. */
  disabled?: boolean;
  /** "Message #general" / "Reply in thread". */
  placeholder: string;
  /** Accessible name of the textarea. */
  label: string;
  /** Room members, for @-autocomplete. */
  members: PublicUser[];
  meId: string;
  /** `@room` / `@here` are offered (the room lets me notify everyone). Default true. */
  canMentionRoom?: boolean;
  /** Up arrow in an empty composer: edit my last message. Return true if it took the key. */
  onEditLast?(): boolean;
  /** Quote-reply in progress: shown as a chip above the input with a cancel (×) button; Escape cancels too. */
  replyingTo?: { authorName: string; snippet: string } | null;
  onCancelReply?(): void;
  /** Extra control under the input (the thread panel's "Also send to room" checkbox). */
  footer?: ReactNode;
  autoFocus?: boolean;
}

/**
 * The message input of a timeline or a thread: Enter sends, Shift+Enter is a new line; counts characters
 * against the limit and refuses empty or too long; reports typing; `@` opens an autocomplete of the
 * room's members (↑/↓, Enter or Tab inserts, Escape closes).
 *
 * The textarea keeps its textbox role (a textarea may have no other) and carries the combobox parts that
 * a textbox may: aria-autocomplete, aria-haspopup, aria-controls and aria-activedescendant; aria-expanded
 * is not allowed on a textbox, so the open list is announced through a live region instead.
 */
export function Composer({
  onSend,
  onTyping,
  disabled = false,
  placeholder,
  label,
  members,
  meId,
  canMentionRoom = true,
  onEditLast,
  replyingTo = null,
  onCancelReply,
  footer,
  autoFocus = false,
  files,
}: ComposerProps) {
  const [text, setText] = useState('');
  const [caret, setCaret] = useState(0);
  const [focused, setFocused] = useState(false);
  const [error, setError] = useState<string | null>(null);
  /** The "@" whose list Escape closed: it stays closed until the caret leaves that word. */
  const [dismissedAt, setDismissedAt] = useState<number | null>(null);
  const [selection, setSelection] = useState({ key: '', index: 0 });
  const area = useRef<HTMLTextAreaElement>(null);
  const pendingCaret = useRef<number | null>(null);
  const baseId = useId();
  const counterId = `${baseId}-counter`;
  const listId = `${baseId}-mentions`;
  const optionId = (index: number) => `${baseId}-mention-${index}`;

  const count = charCount(text);
  const over = count > MESSAGE_MAX_CHARS;
  const empty = text.trim().length === 0;
  const near = count > MESSAGE_MAX_CHARS * 0.9;

  const tray = useTray(files?.trayKey);
  const pending = tray?.items ?? [];
  const uploaded = pending.filter((item) => item.status === 'done' && item.attachment).length;
  const blocked = pending.some((item) => item.status === 'failed' || item.status === 'refused');
  const filesReady = pending.length > 0 && uploaded === pending.length;
  const fileInput = useRef<HTMLInputElement>(null);
  const recorder = useVoiceRecorder((recording) => {
    if (files) uploadsStore().getState().add(files.trayKey, files.roomId, [recording]);
    area.current?.focus();
  });
  const recording = recorder.state !== 'idle';
  const canSend = !disabled && !over && !recording && (pending.length > 0 ? filesReady : !empty);

  const query = useMemo(() => mentionQueryAt(text, caret), [text, caret]);
  const options = useMemo(
    () => (query && query.start !== dismissedAt ? matchMentions(members, query.query, { meId, includeRoom: canMentionRoom }) : []),
    [query, dismissedAt, members, meId, canMentionRoom],
  );
  const open = focused && !disabled && options.length > 0;
  const queryKey = query ? `${query.start}:${query.query}` : '';
  // A new word or new letters start again from the best match.
  const active = selection.key === queryKey ? Math.min(selection.index, options.length - 1) : 0;

  useLayoutEffect(() => {
    // After React wrote a new value, put the caret where the edit meant it (a value change moves it to the end).
    const el = area.current;
    if (el && pendingCaret.current !== null) {
      el.setSelectionRange(pendingCaret.current, pendingCaret.current);
      pendingCaret.current = null;
    }
  });

  useEffect(() => {
    if (autoFocus) area.current?.focus();
  }, [autoFocus]);

  const activeOptionId = open ? optionId(active) : undefined;
  useEffect(() => {
    if (activeOptionId) document.getElementById(activeOptionId)?.scrollIntoView({ block: 'nearest' });
  }, [activeOptionId]);

  function resize() {
    const el = area.current;
    if (!el) return;
    el.style.height = 'auto';
    el.style.height = `${Math.min(el.scrollHeight, MAX_TEXTAREA_PX)}px`;
  }

  /** The caret moved or the text changed: a closed list reopens once the caret is in another word. */
  function track(nextText: string, nextCaret: number) {
    setCaret(nextCaret);
    if (dismissedAt !== null && mentionQueryAt(nextText, nextCaret)?.start !== dismissedAt) setDismissedAt(null);
  }

  function choose(option: MentionOption) {
    if (!query) return;
    const next = insertMention(text, query, optionName(option));
    setText(next.text);
    onTyping?.(next.text);
    pendingCaret.current = next.caret;
    track(next.text, next.caret);
    area.current?.focus();
    requestAnimationFrame(resize);
  }

  function addFiles(list: File[]) {
    if (!files || list.length === 0) return;
    uploadsStore().getState().add(files.trayKey, files.roomId, list);
  }

  function onPaste(event: ClipboardEvent<HTMLTextAreaElement>) {
    if (!files) return;
    const pasted = filesFromTransfer(event.clipboardData);
    if (pasted.length === 0) return;
    // A screenshot or copied files: they go to the tray, not as text into the box.
    event.preventDefault();
    addFiles(pasted);
  }

  function submit() {
    if (!canSend) return;
    const attachments = files && pending.length > 0 ? uploadsStore().getState().ready(files.trayKey) : [];
    if (attachments === null) return;
    const problem = onSend(text, attachments);
    if (problem) {
      setError(problem);
      return;
    }
    if (files && attachments.length > 0) uploadsStore().getState().clear(files.trayKey);
    setText('');
    track('', 0);
    setError(null);
    // Having sent a message here is when offering notifications makes sense (the sidebar asks).
    useNotificationPermission.getState().markEligible();
    requestAnimationFrame(resize);
  }

  function move(by: number) {
    setSelection({ key: queryKey, index: (active + by + options.length) % options.length });
  }

  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (event.nativeEvent.isComposing) return;
    if (open) {
      if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
        event.preventDefault();
        move(event.key === 'ArrowDown' ? 1 : -1);
        return;
      }
      if ((event.key === 'Enter' || event.key === 'Tab') && !event.shiftKey && !event.altKey && !event.ctrlKey && !event.metaKey) {
        event.preventDefault();
        choose(options[active]!);
        return;
      }
      if (event.key === 'Escape') {
        // Closes the list only: not the reply, not a panel around us.
        event.preventDefault();
        event.stopPropagation();
        setDismissedAt(query!.start);
        return;
      }
    }
    if (event.key === 'Escape' && replyingTo && onCancelReply) {
      event.preventDefault();
      event.stopPropagation();
      onCancelReply();
      return;
    }
    if (event.key === 'ArrowUp' && text === '' && onEditLast && !event.shiftKey && !event.altKey && !event.ctrlKey && !event.metaKey) {
      if (onEditLast()) event.preventDefault();
      return;
    }
    if (event.key === 'Enter' && !event.shiftKey) {
      event.preventDefault();
      submit();
    }
  }

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    submit();
  }

  return (
    <form onSubmit={onSubmit} className="border-t border-line bg-surface p-2 sm:p-3">
      {replyingTo ? (
        <div data-testid="composer-reply" className="mb-2 flex items-center gap-2 rounded-md border-l-4 border-accent bg-surface-muted py-1 pl-2 pr-1 text-sm">
          <p className="min-w-0 flex-1 truncate text-fg-muted">
            <span className="font-medium">Replying to {replyingTo.authorName}</span>
            {replyingTo.snippet ? <span className="text-fg-muted">: {replyingTo.snippet}</span> : null}
          </p>
          {onCancelReply ? (
            <button
              type="button"
              onClick={() => {
                onCancelReply();
                area.current?.focus();
              }}
              aria-label={`Cancel reply to ${replyingTo.authorName}`}
              className="shrink-0 rounded px-1.5 text-lg leading-none text-fg-muted hover:bg-surface-strong"
            >
              <span aria-hidden="true">×</span>
            </button>
          ) : null}
        </div>
      ) : null}
      {files && tray ? <UploadTray trayKey={files.trayKey} tray={tray} /> : null}
      <div className="flex items-end gap-1 sm:gap-2">
        {files ? (
          <>
            <input
              ref={fileInput}
              type="file"
              multiple
              tabIndex={-1}
              aria-hidden="true"
              data-testid="file-input"
              className="hidden"
              onChange={(event) => {
                addFiles([...(event.target.files ?? [])]);
                event.target.value = '';
                area.current?.focus();
              }}
            />
            <button
              type="button"
              onClick={() => fileInput.current?.click()}
              disabled={disabled || recording || pending.length >= MAX_ATTACHMENTS_PER_MESSAGE}
              aria-label="Attach files"
              title={pending.length >= MAX_ATTACHMENTS_PER_MESSAGE ? `At most ${MAX_ATTACHMENTS_PER_MESSAGE} files per message` : 'Attach files (or paste, or drop them here)'}
              data-testid="attach-files"
              className="flex size-10 shrink-0 items-center justify-center rounded-md text-fg-muted hover:bg-surface-sunken hover:text-fg focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-focus disabled:opacity-50"
            >
              <PaperClipIcon aria-hidden="true" className="size-5" />
            </button>
          </>
        ) : null}
        <RecordingBar recorder={recorder} />
        <div className={`relative min-w-0 flex-1 ${recording ? 'hidden' : ''}`}>
          {open ? (
            <ul
              id={listId}
              role="listbox"
              aria-label="People to mention"
              data-testid="mention-options"
              className="absolute bottom-full left-0 z-20 mb-1 max-h-64 w-full max-w-sm overflow-y-auto rounded-md border border-line bg-surface py-1 shadow-lg"
            >
              {options.map((option, index) => (
                <li
                  key={option.kind === 'user' ? option.user.id : option.keyword}
                  id={optionId(index)}
                  role="option"
                  aria-selected={index === active}
                  data-testid="mention-option"
                  // Keeps focus (and the caret) in the textarea.
                  onMouseDown={(e) => e.preventDefault()}
                  onMouseMove={() => index !== active && setSelection({ key: queryKey, index })}
                  onClick={() => choose(option)}
                  className={`flex cursor-pointer items-baseline gap-2 px-3 py-1.5 text-sm ${index === active ? 'bg-accent-soft-strong' : ''}`}
                >
                  {option.kind === 'user' ? (
                    <>
                      <span className="truncate font-medium text-fg">{option.user.displayName}</span>
                      <span className="shrink-0 text-fg-muted">@{option.user.username}</span>
                    </>
                  ) : (
                    <>
                      <span className="font-medium text-fg">@{option.keyword}</span>
                      <span className="truncate text-fg-muted">Notify everyone in this room</span>
                    </>
                  )}
                </li>
              ))}
            </ul>
          ) : null}
          <textarea
            ref={area}
            value={text}
            onChange={(e) => {
              setText(e.target.value);
              track(e.target.value, e.target.selectionStart);
              onTyping?.(e.target.value);
              if (error) setError(null);
              if (recorder.problem) recorder.clearProblem();
              resize();
            }}
            onSelect={(e) => track(e.currentTarget.value, e.currentTarget.selectionStart)}
            onFocus={() => setFocused(true)}
            onBlur={() => setFocused(false)}
            onKeyDown={onKeyDown}
            onPaste={onPaste}
            rows={1}
            disabled={disabled}
            aria-label={label}
            aria-invalid={over || undefined}
            aria-describedby={counterId}
            aria-autocomplete="list"
            aria-haspopup="listbox"
            aria-controls={open ? listId : undefined}
            aria-activedescendant={activeOptionId}
            placeholder={pending.length > 0 ? 'Add a caption…' : placeholder}
            className={`block min-h-10 w-full resize-none rounded-md border px-3 py-2 text-fg outline-none placeholder:truncate focus:ring-2 focus:ring-focus disabled:bg-surface-sunken ${
              over ? 'border-danger' : 'border-line-strong'
            }`}
          />
        </div>
        {files ? <MicButton recorder={recorder} disabled={disabled || pending.length >= MAX_ATTACHMENTS_PER_MESSAGE} /> : null}
        <button
          type="submit"
          disabled={!canSend}
          aria-describedby={pending.length > 0 && !filesReady ? `${baseId}-files` : undefined}
          className="flex h-10 shrink-0 items-center justify-center rounded-md bg-accent px-3 font-medium text-white hover:bg-accent-hover focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-focus focus-visible:ring-offset-2 disabled:opacity-50 sm:px-4"
        >
          {/* Phones: an icon, so the text box keeps its width beside the paperclip and the microphone. */}
          <PaperAirplaneIcon aria-hidden="true" className={`size-5 ${files ? 'sm:hidden' : 'hidden'}`} />
          <span className={files ? 'sr-only sm:not-sr-only' : ''}>Send</span>
        </button>
      </div>
      {pending.length > 0 ? (
        <p id={`${baseId}-files`} role="status" data-testid="tray-status" className="sr-only">
          {blocked
            ? 'Some files could not be uploaded: retry or remove them to send.'
            : filesReady
              ? `${pending.length === 1 ? '1 file' : `${pending.length} files`} ready to send.`
              : `Uploading ${pending.length - uploaded} of ${pending.length} ${pending.length === 1 ? 'file' : 'files'}…`}
        </p>
      ) : null}
      <p aria-live="polite" className="sr-only">
        {open ? `${options.length} ${options.length === 1 ? 'person' : 'people'} to mention. Up and down to choose, Enter to insert.` : ''}
      </p>
      {footer ? <div className="mt-1 px-1 text-sm">{footer}</div> : null}
      <div className="mt-1 flex items-center justify-between gap-2 px-1 text-xs">
        <span className="hidden text-fg-subtle sm:inline">Enter to send · Shift+Enter for a new line · @ to mention</span>
        {error ? (
          <span role="alert" className="text-danger-fg">
            {error}
          </span>
        ) : recorder.problem ? (
          <span role="alert" data-testid="recorder-problem" className="text-danger-fg">
            {recorder.problem}
          </span>
        ) : over ? (
          <span role="alert" className="text-danger-fg">
            Too long: {count - MESSAGE_MAX_CHARS} over the limit.
          </span>
        ) : null}
        <span id={counterId} data-testid="char-counter" className={`ml-auto tabular-nums ${over ? 'font-semibold text-danger-fg' : near ? 'text-warning-fg' : 'text-fg-subtle'}`}>
          {count}/{MESSAGE_MAX_CHARS}
        </span>
      </div>
    </form>
  );
}
