'use client';
/**
 * One of my messages the server has not confirmed, laid out like a sent row (avatar gutter, header): pending
 * (quiet text, a clock, "Sending…") or failed (a danger bar and icon, the reason, Retry and Discard).
 */
import { ClockIcon, ExclamationCircleIcon } from '@heroicons/react/16/solid';
import type { OutgoingMessage } from '@/lib/stores/timeline';
import { Avatar } from '@/components/ui/avatar';
import { AttachmentList } from '../attachments/attachment-list';
import { useMe, useRoom } from '../room-context';

export function OutgoingRow({ message }: { message: OutgoingMessage; me?: string }) {
  const me = useMe();
  const retry = useRoom((s) => s.retry);
  const discard = useRoom((s) => s.discard);
  const failed = message.status === 'failed';
  return (
    <li
      data-testid="message"
      data-status={message.status}
      data-client-id={message.clientId}
      data-mine
      className={`relative mt-1.5 flex gap-3 px-3 pb-0.5 pt-1.5 sm:px-4 ${failed ? 'bg-danger-soft before:absolute before:inset-y-0 before:left-0 before:w-[3px] before:bg-danger' : ''}`}
    >
      <div className="w-9 shrink-0">
        <Avatar user={me} size="lg" className="mt-0.5" />
      </div>
      <div className="min-w-0 flex-1">
        <div className="flex min-w-0 items-baseline gap-2">
          <span className="truncate text-body font-semibold text-fg">{me.displayName}</span>
          <span className={`inline-flex items-center gap-1 self-center text-xs ${failed ? 'font-medium text-danger-fg' : 'text-fg-subtle'}`}>
            {failed ? <ExclamationCircleIcon className="size-3.5" aria-hidden="true" /> : <ClockIcon className="size-3.5" aria-hidden="true" />}
            {failed ? 'Not sent' : 'Sending…'}
          </span>
        </div>
        {message.body ? (
          <p data-testid="message-body" className={`whitespace-pre-wrap break-words text-body ${failed ? 'text-fg' : 'text-fg-muted'}`}>
            {message.body}
          </p>
        ) : null}
        {message.attachments?.length ? (
          <div className={failed ? '' : 'opacity-70'}>
            <AttachmentList attachments={message.attachments} caption={me.displayName} />
          </div>
        ) : null}
        {failed ? (
          <div className="mt-0.5 flex flex-wrap items-center gap-x-2 text-xs">
            <span className="text-danger-fg">{message.error?.message}</span>
            <button
              type="button"
              onClick={() => retry(message.clientId)}
              className="min-h-touch rounded-control px-2 font-medium text-link underline underline-offset-2 hover:bg-surface focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-focus sm:min-h-7"
            >
              Retry
            </button>
            <button
              type="button"
              onClick={() => discard(message.clientId)}
              className="min-h-touch rounded-control px-2 text-fg-muted hover:bg-surface hover:text-fg focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-focus sm:min-h-7"
            >
              Discard
            </button>
          </div>
        ) : null}
      </div>
    </li>
  );
}
