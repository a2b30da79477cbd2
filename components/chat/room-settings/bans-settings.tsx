'use client';
/** Who is banned from the room, newest first, and lifting a ban. Read afresh each time the tab opens. */
import { useEffect, useRef, useState } from 'react';
import { bansApi } from '@/lib/community/api';
import type { RoomBanView } from '@/lib/schemas/moderation';
import type { RoomSummary } from '@/lib/schemas/room';
import { buttonClass, errorText, SectionTitle, StatusLine } from './controls';

function When({ iso }: { iso: string }) {
  const date = new Date(iso);
  return (
    <time dateTime={iso} suppressHydrationWarning>
      {date.toLocaleString([], { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' })}
    </time>
  );
}

export function BansSettings({ room }: { room: RoomSummary }) {
  const [bans, setBans] = useState<RoomBanView[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    let live = true;
    bansApi.list(room.id).then(
      (answer) => live && setBans(answer.bans),
      (caught: unknown) => live && setError(errorText(caught, 'Could not load the bans. Try again.')),
    );
    return () => {
      live = false;
    };
  }, [room.id]);

  async function unban(ban: RoomBanView) {
    setBusy(ban.user.id);
    setError(null);
    setDone(null);
    try {
      await bansApi.unban(room.id, ban.user.id);
      setBans((list) => list?.filter((b) => b.user.id !== ban.user.id) ?? null);
      setDone(`${ban.user.displayName} is no longer banned.`);
      heading.current?.focus(); // the row (and its button) is gone
    } catch (caught) {
      setError(errorText(caught));
    } finally {
      setBusy(null);
    }
  }

  return (
    <div data-testid="bans-settings">
      <SectionTitle headingRef={heading} title="Bans" hint="Banned people cannot get back in by any way (joining, a password, an invitation, being added) until you lift the ban." />
      <StatusLine error={error} done={done} />
      {bans === null && !error ? <p className="text-sm text-fg-muted">Loading…</p> : null}
      {bans?.length === 0 ? <p className="text-sm text-fg-muted">Nobody is banned.</p> : null}
      {bans && bans.length > 0 ? (
        <ul aria-label="Banned people" className="mt-2 divide-y divide-line">
          {bans.map((ban) => (
            <li key={ban.user.id} data-testid="ban-row" data-username={ban.user.username} className="flex flex-wrap items-center gap-2 py-2">
              <span className="flex min-w-0 flex-1 flex-col text-sm">
                <span className="truncate font-medium text-fg">
                  {ban.user.displayName} <span className="font-normal text-fg-muted">@{ban.user.username}</span>
                </span>
                <span className="text-xs text-fg-muted">
                  Banned {ban.by ? `by ${ban.by.displayName} ` : ''}on <When iso={ban.createdAt} />
                  {ban.reason ? ` — ${ban.reason}` : ''}
                </span>
              </span>
              <button
                type="button"
                data-testid="unban"
                disabled={busy !== null}
                onClick={() => void unban(ban)}
                aria-label={`Lift the ban on ${ban.user.displayName}`}
                className={buttonClass.small}
              >
                {busy === ban.user.id ? 'Lifting…' : 'Lift ban'}
              </button>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
