import { TimelineSkeleton } from '@/components/ui/skeleton';

/**
 * While a room loads. It renders inside the chat layout, whose sidebar is already there, so this is the timeline's
 * shape (room header, messages, composer); SidebarSkeleton is for a frame that has no rooms yet.
 * Only here, not for the whole (chat) segment: a loading boundary streams the response, so its status is sent
 * (200) before the page runs — /admin's notFound() for a non-admin would no longer answer 404.
 */
export default function ChatLoading() {
  return (
    <div aria-busy="true" className="flex min-h-0 flex-1 flex-col">
      <p role="status" className="sr-only">
        Loading…
      </p>
      <TimelineSkeleton />
    </div>
  );
}
