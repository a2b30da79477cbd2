import { RoomLoading } from '@/components/chat/room-loading';

/**
 * While a room page renders on the server (a first load, a link from elsewhere). SidebarSkeleton is for a frame
 * that has no rooms yet. Only here, not for the whole (chat) segment: a loading boundary streams the response, so
 * its status is sent (200) before the page runs — /admin's notFound() for a non-admin would no longer answer 404.
 */
export default function ChatLoading() {
  return <RoomLoading />;
}
