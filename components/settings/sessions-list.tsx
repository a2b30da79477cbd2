'use client';
import Bowser from 'bowser';
import { useRouter } from 'next/navigation';
import { useEffect, useState } from 'react';
import { FormError } from '@/components/form-controls';
import { ApiError, accountApi } from '@/lib/api-client';
import type { SessionView } from '@/lib/schemas/user';
import { Button } from '@/components/ui/button';

/** "Chrome on Linux", from the user agent the session signed in with. */
function deviceName(userAgent: string | null): string {
  if (!userAgent) return 'Unknown device';
  const { browser, os } = Bowser.parse(userAgent);
  if (!browser.name && !os.name) return userAgent.slice(0, 60);
  return [browser.name ?? 'A browser', os.name ? `on ${os.name}` : ''].filter(Boolean).join(' ');
}

const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
function ago(iso: string): string {
  const seconds = Math.round((new Date(iso).getTime() - Date.now()) / 1000);
  const steps: [Intl.RelativeTimeFormatUnit, number][] = [['day', 86_400], ['hour', 3_600], ['minute', 60]];
  for (const [unit, size] of steps) if (Math.abs(seconds) >= size) return relative.format(Math.round(seconds / size), unit);
  return 'just now';
}

/** Where I am signed in, with sign-out per device and everywhere (GitHub's and Slack's sessions page). */
export function SessionsList({ refreshKey = 0 }: { refreshKey?: number }) {
  const [sessions, setSessions] = useState<SessionView[] | null>(null);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState<string | null>(null);
  const [reloads, setReloads] = useState(0);
  const router = useRouter();

  useEffect(() => {
    let current = true;
    accountApi.sessions().then(
      ({ sessions: list }) => {
        if (!current) return;
        setSessions(list);
        setError(undefined);
      },
      (e: unknown) => current && setError(e instanceof ApiError ? e.message : 'Could not load your sessions.'),
    );
    return () => {
      current = false;
    };
  }, [refreshKey, reloads]);

  async function act(key: string, work: () => Promise<unknown>, signsMeOut: boolean) {
    setBusy(key);
    try {
      await work();
      // My own session is gone: the server has closed this tab's sockets; go and sign in again.
      if (signsMeOut) {
        router.replace('/login');
        return router.refresh();
      }
      setReloads((n) => n + 1);
    } catch (e) {
      setError(e instanceof ApiError ? e.message : 'That did not work. Try again.');
    } finally {
      setBusy(null);
    }
  }

  if (!sessions) {
    return error ? <FormError message={error} /> : <p className="text-sm text-fg-muted">Loading sessions…</p>;
  }
  const others = sessions.filter((s) => !s.current).length;
  return (
    <div className="space-y-4">
      <ul className="divide-y divide-line rounded-lg border border-line" aria-label="Signed-in sessions">
        {sessions.map((s) => (
          <li key={s.id} className="flex flex-wrap items-center justify-between gap-3 px-4 py-3" data-testid="session-row">
            <div className="min-w-0">
              <p className="font-medium text-fg">
                {deviceName(s.userAgent)}
                {s.current ? <span className="ml-2 rounded bg-accent-soft px-1.5 py-0.5 text-xs font-medium text-link">This device</span> : null}
              </p>
              <p className="text-sm text-fg-muted">
                {s.ip ?? 'Unknown address'} · signed in {ago(s.createdAt)} · active {ago(s.lastSeenAt)}
              </p>
            </div>
            <Button
              size="sm"
              variant="secondary"
              disabled={busy !== null}
              onClick={() => void act(s.id, () => accountApi.endSession(s.id), s.current)}
              aria-label={`Sign out ${s.current ? 'this device' : deviceName(s.userAgent)}`}
            >
              Sign out
            </Button>
          </li>
        ))}
      </ul>
      <FormError message={error} />
      <div className="flex flex-wrap gap-2">
        <Button variant="secondary" disabled={busy !== null || others === 0} onClick={() => void act('others', () => accountApi.endSessions({ exceptCurrent: true }), false)}>
          Sign out all other sessions
        </Button>
        <Button variant="danger" disabled={busy !== null} onClick={() => void act('all', () => accountApi.endSessions({ exceptCurrent: false }), true)}>
          Sign out everywhere
        </Button>
      </div>
    </div>
  );
}
