/**
 * The search dialog's state that outlives one opening: whether it is open (the header button and
 * Ctrl/Cmd+K both open it), and the last search, so reopening shows it again as Slack and Linear do.
 * Results themselves are fetched by components/search/use-message-search.ts.
 */
import { create } from 'zustand';
import type { ErrorBody } from '../errors';
import type { SearchHit, SearchScope, SearchSort } from '../schemas/search';

export interface SearchUiState {
  open: boolean;
  /** What had focus when the dialog opened: focus goes back there when it closes. */
  returnFocus: HTMLElement | null;
  query: string;
  scope: SearchScope;
  sort: SearchSort;
}

export interface SearchUiActions {
  /** Opens the dialog, remembering what had focus (browser only). */
  openSearch(): void;
  setOpen(open: boolean): void;
  setQuery(query: string): void;
  setScope(scope: SearchScope): void;
  setSort(sort: SearchSort): void;
}

export const useSearchUi = create<SearchUiState & SearchUiActions>((set) => ({
  open: false,
  returnFocus: null,
  query: '',
  scope: 'mine',
  sort: 'relevance',
  openSearch: () => {
    const active = document.activeElement;
    set({ open: true, returnFocus: active instanceof HTMLElement && active !== document.body ? active : null });
  },
  setOpen: (open) => set({ open }),
  setQuery: (query) => set({ query }),
  setScope: (scope) => set({ scope }),
  setSort: (sort) => set({ sort }),
}));

/** A hit's identity in a result list (a message is one hit, whatever page brought it). */
export function hitKey(hit: SearchHit): string {
  return `${hit.room.id}:${hit.message.seq}`;
}

/** The next page after the ones shown: hits already shown (a page boundary that moved) are not repeated. */
export function appendHits(shown: readonly SearchHit[], page: readonly SearchHit[]): SearchHit[] {
  const seen = new Set(shown.map(hitKey));
  return [...shown, ...page.filter((hit) => !seen.has(hitKey(hit)))];
}

/** The browser's time zone, in which `before:`/`after:`/`on:`/`today` are read; UTC if it does not say. */
export function browserTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}

/** What to tell a person about a refused search: the issue on the search text if there is one (422). */
export function searchErrorText(body: ErrorBody): string {
  return body.issues?.find((issue) => issue.path === 'q')?.message ?? body.message;
}
