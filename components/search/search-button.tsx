'use client';
import { MagnifyingGlassIcon } from '@heroicons/react/20/solid';
import { useSyncExternalStore } from 'react';
import { useSearchUi } from '@/lib/stores/search';

const noSubscription = () => () => undefined;
/** Apple keyboards say ⌘ where others say Ctrl (known in the browser only: the server renders "Ctrl"). */
function useIsApple(): boolean {
  return useSyncExternalStore(
    noSubscription,
    () => /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent),
    () => false,
  );
}

/** The header's way into search: a search field look-alike on wide screens, an icon button on phones. */
export function SearchButton() {
  const openSearch = useSearchUi((s) => s.openSearch);
  const apple = useIsApple();
  const shortcut = apple ? '⌘K' : 'Ctrl K';
  return (
    <button
      type="button"
      data-testid="search-button"
      onClick={openSearch}
      aria-haspopup="dialog"
      aria-keyshortcuts={apple ? 'Meta+K' : 'Control+K'}
      className="flex shrink-0 items-center gap-2 rounded-md p-1.5 text-slate-600 outline-none hover:bg-slate-100 focus-visible:ring-2 focus-visible:ring-brand-600 sm:w-64 sm:min-w-0 sm:shrink sm:border sm:border-slate-300 sm:bg-slate-50 sm:px-2.5 sm:py-1 sm:text-sm lg:w-80"
    >
      <MagnifyingGlassIcon aria-hidden className="size-5 shrink-0 sm:size-4" />
      <span className="sr-only sm:not-sr-only sm:flex-1 sm:truncate sm:text-left sm:text-slate-600">Search messages</span>
      <kbd aria-hidden className="hidden shrink-0 rounded border border-slate-300 bg-white px-1 font-sans text-xs text-slate-600 sm:inline">
        {shortcut}
      </kbd>
    </button>
  );
}
