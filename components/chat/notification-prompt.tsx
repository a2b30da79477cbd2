'use client';
import { BellAlertIcon } from '@heroicons/react/20/solid';
import { promptView } from '@/lib/notifications/prompt';
import { useNotificationPermission } from './notification-permission';

/**
 * The sidebar's offer to turn on browser notifications: shown once I have sent a message in this
 * browser or opened a direct conversation (never on page load), until I answer or dismiss it. When the
 * browser blocks them, says where to allow them again.
 */
export function NotificationPrompt() {
  const permission = useNotificationPermission((s) => s.permission);
  const eligible = useNotificationPermission((s) => s.eligible);
  const dismissed = useNotificationPermission((s) => s.dismissed);
  const request = useNotificationPermission((s) => s.request);
  const dismiss = useNotificationPermission((s) => s.dismiss);
  const view = promptView({ permission, eligible, dismissed });
  if (view === 'none') return null;

  return (
    <section aria-label="Browser notifications" data-testid="notification-prompt" className="rounded-md border border-accent-soft-strong bg-accent-soft p-2 text-sm text-fg-muted">
      <p className="flex gap-2">
        <BellAlertIcon aria-hidden="true" className="mt-0.5 size-4 shrink-0 text-link" />
        {view === 'ask' ? (
          <span>Get notified of mentions and direct messages.</span>
        ) : (
          <span>
            Notifications are blocked for this site. To get them, open the site settings (the icon at the left of the address bar) and
            allow Notifications.
          </span>
        )}
      </p>
      <div className="mt-2 flex flex-wrap justify-end gap-2">
        {view === 'ask' ? (
          <>
            <button type="button" onClick={dismiss} className="rounded-md px-2 py-1 text-xs font-medium text-fg-muted hover:bg-accent-soft-strong">
              Not now
            </button>
            <button type="button" onClick={() => void request()} className="rounded-md bg-accent px-2 py-1 text-xs font-medium text-white hover:bg-accent-hover">
              Turn on
            </button>
          </>
        ) : (
          <button type="button" onClick={dismiss} className="rounded-md px-2 py-1 text-xs font-medium text-fg-muted hover:bg-accent-soft-strong">
            Got it
          </button>
        )}
      </div>
    </section>
  );
}
