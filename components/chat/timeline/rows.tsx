'use client';
import type { OutgoingMessage, SystemLine } from '@/lib/stores/timeline';
import { AttachmentList } from '../attachments/attachment-list';
import { Time } from '../message-row';
import { useRoom } from '../room-context';

/** One of my messages the server has not confirmed: pending, or failed with Retry and Discard. */
export function OutgoingRow({ message, me }: { message: OutgoingMessage; me: string }) {
  const retry = useRoom((s) => s.retry);
  const discard = useRoom((s) => s.discard);
  const failed = message.status === 'failed';
  return (
    <li data-testid="message" data-status={message.status} data-client-id={message.clientId} data-mine className="px-3 pt-2 sm:px-4">
      <div className="flex items-baseline gap-2">
        <span className="font-medium text-link">{me}</span>
        <span className={`text-xs ${failed ? 'text-danger-fg' : 'text-fg-subtle'}`}>{failed ? 'Not sent' : 'Sending…'}</span>
      </div>
      {message.body ? (
        <p data-testid="message-body" className={`whitespace-pre-wrap break-words ${failed ? 'text-fg' : 'text-fg-subtle'}`}>
          {message.body}
        </p>
      ) : null}
      {message.attachments?.length ? (
        <div className={failed ? '' : 'opacity-70'}>
          <AttachmentList attachments={message.attachments} caption={me} />
        </div>
      ) : null}
      {failed ? (
        <div className="mt-0.5 flex flex-wrap items-center gap-x-3 text-xs">
          <span className="text-danger-fg">{message.error?.message}</span>
          <button type="button" onClick={() => retry(message.clientId)} className="font-medium text-link hover:underline">
            Retry
          </button>
          <button type="button" onClick={() => discard(message.clientId)} className="text-fg-subtle hover:underline">
            Discard
          </button>
        </div>
      ) : null}
    </li>
  );
}

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
