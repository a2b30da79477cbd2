'use client';
/**
 * Finding people by username or display name and choosing several (a group, adding people to a room).
 * With `onMessage`, choosing a name opens a direct conversation with them at once and a second button per
 * person adds them to the selection instead (the sidebar's "New message").
 */
import { CheckIcon, PlusIcon, XMarkIcon } from '@heroicons/react/20/solid';
import { useEffect, useId, useRef, useState } from 'react';
import { ApiError, usersApi } from '@/lib/api-client';
import type { PublicUser } from '@/lib/schemas/user';

const DEBOUNCE_MS = 250;

type Search = { q: string } & ({ state: 'loading' } | { state: 'done'; users: PublicUser[] } | { state: 'error'; message: string });

/** Users found for what is typed now (debounced; an older answer never shows for newer text). */
function useUserSearch(query: string) {
  const [result, setResult] = useState<Search | null>(null);
  useEffect(() => {
    const q = query.trim();
    if (!q) return;
    const controller = new AbortController();
    const timer = setTimeout(() => {
      setResult({ q, state: 'loading' });
      usersApi.search(q, controller.signal).then(
        ({ users }) => setResult({ q, state: 'done', users }),
        (caught: unknown) => {
          if (controller.signal.aborted) return;
          setResult({ q, state: 'error', message: caught instanceof ApiError ? caught.message : 'Search failed. Try again.' });
        },
      );
    }, DEBOUNCE_MS);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [query]);
  return result && result.q === query.trim() ? result : null;
}

export interface PeoplePickerProps {
  selected: PublicUser[];
  onChange(selected: PublicUser[]): void;
  /** At most this many may be chosen. */
  max: number;
  /** People who are already in (shown, not choosable). */
  exclude?: ReadonlySet<string>;
  /** Label of the search box. */
  label: string;
  placeholder?: string;
  /** Opening a direct conversation: choosing a person's name does this instead of selecting them. */
  onMessage?(user: PublicUser): void;
  /** A direct conversation is being opened with this person. */
  busyId?: string | null;
  onEscape?(): void;
  autoFocus?: boolean;
}

export function PeoplePicker({ selected, onChange, max, exclude, label, placeholder = 'Find people by name', onMessage, busyId = null, onEscape, autoFocus = true }: PeoplePickerProps) {
  const inputId = useId();
  const [query, setQuery] = useState('');
  const search = useUserSearch(query);
  const input = useRef<HTMLInputElement>(null);
  const chosen = new Set(selected.map((u) => u.id));
  const full = selected.length >= max;

  useEffect(() => {
    if (autoFocus) input.current?.focus();
  }, [autoFocus]);

  function toggle(user: PublicUser) {
    if (chosen.has(user.id)) onChange(selected.filter((u) => u.id !== user.id));
    else if (!full) onChange([...selected, user]);
  }

  return (
    <div data-testid="people-picker">
      {selected.length > 0 ? (
        <ul aria-label="Chosen people" className="mb-2 flex flex-wrap gap-1">
          {selected.map((user) => (
            <li key={user.id} data-testid="chosen-person" data-username={user.username} className="flex items-center gap-1 rounded-full bg-accent-soft-strong py-0.5 pl-2 pr-0.5 text-sm text-link">
              <span className="max-w-[10rem] truncate">{user.displayName}</span>
              <button
                type="button"
                onClick={() => {
                  toggle(user);
                  input.current?.focus();
                }}
                aria-label={`Remove ${user.displayName}`}
                className="flex size-5 items-center justify-center rounded-full hover:bg-surface/70 focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-focus"
              >
                <XMarkIcon aria-hidden="true" className="size-3.5" />
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      <label htmlFor={inputId} className="sr-only">
        {label}
      </label>
      <input
        id={inputId}
        ref={input}
        type="search"
        value={query}
        onChange={(e) => setQuery(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Escape' && onEscape) {
            e.preventDefault();
            onEscape();
          }
        }}
        placeholder={placeholder}
        autoComplete="off"
        maxLength={64}
        className="w-full rounded-md border border-line-strong px-2 py-1 text-sm outline-none focus:ring-2 focus:ring-focus"
      />
      <div aria-live="polite" className="mt-1 text-sm">
        {search?.state === 'loading' ? <p className="px-1 text-fg-muted">Searching…</p> : null}
        {search?.state === 'error' ? <p className="px-1 text-danger-fg">{search.message}</p> : null}
        {search?.state === 'done' && search.users.length === 0 ? <p className="px-1 text-fg-muted">No one found.</p> : null}
        {full && !onMessage ? <p className="px-1 text-fg-muted">That is as many as can be added.</p> : null}
      </div>
      {search?.state === 'done' && search.users.length > 0 ? (
        <ul aria-label="People" className="mt-1 max-h-60 overflow-y-auto text-sm">
          {search.users.map((user) => {
            const inAlready = exclude?.has(user.id) ?? false;
            const isChosen = chosen.has(user.id);
            if (onMessage) {
              return (
                <li key={user.id} className="flex items-center gap-1">
                  <button
                    type="button"
                    data-testid="user-result"
                    data-username={user.username}
                    disabled={busyId !== null}
                    onClick={() => onMessage(user)}
                    title={`Message ${user.displayName}`}
                    className="flex min-w-0 flex-1 items-baseline gap-1.5 rounded px-1 py-1 text-left hover:bg-surface-sunken disabled:opacity-60"
                  >
                    <span className="truncate text-fg">{user.displayName}</span>
                    <span className="truncate text-xs text-fg-muted">@{user.username}</span>
                  </button>
                  <button
                    type="button"
                    data-testid="group-toggle"
                    data-username={user.username}
                    aria-pressed={isChosen}
                    disabled={!isChosen && full}
                    onClick={() => toggle(user)}
                    aria-label={`Add ${user.displayName} to a group`}
                    title={isChosen ? 'In the group' : 'Add to a group'}
                    className={`flex size-7 shrink-0 items-center justify-center rounded focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-focus disabled:opacity-40 ${
                      isChosen ? 'bg-accent text-white' : 'text-fg-muted hover:bg-surface-sunken'
                    }`}
                  >
                    {isChosen ? <CheckIcon aria-hidden="true" className="size-4" /> : <PlusIcon aria-hidden="true" className="size-4" />}
                  </button>
                </li>
              );
            }
            return (
              <li key={user.id}>
                <button
                  type="button"
                  data-testid="pick-result"
                  data-username={user.username}
                  aria-pressed={inAlready || isChosen}
                  disabled={inAlready || (!isChosen && full)}
                  onClick={() => toggle(user)}
                  className="flex w-full items-center gap-2 rounded px-1 py-1 text-left hover:bg-surface-sunken disabled:opacity-60"
                >
                  <span
                    aria-hidden="true"
                    className={`flex size-4 shrink-0 items-center justify-center rounded border ${isChosen || inAlready ? 'border-accent bg-accent text-white' : 'border-line-strong'}`}
                  >
                    {isChosen || inAlready ? <CheckIcon className="size-3" /> : null}
                  </span>
                  <span className="truncate text-fg">{user.displayName}</span>
                  <span className="truncate text-xs text-fg-muted">@{user.username}</span>
                  {inAlready ? <span className="ml-auto shrink-0 text-xs text-fg-muted">already here</span> : null}
                </button>
              </li>
            );
          })}
        </ul>
      ) : null}
    </div>
  );
}
