'use client';
import { ExclamationTriangleIcon } from '@heroicons/react/24/outline';
import { useEffect } from 'react';
import { Button, buttonClasses } from '@/components/ui/button';

/** Only a server error's digest is shown: its message is generic in production anyway, and may say too much in dev. */
function digestOf(error: unknown): string | undefined {
  return error && typeof error === 'object' && 'digest' in error && typeof error.digest === 'string' ? error.digest : undefined;
}

/** What the error boundaries show: what happened, "Try again" (re-fetches the segment), and a way home. */
export function ErrorState({ error, retry, title = 'Something went wrong' }: { error: unknown; retry: () => void; title?: string }) {
  useEffect(() => {
    // The browser console is where a user reporting a bug finds it; the server logged its side with the digest.
    console.error(error);
  }, [error]);
  const digest = digestOf(error);
  return (
    <div data-testid="error-state" className="w-full max-w-sm rounded-card border border-line bg-surface p-6 text-center shadow-raised sm:p-8">
      <ExclamationTriangleIcon aria-hidden className="mx-auto size-10 text-danger-fg" />
      <h1 className="mt-4 text-xl font-semibold text-fg">{title}</h1>
      <p className="mt-2 text-sm text-fg-muted">This part of Parley hit an unexpected problem. Trying again usually helps.</p>
      {digest ? <p className="mt-2 font-mono text-xs text-fg-subtle">Reference: {digest}</p> : null}
      <div className="mt-6 flex flex-col gap-2">
        <Button size="lg" onClick={() => retry()} className="w-full">
          Try again
        </Button>
        {/* A plain link: leaving an error is best done with a fresh page, and next/link would make every page
            download its client code again with the error boundaries (they load up front). */}
        {/* eslint-disable-next-line @next/next/no-html-link-for-pages -- a full page load is the point here */}
        <a href="/" className={buttonClasses({ variant: 'secondary', size: 'lg', className: 'w-full' })}>
          Back to your rooms
        </a>
      </div>
    </div>
  );
}
