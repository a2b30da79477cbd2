'use client';
import { useCallback, useEffect, useState } from 'react';
import { ApiError, searchApi } from '@/lib/api-client';
import type { SearchHit, SearchPage, SearchScope, SearchSort } from '@/lib/schemas/search';
import { appendHits, searchErrorText } from '@/lib/stores/search';

const DEBOUNCE_MS = 250;

export interface SearchRequest {
  q: string;
  scope: SearchScope;
  sort: SearchSort;
  tz: string;
}

/** The pages shown, all for one request. */
interface Listing extends Omit<SearchPage, 'hits'> {
  key: string;
  hits: SearchHit[];
}

/** Why the search typed now has no fresh results. */
export type SearchProblem =
  | { kind: 'invalid'; message: string }
  | { kind: 'limited'; message: string; until: number }
  | { kind: 'failed'; message: string };

export type SearchStatus = 'idle' | 'loading' | 'done' | 'problem';

export interface MessageSearch {
  status: SearchStatus;
  /** The results to show: fresh when `done`, the previous search's while `loading` (kept so the list does not flash). */
  listing: Listing | null;
  /** Whether `listing` answers the search typed now. */
  current: boolean;
  problem: SearchProblem | null;
  loadingMore: boolean;
  moreError: string | null;
  /** Fetches the next page; resolves to the hits it added (none if there was nothing to load or it failed). */
  loadMore(): Promise<SearchHit[]>;
  /** Searches again now (after a failure). */
  retry(): void;
}

const keyOf = (request: SearchRequest) => JSON.stringify([request.q, request.scope, request.sort, request.tz]);

function problemOf(caught: unknown): SearchProblem {
  if (caught instanceof ApiError) {
    if (caught.code === 'INVALID_PAYLOAD') return { kind: 'invalid', message: searchErrorText(caught.body) };
    if (caught.code === 'RATE_LIMITED') {
      return { kind: 'limited', message: caught.message, until: Date.now() + (caught.body.retryAfter ?? 10) * 1000 };
    }
    return { kind: 'failed', message: caught.message };
  }
  return { kind: 'failed', message: 'Search failed. Check your connection and try again.' };
}

/**
 * Message search as you type: waits for a pause in typing, cancels the answer to an older search, keeps
 * the previous results on screen until the new ones come, pages on with `nextCursor`, and after a rate
 * limit searches again by itself once the wait is over.
 */
export function useMessageSearch(request: SearchRequest): MessageSearch {
  const { q, scope, sort, tz } = request;
  const key = keyOf(request);
  const blank = q.trim() === '';
  const [listing, setListing] = useState<Listing | null>(null);
  const [pending, setPending] = useState<{ key: string; problem: SearchProblem | null } | null>(null);
  // Searching again (a retry, the end of a rate limit) counts per search: typing something else starts over.
  const [again, setAgain] = useState({ key, count: 0 });
  const attempt = again.key === key ? again.count : 0;
  const [loadingMore, setLoadingMore] = useState(false);
  const [moreError, setMoreError] = useState<string | null>(null);

  useEffect(() => {
    if (q.trim() === '') return;
    const controller = new AbortController();
    const requestKey = keyOf({ q, scope, sort, tz });
    const timer = setTimeout(
      () => {
        setPending({ key: requestKey, problem: null });
        searchApi.messages({ q: q.trim(), scope, sort, tz }, controller.signal).then(
          (page) => {
            if (controller.signal.aborted) return;
            setListing({ key: requestKey, ...page });
            setMoreError(null);
            setPending(null);
          },
          (caught: unknown) => {
            if (!controller.signal.aborted) setPending({ key: requestKey, problem: problemOf(caught) });
          },
        );
      },
      attempt === 0 ? DEBOUNCE_MS : 0,
    );
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [q, scope, sort, tz, attempt]);

  const problem = pending?.key === key ? pending.problem : null;
  const retry = useCallback(() => setAgain((held) => ({ key, count: held.key === key ? held.count + 1 : 1 })), [key]);
  // A rate limit is waited out, then the same search runs again by itself.
  useEffect(() => {
    if (problem?.kind !== 'limited') return;
    const timer = setTimeout(retry, Math.max(0, problem.until - Date.now()));
    return () => clearTimeout(timer);
  }, [problem, retry]);

  const loadMore = useCallback(async (): Promise<SearchHit[]> => {
    const from = listing;
    if (!from?.nextCursor || from.key !== key || loadingMore) return [];
    setLoadingMore(true);
    setMoreError(null);
    try {
      const page = await searchApi.messages({ q: q.trim(), scope, sort, tz, cursor: from.nextCursor });
      const hits = appendHits(from.hits, page.hits);
      setListing((held) => (held?.key === from.key && held.nextCursor === from.nextCursor ? { ...held, hits, nextCursor: page.nextCursor } : held));
      return hits.slice(from.hits.length);
    } catch (caught) {
      setMoreError(caught instanceof ApiError ? searchErrorText(caught.body) : 'Could not load more results. Try again.');
      return [];
    } finally {
      setLoadingMore(false);
    }
  }, [listing, loadingMore, key, q, scope, sort, tz]);

  const current = !blank && listing?.key === key;
  const status: SearchStatus = blank ? 'idle' : problem ? 'problem' : current && pending?.key !== key ? 'done' : 'loading';
  return {
    status,
    listing: blank || problem?.kind === 'invalid' ? null : listing,
    current,
    problem,
    loadingMore,
    moreError,
    loadMore,
    retry,
  };
}
