'use client';
import { ErrorState } from '@/components/error-state';

/** Errors outside the signed-in area (sign-in pages, invitations). The root layout and its skip link stay. */
export default function RootError({ error, retry }: { error: unknown; retry: () => void }) {
  return (
    <main id="main" tabIndex={-1} className="flex min-h-full items-center justify-center bg-surface-muted px-4 py-12 outline-none">
      <ErrorState error={error} retry={retry} />
    </main>
  );
}
