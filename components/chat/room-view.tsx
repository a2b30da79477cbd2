'use client';
import { useEffect, useMemo, useRef, useState } from 'react';
import { useStore } from 'zustand';
import { roomsApi } from '@/lib/api-client';
import { filesApi } from '@/lib/files/upload-client';
import { messageSnippet } from '@/lib/notifications/decide';
import { ackDelivery, openRoom } from '@/lib/realtime/client';
import type { HistoryPage } from '@/lib/schemas/message';
import type { RoomMember, RoomSummary } from '@/lib/schemas/room';
import type { PublicUser } from '@/lib/schemas/user';
import { roomTitle } from '@/lib/stores/room-list';
import { createRoomStore } from '@/lib/stores/room-store';
import { maxSeq } from '@/lib/stores/timeline';
import { DropOverlay, useFileDrop } from './attachments/drop-zone';
import { CallBanner } from './calls/call-buttons';
import { trayKeyFor, uploadsStore } from './attachments/uploads';
import { Composer } from './composer';
import { MemberList } from './member-list';
import { MessageList } from './message-list';
import { useWatchPresence } from './presence-context';
import { RoomContext } from './room-context';
import { RoomHeader } from './room-header';
import { RoomStatusNotice } from './room-status-notice';
import { useRooms, useRoomsStore } from './rooms-context';
import { ThreadPanel } from './thread-panel';
import { TypingIndicator } from './typing-indicator';

interface RoomViewProps {
  me: PublicUser;
  room: RoomSummary;
  members: RoomMember[];
  history: HistoryPage;
  /** Open at this message (`?m=<seq>`: a notification, a link). */
  jumpTo?: number;
}

/** One room, live: server-rendered history, then the room namespace keeps it current. */
export function RoomView({ me, room, members, history, jumpTo }: RoomViewProps) {
  const roomsStore = useRoomsStore();
  const [store] = useState(() =>
    createRoomStore(
      { room, members, history },
      {
        me,
        fetchHistory: (query) => roomsApi.history(room.id, query),
        fetchMembers: () => roomsApi.members(room.id).then((r) => r.members),
        discardUploads: (ids) => {
          for (const id of ids) void filesApi.removeUpload(id).catch(() => undefined); // unsent uploads expire anyway
        },
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

  useEffect(() => {
    if (jumpTo !== undefined) void store.getState().jumpTo(jumpTo);
  }, [jumpTo, store]);

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
    if (status === 'forbidden' || status === 'closed') roomsStore.getState().left(room.id);
  }, [status, room.id, roomsStore]);

  // Messages reached this device (the senders' ✓✓), and the sidebar's unread count follows this room.
  const newest = useStore(store, (s) => maxSeq(s.timeline.messages));
  useEffect(() => {
    if (newest === 0 || status !== 'live') return;
    ackDelivery(room.id, newest);
    roomsStore.getState().activity(room.id, newest);
  }, [newest, status, room.id, roomsStore]);
  const myReadSeq = useStore(store, (s) => s.receipts[me.id]?.lastReadSeq ?? 0);
  useEffect(() => {
    if (myReadSeq > 0) roomsStore.getState().read(room.id, myReadSeq);
  }, [myReadSeq, room.id, roomsStore]);

  // Presence of everyone listed.
  const liveMembers = useStore(store, (s) => s.members);
  const memberIds = useMemo(() => liveMembers.map((m) => m.user.id), [liveMembers]);
  useWatchPresence(`room:${room.id}`, memberIds);
  const connected = useStore(store, (s) => s.connected);
  const replyingTo = useStore(store, (s) => (s.replyingTo === null ? null : (s.timeline.messages.find((m) => m.seq === s.replyingTo) ?? null)));
  const trayKey = trayKeyFor(room.id);
  const section = useRef<HTMLElement>(null);
  // Files dropped anywhere on the room (not on an open thread, which takes its own) go with the next message.
  const drop = useFileDrop((files) => {
    uploadsStore().getState().add(trayKey, room.id, files);
    section.current?.querySelector('textarea')?.focus();
  }, status === 'live');

  return (
    <RoomContext.Provider value={{ store, me }}>
      <div className="relative flex min-h-0 flex-1">
        <section
          ref={section}
          aria-label={room.kind === 'direct' ? `Conversation with ${roomTitle(liveRoom)}` : `Room ${room.name}`}
          data-testid="room-view"
          data-connected={connected}
          className="relative flex min-w-0 flex-1 flex-col"
          {...drop.handlers}
        >
          {drop.dragging ? <DropOverlay label={`Drop files to share in ${room.kind === 'direct' ? roomTitle(liveRoom) : `#${roomTitle(liveRoom)}`}`} /> : null}
          <RoomHeader membersOpen={membersOpen} onToggleMembers={() => setMembersOpen((open) => !open)} />
          {status === 'live' ? <CallBanner /> : null}
          <RoomStatusNotice />
          <MessageList />
          <TypingIndicator />
          <Composer
            onSend={(body, attachments) => store.getState().send(body, attachments)}
            files={{ roomId: room.id, trayKey }}
            onTyping={(text) => store.getState().typingInput(text)}
            disabled={status !== 'live'}
            placeholder={status === 'live' ? `Message ${roomTitle(liveRoom)}` : 'This room is closed'}
            label="Message"
            members={liveMembers.map((m) => m.user)}
            meId={me.id}
            canMentionRoom={liveRoom.kind !== 'direct' && (liveRoom.roomMentions === 'anyone' || liveRoom.ownerId === me.id)}
            onEditLast={() => store.getState().editLast()}
            replyingTo={replyingTo ? { authorName: replyingTo.author.displayName, snippet: replyingTo.deletedAt ? 'deleted message' : messageSnippet(replyingTo) } : null}
            onCancelReply={() => store.getState().replyTo(null)}
          />
        </section>
        <ThreadPanel />
        <MemberList open={membersOpen} onClose={() => setMembersOpen(false)} />
      </div>
    </RoomContext.Provider>
  );
}
