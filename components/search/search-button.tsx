'use client';
import { MagnifyingGlassIcon } from '@heroicons/react/20/solid';
import { useSyncExternalStore } from 'react';
import { useSearchUi } from '@/lib/stores/search';
import { preloadSearch } from './search-host';

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
      // Fetch the dialog's code as the pointer or focus arrives, so the click opens it at once.
      onPointerEnter={preloadSearch}
      onFocus={preloadSearch}
      aria-haspopup="dialog"
      aria-keyshortcuts={apple ? 'Meta+K' : 'Control+K'}
      className="flex shrink-0 items-center gap-2 rounded-md p-1.5 text-fg-muted outline-none hover:bg-surface-sunken focus-visible:ring-2 focus-visible:ring-focus sm:w-64 sm:min-w-0 sm:shrink sm:border sm:border-line-strong sm:bg-surface-muted sm:px-2.5 sm:py-1 sm:text-sm lg:w-80"
    >
      <MagnifyingGlassIcon aria-hidden className="size-5 shrink-0 sm:size-4" />
      <span className="sr-only sm:not-sr-only sm:flex-1 sm:truncate sm:text-left sm:text-fg-muted">Search messages</span>
      <kbd aria-hidden className="hidden shrink-0 rounded border border-line-strong bg-surface px-1 font-sans text-xs text-fg-muted sm:inline">
        {shortcut}
      </kbd>
    </button>
  );
}
