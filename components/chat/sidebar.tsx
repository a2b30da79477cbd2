'use client';
import { BellSlashIcon } from '@heroicons/react/20/solid';
import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { useEffect, useMemo, useState } from 'react';
import { Avatar } from '@/components/ui/avatar';
import { isConversation, type RoomSummary } from '@/lib/schemas/room';
import { shownPresence } from '@/lib/stores/presence';
import { roomTitle } from '@/lib/stores/room-list';
import { badgeText, isMuted, mentionBadgeText, mentionCount, unreadCount } from '@/lib/stores/unread';
import { HashIcon, LockIcon, UsersIcon } from './icons';
import { NewDirectMessage } from './new-direct-message';
import { useNotificationPermission } from './notification-permission';
import { NotificationPrompt } from './notification-prompt';
import { PresenceDot, usePresence, useWatchPresence } from './presence-context';
import { useRooms } from './rooms-context';
import { useUiStore } from './ui-store';
import { useWindowActive } from './use-window-active';

/** A direct conversation: the other person's face, their presence in its corner. */
function PeerAvatar({ room }: { room: RoomSummary }) {
  const info = usePresence(room.peer?.id);
  const dot = <PresenceDot presence={shownPresence(info, false)} className={room.peer ? 'absolute -bottom-0.5 -right-0.5 ring-2 ring-surface-muted' : 'mx-[3px]'} />;
  if (!room.peer) return dot;
  return (
    <span className="relative shrink-0">
      <Avatar user={room.peer} size="sm" />
      {dot}
    </span>
  );
}

/** A group conversation: two of its other members' faces, overlapping. */
function GroupAvatars({ room }: { room: RoomSummary }) {
  const shown = (room.participants ?? []).slice(0, 2);
  return (
    <span className="flex shrink-0 -space-x-2">
      {shown.map((user) => (
        <Avatar key={user.id} user={user} size="sm" className="ring-2 ring-surface-muted" />
      ))}
    </span>
  );
}

function RoomLink({ room, active, windowActive }: { room: RoomSummary; active: boolean; windowActive: boolean }) {
  // The room being read right now has no badge (it is cleared as soon as the read position is reported).
  const reading = active && windowActive;
  const muted = isMuted(room);
  // Muted rooms do not call out their unread messages, only mentions of me.
  const unread = reading || muted ? 0 : unreadCount(room);
  const mentions = reading ? 0 : mentionCount(room);
  const title = roomTitle(room);
  return (
    <li>
      <Link
        href={`/rooms/${room.id}`}
        data-testid="room-link"
        data-room-id={room.id}
        data-kind={room.kind}
        aria-current={active ? 'page' : undefined}
        className={`flex items-center gap-2 rounded-md px-2 py-1.5 text-sm ${
          active ? 'bg-accent-soft-strong font-medium text-link' : 'text-fg-muted hover:bg-surface-sunken'
        }`}
      >
        {room.kind === 'direct' ? (
          <PeerAvatar room={room} />
        ) : room.kind === 'group' && room.participants?.length ? (
          <GroupAvatars room={room} />
        ) : room.kind === 'group' ? (
          <UsersIcon className="shrink-0 text-fg-subtle" aria-label="Group" aria-hidden={false} role="img" />
        ) : room.kind === 'private' ? (
          <LockIcon className="shrink-0 text-fg-subtle" aria-label="Private room" aria-hidden={false} role="img" />
        ) : (
          <HashIcon className="shrink-0 text-fg-subtle" />
        )}
        <span className={`min-w-0 flex-1 truncate ${unread || mentions ? 'font-semibold text-fg' : muted ? 'text-fg-muted' : ''}`}>{title}</span>
        {muted ? <BellSlashIcon data-testid="muted-icon" role="img" aria-label="Muted" className="size-3.5 shrink-0 text-fg-subtle" /> : null}
        {mentions > 0 ? (
          <span
            data-testid="mention-badge"
            role="img"
            aria-label={`${mentions} mention${mentions === 1 ? '' : 's'}`}
            className="shrink-0 rounded-full bg-danger px-1.5 text-xs font-semibold tabular-nums text-white"
          >
            {mentionBadgeText(mentions)}
          </span>
        ) : null}
        {unread > 0 ? (
          <span
            data-testid="unread-badge"
            role="img"
            aria-label={`${unread} unread`}
            className="shrink-0 rounded-full bg-accent px-1.5 text-xs font-semibold tabular-nums text-white"
          >
            {badgeText(unread)}
          </span>
        ) : mentions > 0 || muted ? null : !isConversation(room.kind) ? (
          <span className="shrink-0 text-xs text-fg-subtle" title={`${room.memberCount} member${room.memberCount === 1 ? '' : 's'}`}>
            {room.memberCount}
          </span>
        ) : null}
      </Link>
    </li>
  );
}

function RoomLinks({ rooms, activeId }: { rooms: RoomSummary[]; activeId?: string }) {
  const windowActive = useWindowActive();
  return (
    <ul className="mt-1 space-y-0.5">
      {rooms.map((room) => (
        <RoomLink key={room.id} room={room} active={room.id === activeId} windowActive={windowActive} />
      ))}
    </ul>
  );
}

function Section({ title, rooms, empty, activeId }: { title: string; rooms: RoomSummary[]; empty?: string; activeId?: string }) {
  if (rooms.length === 0 && !empty) return null;
  const id = `sidebar-${title.toLowerCase().replace(/\s+/g, '-')}`;
  return (
    <section aria-labelledby={id} className="mt-4 first:mt-0">
      <h2 id={id} className="px-2 text-xs font-semibold uppercase tracking-wide text-fg-subtle">
        {title}
      </h2>
      {rooms.length ? <RoomLinks rooms={rooms} activeId={activeId} /> : <p className="px-2 py-1 text-sm text-fg-subtle">{empty}</p>}
    </section>
  );
}

function DirectSection({ rooms, activeId }: { rooms: RoomSummary[]; activeId?: string }) {
  const [searching, setSearching] = useState(false);
  const peerIds = useMemo(() => rooms.flatMap((r) => (r.peer ? [r.peer.id] : [])), [rooms]);
  useWatchPresence('sidebar', peerIds);
  return (
    <section aria-labelledby="sidebar-direct-messages" className="mt-4 first:mt-0">
      <div className="flex items-center justify-between gap-2 px-2">
        <h2 id="sidebar-direct-messages" className="text-xs font-semibold uppercase tracking-wide text-fg-subtle">
          Direct messages
        </h2>
        <button
          type="button"
          onClick={() => setSearching((s) => !s)}
          aria-expanded={searching}
          className="rounded px-1.5 text-xs font-medium text-link hover:bg-accent-soft-strong"
        >
          {searching ? 'Cancel' : 'New message'}
        </button>
      </div>
      {searching ? <NewDirectMessage onDone={() => setSearching(false)} /> : null}
      {rooms.length ? <RoomLinks rooms={rooms} activeId={activeId} /> : searching ? null : <p className="px-2 py-1 text-sm text-fg-subtle">No conversations yet.</p>}
    </section>
  );
}

/**
 * My conversations and every room I am in; rooms to join are found in the directory (/rooms). A drawer
 * below the md breakpoint.
 */
export function Sidebar() {
  const mine = useRooms((s) => s.mine);
  const open = useUiStore((s) => s.sidebarOpen);
  const setOpen = useUiStore((s) => s.setSidebarOpen);
  const pathname = usePathname();
  const activeId = /^\/rooms\/([^/]+)/.exec(pathname)?.[1];
  // Conversations (direct and group) together, rooms apart (§4.14).
  const direct = useMemo(() => mine.filter((r) => isConversation(r.kind)), [mine]);
  const rooms = useMemo(() => mine.filter((r) => !isConversation(r.kind)), [mine]);

  // Navigating closes the drawer.
  useEffect(() => setOpen(false), [pathname, setOpen]);

  // Opening a direct conversation is a moment to offer notifications (NotificationPrompt).
  const inDirect = useMemo(() => direct.some((r) => r.id === activeId), [direct, activeId]);
  useEffect(() => {
    if (inDirect) useNotificationPermission.getState().markEligible();
  }, [inDirect]);

  return (
    <>
      {open ? <button type="button" aria-label="Close rooms" className="fixed inset-0 z-20 bg-slate-900/30 md:hidden" onClick={() => setOpen(false)} /> : null}
      <nav
        id="room-sidebar"
        aria-label="Rooms"
        className={`${open ? 'flex' : 'hidden'} absolute inset-y-0 left-0 z-30 w-72 max-w-[85vw] flex-col border-r border-line bg-surface-muted shadow-lg md:static md:flex md:w-64 md:shadow-none`}
      >
        <div className="min-h-0 flex-1 overflow-y-auto p-3">
          <DirectSection rooms={direct} activeId={activeId} />
          <Section title="Your rooms" rooms={rooms} empty="You are in no rooms yet: browse the directory to find some." activeId={activeId} />
        </div>
        <div className="space-y-2 border-t border-line p-3">
          <NotificationPrompt />
          <Link
            href="/rooms"
            aria-current={pathname === '/rooms' ? 'page' : undefined}
            className="block rounded-md border border-line-strong bg-surface px-3 py-2 text-center text-sm font-medium text-fg-muted hover:bg-surface-sunken"
          >
            Browse rooms
          </Link>
          <Link href="/" className="block rounded-md bg-accent px-3 py-2 text-center text-sm font-medium text-white hover:bg-accent-hover">
            New room
          </Link>
        </div>
      </nav>
    </>
  );
}
