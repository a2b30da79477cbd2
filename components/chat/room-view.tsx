'use client';
import { useEffect, useState } from 'react';
import { useStore } from 'zustand';
import { roomsApi } from '@/lib/api-client';
import { openRoom } from '@/lib/realtime/client';
import type { HistoryPage } from '@/lib/schemas/message';
import type { RoomMember, RoomSummary } from '@/lib/schemas/room';
import type { PublicUser } from '@/lib/schemas/user';
import { createRoomStore } from '@/lib/stores/room-store';
import { Composer } from './composer';
import { MemberList } from './member-list';
import { MessageList } from './message-list';
import { RoomContext } from './room-context';
import { RoomHeader } from './room-header';
import { RoomStatusNotice } from './room-status-notice';
import { useRooms, useRoomsStore } from './rooms-context';

interface RoomViewProps {
  me: PublicUser;
  room: RoomSummary;
  members: RoomMember[];
  history: HistoryPage;
}

/** One room, live: server-rendered history, then the room namespace keeps it current. */
export function RoomView({ me, room, members, history }: RoomViewProps) {
  const roomsStore = useRoomsStore();
  const [store] = useState(() =>
    createRoomStore(
      { room, members, history },
      {
        me,
        fetchHistory: (query) => roomsApi.history(room.id, query),
        fetchMembers: () => roomsApi.members(room.id).then((r) => r.members),
      },
    ),
  );
  const [membersOpen, setMembersOpen] = useState(false);

  useEffect(() => {
    const connection = openRoom(room.id, store.binding.options);
    store.binding.attach(connection);
    return () => {
      store.binding.detach();
      connection.close();
    };
  }, [room.id, store]);

  // The sidebar follows what the room knows: I am in it (joined on the way in), its member count.
  const liveRoom = useStore(store, (s) => s.room);
  const status = useStore(store, (s) => s.status);
  useEffect(() => {
    if (status === 'live') roomsStore.getState().upsert(liveRoom);
  }, [liveRoom, status, roomsStore]);

  // Deleted or left, as told on the main namespace.
  const deletedElsewhere = useRooms((s) => Boolean(s.deleted[room.id]));
  useEffect(() => {
    if (deletedElsewhere) store.getState().markDeleted();
  }, [deletedElsewhere, store]);
  useEffect(() => {
    if (status === 'deleted') roomsStore.getState().remove(room.id);
  }, [status, room.id, roomsStore]);
  useEffect(() => {
    if (status === 'forbidden' || status === 'closed') roomsStore.getState().setMembership(room.id, false);
  }, [status, room.id, roomsStore]);

  return (
    <RoomContext.Provider value={{ store, me }}>
      <div className="relative flex min-h-0 flex-1">
        <section aria-label={`Room ${room.name}`} className="flex min-w-0 flex-1 flex-col">
          <RoomHeader membersOpen={membersOpen} onToggleMembers={() => setMembersOpen((open) => !open)} />
          <RoomStatusNotice />
          <MessageList />
          <Composer />
        </section>
        <MemberList open={membersOpen} onClose={() => setMembersOpen(false)} />
      </div>
    </RoomContext.Provider>
  );
}
