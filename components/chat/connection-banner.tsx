'use client';
import { useConnectionStatus } from '@/lib/realtime/client';

/** Says when the live connection is down; goes away by itself when it is back. */
export function ConnectionBanner() {
  const status = useConnectionStatus();
  if (status === 'connected' || status === 'connecting') return null;
  const { text, detail, tone } = {
    reconnecting: { text: 'Reconnecting…', detail: 'Messages you send will go out when the connection is back.', tone: 'bg-warning-soft text-warning-fg border-warning-line' },
    offline: { text: 'Offline', detail: 'Messages you send will go out when the connection is back.', tone: 'bg-slate-800 text-white border-slate-900' },
    'signed-out': { text: 'Signed out', detail: 'Your session has ended. Sign in again to keep chatting.', tone: 'bg-danger-soft text-danger-fg border-danger-line' },
  }[status];
  return (
    <div data-testid="connection-banner" data-status={status} role="status" className={`border-b px-4 py-1.5 text-sm ${tone}`}>
      <strong className="font-semibold">{text}</strong> <span className="opacity-80">{detail}</span>
      {status === 'signed-out' ? (
        <a href="/login" className="ml-2 underline">
          Sign in
        </a>
      ) : null}
    </div>
  );
}
