'use client';
/** Pieces the admin tabs share: confirmations, badges, a copyable one-time secret, times, search, paging. */
import * as AlertDialog from '@radix-ui/react-alert-dialog';
import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
import { ApiError } from '@/lib/api-client';

export const messageOf = (caught: unknown, fallback: string) => (caught instanceof ApiError ? caught.message : fallback);

/**
 * A tab's acts, one at a time, with the error or notice line they leave. Buttons are never disabled while an
 * act runs (a disabled button drops keyboard focus): a second act while one runs is ignored.
 */
export function useOneActAtATime() {
  const running = useRef(false);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  async function act(work: () => Promise<void>): Promise<void> {
    if (running.current) return;
    running.current = true;
    setError(null);
    setNotice(null);
    try {
      await work();
    } catch (caught) {
      setError(messageOf(caught, 'That did not work. Try again.'));
    } finally {
      running.current = false;
    }
  }
  return { act, error, notice, setNotice };
}

export const buttonClass =
  'inline-flex items-center justify-center whitespace-nowrap rounded-md border border-line-strong bg-surface px-3 py-1.5 text-sm font-medium text-fg-muted hover:bg-surface-muted focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-focus disabled:opacity-60';
export const dangerButtonClass =
  'inline-flex items-center justify-center whitespace-nowrap rounded-md bg-danger px-3 py-1.5 text-sm font-medium text-white hover:bg-danger-hover focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-danger focus-visible:ring-offset-1 disabled:opacity-60';
/** A destructive act's trigger: quiet in a list; the confirmation's button is the red one. */
export const dangerOutlineButtonClass =
  'inline-flex items-center justify-center whitespace-nowrap rounded-md border border-danger-line bg-surface px-3 py-1.5 text-sm font-medium text-danger-fg hover:bg-danger-soft focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-danger disabled:opacity-60';
export const primaryButtonClass =
  'inline-flex items-center justify-center whitespace-nowrap rounded-md bg-accent px-3 py-1.5 text-sm font-medium text-white hover:bg-accent-hover focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-focus focus-visible:ring-offset-1 disabled:opacity-60';
export const inputClass =
  'w-full rounded-md border border-line-strong bg-surface px-3 py-2 text-fg shadow-sm outline-none focus:ring-2 focus:ring-focus';

/** Dates as this browser's locale and time zone write them (the data loads in the browser: no hydration mismatch). */
export function DateTime({ iso, className = '' }: { iso: string; className?: string }) {
  const date = new Date(iso);
  return (
    <time dateTime={iso} title={date.toLocaleString()} className={className}>
      {date.toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' })}
    </time>
  );
}

const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
export function ago(iso: string): string {
  const seconds = Math.round((new Date(iso).getTime() - Date.now()) / 1000);
  const steps: [Intl.RelativeTimeFormatUnit, number][] = [['year', 31_536_000], ['month', 2_592_000], ['day', 86_400], ['hour', 3_600], ['minute', 60]];
  for (const [unit, size] of steps) if (Math.abs(seconds) >= size) return relative.format(Math.round(seconds / size), unit);
  return 'just now';
}

const BADGE_TONES = {
  neutral: 'bg-surface-sunken text-fg-muted',
  brand: 'bg-accent-soft text-link',
  danger: 'bg-danger-soft text-danger-fg',
  warning: 'bg-warning-soft text-warning-fg',
  success: 'bg-success-soft text-success-fg',
} as const;

export function Badge({ tone = 'neutral', children }: { tone?: keyof typeof BADGE_TONES; children: ReactNode }) {
  return <span className={`inline-block rounded px-1.5 py-0.5 text-xs font-medium ${BADGE_TONES[tone]}`}>{children}</span>;
}

/**
 * A button that asks first (an alert dialog: focus moves in, Escape cancels, focus returns to the button).
 * `onConfirm` runs after the dialog closed; its errors are the caller's to show.
 */
export function ConfirmButton({
  label,
  title,
  description,
  confirmLabel,
  onConfirm,
  disabled,
  danger = false,
  srLabel,
  testId,
}: {
  label: string;
  title: string;
  description: ReactNode;
  confirmLabel: string;
  /** `trigger`: this button, for whatever opens next to give focus back to. */
  onConfirm(trigger: HTMLButtonElement | null): void;
  disabled?: boolean;
  danger?: boolean;
  /** Extra words for screen readers (which user, which room): the visible label stays short. */
  srLabel?: string;
  testId?: string;
}) {
  const trigger = useRef<HTMLButtonElement>(null);
  return (
    <AlertDialog.Root>
      <AlertDialog.Trigger asChild>
        <button ref={trigger} type="button" disabled={disabled} className={danger ? dangerOutlineButtonClass : buttonClass} data-testid={testId}>
          {label}
          {srLabel ? <span className="sr-only"> {srLabel}</span> : null}
        </button>
      </AlertDialog.Trigger>
      <AlertDialog.Portal>
        <AlertDialog.Overlay className="fixed inset-0 z-50 bg-slate-900/40" />
        <AlertDialog.Content className="fixed left-1/2 top-1/2 z-50 w-[min(26rem,calc(100vw-2rem))] -translate-x-1/2 -translate-y-1/2 rounded-lg bg-surface p-5 shadow-xl">
          <AlertDialog.Title className="text-base font-semibold text-fg">{title}</AlertDialog.Title>
          <AlertDialog.Description className="mt-2 text-sm text-fg-muted">{description}</AlertDialog.Description>
          <div className="mt-4 flex flex-wrap justify-end gap-2">
            <AlertDialog.Cancel className={buttonClass}>Cancel</AlertDialog.Cancel>
            <AlertDialog.Action className={danger ? dangerButtonClass : primaryButtonClass} onClick={() => onConfirm(trigger.current)} data-testid={testId ? `${testId}-confirm` : undefined}>
              {confirmLabel}
            </AlertDialog.Action>
          </div>
        </AlertDialog.Content>
      </AlertDialog.Portal>
    </AlertDialog.Root>
  );
}

/**
 * A secret shown once (a new password, an invitation link): selectable text and a Copy button that says
 * whether copying worked. The field is focused when it appears so a keyboard or screen-reader user lands on it.
 */
export function OneTimeSecret({ label, value, note, testId }: { label: string; value: string; note: string; testId?: string }) {
  const id = useId();
  const input = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState<'yes' | 'no' | null>(null);
  useEffect(() => {
    input.current?.focus();
    input.current?.select();
  }, [value]);

  async function copy() {
    try {
      await navigator.clipboard.writeText(value);
      setCopied('yes');
    } catch {
      // No clipboard permission (or not a secure context): the text is selected for a manual copy.
      input.current?.select();
      setCopied('no');
    }
  }

  return (
    <div className="rounded-md border border-warning-line bg-warning-soft p-3" data-testid={testId}>
      <label htmlFor={id} className="block text-sm font-medium text-fg">
        {label}
      </label>
      <div className="mt-1 flex flex-wrap gap-2">
        <input
          id={id}
          ref={input}
          readOnly
          value={value}
          aria-describedby={`${id}-note`}
          className="min-w-0 flex-1 rounded-md border border-line-strong bg-surface px-3 py-1.5 font-mono text-sm text-fg"
          onFocus={(e) => e.currentTarget.select()}
        />
        <button type="button" onClick={() => void copy()} className={buttonClass}>
          Copy
        </button>
      </div>
      <p id={`${id}-note`} className="mt-1 text-xs text-fg-muted">
        {note}
      </p>
      <p aria-live="polite" className="text-xs text-fg-muted">
        {copied === 'yes' ? 'Copied.' : copied === 'no' ? 'Could not copy: the text is selected, copy it with your keyboard.' : ''}
      </p>
    </div>
  );
}

export function ErrorNote({ message }: { message: string | null | undefined }) {
  if (!message) return null;
  return (
    <p role="alert" className="rounded-md bg-danger-soft px-3 py-2 text-sm text-danger-fg">
      {message}
    </p>
  );
}

/** A search box for a list; the list searches as the value settles (see useSearchedPages). */
export function SearchBox({ label, value, onChange, placeholder }: { label: string; value: string; onChange(value: string): void; placeholder: string }) {
  const id = useId();
  return (
    <form role="search" onSubmit={(e) => e.preventDefault()}>
      <label htmlFor={id} className="mb-1 block text-sm font-medium text-fg-muted">
        {label}
      </label>
      <input
        id={id}
        type="search"
        value={value}
        onChange={(e) => onChange(e.target.value)}
        placeholder={placeholder}
        autoComplete="off"
        maxLength={64}
        className={inputClass}
      />
    </form>
  );
}

export function LoadMore({ loading, onClick }: { loading: boolean; onClick(): void }) {
  return (
    <button type="button" onClick={onClick} disabled={loading} className={`mt-3 w-full ${buttonClass} py-2`}>
      {loading ? 'Loading…' : 'Load more'}
    </button>
  );
}
