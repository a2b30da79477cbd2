'use client';
/**
 * What a person removed from a room sees in its place: by whom and how (kicked, banned), and the way
 * back. It replaces the timeline and the composer: the room is not theirs to read any more.
 */
import { NoSymbolIcon, ArrowRightStartOnRectangleIcon } from '@heroicons/react/20/solid';
import Link from 'next/link';
import { useEffect, useRef } from 'react';
import { useRoom } from './room-context';

export function RoomClosed() {
  const removal = useRoom((s) => s.removal);
  const room = useRoom((s) => s.room);
  const heading = useRef<HTMLHeadingElement>(null);
  // The composer (and whatever had focus) is gone: say what happened where focus lands.
  useEffect(() => {
    heading.current?.focus();
  }, []);
  if (!removal) return null;
  const banned = removal.reason === 'banned';
  const by = removal.by ? ` by ${removal.by.displayName}` : '';
  const Icon = banned ? NoSymbolIcon : ArrowRightStartOnRectangleIcon;
  return (
    <div data-testid="room-closed" data-reason={removal.reason} className="flex min-h-0 flex-1 items-center justify-center overflow-y-auto p-6">
      <div className="max-w-sm text-center">
        <span aria-hidden="true" className={`mx-auto flex size-12 items-center justify-center rounded-full ${banned ? 'bg-danger-soft text-danger-fg' : 'bg-surface-sunken text-fg-muted'}`}>
          <Icon className="size-6" />
        </span>
        <h2 ref={heading} tabIndex={-1} className="mt-3 text-lg font-semibold text-fg focus:outline-none">
          {banned ? `You were banned from this room${by}` : `You were removed from this room${by}`}
        </h2>
        <p className="mt-2 text-sm text-fg-muted">
          {banned
            ? 'You cannot read or join it while the ban lasts.'
            : room.kind === 'public'
              ? 'You can join it again from the room directory.'
              : 'You can come back with the password or an invitation.'}
        </p>
        <Link href="/" className="mt-4 inline-block rounded-md bg-accent px-4 py-2 text-sm font-medium text-white hover:bg-accent-hover">
          Back to your rooms
        </Link>
      </div>
    </div>
  );
}
