'use client';
import { useRouter } from 'next/navigation';
import { useEffect, useId, useRef, useState } from 'react';
import { ApiError, directApi, usersApi } from '@/lib/api-client';
import type { PublicUser } from '@/lib/schemas/user';
import { useRoomsStore } from './rooms-context';

const DEBOUNCE_MS = 250;

type Search = { q: string } & ({ state: 'loading' } | { state: 'done'; users: PublicUser[] } | { state: 'error'; message: string });

/** Finds a person by username or display name and opens (or starts) the conversation with them. */
export function NewDirectMessage({ onDone }: { onDone(): void }) {
  const rooms = useRoomsStore();
  const router = useRouter();
  const inputId = useId();
  const [query, setQuery] = useState('');
  const [result, setResult] = useState<Search | null>(null);
  // Only the answer to what is typed now counts.
  const search = result && result.q === query.trim() ? result : null;
  const [starting, setStarting] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const input = useRef<HTMLInputElement>(null);

  useEffect(() => input.current?.focus(), []);

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

  async function start(user: PublicUser) {
    setStarting(user.id);
    setError(null);
    try {
      const { room } = await directApi.start(user.id);
      rooms.getState().upsert(room);
      onDone();
      router.push(`/rooms/${room.id}`);
    } catch (caught) {
      setError(caught instanceof ApiError ? caught.message : 'Could not start the conversation. Try again.');
    } finally {
      setStarting(null);
    }
  }

  return (
    <div data-testid="new-direct-message" className="mt-1 rounded-md border border-slate-200 bg-white p-2">
      <label htmlFor={inputId} className="sr-only">
        Find people
      </label>
      <input
        id={inputId}
        ref={input}
        type="search"
        value={query}
        onChange={(e) => setQuery(e.target.value)}
        onKeyDown={(e) => e.key === 'Escape' && onDone()}
        placeholder="Find people by name"
        autoComplete="off"
        maxLength={64}
        className="w-full rounded-md border border-slate-300 px-2 py-1 text-sm outline-none focus:ring-2 focus:ring-brand-500"
      />
      <div aria-live="polite" className="mt-1 text-sm">
        {search?.state === 'loading' ? <p className="px-1 text-slate-400">Searching…</p> : null}
        {search?.state === 'error' ? <p className="px-1 text-red-600">{search.message}</p> : null}
        {search?.state === 'done' && search.users.length === 0 ? <p className="px-1 text-slate-400">No one found.</p> : null}
        {search?.state === 'done' && search.users.length > 0 ? (
          <ul aria-label="People" className="max-h-60 overflow-y-auto">
            {search.users.map((user) => (
              <li key={user.id}>
                <button
                  type="button"
                  data-testid="user-result"
                  data-username={user.username}
                  disabled={starting !== null}
                  onClick={() => void start(user)}
                  className="flex w-full items-baseline gap-1.5 rounded px-1 py-1 text-left hover:bg-slate-100 disabled:opacity-60"
                >
                  <span className="truncate text-slate-800">{user.displayName}</span>
                  <span className="truncate text-xs text-slate-400">@{user.username}</span>
                </button>
              </li>
            ))}
          </ul>
        ) : null}
        {error ? (
          <p role="alert" className="px-1 text-red-600">
            {error}
          </p>
        ) : null}
      </div>
    </div>
  );
}
