'use client';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useRoom } from './room-context';

/** Why this room is no longer live, if it is not. */
export function RoomStatusNotice() {
  const status = useRoom((s) => s.status);
  const refusal = useRoom((s) => s.refusal);
  const router = useRouter();
  // Removed by a moderator: RoomClosed takes the whole room's place.
  if (status === 'live' || status === 'removed') return null;
  const text = {
    deleted: 'This room was deleted',
    forbidden: refusal ?? 'You are not a member of this room any more.',
    'signed-out': 'Your session has ended. Sign in again to keep chatting.',
    closed: 'You are no longer connected to this room.',
  }[status];
  return (
    <div role="alert" data-testid="room-status" data-status={status} className="flex flex-wrap items-center gap-x-3 gap-y-1 border-b border-danger-line bg-danger-soft px-4 py-2 text-sm text-danger-fg">
      <strong className="font-semibold">{text}</strong>
      {status === 'signed-out' ? (
        <a href="/login" className="underline">
          Sign in
        </a>
      ) : status === 'deleted' ? (
        <Link href="/" className="underline">
          Back to your rooms
        </Link>
      ) : (
        <button type="button" className="underline" onClick={() => router.refresh()}>
          Rejoin
        </button>
      )}
    </div>
  );
}
