'use client';
import dynamic from 'next/dynamic';
import { useSearchParams } from 'next/navigation';
import { useEffect, useMemo, useRef, useState, type RefObject } from 'react';
import { useStore } from 'zustand';
import { roomsApi } from '@/lib/api-client';
import { filesApi } from '@/lib/files/upload-client';
import { messageSnippet } from '@/lib/notifications/decide';
import { jumpTarget } from '@/lib/room-links';
import { ackDelivery, openRoom } from '@/lib/realtime/client';
import type { HistoryPage } from '@/lib/schemas/message';
import { isMutedNow } from '@/lib/community/permissions';
import { formatUntil } from '@/lib/community/describe';
import { hasRole, isConversation } from '@/lib/schemas/limits';
import type { RoomMember, RoomSummary } from '@/lib/schemas/room';
import type { PublicUser } from '@/lib/schemas/user';
import { roomTitle } from '@/lib/stores/room-list';
import { createRoomStore, type RoomStore } from '@/lib/stores/room-store';
import { maxSeq } from '@/lib/stores/timeline';
import { tabTitle, titleWithUnread } from '@/lib/stores/unread';
import { DropOverlay, useFileDrop } from './attachments/drop-zone';
import { CallBanner } from './calls/call-banner';
import { trayKeyFor, uploadsStore } from './attachments/uploads';
import { Composer } from './composer';
import { MemberList } from './member-list';
import { MessageList } from './message-list';
import { RoomClosed } from './room-closed';
import { RoomContext } from './room-context';
import { RoomHeader } from './room-header';
import { RoomStatusNotice } from './room-status-notice';
import { useRooms, useRoomsStore } from './rooms-context';
import { TypingIndicator } from './typing-indicator';
import { PHONE_QUERY, useUiStore } from './ui-store';

// A thread opens on demand (a click, a permalink to a reply): its panel is fetched then.
const ThreadPanel = dynamic(() => import('./thread-panel').then((m) => m.ThreadPanel), { ssr: false });

interface RoomViewProps {
  me: PublicUser;
  room: RoomSummary;
  members: RoomMember[];
  history: HistoryPage;
}

/** Re-renders when `iso` passes (a mute ending), and says whether it is still ahead. */
function useStillAhead(iso: string | null): boolean {
  const [now, setNow] = useState(() => Date.now());
  const ahead = isMutedNow(iso, now);
  useEffect(() => {
    if (!iso || !ahead) return;
    // setTimeout holds at most ~24.8 days; a longer mute re-checks then.
    const timer = setTimeout(() => setNow(Date.now()), Math.min(2_147_000_000, Math.max(0, Date.parse(iso) - Date.now()) + 50));
    return () => clearTimeout(timer);
  }, [iso, ahead]);
  return ahead;
}

/** One room, live: server-rendered history, then the room namespace keeps it current. */
export function RoomView({ me, room, members, history }: RoomViewProps) {
  const roomsStore = useRoomsStore();
  // Open at this message (`?seq=<seq>` permalink, or the older `?m=<seq>`: a notification, a search hit); a link to
  // another message of this room while it is open jumps there.
  const searchParams = useSearchParams();
  const jumpTo = jumpTarget((name) => searchParams.get(name));
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
  const threadOpen = useStore(store, (s) => s.thread !== null);
  useEffect(() => {
    if (status === 'live') roomsStore.getState().upsert(liveRoom);
  }, [liveRoom, status, roomsStore]);
  // The tab names the room (a room opened in place has no server metadata to do it) and follows a rename (or a
  // group's changing participants) made while it is open; the shell adds the unread count back to any title set.
  const liveTitle = tabTitle(roomTitle(liveRoom));
  useEffect(() => {
    if (titleWithUnread(document.title, 0) !== liveTitle) document.title = liveTitle;
  }, [liveTitle]);

  // Deleted or left, as told on the main namespace.
  const deletedElsewhere = useRooms((s) => Boolean(s.deleted[room.id]));
  useEffect(() => {
    if (deletedElsewhere) store.getState().markDeleted();
  }, [deletedElsewhere, store]);
  useEffect(() => {
    if (status === 'deleted') roomsStore.getState().remove(room.id);
  }, [status, room.id, roomsStore]);
  useEffect(() => {
    if (status === 'forbidden' || status === 'closed' || status === 'removed') roomsStore.getState().left(room.id);
  }, [status, room.id, roomsStore]);
  // Removed by a moderator, as told on the main namespace (the room's own member:left may not have come).
  const removedHow = useRooms((s) => s.removed[room.id]);
  useEffect(() => {
    if (removedHow) store.getState().markRemoved(removedHow);
  }, [removedHow, store]);
  // Settings changed by someone (room:updated, main namespace): only news heard after this view opened —
  // the page's own data is newer than anything heard before. Applied again after each room:ready, whose
  // snapshot may have been read before the change (applying settings already held changes nothing).
  const heardSettings = useRooms((s) => s.roomSettings[room.id]);
  const settingsOnOpen = useRef(heardSettings);
  const readyAt = useStore(store, (s) => s.readyCount);
  useEffect(() => {
    if (heardSettings && heardSettings !== settingsOnOpen.current) store.getState().applySettings(heardSettings);
  }, [heardSettings, readyAt, store]);

  // Messages reached this device (the senders' ✓✓), and the sidebar's unread count follows this room.
  const newest = useStore(store, (s) => maxSeq(s.timeline.messages));
  useEffect(() => {
    if (newest === 0 || status !== 'live') return;
    ackDelivery({ id: room.id, kind: room.kind }, newest);
    roomsStore.getState().activity(room.id, newest);
  }, [newest, status, room.id, room.kind, roomsStore]);
  const myReadSeq = useStore(store, (s) => s.receipts[me.id]?.lastReadSeq ?? 0);
  useEffect(() => {
    if (myReadSeq > 0) roomsStore.getState().read(room.id, myReadSeq);
  }, [myReadSeq, room.id, roomsStore]);

  // Presence is followed by the member list, for the rows it draws.
  const liveMembers = useStore(store, (s) => s.members);
  const memberUsers = useMemo(() => liveMembers.map((m) => m.user), [liveMembers]);
  const connected = useStore(store, (s) => s.connected);
  const replyingTo = useStore(store, (s) => (s.replyingTo === null ? null : (s.timeline.messages.find((m) => m.seq === s.replyingTo) ?? null)));
  const trayKey = trayKeyFor(room.id);
  const archived = liveRoom.archivedAt !== null;
  const muted = useStillAhead(liveRoom.mutedUntil);
  const canPost = status === 'live' && !archived && !muted;
  const conversation = isConversation(room.kind);
  const composerNotice = status !== 'live' ? null : archived ? 'This room is archived — read-only.' : muted && liveRoom.mutedUntil ? `You are muted until ${formatUntil(liveRoom.mutedUntil)}.` : null;
  const section = useRef<HTMLElement>(null);
  // Files dropped anywhere on the room (not on an open thread, which takes its own) go with the next message.
  const drop = useFileDrop((files) => {
    uploadsStore().getState().add(trayKey, room.id, files);
    section.current?.querySelector('textarea')?.focus();
  }, canPost);

  useOpenFocus(section, canPost);
  useSidePanelKeys(store, section, membersOpen, setMembersOpen);

  return (
    <RoomContext.Provider value={{ store, me }}>
      <div className="relative flex min-h-0 flex-1">
        <section
          ref={section}
          aria-label={conversation ? `Conversation with ${roomTitle(liveRoom)}` : `Room ${liveRoom.name}`}
          data-testid="room-view"
          data-connected={connected}
          className="relative flex min-w-0 flex-1 flex-col"
          {...drop.handlers}
        >
          {drop.dragging ? <DropOverlay label={`Drop files to share in ${conversation ? roomTitle(liveRoom) : `#${roomTitle(liveRoom)}`}`} /> : null}
          <RoomHeader membersOpen={membersOpen} onToggleMembers={() => setMembersOpen((open) => !open)} />
          {status === 'live' ? <CallBanner /> : null}
          {status === 'removed' ? (
            <RoomClosed />
          ) : (
            <>
              <RoomStatusNotice />
              <MessageList openAt={jumpTo} />
              <TypingIndicator />
              {composerNotice ? (
                <p role="status" data-testid="composer-notice" className="mx-3 mb-1 rounded-md bg-warning-soft px-3 py-2 text-sm text-warning-fg sm:mx-4">
                  {composerNotice}
                </p>
              ) : null}
              <Composer
                onSend={(body, attachments) => store.getState().send(body, attachments)}
                files={{ roomId: room.id, trayKey }}
                onTyping={(text) => store.getState().typingInput(text)}
                disabled={!canPost}
                placeholder={status !== 'live' ? 'This room is closed' : archived ? 'This room is archived' : muted ? 'You are muted here' : `Message ${roomTitle(liveRoom)}`}
                label="Message"
                members={memberUsers}
                meId={me.id}
                // §4.10: "owner" means the owner and admins.
                canMentionRoom={liveRoom.kind !== 'direct' && (liveRoom.roomMentions === 'anyone' || hasRole(liveRoom.role, 'admin'))}
                onEditLast={() => store.getState().editLast()}
                replyingTo={replyingTo ? { authorName: replyingTo.author.displayName, snippet: replyingTo.deletedAt ? 'deleted message' : messageSnippet(replyingTo) } : null}
                onCancelReply={() => store.getState().replyTo(null)}
              />
            </>
          )}
        </section>
        {threadOpen ? <ThreadPanel /> : null}
        {/* Removed from the room: who is in it is no longer theirs to see. */}
        {status === 'removed' ? null : <MemberList open={membersOpen} onClose={() => setMembersOpen(false)} />}
      </div>
    </RoomContext.Provider>
  );
}

/** The room's own composer (not the thread's, not a message being edited). */
function composerIn(section: RefObject<HTMLElement | null>): HTMLTextAreaElement | null {
  return section.current?.querySelector<HTMLTextAreaElement>('textarea[aria-label="Message"]:not(:disabled)') ?? null;
}

/**
 * Opening a room (a click, Enter on a sidebar link, Alt+↑/↓, a permalink) puts focus in its composer,
 * once, as soon as it can take it: not while the phone drawer still holds focus, and not if the person
 * already put focus somewhere in the room.
 */
function useOpenFocus(section: RefObject<HTMLElement | null>, canPost: boolean): void {
  const drawerOpen = useUiStore((s) => s.sidebarOpen);
  const done = useRef(false);
  useEffect(() => {
    if (done.current || !canPost || drawerOpen) return;
    const box = composerIn(section);
    if (!box) return;
    done.current = true;
    const active = document.activeElement;
    if (active && active !== document.body && section.current?.contains(active)) return;
    box.focus({ preventScroll: true });
  }, [canPost, drawerOpen, section]);
}

const PANEL_SELECTOR = '[data-testid="thread-panel"], #room-members';

/**
 * Escape closes the side panel that is open (the thread; the members overlay on phones) and focus goes
 * back where it was before the panel took it. Dialogs (files, settings) are Radix's: they handle their
 * own Escape first and mark it handled, as do the composer's menus.
 */
function useSidePanelKeys(store: RoomStore, section: RefObject<HTMLElement | null>, membersOpen: boolean, setMembersOpen: (open: boolean) => void): void {
  const threadOpen = useStore(store, (s) => s.thread !== null);
  const before = useRef<HTMLElement | null>(null);

  // The last thing focused outside the panels: where focus returns.
  useEffect(() => {
    const onFocusIn = (event: FocusEvent) => {
      const target = event.target;
      if (target instanceof HTMLElement && target !== document.body && !target.closest(PANEL_SELECTOR)) before.current = target;
    };
    document.addEventListener('focusin', onFocusIn);
    return () => document.removeEventListener('focusin', onFocusIn);
  }, []);

  // However the thread closed (Escape, its × button, another room's thread), focus left inside it returns.
  const wasOpen = useRef(threadOpen);
  useEffect(() => {
    const closed = wasOpen.current && !threadOpen;
    wasOpen.current = threadOpen;
    if (!closed) return;
    const active = document.activeElement;
    if (active && active !== document.body && active.isConnected) return;
    restoreFocus(before.current, section);
  }, [threadOpen, section]);

  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.key !== 'Escape' || event.defaultPrevented) return;
      if (store.getState().thread) {
        event.preventDefault();
        const inPanel = document.activeElement?.closest(PANEL_SELECTOR);
        store.getState().closeThread();
        if (inPanel) restoreFocus(before.current, section);
        return;
      }
      if (membersOpen && window.matchMedia(PHONE_QUERY).matches) {
        event.preventDefault();
        setMembersOpen(false);
        document.querySelector<HTMLElement>('[aria-controls="room-members"]')?.focus();
      }
    };
    document.addEventListener('keydown', onKeyDown);
    return () => document.removeEventListener('keydown', onKeyDown);
  }, [store, section, membersOpen, setMembersOpen]);
}

/** Focus `target` if it can still take it (a hover toolbar may be gone), else the composer. */
function restoreFocus(target: HTMLElement | null, section: RefObject<HTMLElement | null>): void {
  if (target?.isConnected) {
    target.focus({ preventScroll: true });
    if (document.activeElement === target) return;
  }
  composerIn(section)?.focus({ preventScroll: true });
}
