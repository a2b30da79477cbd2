import type { Metadata } from 'next';
import Link from 'next/link';

export const metadata: Metadata = { title: 'Page not found · Parley' };

/** Unknown paths. Ours rather than Next's default, which styles itself inline and so breaks our CSP. */
export default function NotFound() {
  return (
    <main className="flex min-h-full items-center justify-center p-6">
      <div className="max-w-sm text-center">
        <h1 className="text-xl font-semibold">Page not found</h1>
        <p className="mt-2 text-fg-muted">There is nothing at this address.</p>
        <Link href="/" className="mt-4 inline-block text-link hover:underline">
          Back to Parley
        </Link>
      </div>
    </main>
  );
}
