'use client';
import { BellSlashIcon, ChevronRightIcon, MagnifyingGlassIcon, PencilSquareIcon, PlusIcon, Squares2X2Icon, XMarkIcon } from '@heroicons/react/20/solid';
import { usePathname } from 'next/navigation';
import { useEffect, useId, useMemo, useRef, useState, useSyncExternalStore, type ReactNode } from 'react';
import { Avatar } from '@/components/ui/avatar';
import { deferred } from '@/components/ui/deferred';
import { IntentLink } from '@/components/ui/intent-link';
import { roomIdFromPath } from '@/lib/room-links';
import type { RoomSummary } from '@/lib/schemas/room';
import { shownPresence } from '@/lib/stores/presence';
import { filterRooms, roomTitle, sidebarOrder, sidebarSections } from '@/lib/stores/room-list';
import { attentionCount, badgeText, isMuted, mentionBadgeText, mentionCount, unreadCount } from '@/lib/stores/unread';
import { HashIcon, LockIcon, UsersIcon } from './icons';
import { useNotificationPermission } from './notification-permission';
import { NotificationPrompt } from './notification-prompt';
import { PresenceDot, usePresence, useWatchPresence } from './presence-context';
import { inPlaceTarget, openInPlace, useOpenRoomHref } from './room-navigation';
import { useRooms, useRoomsStore } from './rooms-context';
import { PHONE_QUERY, useUiStore } from './ui-store';
import { useWindowActive } from './use-window-active';

// The phones' drawer (a modal dialog) is fetched after the first paint (components/ui/deferred.tsx).
const RoomDrawer = deferred(() => import('./room-drawer').then((m) => m.RoomDrawer)).Component;
// So is the people picker behind "New message".
const NewDirectMessage = deferred(() => import('./new-direct-message').then((m) => m.NewDirectMessage)).Component;

type SectionKey = 'rooms' | 'direct';

// Collapsed sections, remembered per device. useSyncExternalStore renders the server's "all open" during
// hydration and then the stored choice, so React never sees mismatched attributes.
const COLLAPSE_KEY = 'parley.sidebar.collapsed';
const collapseListeners = new Set<() => void>();
function readCollapsed(): string {
  try {
    return localStorage.getItem(COLLAPSE_KEY) ?? '{}';
  } catch {
    return '{}'; // storage blocked: sections simply start open
  }
}
function subscribeCollapsed(listener: () => void): () => void {
  collapseListeners.add(listener);
  window.addEventListener('storage', listener); // another tab changed it
  return () => {
    collapseListeners.delete(listener);
    window.removeEventListener('storage', listener);
  };
}
function parseCollapsed(raw: string): Partial<Record<SectionKey, boolean>> {
  try {
    const value: unknown = JSON.parse(raw);
    if (!value || typeof value !== 'object') return {};
    const record = value as Record<string, unknown>;
    return { rooms: record.rooms === true, direct: record.direct === true };
  } catch {
    return {};
  }
}
function useCollapsed(): [Partial<Record<SectionKey, boolean>>, (key: SectionKey, collapsed: boolean) => void] {
  const raw = useSyncExternalStore(subscribeCollapsed, readCollapsed, () => '{}');
  const collapsed = useMemo(() => parseCollapsed(raw), [raw]);
  const set = (key: SectionKey, value: boolean) => {
    try {
      localStorage.setItem(COLLAPSE_KEY, JSON.stringify({ ...parseCollapsed(readCollapsed()), [key]: value }));
    } catch {
      // not remembered; nothing else to do
    }
    for (const listener of collapseListeners) listener();
  };
  return [collapsed, set];
}

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

const rowClass = 'flex min-h-touch items-center gap-2 rounded-control px-2 text-sm md:min-h-8';

function RoomLink({ room, active, windowActive }: { room: RoomSummary; active: boolean; windowActive: boolean }) {
  const rooms = useRoomsStore();
  const href = `/rooms/${room.id}`;
  // The room being read right now has no badge (it is cleared as soon as the read position is reported).
  const reading = active && windowActive;
  const muted = isMuted(room);
  // Muted rooms do not call out their unread messages, only mentions of me.
  const unread = reading || muted ? 0 : unreadCount(room);
  const mentions = reading ? 0 : mentionCount(room);
  const title = roomTitle(room);
  return (
    <li>
      <IntentLink
        href={href}
        // From a room to another of mine, in place (room-navigation.ts): nothing for the router to prefetch.
        prefetchIf={() => inPlaceTarget(href, rooms) === null}
        onNavigate={(event) => {
          if (openInPlace(href, rooms)) event.preventDefault();
        }}
        data-testid="room-link"
        data-room-id={room.id}
        data-kind={room.kind}
        aria-current={active ? 'page' : undefined}
        className={`${rowClass} ${active ? 'bg-accent-soft-strong font-medium text-link' : 'text-fg-muted hover:bg-surface-sunken hover:text-fg'}`}
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
        <span className={`min-w-0 flex-1 truncate ${unread || mentions ? 'font-semibold text-fg' : ''}`}>{title}</span>
        {muted ? <BellSlashIcon data-testid="muted-icon" role="img" aria-label="Muted" className="size-3.5 shrink-0 text-fg-subtle" /> : null}
        {/* The only two pills in the sidebar: a mention calls for me (loud), unread messages wait (quiet). */}
        {mentions > 0 ? (
          <span
            data-testid="mention-badge"
            role="img"
            aria-label={`${mentions} mention${mentions === 1 ? '' : 's'}`}
            className="shrink-0 rounded-full bg-danger px-1.5 py-px text-xs font-semibold tabular-nums text-white"
          >
            {mentionBadgeText(mentions)}
          </span>
        ) : null}
        {unread > 0 ? (
          <span
            data-testid="unread-badge"
            role="img"
            aria-label={`${unread} unread`}
            className="shrink-0 rounded-full bg-surface-strong px-1.5 py-px text-xs font-semibold tabular-nums text-fg"
          >
            {badgeText(unread)}
          </span>
        ) : null}
      </IntentLink>
    </li>
  );
}

function Section({
  sectionKey,
  title,
  rooms,
  activeId,
  filtering,
  action,
  before,
  empty,
}: {
  sectionKey: SectionKey;
  title: string;
  rooms: RoomSummary[];
  activeId?: string;
  filtering: boolean;
  action: ReactNode;
  before?: ReactNode;
  empty: string;
}) {
  const [collapsedMap, setCollapsed] = useCollapsed();
  const windowActive = useWindowActive();
  const headingId = useId();
  const listId = useId();
  const collapsed = Boolean(collapsedMap[sectionKey]) && !filtering;
  // A collapsed section still shows the room open now and rooms waiting for me (as Slack does).
  const shown = collapsed ? rooms.filter((r) => r.id === activeId || attentionCount(r) > 0) : rooms;
  if (filtering && rooms.length === 0) return null;
  return (
    <section aria-labelledby={headingId} className="mt-3 first:mt-0">
      <div className="flex items-center gap-1">
        <h2 id={headingId} className="min-w-0 flex-1">
          <button
            type="button"
            aria-expanded={!collapsed}
            aria-controls={listId}
            onClick={() => setCollapsed(sectionKey, !collapsed)}
            disabled={filtering}
            className="flex min-h-touch w-full items-center gap-1 rounded-control px-1 text-xs font-semibold uppercase tracking-wide text-fg-subtle hover:text-fg disabled:hover:text-fg-subtle md:min-h-8"
          >
            <ChevronRightIcon aria-hidden="true" className={`size-4 shrink-0 transition-transform motion-reduce:transition-none ${collapsed ? '' : 'rotate-90'}`} />
            <span className="truncate whitespace-nowrap">{title}</span>
          </button>
        </h2>
        {action}
      </div>
      {before}
      <div id={listId}>
        {shown.length ? (
          <ul className="mt-0.5 space-y-px">
            {shown.map((room) => (
              <RoomLink key={room.id} room={room} active={room.id === activeId} windowActive={windowActive} />
            ))}
          </ul>
        ) : collapsed || before ? null : (
          <p className="px-2 py-1 text-sm text-fg-subtle">{empty}</p>
        )}
      </div>
    </section>
  );
}

const iconButtonClass =
  'flex size-touch shrink-0 items-center justify-center rounded-control text-fg-muted hover:bg-surface-sunken hover:text-fg md:size-8';

function SidebarContent({ mine, activeId, onClose }: { mine: RoomSummary[]; activeId?: string; onClose?(): void }) {
  const openRoom = useOpenRoomHref();
  const pathname = usePathname();
  const [query, setQuery] = useState('');
  const dmPickerOpen = useUiStore((s) => s.dmPickerOpen);
  const setDmPickerOpen = useUiStore((s) => s.setDmPickerOpen);
  const requestCreateRoom = useUiStore((s) => s.requestCreateRoom);
  const filtering = query.trim() !== '';
  const matches = useMemo(() => filterRooms(mine, query), [mine, query]);
  const { rooms, direct } = useMemo(() => sidebarSections(matches), [matches]);
  const filterId = useId();

  function openFirstMatch() {
    const first = sidebarOrder(matches)[0];
    if (!first) return;
    setQuery('');
    openRoom(`/rooms/${first.id}`);
  }

  return (
    <>
      <div className="flex items-center gap-2 border-b border-line p-3">
        <div className="relative min-w-0 flex-1">
          <MagnifyingGlassIcon aria-hidden="true" className="pointer-events-none absolute left-2.5 top-1/2 size-4 -translate-y-1/2 text-fg-subtle" />
          <input
            id={filterId}
            type="search"
            aria-label="Filter rooms"
            placeholder="Filter rooms"
            autoComplete="off"
            spellCheck={false}
            value={query}
            onChange={(e) => setQuery(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Escape' && query) {
                // Clears the filter only: a drawer around it stays open.
                e.preventDefault();
                e.stopPropagation();
                setQuery('');
              } else if (e.key === 'Enter') {
                e.preventDefault();
                openFirstMatch();
              }
            }}
            className="min-h-touch w-full rounded-control border border-line-strong bg-surface py-1.5 pl-8 pr-2 text-sm text-fg placeholder:text-fg-subtle focus:outline-none focus:ring-2 focus:ring-focus md:min-h-9"
          />
        </div>
        {onClose ? (
          <button type="button" onClick={onClose} aria-label="Close rooms" className={iconButtonClass}>
            <XMarkIcon aria-hidden="true" className="size-5" />
          </button>
        ) : null}
      </div>
      <div className="min-h-0 flex-1 overflow-y-auto px-2 py-3">
        {filtering ? (
          <p role="status" className={matches.length ? 'sr-only' : 'px-2 pb-2 text-sm text-fg-subtle'}>
            {matches.length ? `${matches.length} match${matches.length === 1 ? '' : 'es'}, Enter opens the first` : `Nothing matches “${query.trim()}”.`}
          </p>
        ) : (
          <IntentLink
            href="/rooms"
            aria-current={pathname === '/rooms' ? 'page' : undefined}
            className={`${rowClass} mb-2 font-medium ${pathname === '/rooms' ? 'bg-accent-soft-strong text-link' : 'text-fg-muted hover:bg-surface-sunken hover:text-fg'}`}
          >
            <Squares2X2Icon aria-hidden="true" className="size-4 shrink-0" />
            <span className="truncate">Browse rooms</span>
          </IntentLink>
        )}
        <Section
          sectionKey="rooms"
          title="Rooms"
          rooms={rooms}
          activeId={activeId}
          filtering={filtering}
          empty="You are in no rooms yet."
          action={
            <IntentLink href="/#create-room" onClick={requestCreateRoom} aria-label="New room" title="New room" className={iconButtonClass}>
              <PlusIcon aria-hidden="true" className="size-5" />
            </IntentLink>
          }
        />
        <Section
          sectionKey="direct"
          title="Direct messages"
          rooms={direct}
          activeId={activeId}
          filtering={filtering}
          empty="No conversations yet."
          before={dmPickerOpen && !filtering ? <NewDirectMessage onDone={() => setDmPickerOpen(false)} /> : null}
          action={
            <button
              type="button"
              onClick={() => setDmPickerOpen(!dmPickerOpen)}
              aria-expanded={dmPickerOpen}
              aria-label="New message"
              title="New message"
              className={iconButtonClass}
            >
              <PencilSquareIcon aria-hidden="true" className="size-4" />
            </button>
          }
        />
        <div className="mt-4 empty:hidden">
          <NotificationPrompt />
        </div>
      </div>
    </>
  );
}

/**
 * My rooms and conversations, a filter, the way to the directory. On wide screens a column; below the md
 * breakpoint a modal drawer (./room-drawer.tsx, fetched after the first paint).
 */
export function Sidebar() {
  const mine = useRooms((s) => s.mine);
  const open = useUiStore((s) => s.sidebarOpen);
  const setOpen = useUiStore((s) => s.setSidebarOpen);
  const setDmPickerOpen = useUiStore((s) => s.setDmPickerOpen);
  const pathname = usePathname();
  const activeId = roomIdFromPath(pathname);

  // One presence watch for both renderings.
  const peerIds = useMemo(() => mine.flatMap((r) => (r.kind === 'direct' && r.peer ? [r.peer.id] : [])), [mine]);
  useWatchPresence('sidebar', peerIds);

  // Navigating closes the drawer and the people picker; focus then belongs to the new page (a room's
  // composer), not to the toggle the drawer would return it to.
  const closedByNavigation = useRef(false);
  useEffect(() => {
    if (useUiStore.getState().sidebarOpen) closedByNavigation.current = true;
    setOpen(false);
    setDmPickerOpen(false);
  }, [pathname, setOpen, setDmPickerOpen]);

  // Growing past the phone layout closes the drawer (the column is there).
  useEffect(() => {
    const query = window.matchMedia(PHONE_QUERY);
    const onChange = () => {
      if (!query.matches) setOpen(false);
    };
    query.addEventListener('change', onChange);
    return () => query.removeEventListener('change', onChange);
  }, [setOpen]);

  // Opening a direct conversation is a moment to offer notifications (NotificationPrompt).
  const inDirect = useMemo(() => mine.some((r) => r.id === activeId && r.kind === 'direct'), [mine, activeId]);
  useEffect(() => {
    if (inDirect) useNotificationPermission.getState().markEligible();
  }, [inDirect]);

  return (
    <>
      <nav aria-label="Rooms" className="hidden w-64 shrink-0 flex-col border-r border-line bg-surface-muted md:flex lg:w-72">
        <SidebarContent mine={mine} activeId={activeId} />
      </nav>
      <RoomDrawer open={open} onOpenChange={setOpen} closedByNavigationRef={closedByNavigation}>
        <SidebarContent mine={mine} activeId={activeId} onClose={() => setOpen(false)} />
      </RoomDrawer>
    </>
  );
}
