import type { Metadata } from 'next';
import { cache, type ReactNode } from 'react';
import { preload } from 'react-dom';
import { JoinRoom } from '@/components/chat/join-room';
import { RoomHost } from '@/components/chat/room-host';
import { RoomUnavailable } from '@/components/chat/room-unavailable';
import { RoomView } from '@/components/chat/room-view';
import { currentSession, requireUser } from '@/lib/auth';
import { loadRoomContent } from '@/lib/data/room-load';
import { getRoomForUser } from '@/lib/data/rooms';
import { toAppError } from '@/lib/errors';
import { previewSource } from '@/lib/files/display';
import { jumpTarget } from '@/lib/room-links';
import type { HistoryPage } from '@/lib/schemas/message';
import { ROOM_ID_PATTERN, type RoomContent, type RoomSummary } from '@/lib/schemas/room';
import type { PublicUser } from '@/lib/schemas/user';
import { roomTitle } from '@/lib/stores/room-list';
import { tabTitle } from '@/lib/stores/unread';

export const dynamic = 'force-dynamic';

/**
 * The room as read for the user, once per request: the title (generateMetadata) and the page both need it, and
 * the members and history below are read on it rather than checking the membership again each.
 */
const roomForUser = cache((roomId: string, userId: string) => getRoomForUser({ roomId, userId }));

/** The tab names the room (the person, the group) for its members; anyone else sees a neutral title. */
export async function generateMetadata({ params }: Pick<Props, 'params'>): Promise<Metadata> {
  const neutral: Metadata = { title: 'Room · Parley' };
  const { roomId } = await params;
  const userId = (await currentSession())?.user?.id;
  if (!userId || !ROOM_ID_PATTERN.test(roomId)) return neutral;
  try {
    const room = await roomForUser(roomId, userId);
    return room.isMember ? { title: tabTitle(roomTitle(room)) } : neutral;
  } catch {
    return neutral; // the page itself says what is wrong
  }
}

type Props = { params: Promise<{ roomId: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> };

/** A room that is gone or closed to me renders as such; anything else is a real error. */
function unavailable(error: unknown) {
  const known = toAppError(error);
  if (known?.code === 'NOT_FOUND') return <RoomUnavailable reason="not-found" />;
  if (known?.code === 'FORBIDDEN') return <RoomUnavailable reason="forbidden" message={known.message} />;
  throw error;
}

/**
 * A room: the newest history page rendered on the server, then live (components/chat/room-view.tsx).
 * A GET never changes anything — a link from another site must not make anyone a member — so a room I
 * am not in shows its public face and a Join button (private rooms: with the password) that POSTs
 * /api/rooms/:id/join. Direct conversations open for their two members only.
 * The room host around it opens my other rooms in place, without coming back here (room-navigation.ts).
 */
export default async function RoomPage({ params, searchParams }: Props) {
  const { roomId } = await params;
  const query = await searchParams;
  const user = await requireUser(`/rooms/${roomId}`);
  return (
    <RoomHost me={user} servedRoomId={roomId}>
      {await roomContent(roomId, user, jumpTarget((name) => query[name]))}
    </RoomHost>
  );
}

/** What the page shows for the room: the room itself (opened at `jumpTo`), its join page, or why it cannot be shown. */
async function roomContent(roomId: string, user: PublicUser, jumpTo: number | undefined): Promise<ReactNode> {
  if (!ROOM_ID_PATTERN.test(roomId)) return <RoomUnavailable reason="not-found" />;
  let room: RoomSummary;
  try {
    room = await roomForUser(roomId, user.id);
  } catch (error) {
    return unavailable(error);
  }
  // A direct conversation is only for its two people: to anyone else it does not exist.
  if (!room.isMember && room.kind === 'direct') return <RoomUnavailable reason="not-found" />;
  if (!room.isMember) return <JoinRoom room={room} />;

  let content: RoomContent;
  try {
    content = await loadRoomContent(room);
  } catch (error) {
    return unavailable(error);
  }
  if (jumpTo === undefined) preloadNewestImages(content.history);
  return <RoomView key={room.id} me={user} room={room} members={content.members} history={content.history} />;
}

/** Images among the newest messages: the ones a room opening at its bottom shows first. */
const PRELOAD_FROM_NEWEST = 10;
const PRELOAD_MAX = 4;

/**
 * The timeline is drawn by script (components/chat/timeline), so its images would be asked for only once
 * that has run: the newest few start loading with the page instead (`<link rel=preload>` in the head), and
 * the room's largest paint — often an image — no longer waits for both one after the other.
 */
function preloadNewestImages(history: HistoryPage): void {
  const images = history.messages
    .filter((m) => m.threadRootSeq === null || m.alsoInRoom) // thread replies show in their thread, not here
    .slice(-PRELOAD_FROM_NEWEST)
    .flatMap((m) => m.attachments.filter((a) => a.kind === 'image'));
  for (const image of images.slice(-PRELOAD_MAX)) preload(previewSource(image).src, { as: 'image' });
}
