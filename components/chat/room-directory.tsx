'use client';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useEffect, useId, useMemo, useState } from 'react';
import { ApiError, roomsApi } from '@/lib/api-client';
import type { RoomDirectoryPage, RoomSummary } from '@/lib/schemas/room';
import { appendDirectoryPage, withoutJoined } from '@/lib/stores/room-directory';
import { HashIcon, LockIcon } from './icons';
import { useRooms, useRoomsStore } from './rooms-context';

const DEBOUNCE_MS = 250;

/** The pages shown, all for one search term. */
type Listing = { q: string; rooms: RoomSummary[]; nextCursor: string | null };
/** A search for another term, under way or failed. */
type Pending = { q: string; state: 'loading' } | { q: string; state: 'error'; message: string };

const messageOf = (caught: unknown, fallback: string) => (caught instanceof ApiError ? caught.message : fallback);

function DirectoryRoom({ room, busy, onJoin }: { room: RoomSummary; busy: boolean; onJoin(room: RoomSummary): void }) {
  const members = `${room.memberCount} member${room.memberCount === 1 ? '' : 's'}`;
  return (
    <li data-testid="directory-room" data-room-id={room.id} className="flex items-start gap-3 py-3">
      {room.kind === 'private' ? (
        <LockIcon className="mt-1 shrink-0 text-fg-subtle" aria-label="Private room" aria-hidden={false} role="img" />
      ) : (
        <HashIcon className="mt-1 shrink-0 text-fg-subtle" aria-label="Public room" aria-hidden={false} role="img" />
      )}
      <div className="min-w-0 flex-1">
        <p className="break-words font-medium text-fg">{room.name}</p>
        <p className="text-xs text-fg-subtle">
          {room.kind === 'private' ? 'Private · password needed' : 'Public'} · {members}
        </p>
        {room.description ? <p className="mt-1 line-clamp-2 break-words text-sm text-fg-muted">{room.description}</p> : null}
      </div>
      {room.kind === 'public' ? (
        <button
          type="button"
          onClick={() => onJoin(room)}
          disabled={busy}
          className="shrink-0 rounded-md bg-accent px-3 py-1.5 text-sm font-medium text-white hover:bg-accent-hover disabled:opacity-60"
        >
          Join<span className="sr-only"> {room.name}</span>
        </button>
      ) : (
        <Link
          href={`/rooms/${room.id}`}
          className="shrink-0 rounded-md border border-line-strong px-3 py-1.5 text-sm font-medium text-fg-muted hover:bg-surface-muted"
        >
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
          className="w-full rounded-md border border-line-strong px-3 py-2 text-fg shadow-sm outline-none focus:ring-2 focus:ring-focus"
        />
      </form>
      <p aria-live="polite" className={`mt-3 text-sm ${search?.state === 'error' ? 'text-danger-fg' : 'text-fg-subtle'}`}>
        {status}
      </p>
      {shown.length > 0 ? (
        <ul aria-label="Rooms to join" className="divide-y divide-line">
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
          className="mt-3 w-full rounded-md border border-line-strong px-4 py-2 text-sm font-medium text-fg-muted hover:bg-surface-muted disabled:opacity-60"
        >
          {loadingMore ? 'Loading…' : 'Load more'}
        </button>
      ) : null}
    </div>
  );
}
