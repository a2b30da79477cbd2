'use client';
import { usePathname, useRouter } from 'next/navigation';
import { useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { useStore } from 'zustand';
import { roomIdFromPath } from '@/lib/room-links';
import { roomsApi } from '@/lib/api-client';
import { createAwayMonitor } from '@/lib/realtime/away';
import { ackDelivery, acquireRealtime, callRequests, reportTabStatus, setRealtimeTransports, watchPresence } from '@/lib/realtime/client';
import type { RealtimeTransportsSetting } from '@/lib/realtime/engine-options';
import type { ServerToClientEvents } from '@/lib/realtime/events';
import type { RoomList } from '@/lib/schemas/room';
import { createCallsStore } from '@/lib/stores/calls';
import { mentionsMe } from '@/lib/stores/mentions';
import { createPresenceStore } from '@/lib/stores/presence-store';
import { createRoomsStore, type RoomsStore } from '@/lib/stores/rooms-store';
import { adjacentRoomId, sidebarOrder } from '@/lib/stores/room-list';
import { attentionCount, faviconFor, titleWithUnread, totalUnread, unreadCount } from '@/lib/stores/unread';
import { SearchHost } from '../search/search-host';
import { CallBar, CallLayer } from './calls/call-layer';
import { CallsContext } from './calls/calls-context';
import { ConnectionBanner } from './connection-banner';
import { preloadTimeline } from './message-list';
import { useNotificationPermission } from './notification-permission';
import { PresenceContext } from './presence-context';
import { openRoomHref } from './room-navigation';
import { RoomsContext } from './rooms-context';
import { Sidebar } from './sidebar';
import { useMessageNotifications } from './use-notifications';
import { useWindowActive } from './use-window-active';

// Rooms are what the shell is for: their timeline starts downloading with the shell (see message-list.tsx).
if (typeof window !== 'undefined') void preloadTimeline().catch(() => undefined);

/** Rooms with messages this device has not acknowledged yet may have some it never received. */
function ackUnread(store: RoomsStore): void {
  for (const room of store.getState().mine) if (room.lastSeq !== null && unreadCount(room) > 0) ackDelivery(room, room.lastSeq);
}

/**
 * "(3) general · Parley": the unread total in the tab's title, kept there when Next sets a page's title,
 * and a dot on the favicon while anything is unread.
 */
function useUnreadTitle(store: RoomsStore): void {
  const pathname = usePathname();
  const activeId = roomIdFromPath(pathname);
  const windowActive = useWindowActive();
  // The room on screen is being read while the window is active: do not count it (no flicker).
  const total = useStore(store, (s) => totalUnread(s.mine, windowActive ? activeId : undefined));
  useEffect(() => {
    const apply = () => {
      const next = titleWithUnread(document.title, total);
      if (next !== document.title) document.title = next;
      // Next renders the <link rel="icon">s from metadata (ICO and SVG) and may render them again on navigation.
      // Unread: every one shows the dotted SVG (browsers pick among them as they like); otherwise each its own.
      for (const link of document.querySelectorAll<HTMLLinkElement>('link[rel="icon"]')) {
        link.dataset.ownHref ??= link.getAttribute('href') ?? '';
        const icon = total > 0 ? faviconFor(total) : link.dataset.ownHref;
        if (link.getAttribute('href') !== icon) link.setAttribute('href', icon);
      }
    };
    apply();
    // Watches elements and text only (not attributes), so the changes made here do not call it again.
    const observer = new MutationObserver(apply);
    observer.observe(document.head, { subtree: true, childList: true, characterData: true });
    return () => observer.disconnect();
  }, [total, pathname]);
}

/**
 * Alt+↑/↓: the previous/next room in sidebar order; with Shift, the previous/next room with something
 * unread. From anywhere, the composer included (its own ↑ ignores Alt).
 */
function useRoomKeys(store: RoomsStore): void {
  const router = useRouter();
  const pathname = usePathname();
  const activeId = roomIdFromPath(pathname);
  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      if (!event.altKey || event.ctrlKey || event.metaKey || event.defaultPrevented) return;
      if (event.key !== 'ArrowUp' && event.key !== 'ArrowDown') return;
      const order = sidebarOrder(store.getState().mine);
      const step = event.key === 'ArrowDown' ? 1 : -1;
      const target = adjacentRoomId(order, activeId, step, event.shiftKey ? (room) => attentionCount(room) > 0 : undefined);
      event.preventDefault();
      if (target) openRoomHref(`/rooms/${target}`, store, router);
    };
    document.addEventListener('keydown', onKeyDown);
    return () => document.removeEventListener('keydown', onKeyDown);
  }, [store, router, activeId]);
}

/**
 * The signed-in frame: owns the tab's connection (main namespace), the sidebar's rooms store, presence,
 * the tab's own away/online status, and the connection banner. Room views inside open their own
 * namespaces on the same connection.
 */
export function ChatShell({
  userId,
  initialRooms,
  transports,
  children,
}: {
  userId: string;
  initialRooms: RoomList;
  /** The server's REALTIME_TRANSPORTS. */
  transports: RealtimeTransportsSetting;
  children: ReactNode;
}) {
  setRealtimeTransports(transports);
  const [store] = useState(() => createRoomsStore(initialRooms, { fetchList: roomsApi.list }));
  const [presence] = useState(() => createPresenceStore());
  useEffect(() => () => presence.getState().dispose(), [presence]);
  const [calls] = useState(() =>
    createCallsStore({
      meId: userId,
      // The WebRTC engine is fetched when a call starts or is answered, not with the page.
      openEngine: (options) => import('@/lib/calls/engine').then((m) => m.openCallEngine(options)),
      beacon: (url, body) => navigator.sendBeacon(url, body),
    }),
  );
  useEffect(() => () => calls.binding.dispose(), [calls]);
  const notifications = useMessageNotifications(store, userId);
  useEffect(() => useNotificationPermission.getState().init(), []);

  // A server refresh (router.refresh) re-renders the layout with a fresh list.
  const seen = useRef(initialRooms);
  useEffect(() => {
    if (seen.current === initialRooms) return;
    seen.current = initialRooms;
    store.getState().replace(initialRooms);
  }, [initialRooms, store]);

  useEffect(() => {
    const { main, release } = acquireRealtime(userId);
    presence.getState().setWatcher((ids) => watchPresence(main, ids));
    calls.binding.attach(callRequests(main));
    const away = createAwayMonitor({ onChange: (status) => reportTabStatus(main, status) });
    let connects = 0;
    const onConnect = () => {
      connects += 1;
      presence.getState().resync(); // the server forgets the watch with the connection
      if (away.status === 'away') reportTabStatus(main, 'away');
      // Events sent while we were away are lost: catch up with one list fetch.
      if (connects > 1) void store.getState().refresh().then(() => ackUnread(store));
      else ackUnread(store);
    };
    const handlers: { [E in keyof ServerToClientEvents]?: ServerToClientEvents[E] } = {
      'room:joined': ({ room }) => store.getState().upsert(room),
      'room:deleted': ({ roomId }) => store.getState().remove(roomId),
      'membership:changed': ({ roomId, isMember, reason }) => {
        if (!isMember && reason) store.getState().removedFrom(roomId, reason);
        else if (!isMember) store.getState().left(roomId);
        void store.getState().refresh(); // exact counts, roles and mutes, and rooms this tab had not listed
      },
      'room:updated': ({ room }) => store.getState().updateSettings(room),
      'room:activity': (activity) => {
        const { roomId, lastSeq } = activity;
        store.getState().activity(roomId, lastSeq, { mentionsMe: mentionsMe(activity, userId) });
        // My own message (from any tab): the server moved my read position with it.
        if (activity.authorId === userId) store.getState().read(roomId, lastSeq);
        const room = store.getState().mine.find((r) => r.id === roomId);
        if (room) ackDelivery(room, lastSeq);
        notifications.onActivity(activity);
      },
      'room:read': ({ roomId, lastReadSeq }) => {
        store.getState().read(roomId, lastReadSeq);
        notifications.onRead(roomId, lastReadSeq);
      },
      'presence:changed': (info) => presence.getState().apply(info),
      // Calls: the main namespace is set up (again) once session:ready arrives, not at connect (§5.1).
      'session:ready': () => calls.binding.onReady(),
      'call:ring': ({ call }) => calls.binding.onRing(call),
      'call:updated': ({ call }) => calls.binding.onUpdated(call),
      'call:signal': (signal) => calls.binding.onSignal(signal),
    };
    const onDisconnect = () => calls.binding.onDisconnect();
    main.on('connect', onConnect);
    main.on('disconnect', onDisconnect);
    for (const [event, handler] of Object.entries(handlers)) main.on(event as keyof ServerToClientEvents, handler as never);
    if (main.connected) {
      onConnect();
      calls.binding.onReady(); // mounted on a connection that was already set up
    }
    return () => {
      away.dispose();
      main.off('connect', onConnect);
      main.off('disconnect', onDisconnect);
      calls.binding.detach();
      for (const [event, handler] of Object.entries(handlers)) main.off(event as keyof ServerToClientEvents, handler as never);
      presence.getState().setWatcher(null);
      release();
    };
  }, [store, presence, calls, userId, notifications]);

  useUnreadTitle(store);
  useRoomKeys(store);

  const callsContext = useMemo(() => ({ store: calls, meId: userId }), [calls, userId]);
  return (
    <RoomsContext.Provider value={store}>
      <PresenceContext.Provider value={presence}>
        <CallsContext.Provider value={callsContext}>
          <div className="relative flex min-h-0 flex-1">
            <Sidebar />
            {/* The one main landmark of every signed-in page (the skip link's #main); pages render inside it. */}
            <main id="main" tabIndex={-1} className="flex min-w-0 flex-1 flex-col focus:outline-none">
              <CallBar />
              <ConnectionBanner />
              {children}
            </main>
          </div>
          <SearchHost />
          <CallLayer />
        </CallsContext.Provider>
      </PresenceContext.Provider>
    </RoomsContext.Provider>
  );
}
