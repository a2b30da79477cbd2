'use client';
/**
 * Calls ringing me, on every tab of mine: who calls, voice or video, Accept and Decline, and a ring made
 * with Web Audio. It goes away (and the ring stops) when another tab of mine answers or declines, the call
 * ends, or its ring time is over — all decided by the calls store.
 */
import { PhoneIcon, PhoneXMarkIcon, VideoCameraIcon } from '@heroicons/react/20/solid';
import { useEffect, useId, useMemo, useRef } from 'react';
import { callKindLabel } from '@/lib/calls/describe';
import { startTone } from '@/lib/calls/ring-tone';
import type { CallInfo } from '@/lib/schemas/call';
import { findRoom, roomTitle } from '@/lib/stores/room-list';
import { useRooms } from '../rooms-context';
import { useCalls } from './calls-context';
import { Avatar } from './media-elements';

export function IncomingCalls() {
  const ringing = useCalls((s) => s.ringing);
  const calls = useCalls((s) => s.calls);
  const list = useMemo(() => Object.keys(ringing).flatMap((id) => (calls[id] ? [calls[id]] : [])), [ringing, calls]);
  const anyRinging = list.length > 0;
  useEffect(() => (anyRinging ? startTone('incoming') : undefined), [anyRinging]);
  if (!anyRinging) return null;
  return (
    <div className="pointer-events-none fixed inset-x-2 top-2 z-50 mx-auto flex max-w-sm flex-col gap-2">
      {list.map((call, i) => (
        <IncomingCall key={call.id} call={call} takeFocus={i === 0} />
      ))}
    </div>
  );
}

function IncomingCall({ call, takeFocus }: { call: CallInfo; takeFocus: boolean }) {
  const accept = useCalls((s) => s.accept);
  const decline = useCalls((s) => s.decline);
  const pending = useCalls((s) => s.pending);
  const inCall = useCalls((s) => s.current !== null);
  const room = useRooms((s) => findRoom(s, call.roomId));
  const ids = useId();
  const acceptButton = useRef<HTMLButtonElement>(null);
  const where = !room || room.kind === 'direct' ? '' : room.kind === 'group' ? ` from ${roomTitle(room)}` : ` in #${roomTitle(room)}`;
  const what = `Incoming ${callKindLabel(call.kind).toLowerCase()}${where}`;

  // Keyboard users reach it at once when nothing else has focus (never taken from someone typing).
  useEffect(() => {
    if (takeFocus && (document.activeElement === null || document.activeElement === document.body)) acceptButton.current?.focus();
  }, [takeFocus]);

  const busy = pending === call.id;
  return (
    <section
      data-testid="incoming-call"
      data-call-id={call.id}
      aria-labelledby={`${ids}-title`}
      aria-describedby={`${ids}-what`}
      className="pointer-events-auto rounded-xl border border-line bg-surface p-3 text-fg shadow-xl"
    >
      {/* Announced once when it appears. */}
      <p className="sr-only" aria-live="assertive">
        {`${what} from ${call.caller.displayName}.`}
      </p>
      <div className="flex items-center gap-3">
        <Avatar name={call.caller.displayName} size="sm" />
        <div className="min-w-0 flex-1">
          <h2 id={`${ids}-title`} className="truncate font-semibold">
            {call.caller.displayName}
          </h2>
          <p id={`${ids}-what`} className="flex items-center gap-1 truncate text-sm text-fg-muted">
            {call.kind === 'video' ? <VideoCameraIcon aria-hidden className="size-4 shrink-0" /> : <PhoneIcon aria-hidden className="size-4 shrink-0" />}
            <span className="truncate">{what}</span>
          </p>
        </div>
      </div>
      <div className="mt-3 flex gap-2">
        <button
          type="button"
          data-testid="decline-call"
          disabled={busy}
          onClick={() => void decline(call.id)}
          className="flex flex-1 items-center justify-center gap-1.5 rounded-lg bg-danger px-3 py-2 text-sm font-medium text-white hover:bg-danger-hover focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-danger focus-visible:ring-offset-2 disabled:opacity-60"
        >
          <PhoneXMarkIcon aria-hidden className="size-4" />
          Decline
        </button>
        <button
          ref={acceptButton}
          type="button"
          data-testid="accept-call"
          disabled={busy || inCall}
          title={inCall ? 'You are in another call' : undefined}
          onClick={() => void accept(call.id)}
          className="flex flex-1 items-center justify-center gap-1.5 rounded-lg bg-emerald-700 px-3 py-2 text-sm font-medium text-white hover:bg-emerald-800 focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-emerald-500 focus-visible:ring-offset-2 disabled:opacity-60"
        >
          {call.kind === 'video' ? <VideoCameraIcon aria-hidden className="size-4" /> : <PhoneIcon aria-hidden className="size-4" />}
          Accept
        </button>
      </div>
    </section>
  );
}
