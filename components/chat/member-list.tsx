'use client';
import { useMemo, useState } from 'react';
import { Avatar } from '@/components/ui/avatar';
import { Button } from '@/components/ui/button';
import { MEMBER_ROWS_PAGE } from '@/lib/schemas/limits';
import { presenceRank, shownPresence } from '@/lib/stores/presence';
import { PresenceDot, PresenceText, usePresenceMap, useWatchPresence } from './presence-context';
import { useMe, useRoom } from './room-context';

/** Members with presence (online, away, offline + last seen); a right column on wide screens, a toggled panel on small ones. */
export function MemberList({ open, onClose }: { open: boolean; onClose(): void }) {
  const roomId = useRoom((s) => s.room.id);
  const members = useRoom((s) => s.members);
  const online = useRoom((s) => s.online);
  const presence = usePresenceMap();
  const me = useMe();
  const [drawn, setDrawn] = useState(MEMBER_ROWS_PAGE);
  const rows = useMemo(
    () =>
      members
        .map((member) => ({ ...member, presence: shownPresence(presence[member.user.id], member.user.id in online) }))
        .sort(
          (a, b) =>
            presenceRank(a.presence.status) - presenceRank(b.presence.status) ||
            a.user.displayName.localeCompare(b.user.displayName, undefined, { sensitivity: 'base' }),
        ),
    [members, online, presence],
  );
  const onlineCount = rows.filter((r) => r.presence.status !== 'offline').length;
  const shown = rows.length > drawn ? rows.slice(0, drawn) : rows;
  const shownIds = useMemo(() => shown.map((r) => r.user.id).sort(), [shown]);
  useWatchPresence(`members:${roomId}`, shownIds);
  const hidden = rows.length - shown.length;

  return (
    <aside
      id="room-members"
      data-testid="member-list"
      aria-label="Members"
      className={`${open ? 'flex' : 'hidden'} absolute inset-y-0 right-0 z-10 w-64 max-w-[85vw] flex-col border-l border-line bg-surface shadow-lg md:static md:flex md:w-56 md:shadow-none lg:w-64`}
    >
      <div className="flex items-center justify-between border-b border-line px-3 py-2">
        <h2 className="text-sm font-semibold">
          Members <span className="font-normal text-fg-subtle">· {onlineCount} online of {members.length}</span>
        </h2>
        <button type="button" onClick={onClose} className="rounded px-1 text-fg-subtle hover:bg-surface-sunken md:hidden" aria-label="Hide members">
          ✕
        </button>
      </div>
      <ul className="min-h-0 flex-1 overflow-y-auto p-2">
        {shown.map(({ user, role, presence: status }) => (
          <li
            key={user.id}
            data-testid="member"
            data-username={user.username}
            data-online={status.status !== 'offline'}
            data-presence={status.status}
            className="flex items-center gap-2 rounded px-1 py-1 text-sm"
          >
            <PresenceDot presence={status} />
            <Avatar user={user} size="md" />
            <span className="flex min-w-0 flex-1 flex-col">
              <span className="truncate">
                {user.displayName}
                {user.id === me.id ? <span className="text-fg-subtle"> (you)</span> : null}
              </span>
              <PresenceText presence={status} className="truncate" />
            </span>
            {role !== 'member' ? <span className="shrink-0 rounded bg-surface-sunken px-1.5 text-xs text-fg-muted">{role}</span> : null}
          </li>
        ))}
        {hidden > 0 ? (
          <li className="px-1 pt-2">
            <Button variant="secondary" size="sm" className="w-full" data-testid="members-more" onClick={() => setDrawn((n) => n + MEMBER_ROWS_PAGE)}>
              Show {Math.min(hidden, MEMBER_ROWS_PAGE).toLocaleString()} more
              <span className="sr-only"> members ({hidden.toLocaleString()} not shown yet)</span>
            </Button>
          </li>
        ) : null}
      </ul>
    </aside>
  );
}
