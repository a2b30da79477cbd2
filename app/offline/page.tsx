import type { Metadata } from 'next';
import Link from 'next/link';
import { WifiIcon } from '@heroicons/react/24/outline';
import { Logo } from '@/components/ui/logo';
import { buttonClasses } from '@/components/ui/button';

export const metadata: Metadata = { title: 'Offline · Parley', robots: { index: false } };

/**
 * What public/sw.js shows when a page cannot reach the server. It is cached once, signed out, and shown without
 * JavaScript (its scripts' nonce is stale by then), so it works as plain HTML: a link, not a button with a handler.
 */
export default function OfflinePage() {
  return (
    <main id="main" tabIndex={-1} className="flex min-h-full flex-col items-center justify-center bg-surface-muted px-4 py-12 outline-none">
      <Logo className="mb-8" />
      <div className="w-full max-w-sm rounded-card border border-line bg-surface p-8 text-center shadow-raised">
        <WifiIcon aria-hidden className="mx-auto size-10 text-fg-subtle" />
        <h1 className="mt-4 text-xl font-semibold text-fg">You are offline</h1>
        <p className="mt-2 text-sm text-fg-muted">Parley cannot reach its server. Check your connection; your messages are safe on the server.</p>
        <Link href="/" className={buttonClasses({ className: 'mt-6 w-full' })}>
          Try again
        </Link>
      </div>
    </main>
  );
}
