'use client';
import type { SystemLine } from '@/lib/stores/timeline';
import { Time } from '../message-row';

export function SystemRow({ line }: { line: SystemLine }) {
  return (
    <li role="note" data-testid="system-line" className="px-3 py-1 text-center text-xs text-fg-subtle sm:px-4">
      {line.user.displayName} {line.kind === 'joined' ? 'joined the room' : 'left the room'} · <Time iso={line.at} />
    </li>
  );
}

/** A rule with a label in the middle, for the day separators and the unread divider. */
function LabelledRule({ label, tone }: { label: string; tone: 'day' | 'unread' }) {
  const line = tone === 'unread' ? 'bg-danger-line' : 'bg-line';
  return (
    <div className="flex items-center gap-3 px-3 sm:px-4" aria-hidden="true">
      <span className={`h-px flex-1 ${line}`} />
      <span
        className={
          tone === 'unread'
            ? 'text-xs font-semibold uppercase tracking-wide text-danger-fg'
            : 'rounded-full border border-line bg-surface px-3 py-0.5 text-xs font-medium text-fg-muted'
        }
      >
        {label}
      </span>
      <span className={`h-px flex-1 ${line}`} />
    </div>
  );
}

/** Between messages of different local days ("Today", "Yesterday", "Monday 28 November"). */
export function DaySeparator({ label, iso }: { label: string; iso: string }) {
  return (
    <div role="separator" aria-label={label} data-testid="day-separator" data-day={iso} className="pb-1 pt-3">
      <LabelledRule label={label} tone="day" />
    </div>
  );
}

/** Above the first message that was unread when the room opened; stays until the room is left. */
export function UnreadDivider() {
  return (
    <div role="separator" aria-label="New messages" data-testid="unread-divider" className="pb-1 pt-3">
      <LabelledRule label="New messages" tone="unread" />
    </div>
  );
}
