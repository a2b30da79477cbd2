'use client';
import type { MouseEvent, ReactNode } from 'react';
import type { SearchScope, SearchSort } from '@/lib/schemas/search';
import { appendToken, hasToken, toggleToken } from './query-tokens';

interface Chip {
  label: string;
  token: string;
  testId: string;
}

function ChipButton({ pressed, onClick, testId, children }: { pressed?: boolean; onClick(event: MouseEvent): void; testId: string; children: ReactNode }) {
  return (
    <button
      type="button"
      aria-pressed={pressed}
      data-testid={testId}
      onClick={onClick}
      className={`shrink-0 whitespace-nowrap rounded-full border px-2.5 py-1 text-xs font-medium outline-none focus-visible:ring-2 focus-visible:ring-focus focus-visible:ring-offset-1 ${
        pressed ? 'border-accent bg-accent text-white hover:bg-accent-hover' : 'border-line-strong bg-surface text-fg-muted hover:bg-surface-sunken'
      }`}
    >
      {children}
    </button>
  );
}

/**
 * Filters as chips that write the search syntax into the box (so what is applied is always visible and
 * editable), the scope switch and the sort order.
 */
export function SearchFilters({
  query,
  onQuery,
  hereToken,
  hereLabel,
  scope,
  onScope,
  sort,
  onSort,
}: {
  query: string;
  /** `fromPointer`: a click, after which typing goes on in the box. */
  onQuery(query: string, fromPointer: boolean): void;
  /** The `in:` filter for the room the dialog was opened from, if any. */
  hereToken: string | null;
  hereLabel: string | null;
  scope: SearchScope;
  onScope(scope: SearchScope): void;
  sort: SearchSort;
  onSort(sort: SearchSort): void;
}) {
  const chips: Chip[] = [
    ...(hereToken && hereLabel ? [{ label: hereLabel, token: hereToken, testId: 'search-chip-here' }] : []),
    { label: 'Has link', token: 'has:link', testId: 'search-chip-link' },
    { label: 'In threads', token: 'is:thread', testId: 'search-chip-thread' },
    { label: 'Mentions me', token: '@me', testId: 'search-chip-me' },
  ];
  // A click (not a key press) on a chip: the pointer is done, typing goes on in the box.
  const pointer = (event: MouseEvent) => event.detail > 0;
  return (
    <div className="space-y-2 border-b border-line px-3 py-2">
      <div role="group" aria-label="Filters" className="-mx-3 flex gap-1.5 overflow-x-auto px-3 pb-0.5">
        {chips.map((chip) => (
          <ChipButton
            key={chip.testId}
            testId={chip.testId}
            pressed={hasToken(query, chip.token)}
            onClick={(event) => onQuery(toggleToken(query, chip.token), pointer(event))}
          >
            {chip.label}
          </ChipButton>
        ))}
        {/* Inserts the start of a filter: the name is typed next, so the box takes focus whatever clicked. */}
        <ChipButton testId="search-chip-from" onClick={() => onQuery(appendToken(query, 'from:@'), true)}>
          From…
        </ChipButton>
      </div>
      <div className="flex flex-wrap items-center justify-between gap-x-4 gap-y-2 text-sm">
        <label className="flex cursor-pointer items-center gap-2 text-fg-muted">
          <input
            type="checkbox"
            data-testid="search-scope"
            checked={scope === 'all'}
            onChange={(e) => onScope(e.target.checked ? 'all' : 'mine')}
            className="size-4 rounded border-line-strong accent-accent"
          />
          Include public rooms I haven’t joined
        </label>
        <fieldset className="flex items-center gap-2">
          <legend className="sr-only">Sort results by</legend>
          <span aria-hidden className="text-xs text-fg-muted">
            Sort
          </span>
          <div className="flex rounded-md border border-line-strong p-0.5">
            {(['relevance', 'newest'] as const).map((value) => (
              <label
                key={value}
                className={`cursor-pointer rounded px-2 py-0.5 text-xs font-medium has-[:focus-visible]:ring-2 has-[:focus-visible]:ring-focus ${
                  sort === value ? 'bg-accent text-white' : 'text-fg-muted hover:bg-surface-sunken'
                }`}
              >
                <input
                  type="radio"
                  name="search-sort"
                  value={value}
                  data-testid={`search-sort-${value}`}
                  checked={sort === value}
                  onChange={() => onSort(value)}
                  className="sr-only"
                />
                {value === 'relevance' ? 'Relevance' : 'Newest'}
              </label>
            ))}
          </div>
        </fieldset>
      </div>
    </div>
  );
}
