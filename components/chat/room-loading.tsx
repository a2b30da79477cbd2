import { TimelineSkeleton } from '@/components/ui/skeleton';

/**
 * A room while it loads, inside the chat layout (whose sidebar is already there): the timeline's shape (room header,
 * messages, composer). Shown by the route's loading boundary and by the room host opening a room in place — after
 * 200 ms, so a room that opens at once (a switch usually takes a few milliseconds) does not flash it.
 */
export function RoomLoading({ label = 'Loading…' }: { label?: string }) {
  return (
    <div aria-busy="true" data-testid="room-loading" className="flex min-h-0 flex-1 flex-col">
      <p role="status" className="sr-only">
        {label}
      </p>
      <div className="flex min-h-0 flex-1 flex-col animate-appear-late">
        <TimelineSkeleton />
      </div>
    </div>
  );
}
