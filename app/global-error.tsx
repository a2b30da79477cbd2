'use client';
import { useSyncExternalStore } from 'react';
import '@fontsource-variable/inter';
import { ErrorState } from '@/components/error-state';
import { parseTheme, THEME_COOKIE } from '@/lib/theme';
import './globals.css';

const noSubscription = () => () => undefined;
/** The root layout (which renders the theme from the cookie) failed: read the cookie here instead. */
function useCookieTheme() {
  return useSyncExternalStore(
    noSubscription,
    () => parseTheme(new RegExp(`(?:^|; )${THEME_COOKIE}=([^;]*)`).exec(document.cookie)?.[1]),
    () => 'system' as const,
  );
}

/** The last resort: the root layout itself threw. It replaces the whole document, so it brings html and body. */
export default function GlobalError({ error, retry }: { error: unknown; retry: () => void }) {
  const theme = useCookieTheme();
  return (
    <html lang="en" data-theme={theme} className="h-full">
      <body className="h-full bg-surface font-sans text-fg antialiased">
        <title>Something went wrong · Parley</title>
        <a href="#main" className="sr-only focus:not-sr-only focus:fixed focus:left-3 focus:top-3 focus:rounded-control focus:bg-accent focus:px-4 focus:py-2 focus:text-white">
          Skip to content
        </a>
        <main id="main" tabIndex={-1} className="flex min-h-full items-center justify-center bg-surface-muted px-4 py-12 outline-none">
          <ErrorState error={error} retry={retry} />
        </main>
      </body>
    </html>
  );
}
