import type { Metadata } from 'next';
import Link from 'next/link';
import { AuthCard } from '@/components/auth/auth-card';
import { buttonClasses } from '@/components/ui/button';

export const metadata: Metadata = { title: 'Page not found · Parley' };

/** Unknown paths. Ours rather than Next's default, which styles itself inline and so breaks our CSP. */
export default function NotFound() {
  return (
    <AuthCard>
      <div className="text-center">
        <p className="text-sm font-semibold text-link">404</p>
        <h1 className="mt-2 text-xl font-semibold text-fg">Page not found</h1>
        <p className="mt-2 text-sm text-fg-muted">There is nothing at this address. It may have moved, or the link may be incomplete.</p>
        <Link href="/" className={buttonClasses({ size: 'lg', className: 'mt-6 w-full' })}>
          Back to Parley
        </Link>
      </div>
    </AuthCard>
  );
}
