'use client';
import { usePathname, useRouter } from 'next/navigation';
import { useEffect, useState, type ReactNode } from 'react';
import { Button } from '@/components/ui/button';
import { ApiError, roomsApi } from '@/lib/api-client';
import { roomIdFromPath } from '@/lib/room-links';
import { loadRoom } from '@/lib/realtime/client';
import type { RoomContent, RoomSummary } from '@/lib/schemas/room';
import { memberLists } from '@/lib/stores/member-lists';
import type { PublicUser } from '@/lib/schemas/user';
import { roomTitle } from '@/lib/stores/room-list';
import { tabTitle, titleWithUnread } from '@/lib/stores/unread';
import { RoomLoading } from './room-loading';
import { useRoomHostMounted } from './room-navigation';
import { RoomView } from './room-view';
import { useRooms } from './rooms-context';

/**
 * The room on screen: what the server rendered for the page's own room (`children`: the room, its join page, or
 * why it cannot be shown), or — once a link moved the URL to another of my rooms in place (room-navigation.ts) —
 * that room, opened here without a server render (readRoom). Back and forward move between them alike.
 */
export function RoomHost({ me, servedRoomId, children }: { me: PublicUser; servedRoomId: string; children: ReactNode }) {
  useRoomHostMounted();
  const roomId = roomIdFromPath(usePathname()) ?? servedRoomId;
  // The server's content shows its room as it was when rendered: once left, coming back opens the room afresh
  // (a refresh of the page renders new content, which counts as not left).
  const [left, setLeft] = useState<ReactNode>(null);
  if (roomId !== servedRoomId && left !== children) setLeft(children);
  if (roomId === servedRoomId && left !== children) return children;
  return <RoomOpenedInPlace key={roomId} me={me} roomId={roomId} />;
}

/** What a room opened in place shows: my view of it, its members, its newest history. */
type OpenedRoom = { room: RoomSummary } & Omit<RoomContent, 'membersRev'>;
type Opening = { state: 'loading' } | { state: 'failed'; message: string } | ({ state: 'open' } & OpenedRoom);

/**
 * The room with its members and newest history: in one answer on the tab's socket (`room:load`), else — no socket
 * now, too many loads, a server hiccup — the same over the REST API, two reads in parallel. A refusal (not mine any
 * more, gone) is the same either way, so it is not asked twice. The member list this tab was last sent for the room
 * is offered by its version, and not sent again while current (member-lists.ts).
 */
async function readRoom(roomId: string): Promise<OpenedRoom> {
  const known = memberLists.get(roomId);
  const answer = await loadRoom(roomId, known?.rev);
  if (answer?.ok) {
    // Left out only when this tab offered the current version, so it has them.
    const members = answer.data.members ?? known?.members;
    if (members) {
      memberLists.remember(roomId, { rev: answer.data.membersRev, members });
      return { room: answer.data.room, members, history: answer.data.history };
    }
  } else if (answer?.error.code === 'FORBIDDEN' || answer?.error.code === 'NOT_FOUND') {
    memberLists.forget(roomId);
    throw new ApiError(answer.error.code === 'FORBIDDEN' ? 403 : 404, answer.error);
  }
  // Over REST the list comes without its version, so it is not kept.
  const [{ room, members: listed }, history] = await Promise.all([roomsApi.get(roomId), roomsApi.history(roomId)]);
  return { room, members: listed, history };
}

/** One of my rooms opened in place (readRoom). */
function RoomOpenedInPlace({ me, roomId }: { me: PublicUser; roomId: string }) {
  const router = useRouter();
  const listed = useRooms((s) => s.mine.find((room) => room.id === roomId));
  const [attempt, setAttempt] = useState(0);
  const [opening, setOpening] = useState<Opening>({ state: 'loading' });

  // The tab names the room from the moment it is asked for (the server page does so with its metadata).
  const listedTitle = listed ? tabTitle(roomTitle(listed)) : null;
  useEffect(() => {
    if (listedTitle && titleWithUnread(document.title, 0) !== listedTitle) document.title = listedTitle;
  }, [listedTitle]);

  useEffect(() => {
    let current = true;
    readRoom(roomId).then(
      (loaded) => {
        if (current) setOpening({ state: 'open', ...loaded });
      },
      (error: unknown) => {
        if (!current) return;
        // Signed out, no longer mine, or gone: the server's page for this address says which (sign-in, the room's
        // join page, "not found"), so ask for it.
        if (error instanceof ApiError && [401, 403, 404].includes(error.status)) router.refresh();
        else setOpening({ state: 'failed', message: error instanceof ApiError ? error.message : 'Could not open this room.' });
      },
    );
    return () => {
      current = false;
    };
  }, [roomId, attempt, router]);

  if (opening.state === 'loading') return <RoomLoading label={listed ? `Opening ${roomTitle(listed)}…` : undefined} />;
  if (opening.state === 'failed') {
    return (
      <div className="flex min-h-0 flex-1 items-center justify-center p-6" data-testid="room-open-failed">
        <div role="alert" className="max-w-sm text-center">
          <h1 className="text-xl font-semibold">This room did not open</h1>
          <p className="mt-2 text-fg-muted">{opening.message}</p>
          <Button
            className="mt-4"
            onClick={() => {
              setOpening({ state: 'loading' });
              setAttempt((n) => n + 1);
            }}
          >
            Try again
          </Button>
        </div>
      </div>
    );
  }
  return <RoomView me={me} room={opening.room} members={opening.members} history={opening.history} />;
}
