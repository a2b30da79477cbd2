'use client';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useEffect, useId, useMemo, useState } from 'react';
import { ApiError, roomsApi } from '@/lib/api-client';
import type { RoomDirectoryPage, RoomSummary } from '@/lib/schemas/room';
import { appendDirectoryPage, withoutJoined } from '@/lib/stores/room-directory';
import { HashIcon, LockIcon, UsersIcon } from './icons';
import { useRooms, useRoomsStore } from './rooms-context';

const DEBOUNCE_MS = 250;

/** The pages shown, all for one search term. */
type Listing = { q: string; rooms: RoomSummary[]; nextCursor: string | null };
/** A search for another term, under way or failed. */
type Pending = { q: string; state: 'loading' } | { q: string; state: 'error'; message: string };

const messageOf = (caught: unknown, fallback: string) => (caught instanceof ApiError ? caught.message : fallback);

function DirectoryRoom({ room, busy, onJoin }: { room: RoomSummary; busy: boolean; onJoin(room: RoomSummary): void }) {
  const members = `${room.memberCount} member${room.memberCount === 1 ? '' : 's'}`;
  const action = 'flex min-h-touch shrink-0 items-center rounded-control px-4 text-sm font-medium sm:min-h-9';
  return (
    <li data-testid="directory-room" data-room-id={room.id} className="flex items-start gap-3 rounded-card border border-line bg-surface p-3 sm:p-4">
      <span className="flex size-10 shrink-0 items-center justify-center rounded-control bg-surface-sunken text-fg-muted">
        {room.kind === 'private' ? (
          <LockIcon aria-label="Private room" aria-hidden={false} role="img" />
        ) : (
          <HashIcon aria-label="Public room" aria-hidden={false} role="img" />
        )}
      </span>
      <div className="min-w-0 flex-1">
        <p className="break-words font-semibold text-fg">{room.name}</p>
        {/* One run of text ("Public · 3 members"): the icon adds no words. */}
        <p className="mt-0.5 text-sm text-fg-subtle">
          {room.kind === 'private' ? 'Private · password needed' : 'Public'} ·{' '}
          <UsersIcon aria-hidden="true" className="-mt-0.5 mr-1 inline size-3.5" />
          {members}
        </p>
        {room.description ? <p className="mt-1.5 line-clamp-2 break-words text-sm text-fg-muted">{room.description}</p> : null}
      </div>
      {room.kind === 'public' ? (
        <button type="button" onClick={() => onJoin(room)} disabled={busy} className={`${action} bg-accent text-white hover:bg-accent-hover disabled:opacity-60`}>
          Join<span className="sr-only"> {room.name}</span>
        </button>
      ) : (
        <Link href={`/rooms/${room.id}`} className={`${action} border border-line-strong text-fg-muted hover:bg-surface-muted`}>
          Open<span className="sr-only"> {room.name}</span>
        </Link>
      )}
    </li>
  );
}

/**
 * The room directory: rooms I am not in, most members first, searched by name or description and paged
 * with "Load more". Public rooms are joined here (then opened); private ones open on their password gate.
 */
export function RoomDirectory({ initial }: { initial: RoomDirectoryPage }) {
  const router = useRouter();
  const roomsStore = useRoomsStore();
  const mine = useRooms((s) => s.mine);
  const inputId = useId();
  const [query, setQuery] = useState('');
  const [listing, setListing] = useState<Listing>({ q: '', ...initial });
  const [pending, setPending] = useState<Pending | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [joining, setJoining] = useState<string | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);

  const q = query.trim();
  const current = listing.q === q;
  const shown = useMemo(() => (current ? withoutJoined(listing.rooms, mine) : []), [current, listing.rooms, mine]);
  const search = pending?.q === q ? pending : null;

  useEffect(() => {
    if (listing.q === q) return;
    const controller = new AbortController();
    const timer = setTimeout(() => {
      setPending({ q, state: 'loading' });
      roomsApi.directory({ q }, controller.signal).then(
        (page) => {
          setListing({ q, ...page });
          setPending(null);
        },
        (caught: unknown) => {
          if (!controller.signal.aborted) setPending({ q, state: 'error', message: messageOf(caught, 'Search failed. Try again.') });
        },
      );
    }, DEBOUNCE_MS);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [q, listing.q]);

  async function loadMore() {
    const from = listing;
    if (!from.nextCursor) return;
    setLoadingMore(true);
    setActionError(null);
    try {
      const page = await roomsApi.directory({ q: from.q, cursor: from.nextCursor });
      setListing((held) =>
        held.q === from.q && held.nextCursor === from.nextCursor
          ? { q: held.q, rooms: appendDirectoryPage(held.rooms, page.rooms), nextCursor: page.nextCursor }
          : held,
      );
    } catch (caught) {
      setActionError(messageOf(caught, 'Could not load more rooms. Try again.'));
    } finally {
      setLoadingMore(false);
    }
  }

  async function join(room: RoomSummary) {
    setJoining(room.id);
    setActionError(null);
    try {
      const joined = await roomsApi.join(room.id);
      roomsStore.getState().upsert(joined.room);
      router.push(`/rooms/${room.id}`);
    } catch (caught) {
      setJoining(null);
      if (caught instanceof ApiError && caught.code === 'NOT_FOUND') {
        setListing((held) => ({ ...held, rooms: held.rooms.filter((r) => r.id !== room.id) }));
        setActionError(`“${room.name}” was deleted.`);
      } else {
        setActionError(messageOf(caught, 'Could not join. Try again.'));
      }
    }
  }

  const status =
    search?.state === 'loading' || (!current && !search)
      ? 'Searching…'
      : search?.state === 'error'
        ? search.message
        : shown.length === 0
          ? q
            ? `No rooms match “${q}”.`
            : 'There are no rooms to join yet.'
          : null;

  return (
    <div data-testid="room-directory">
      <form role="search" aria-label="Rooms" onSubmit={(e) => e.preventDefault()} className="mt-4">
        <label htmlFor={inputId} className="mb-1 block text-sm font-medium text-fg-muted">
          Search rooms
        </label>
        <input
          id={inputId}
          type="search"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          placeholder="Name or description"
          autoComplete="off"
          maxLength={64}
          className="min-h-touch w-full rounded-control border border-line-strong bg-surface px-3 py-2 text-fg shadow-sm outline-none placeholder:text-fg-subtle focus:ring-2 focus:ring-focus"
        />
      </form>
      <p aria-live="polite" className={`mt-3 text-sm ${search?.state === 'error' ? 'text-danger-fg' : 'text-fg-subtle'}`}>
        {status}
      </p>
      {shown.length > 0 ? (
        <ul aria-label="Rooms to join" className="space-y-2">
          {shown.map((room) => (
            <DirectoryRoom key={room.id} room={room} busy={joining !== null} onJoin={(r) => void join(r)} />
          ))}
        </ul>
      ) : null}
      {actionError ? (
        <p role="alert" className="mt-2 rounded-md bg-danger-soft px-3 py-2 text-sm text-danger-fg">
          {actionError}
        </p>
      ) : null}
      {current && listing.nextCursor ? (
        <button
          type="button"
          onClick={() => void loadMore()}
          disabled={loadingMore}
          className="mt-3 min-h-touch w-full rounded-control border border-line-strong bg-surface px-4 py-2 text-sm font-medium text-fg-muted hover:bg-surface-muted disabled:opacity-60"
        >
          {loadingMore ? 'Loading…' : 'Load more'}
        </button>
      ) : null}
    </div>
  );
}
