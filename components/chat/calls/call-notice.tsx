'use client';
import { PhoneArrowDownLeftIcon, PhoneIcon, XMarkIcon } from '@heroicons/react/20/solid';
import { useEffect } from 'react';
import { useCalls } from './calls-context';

/** How long a notice stays unless closed (long enough to read it twice). */
const NOTICE_MS = 15_000;

/**
 * How the last call ended (both sides: "Call declined", "Ann is in another call", "No answer", "Missed call
 * from Ann", "Call ended · 3 min 12 s"), or why one could not start. Announced politely; goes by itself.
 */
export function CallNotice() {
  const notice = useCalls((s) => s.notice);
  const dismiss = useCalls((s) => s.dismissNotice);
  useEffect(() => {
    if (!notice) return;
    const timer = setTimeout(dismiss, NOTICE_MS);
    return () => clearTimeout(timer);
  }, [notice, dismiss]);
  // The live region stays mounted so that the text arriving in it is announced.
  return (
    <div role="status" aria-live="polite" className="pointer-events-none fixed inset-x-2 bottom-24 z-50 mx-auto flex max-w-sm justify-center">
      {notice ? (
        <div
          key={notice.id}
          data-testid="call-notice"
          data-tone={notice.tone}
          className={`pointer-events-auto flex w-full items-center gap-2 rounded-lg px-3 py-2 text-sm shadow-lg ${
            notice.tone === 'error' ? 'bg-danger-soft text-danger-fg ring-1 ring-danger-line' : 'bg-slate-900 text-white'
          }`}
        >
          {notice.tone === 'missed' ? <PhoneArrowDownLeftIcon aria-hidden className="size-4 shrink-0 text-red-300" /> : <PhoneIcon aria-hidden className="size-4 shrink-0" />}
          <span className="min-w-0 flex-1">{notice.text}</span>
          <button
            type="button"
            onClick={dismiss}
            aria-label="Dismiss"
            className={`shrink-0 rounded p-0.5 focus-visible:outline-none focus-visible:ring-2 ${notice.tone === 'error' ? 'hover:bg-danger-soft focus-visible:ring-danger' : 'hover:bg-slate-700 focus-visible:ring-surface'}`}
          >
            <XMarkIcon aria-hidden className="size-4" />
          </button>
        </div>
      ) : null}
    </div>
  );
}
