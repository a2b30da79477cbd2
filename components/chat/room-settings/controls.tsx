'use client';
/** Pieces the room settings sections share: button looks, error wording, a confirmation with an optional reason. */
import * as AlertDialog from '@radix-ui/react-alert-dialog';
import { useId, useState, type ReactNode, type Ref } from 'react';
import { ApiError } from '@/lib/api-client';

export const buttonClass = {
  primary:
    'rounded-md bg-accent px-3 py-1.5 text-sm font-medium text-white hover:bg-accent-hover focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-focus focus-visible:ring-offset-2 disabled:opacity-60',
  secondary:
    'rounded-md border border-line-strong bg-surface px-3 py-1.5 text-sm font-medium text-fg-muted hover:bg-surface-muted focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-focus disabled:opacity-60',
  danger:
    'rounded-md bg-danger px-3 py-1.5 text-sm font-medium text-white hover:bg-danger focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-danger focus-visible:ring-offset-2 disabled:opacity-60',
  dangerOutline:
    'rounded-md border border-danger-line bg-surface px-3 py-1.5 text-sm font-medium text-danger-fg hover:bg-danger-soft focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-danger disabled:opacity-60',
  small:
    'rounded-md border border-line-strong bg-surface px-2 py-1 text-xs font-medium text-fg-muted hover:bg-surface-muted focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-focus disabled:opacity-60',
} as const;

export const inputClass =
  'w-full rounded-md border px-3 py-2 text-sm text-fg shadow-sm outline-none focus:ring-2 focus:ring-focus disabled:bg-surface-sunken disabled:text-fg-muted';

export function errorText(caught: unknown, fallback = 'Something went wrong. Please try again.'): string {
  return caught instanceof ApiError ? caught.message : fallback;
}

/** The server's field issues by their first path segment ("name", "userIds"…), the first per field. */
export function fieldIssues(caught: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!(caught instanceof ApiError)) return out;
  for (const issue of caught.body.issues ?? []) {
    const key = issue.path.split('.')[0] || 'form';
    out[key] ??= issue.message;
  }
  return out;
}

/** A section heading with a line of explanation; `headingRef`: focus lands here when what had it is gone. */
export function SectionTitle({ title, hint, headingRef }: { title: string; hint?: ReactNode; headingRef?: Ref<HTMLHeadingElement> }) {
  return (
    <div className="mb-3">
      <h3 ref={headingRef} tabIndex={headingRef ? -1 : undefined} className="text-base font-semibold text-fg focus:outline-none">
        {title}
      </h3>
      {hint ? <p className="mt-0.5 text-sm text-fg-muted">{hint}</p> : null}
    </div>
  );
}

export function StatusLine({ error, done }: { error: string | null; done?: string | null }) {
  if (error) {
    return (
      <p role="alert" data-testid="settings-error" className="rounded-md bg-danger-soft px-3 py-2 text-sm text-danger-fg">
        {error}
      </p>
    );
  }
  return (
    <p role="status" data-testid="settings-done" className={done ? 'rounded-md bg-success-soft px-3 py-2 text-sm text-success-fg' : 'sr-only'}>
      {done ?? ''}
    </p>
  );
}

/**
 * "Are you sure?" for an act that is hard to undo (kick, ban, delete…), optionally asking for a reason.
 * Controlled: the caller opens it (from a menu item or a button) and decides where focus goes after
 * (`onCloseAutoFocus`), since a menu item that opened it is gone by then.
 */
export function ConfirmDialog({
  open,
  onOpenChange,
  title,
  description,
  confirmLabel,
  busyLabel,
  withReason = false,
  danger = true,
  onConfirm,
  returnFocus,
  children,
}: {
  open: boolean;
  onOpenChange(open: boolean): void;
  title: string;
  description: ReactNode;
  confirmLabel: string;
  busyLabel: string;
  withReason?: boolean;
  danger?: boolean;
  /** Resolves to an error message to show (the dialog stays open), or null when done (it closes). */
  onConfirm(reason: string): Promise<string | null>;
  /** Where focus goes when it closes (the control that opened it, or what stands in its place). */
  returnFocus?: () => HTMLElement | null | undefined;
  children?: ReactNode;
}) {
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const reasonId = useId();

  async function confirm() {
    setBusy(true);
    setError(null);
    const problem = await onConfirm(reason);
    setBusy(false);
    if (problem) setError(problem);
    else {
      setReason('');
      onOpenChange(false);
    }
  }

  return (
    <AlertDialog.Root
      open={open}
      onOpenChange={(next) => {
        if (!next) {
          setError(null);
          setReason('');
        }
        onOpenChange(next);
      }}
    >
      <AlertDialog.Portal>
        <AlertDialog.Overlay className="fixed inset-0 z-[60] bg-slate-900/40" />
        <AlertDialog.Content
          data-testid="confirm-dialog"
          onCloseAutoFocus={(event) => {
            const target = returnFocus?.();
            if (target?.isConnected) {
              event.preventDefault();
              target.focus();
            }
          }}
          className="fixed left-1/2 top-1/2 z-[60] w-[min(26rem,calc(100vw-2rem))] -translate-x-1/2 -translate-y-1/2 rounded-lg bg-surface p-5 shadow-xl"
        >
          <AlertDialog.Title className="text-base font-semibold text-fg">{title}</AlertDialog.Title>
          <AlertDialog.Description className="mt-2 text-sm text-fg-muted">{description}</AlertDialog.Description>
          {children}
          {withReason ? (
            <div className="mt-3">
              <label htmlFor={reasonId} className="mb-1 block text-sm font-medium text-fg-muted">
                Reason <span className="font-normal text-fg-muted">(optional, shown in the room)</span>
              </label>
              <input
                id={reasonId}
                data-testid="confirm-reason"
                value={reason}
                maxLength={500}
                onChange={(e) => setReason(e.target.value)}
                className={`${inputClass} border-line-strong`}
              />
            </div>
          ) : null}
          {error ? (
            <p role="alert" className="mt-3 rounded-md bg-danger-soft px-3 py-2 text-sm text-danger-fg">
              {error}
            </p>
          ) : null}
          <div className="mt-4 flex flex-wrap justify-end gap-2">
            <AlertDialog.Cancel className={buttonClass.secondary} disabled={busy}>
              Cancel
            </AlertDialog.Cancel>
            {/* Not an AlertDialog.Action: that closes at once, and a refusal must stay readable here. */}
            <button type="button" data-testid="confirm-action" disabled={busy} onClick={() => void confirm()} className={danger ? buttonClass.danger : buttonClass.primary}>
              {busy ? busyLabel : confirmLabel}
            </button>
          </div>
        </AlertDialog.Content>
      </AlertDialog.Portal>
    </AlertDialog.Root>
  );
}
