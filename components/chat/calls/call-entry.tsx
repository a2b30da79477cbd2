'use client';
/**
 * A call's entry in the conversation (a message whose `call` is set and whose body is empty): an icon,
 * what happened as this viewer reads it ("Video call · 3 min 12 s", "Missed video call", "No answer"…),
 * who called and when, and "Call back".
 */
import { PhoneArrowDownLeftIcon, PhoneArrowUpRightIcon, PhoneIcon, VideoCameraIcon } from '@heroicons/react/20/solid';
import type { ReactNode } from 'react';
import { callEntryText, isMissedFor } from '@/lib/calls/describe';
import type { ChatMessage } from '@/lib/schemas/message';
import { useRoom } from '../room-context';
import { useCallBack } from './call-banner';

export function CallEntryLine({ message, mine, time }: { message: ChatMessage & { call: NonNullable<ChatMessage['call']> }; mine: boolean; time: ReactNode }) {
  const { call } = message;
  const peerName = useRoom((s) => (s.room.kind === 'direct' ? (s.room.peer?.displayName ?? undefined) : undefined));
  const text = callEntryText(call, { isCaller: mine, calleeName: peerName });
  const missed = isMissedFor(call.outcome, mine);
  const { possible, callBack } = useCallBack(call, message.author.id);
  const Icon = missed ? PhoneArrowDownLeftIcon : call.outcome !== 'completed' && mine ? PhoneArrowUpRightIcon : call.kind === 'video' ? VideoCameraIcon : PhoneIcon;
  return (
    <div className="flex flex-wrap items-center gap-x-3 gap-y-1 py-1">
      <span
        aria-hidden="true"
        className={`flex h-8 w-8 shrink-0 items-center justify-center rounded-full ${missed ? 'bg-danger-soft text-danger-fg' : 'bg-surface-sunken text-fg-muted'}`}
      >
        <Icon className="size-4" />
      </span>
      <div className="min-w-0 flex-1">
        <p data-testid="call-entry-text" className={`text-sm font-medium ${missed ? 'text-danger-fg' : 'text-fg'}`}>
          {text}
        </p>
        <p className="text-xs text-fg-muted">
          {mine ? 'You called' : `${message.author.displayName} called`} · {time}
        </p>
      </div>
      {possible ? (
        <button
          type="button"
          data-testid="call-back"
          onClick={callBack}
          className="shrink-0 rounded-md border border-line-strong px-2 py-1 text-xs font-medium text-fg-muted hover:bg-surface-muted focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-focus"
        >
          Call back
        </button>
      ) : null}
    </div>
  );
}
