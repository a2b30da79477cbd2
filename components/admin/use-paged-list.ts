'use client';
/**
 * A list the server pages with an opaque cursor, for one query at a time: the first page loads when the
 * query settles (debounced; an older answer never replaces a newer query's), "Load more" appends the next.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { messageOf } from './admin-ui';

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

type State<T> =
  | { key: string; status: 'loading' }
  | { key: string; status: 'error'; message: string }
  | { key: string; status: 'ready'; items: T[]; nextCursor: string | null };

const DEBOUNCE_MS = 250;

/**
 * `key` names the query (the search text, the filters as JSON); `fetchPage` is called with it.
 * `reloadKey` changes to load the first page again (after a change made elsewhere).
 */
export function usePagedList<T extends { id: string }>(
  key: string,
  fetchPage: (cursor: string | undefined, signal?: AbortSignal) => Promise<Page<T>>,
  options: { debounce?: boolean } = {},
) {
  const [state, setState] = useState<State<T>>({ key, status: 'loading' });
  const [loadingMore, setLoadingMore] = useState(false);
  const [moreError, setMoreError] = useState<string | null>(null);
  const [reloads, setReloads] = useState(0);
  const fetchRef = useRef(fetchPage);
  useEffect(() => {
    fetchRef.current = fetchPage;
  });
  const lastKey = useRef<string | null>(null);
  const debounce = options.debounce ?? true;

  useEffect(() => {
    // Typing waits for a pause; the first load and reloads go at once.
    const delay = debounce && lastKey.current !== null && lastKey.current !== key ? DEBOUNCE_MS : 0;
    lastKey.current = key;
    const controller = new AbortController();
    const timer = setTimeout(
      () => {
        setMoreError(null);
        setState((held) => (held.key === key && held.status === 'ready' ? held : { key, status: 'loading' }));
        fetchRef.current(undefined, controller.signal).then(
          (page) => setState({ key, status: 'ready', items: page.items, nextCursor: page.nextCursor }),
          (caught: unknown) => {
            if (!controller.signal.aborted) setState({ key, status: 'error', message: messageOf(caught, 'Could not load the list. Try again.') });
          },
        );
      },
      delay,
    );
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [key, reloads, debounce]);

  const loadMore = useCallback(async () => {
    if (state.status !== 'ready' || !state.nextCursor) return;
    const from = state;
    setLoadingMore(true);
    setMoreError(null);
    try {
      const page = await fetchRef.current(from.nextCursor ?? undefined);
      setState((held) =>
        held.status === 'ready' && held.key === from.key && held.nextCursor === from.nextCursor
          ? { ...held, items: [...held.items, ...page.items.filter((item) => !held.items.some((h) => h.id === item.id))], nextCursor: page.nextCursor }
          : held,
      );
    } catch (caught) {
      setMoreError(messageOf(caught, 'Could not load more. Try again.'));
    } finally {
      setLoadingMore(false);
    }
  }, [state]);

  /** Puts a changed row in place (the answer of an act on it). */
  const replace = useCallback((item: T) => {
    setState((held) => (held.status === 'ready' ? { ...held, items: held.items.map((h) => (h.id === item.id ? item : h)) } : held));
  }, []);

  const remove = useCallback((id: string) => {
    setState((held) => (held.status === 'ready' ? { ...held, items: held.items.filter((h) => h.id !== id) } : held));
  }, []);

  const reload = useCallback(() => setReloads((n) => n + 1), []);

  const current = state.key === key ? state : ({ key, status: 'loading' } as const);
  return {
    status: current.status,
    items: current.status === 'ready' ? current.items : [],
    hasMore: current.status === 'ready' && current.nextCursor !== null,
    error: current.status === 'error' ? current.message : null,
    loadingMore,
    moreError,
    loadMore,
    replace,
    remove,
    reload,
  };
}
