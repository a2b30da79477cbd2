'use client';
import { ExclamationTriangleIcon, InformationCircleIcon, MagnifyingGlassIcon } from '@heroicons/react/20/solid';
import * as Dialog from '@radix-ui/react-dialog';
import { Command } from 'cmdk';
import { usePathname, useRouter } from 'next/navigation';
import { useEffect, useMemo, useRef, useState, type KeyboardEvent as ReactKeyboardEvent } from 'react';
import { openRoomHref } from '@/components/chat/room-navigation';
import { useRooms, useRoomsStore } from '@/components/chat/rooms-context';
import { roomIdFromPath } from '@/lib/room-links';
import { ApiError, directApi } from '@/lib/api-client';
import type { RoomSummary } from '@/lib/schemas/room';
import type { SearchHit } from '@/lib/schemas/search';
import type { PublicUser } from '@/lib/schemas/user';
import { withoutJoined } from '@/lib/stores/room-directory';
import { roomTitle } from '@/lib/stores/room-list';
import { browserTimeZone, hitKey, useSearchUi } from '@/lib/stores/search';
import { containsAll, plainWords, roomToken } from './query-tokens';
import { SearchFilters } from './search-filters';
import { groupClass, HitOption, JoinableRoomOption, optionClass, PersonOption, RoomOption } from './search-options';
import { QUICK_LIMIT, useQuickMatches } from './use-quick-matches';
import { useMessageSearch, type MessageSearch } from './use-message-search';

const LOAD_MORE = 'load-more';
const MY_ROOMS_LIMIT = 4;

const hitValue = (hit: SearchHit) => `hit:${hitKey(hit)}`;

/** Examples of the search language, shown before anything is typed (each adds itself to the box). */
const TIPS: { token: string; says: string }[] = [
  { token: 'from:@', says: 'messages by someone' },
  { token: 'in:#', says: 'in one room' },
  { token: '"exact phrase"', says: 'words in this order' },
  { token: '-word', says: 'leave out messages with it' },
  { token: 'after:yesterday', says: 'also before: and on:, with a date like 2026-11-30' },
  { token: 'has:link', says: 'messages with a link' },
  { token: 'has:file', says: 'messages with files (also has:image, has:audio, has:video)' },
];

function statusText(search: MessageSearch, q: string): string {
  if (search.status === 'idle') return '';
  if (search.status === 'problem') return search.problem?.message ?? '';
  if (search.status === 'loading') return 'Searching…';
  const listing = search.listing;
  if (!listing) return '';
  const n = listing.hits.length;
  if (n === 0) return `No messages match “${q.trim()}”.`;
  const count = `${n}${listing.nextCursor ? '+' : ''} message${n === 1 && !listing.nextCursor ? '' : 's'}`;
  return listing.approximate ? `${count}, similar to what you typed` : `${count} found`;
}

/** Seconds left of a rate limit, counting down. */
function useSecondsUntil(until: number | null): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (until === null) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [until]);
  return until === null ? 0 : Math.max(0, Math.ceil((until - now) / 1000));
}

/**
 * The search dialog: messages in every room and conversation I am in (or also public rooms I have not
 * joined), plus my rooms, people and rooms to join by name. Ctrl/Cmd+K opens it from anywhere in the
 * chat app (components/search/search-host.tsx, which loads this on first use); ↑/↓ move through everything
 * found, Enter opens, Esc closes and focus goes back where it was.
 */
export function SearchDialog() {
  const open = useSearchUi((s) => s.open);
  const setOpen = useSearchUi((s) => s.setOpen);

  return (
    <Dialog.Root open={open} onOpenChange={setOpen}>
      <Dialog.Portal>
        <Dialog.Overlay className="fixed inset-0 z-40 bg-slate-900/40" />
        <Dialog.Content
          data-testid="search-dialog"
          aria-describedby={undefined}
          onOpenAutoFocus={(event) => {
            // The box, with the last search selected: typing replaces it, arrows go through its results.
            event.preventDefault();
            const input = (event.currentTarget as HTMLElement | null)?.querySelector<HTMLInputElement>('[data-testid="search-input"]');
            input?.focus();
            input?.select();
          }}
          onCloseAutoFocus={(event) => {
            // Radix would focus a Dialog.Trigger; this dialog has several ways in, so go back to where focus was.
            event.preventDefault();
            const back = useSearchUi.getState().returnFocus;
            if (back?.isConnected) back.focus();
          }}
          className="fixed inset-0 z-50 flex flex-col bg-surface shadow-2xl outline-none sm:inset-x-4 sm:bottom-auto sm:top-[8vh] sm:mx-auto sm:max-h-[84vh] sm:max-w-2xl sm:rounded-xl sm:border sm:border-line"
        >
          <Dialog.Title className="sr-only">Search</Dialog.Title>
          <SearchPanel onDone={() => setOpen(false)} />
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}

function SearchPanel({ onDone }: { onDone(): void }) {
  const router = useRouter();
  const pathname = usePathname();
  const roomsStore = useRoomsStore();
  const mine = useRooms((s) => s.mine);
  const { query, scope, sort, setQuery, setScope, setSort } = useSearchUi();
  const [tz] = useState(browserTimeZone);
  const [now, setNow] = useState(() => new Date());
  // The active option, for the search it was picked in (see `active` below).
  const [selection, setSelection] = useState({ value: '', for: '' });
  const [actionError, setActionError] = useState<string | null>(null);
  const input = useRef<HTMLInputElement>(null);
  const scroller = useRef<HTMLDivElement>(null);
  const loadMoreItem = useRef<HTMLDivElement>(null);

  const search = useMessageSearch({ q: query, scope, sort, tz });
  const { listing } = search;
  // "5 minutes ago" stays true while the dialog is open.
  useEffect(() => {
    const timer = setInterval(() => setNow(new Date()), 30_000);
    return () => clearInterval(timer);
  }, []);

  // The room the dialog was opened from (one I am in): a chip narrows the search to it.
  const activeId = roomIdFromPath(pathname);
  const here = useMemo(() => mine.find((r) => r.id === activeId) ?? null, [mine, activeId]);
  const hereToken = here ? roomToken(here) : null;
  const hereLabel = here ? (here.kind === 'direct' ? `With @${here.peer?.username ?? ''}` : `In #${here.name}`) : null;

  // Rooms and people by name: only for plain words (a filtered search is about messages).
  const words = plainWords(query);
  const myRooms = useMemo(
    () => (words === null ? [] : mine.filter((r) => containsAll(`${roomTitle(r)} ${r.peer?.username ?? ''}`, words)).slice(0, MY_ROOMS_LIMIT)),
    [mine, words],
  );
  const quick = useQuickMatches(words);
  const people = useMemo(() => {
    // Someone I already have a conversation with is listed there.
    const listed = new Set(myRooms.flatMap((r) => (r.peer ? [r.peer.id] : [])));
    return quick.people.filter((u) => !listed.has(u.id)).slice(0, QUICK_LIMIT);
  }, [quick.people, myRooms]);
  const roomsToJoin = useMemo(() => (words === null ? [] : withoutJoined(quick.roomsToJoin, mine)), [quick.roomsToJoin, mine, words]);

  const hits = listing?.hits ?? [];
  const showMore = Boolean(listing?.nextCursor) && search.current;

  // Every option in list order. A new search or new results start at the first; an option that is gone
  // (results replaced while it was active) hands over to the first too, so Enter always has a target.
  const values = [
    ...myRooms.map((r) => `room:${r.id}`),
    ...people.map((u) => `person:${u.id}`),
    ...roomsToJoin.map((r) => `join:${r.id}`),
    ...hits.map(hitValue),
    ...(showMore ? [LOAD_MORE] : []),
  ];
  const selectionKey = `${query}\n${listing?.key ?? ''}`;
  const active = selection.for === selectionKey && values.includes(selection.value) ? selection.value : (values[0] ?? '');
  const stale = search.status === 'loading' && listing !== null;
  const secondsLeft = useSecondsUntil(search.problem?.kind === 'limited' ? search.problem.until : null);

  function go(path: string) {
    onDone();
    openRoomHref(path, roomsStore, router);
  }

  function openHit(hit: SearchHit) {
    // The room page jumps to and highlights `m` (opening its thread for a reply); a room I am not in shows
    // its Join button first and jumps there once joined.
    go(`/rooms/${encodeURIComponent(hit.room.id)}?m=${hit.message.seq}`);
  }

  async function message(user: PublicUser) {
    setActionError(null);
    try {
      const { room } = await directApi.start(user.id);
      roomsStore.getState().upsert(room);
      go(`/rooms/${room.id}`);
    } catch (caught) {
      setActionError(caught instanceof ApiError ? caught.message : 'Could not open the conversation. Try again.');
    }
  }

  async function loadMore() {
    const added = await search.loadMore();
    // Enter on "Load more" goes on to the first new result.
    if (added[0] && active === LOAD_MORE) setSelection({ value: hitValue(added[0]), for: selectionKey });
  }

  // Scrolling "Load more" into view loads the next page (infinite scroll).
  const canLoadMore = showMore && !search.loadingMore && !search.moreError;
  const loadMoreRef = useRef(loadMore);
  useEffect(() => {
    loadMoreRef.current = loadMore;
  });
  useEffect(() => {
    const target = loadMoreItem.current;
    if (!canLoadMore || !target) return;
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) void loadMoreRef.current();
    }, { root: scroller.current, rootMargin: '0px 0px 120px 0px' });
    observer.observe(target);
    return () => observer.disconnect();
  }, [canLoadMore, hits.length]);

  function onQuery(next: string, focusBox: boolean) {
    setQuery(next);
    if (focusBox) {
      requestAnimationFrame(() => {
        const box = input.current;
        if (!box) return;
        box.focus();
        box.setSelectionRange(box.value.length, box.value.length);
      });
    }
  }

  function onInputKeyDown(event: ReactKeyboardEvent<HTMLInputElement>) {
    // Home and End move the caret in the box (the list would otherwise take them).
    if (event.key === 'Home' || event.key === 'End') event.stopPropagation();
  }

  const status = statusText(search, query);
  const noMatches = search.status === 'done' && hits.length === 0;
  const nothingElse = myRooms.length === 0 && people.length === 0 && roomsToJoin.length === 0;

  return (
    <Command
      shouldFilter={false}
      vimBindings={false}
      loop
      label="Search messages, rooms and people"
      value={active}
      onValueChange={(value) => setSelection({ value, for: selectionKey })}
      className="flex min-h-0 flex-1 flex-col"
    >
      <div className="flex items-center gap-2 border-b border-line px-3">
        <MagnifyingGlassIcon aria-hidden className="size-5 shrink-0 text-fg-subtle" />
        <Command.Input
          ref={input}
          data-testid="search-input"
          value={query}
          onValueChange={setQuery}
          onKeyDown={onInputKeyDown}
          maxLength={200}
          placeholder="Search messages…"
          className="h-12 min-w-0 flex-1 bg-transparent text-base text-fg outline-none placeholder:text-fg-subtle"
        />
        {search.status === 'loading' ? (
          <span aria-hidden data-testid="search-spinner" className="size-4 shrink-0 animate-spin rounded-full border-2 border-line-strong border-t-brand-600" />
        ) : null}
        <Dialog.Close className="shrink-0 rounded-md px-2 py-1 text-sm font-medium text-fg-muted outline-none hover:bg-surface-sunken focus-visible:ring-2 focus-visible:ring-focus">
          <span className="sm:hidden">Cancel</span>
          <span className="hidden sm:inline">
            <kbd className="rounded border border-line-strong px-1 font-sans text-xs text-fg-muted">Esc</kbd>
            <span className="sr-only"> Close search</span>
          </span>
        </Dialog.Close>
      </div>

      <SearchFilters
        query={query}
        onQuery={onQuery}
        hereToken={hereToken}
        hereLabel={hereLabel}
        scope={scope}
        onScope={setScope}
        sort={sort}
        onSort={setSort}
      />

      <p role="status" data-testid="search-status" data-state={search.status} className="sr-only">
        {status}
      </p>

      {/*
        One scroller: notices and hints around the listbox (which holds options only). Options take no focus
        (the box keeps it, aria-activedescendant points at them), so the scroller is a tab stop of its own
        for scrolling by keyboard.
      */}
      <div
        ref={scroller}
        role="region"
        aria-label="Search results"
        aria-busy={stale || undefined}
        tabIndex={0}
        className="min-h-0 flex-1 overflow-y-auto overscroll-contain pb-2 outline-none focus-visible:ring-2 focus-visible:ring-inset focus-visible:ring-focus sm:max-h-[60vh]"
      >
        {search.status === 'idle' ? <Tips onPick={(token) => onQuery(query.trim() ? `${query.trim()} ${token}` : token, true)} /> : null}

        {search.problem ? <ProblemNotice search={search} secondsLeft={secondsLeft} /> : null}
        {actionError ? (
          <p role="alert" className="mx-3 mt-3 rounded-md bg-danger-soft px-3 py-2 text-sm text-danger-fg">
            {actionError}
          </p>
        ) : null}

        {listing && search.current && listing.approximate && hits.length > 0 ? (
          <p data-testid="search-approximate" className="mx-3 mt-3 flex items-center gap-2 rounded-md bg-warning-soft px-3 py-2 text-sm text-warning-fg">
            <InformationCircleIcon aria-hidden className="size-4 shrink-0" />
            No exact matches — showing similar results
          </p>
        ) : null}
        {listing && search.current && listing.notes.length > 0 ? (
          <ul data-testid="search-notes" className="mx-3 mt-3 space-y-1 text-sm text-fg-muted">
            {listing.notes.map((note) => (
              <li key={note} className="flex items-start gap-2">
                <InformationCircleIcon aria-hidden className="mt-0.5 size-4 shrink-0 text-fg-subtle" />
                {note}
              </li>
            ))}
          </ul>
        ) : null}

        <Command.List label="Matches">
          {myRooms.length > 0 ? (
            <Command.Group heading="Your rooms" className={groupClass}>
              {myRooms.map((room: RoomSummary) => (
                <RoomOption key={room.id} room={room} value={`room:${room.id}`} onSelect={() => go(`/rooms/${room.id}`)} />
              ))}
            </Command.Group>
          ) : null}
          {people.length > 0 ? (
            <Command.Group heading="People" className={groupClass}>
              {people.map((user) => (
                <PersonOption key={user.id} user={user} value={`person:${user.id}`} onSelect={() => void message(user)} />
              ))}
            </Command.Group>
          ) : null}
          {roomsToJoin.length > 0 ? (
            <Command.Group heading="Rooms to join" className={groupClass}>
              {roomsToJoin.map((room) => (
                <JoinableRoomOption key={room.id} room={room} value={`join:${room.id}`} onSelect={() => go(`/rooms/${room.id}`)} />
              ))}
            </Command.Group>
          ) : null}
          {hits.length > 0 ? (
            <Command.Group heading="Messages" className={groupClass}>
              {hits.map((hit) => (
                <HitOption key={hitKey(hit)} hit={hit} value={hitValue(hit)} now={now} onSelect={() => openHit(hit)} />
              ))}
              {showMore ? (
                <Command.Item
                  ref={loadMoreItem}
                  value={LOAD_MORE}
                  onSelect={() => void loadMore()}
                  data-testid="search-load-more"
                  className={`${optionClass} justify-center text-sm font-medium text-link`}
                >
                  {search.loadingMore ? 'Loading more…' : search.moreError ? `${search.moreError} Try again` : 'Load more results'}
                </Command.Item>
              ) : null}
            </Command.Group>
          ) : null}
        </Command.List>

        {noMatches ? <NoMatches q={query} scope={scope} onScope={setScope} nothingElse={nothingElse} /> : null}
        {search.status === 'loading' && !listing ? <p className="px-6 py-6 text-center text-sm text-fg-muted">Searching…</p> : null}
      </div>

      <div aria-hidden className="hidden items-center gap-4 border-t border-line px-4 py-2 text-xs text-fg-muted sm:flex">
        <span>
          <Kbd>↑</Kbd> <Kbd>↓</Kbd> to move
        </span>
        <span>
          <Kbd>Enter</Kbd> to open
        </span>
        <span>
          <Kbd>Esc</Kbd> to close
        </span>
        <span className="ml-auto">{search.status === 'done' ? status : ''}</span>
      </div>
    </Command>
  );
}

function Kbd({ children }: { children: string }) {
  return <kbd className="rounded border border-line-strong bg-surface-muted px-1 font-sans text-fg-muted">{children}</kbd>;
}

function Tips({ onPick }: { onPick(token: string): void }) {
  return (
    <div data-testid="search-tips" className="px-4 py-4 text-sm text-fg-muted">
      <p className="font-medium text-fg">Search every room and conversation you are in.</p>
      <p className="mt-1 text-fg-muted">Words match how they begin: “deplo” finds “deployment”. Narrow it down with:</p>
      <ul className="mt-3 grid gap-1.5 sm:grid-cols-2">
        {TIPS.map((tip) => (
          <li key={tip.token} className="flex items-baseline gap-2">
            <button
              type="button"
              onClick={() => onPick(tip.token)}
              className="shrink-0 rounded bg-surface-sunken px-1.5 py-0.5 font-mono text-xs text-fg outline-none hover:bg-surface-strong focus-visible:ring-2 focus-visible:ring-focus"
            >
              {tip.token}
            </button>
            <span className="text-xs text-fg-muted">{tip.says}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}

function ProblemNotice({ search, secondsLeft }: { search: MessageSearch; secondsLeft: number }) {
  const problem = search.problem!;
  if (problem.kind === 'invalid') {
    return (
      <p data-testid="search-invalid" className="mx-3 mt-3 flex items-start gap-2 rounded-md bg-warning-soft px-3 py-2 text-sm text-warning-fg">
        <ExclamationTriangleIcon aria-hidden className="mt-0.5 size-4 shrink-0" />
        {problem.message}
      </p>
    );
  }
  if (problem.kind === 'limited') {
    return (
      <p data-testid="search-limited" className="mx-3 mt-3 rounded-md bg-warning-soft px-3 py-2 text-sm text-warning-fg">
        {problem.message} {secondsLeft > 0 ? `Searching again in ${secondsLeft} s…` : 'Searching again…'}
      </p>
    );
  }
  return (
    <div data-testid="search-error" className="mx-3 mt-3 flex flex-wrap items-center gap-2 rounded-md bg-danger-soft px-3 py-2 text-sm text-danger-fg">
      <span>{problem.message}</span>
      <button type="button" onClick={search.retry} className="font-medium underline outline-none focus-visible:ring-2 focus-visible:ring-danger">
        Try again
      </button>
    </div>
  );
}

function NoMatches({ q, scope, onScope, nothingElse }: { q: string; scope: string; onScope(scope: 'all'): void; nothingElse: boolean }) {
  return (
    <div data-testid="search-empty" className={`px-6 text-center text-sm text-fg-muted ${nothingElse ? 'py-8' : 'py-4'}`}>
      <p className="font-medium text-fg">No messages match “{q.trim()}”.</p>
      <p className="mt-1 text-fg-muted">
        Check the spelling, use fewer words, or take a filter off. Put a phrase in quotes, and leave words out with -word.
      </p>
      {scope === 'mine' ? (
        <button
          type="button"
          onClick={() => onScope('all')}
          className="mt-3 rounded-md border border-line-strong px-3 py-1.5 text-sm font-medium text-fg-muted outline-none hover:bg-surface-muted focus-visible:ring-2 focus-visible:ring-focus"
        >
          Also search public rooms I haven’t joined
        </button>
      ) : null}
    </div>
  );
}
