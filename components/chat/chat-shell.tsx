'use client';
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { roomsApi } from '@/lib/api-client';
import { acquireRealtime } from '@/lib/realtime/client';
import type { ServerToClientEvents } from '@/lib/realtime/events';
import type { RoomList } from '@/lib/schemas/room';
import { createRoomsStore } from '@/lib/stores/rooms-store';
import { ConnectionBanner } from './connection-banner';
import { RoomsContext } from './rooms-context';
import { Sidebar } from './sidebar';

/**
 * The signed-in frame: owns the tab's connection (main namespace), the sidebar's rooms store and the
 * connection banner. Room views inside open their own namespaces on the same connection.
 */
export function ChatShell({ userId, initialRooms, children }: { userId: string; initialRooms: RoomList; children: ReactNode }) {
  const [store] = useState(() => createRoomsStore(initialRooms, { fetchList: roomsApi.list }));

  // A server refresh (router.refresh) re-renders the layout with a fresh list.
  const seen = useRef(initialRooms);
  useEffect(() => {
    if (seen.current === initialRooms) return;
    seen.current = initialRooms;
    store.getState().replace(initialRooms);
  }, [initialRooms, store]);

  useEffect(() => {
    const { main, release } = acquireRealtime(userId);
    let connects = main.connected ? 1 : 0;
    const onConnect = () => {
      connects += 1;
      // Events sent while we were away are lost: catch up with one list fetch.
      if (connects > 1) void store.getState().refresh();
    };
    const handlers: { [E in keyof ServerToClientEvents]?: ServerToClientEvents[E] } = {
      'room:listed': ({ room }) => store.getState().listed(room),
      'room:deleted': ({ roomId }) => store.getState().remove(roomId),
      'membership:changed': ({ roomId, isMember }) => {
        store.getState().setMembership(roomId, isMember);
        void store.getState().refresh(); // exact counts and roles, and rooms this tab had not listed
      },
    };
    main.on('connect', onConnect);
    for (const [event, handler] of Object.entries(handlers)) main.on(event as keyof ServerToClientEvents, handler as never);
    return () => {
      main.off('connect', onConnect);
      for (const [event, handler] of Object.entries(handlers)) main.off(event as keyof ServerToClientEvents, handler as never);
      release();
    };
  }, [store, userId]);

  return (
    <RoomsContext.Provider value={store}>
      <div className="relative flex min-h-0 flex-1">
        <Sidebar />
        <div className="flex min-w-0 flex-1 flex-col">
          <ConnectionBanner />
          {children}
        </div>
      </div>
    </RoomsContext.Provider>
  );
}
