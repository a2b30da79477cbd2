import { TimelineSkeleton } from '@/components/ui/skeleton';

/**
 * While a signed-in page loads. It renders inside the chat layout, whose sidebar is already there, so this is the
 * timeline's shape (room header, messages, composer); SidebarSkeleton is for a frame that has no rooms yet.
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
