'use client';
import dynamic from 'next/dynamic';
import { useEffect, useState } from 'react';
import { useSearchUi } from '@/lib/stores/search';

const loadDialog = () => import('./search-dialog').then((m) => m.SearchDialog);
/**
 * The search dialog (cmdk, filters, result rows) is fetched on first use, not with every page: the header
 * button starts the fetch on hover/focus, Ctrl/Cmd+K and the click open it, and it shows once loaded.
 */
const SearchDialog = dynamic(loadDialog, { ssr: false });

/** Starts fetching the dialog's code (a no-op once it is cached). */
export function preloadSearch(): void {
  void loadDialog();
}

/**
 * Ctrl/Cmd+K from anywhere in the chat app, and the dialog itself from its first opening on (kept mounted
 * after that, so the last search is still there).
 */
export function SearchHost() {
  const open = useSearchUi((s) => s.open);
  const [used, setUsed] = useState(false);
  if (open && !used) setUsed(true);

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key.toLowerCase() !== 'k' || !(event.ctrlKey || event.metaKey) || event.altKey || event.shiftKey) return;
      event.preventDefault(); // the browser's own Ctrl+K (its address bar search)
      if (useSearchUi.getState().open) {
        const input = document.querySelector<HTMLInputElement>('[data-testid="search-input"]');
        input?.focus();
        input?.select();
      } else {
        useSearchUi.getState().openSearch();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  return used ? <SearchDialog /> : null;
}
