import Link from 'next/link';
import type { ReactNode } from 'react';
import { Logo } from '@/components/ui/logo';

/**
 * The signed-out frame (sign in, sign up, invitations, offline, errors): the logo over one centred card on the
 * muted page colour. It is the page's <main id="main"> (the skip link's target, focusable for it).
 */
export function AuthCard({ children, wide = false }: { children: ReactNode; wide?: boolean }) {
  return (
    <main id="main" tabIndex={-1} className="flex min-h-full flex-col items-center justify-center bg-surface-muted px-4 py-10 outline-none sm:py-16">
      <Link href="/" className="mb-8 rounded-control outline-none focus-visible:ring-2 focus-visible:ring-focus" aria-label="Parley home">
        <Logo />
      </Link>
      <div className={`w-full ${wide ? 'max-w-md' : 'max-w-sm'} rounded-card border border-line bg-surface p-6 shadow-raised sm:p-8`}>{children}</div>
      <p className="mt-8 text-center text-xs text-fg-subtle">Parley · self-hosted chat</p>
    </main>
  );
}
