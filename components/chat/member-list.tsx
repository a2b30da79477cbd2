'use client';
import { useMemo } from 'react';
import { useMe, useRoom } from './room-context';

/** Members with online dots; a right column on wide screens, a toggled panel on small ones. */
export function MemberList({ open, onClose }: { open: boolean; onClose(): void }) {
  const members = useRoom((s) => s.members);
  const online = useRoom((s) => s.online);
  const me = useMe();
  const sorted = useMemo(
    () =>
      [...members].sort(
        (a, b) =>
          Number(b.user.id in online) - Number(a.user.id in online) ||
          a.user.displayName.localeCompare(b.user.displayName, undefined, { sensitivity: 'base' }),
      ),
    [members, online],
  );
  const onlineCount = members.filter((m) => m.user.id in online).length;

  return (
    <aside
      id="room-members"
      data-testid="member-list"
      aria-label="Members"
      className={`${open ? 'flex' : 'hidden'} absolute inset-y-0 right-0 z-10 w-64 max-w-[85vw] flex-col border-l border-slate-200 bg-white shadow-lg md:static md:flex md:w-56 md:shadow-none lg:w-64`}
    >
      <div className="flex items-center justify-between border-b border-slate-200 px-3 py-2">
        <h2 className="text-sm font-semibold">
          Members <span className="font-normal text-slate-500">· {onlineCount} online of {members.length}</span>
        </h2>
        <button type="button" onClick={onClose} className="rounded px-1 text-slate-500 hover:bg-slate-100 md:hidden" aria-label="Hide members">
          ✕
        </button>
      </div>
      <ul className="min-h-0 flex-1 overflow-y-auto p-2">
        {sorted.map(({ user, role }) => {
          const isOnline = user.id in online;
          return (
            <li key={user.id} data-testid="member" data-username={user.username} data-online={isOnline} className="flex items-center gap-2 rounded px-1 py-1 text-sm">
              <span
                className={`h-2.5 w-2.5 shrink-0 rounded-full ${isOnline ? 'bg-emerald-500' : 'bg-slate-300'}`}
                role="img"
                aria-label={isOnline ? 'online' : 'offline'}
              />
              <span className="min-w-0 flex-1 truncate">
                {user.displayName}
                {user.id === me.id ? <span className="text-slate-400"> (you)</span> : null}
              </span>
              {role === 'owner' ? <span className="shrink-0 rounded bg-slate-100 px-1.5 text-xs text-slate-600">owner</span> : null}
            </li>
          );
        })}
      </ul>
    </aside>
  );
}
