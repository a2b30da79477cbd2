import Link from 'next/link';

/** A room that cannot be shown: gone, or not for me. */
export function RoomUnavailable({ reason, message }: { reason: 'not-found' | 'forbidden'; message?: string }) {
  return (
    <div className="flex min-h-0 flex-1 items-center justify-center p-6">
      <div className="max-w-sm text-center">
        <h1 className="text-xl font-semibold">{reason === 'not-found' ? 'Room not found' : 'You cannot open this room'}</h1>
        <p className="mt-2 text-fg-muted">
          {reason === 'not-found' ? 'This room does not exist or was deleted.' : (message ?? 'You are not a member of this room.')}
        </p>
        <Link href="/" className="mt-4 inline-block text-link hover:underline">
          Back to your rooms
        </Link>
      </div>
    </div>
  );
}
