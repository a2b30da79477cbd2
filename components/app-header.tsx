import Link from 'next/link';
import type { ReactNode } from 'react';
import { logoutAction } from '@/app/(auth)/actions';
import type { PublicUser } from '@/lib/schemas/user';
import { Avatar } from './ui/avatar';
import { SearchButton } from './search/search-button';

/** `isAdmin`: the user administers the instance (lib/data/instance-admin.ts): the header links to /admin. */
export function AppHeader({ user, leading, isAdmin = false }: { user: PublicUser; leading?: ReactNode; isAdmin?: boolean }) {
  return (
    <header className="flex items-center justify-between gap-2 border-b border-line bg-surface px-3 py-2 sm:px-4">
      <div className="flex items-center gap-2">
        {leading}
        <Link href="/" className="text-lg font-semibold text-link">
          Parley
        </Link>
      </div>
      <div className="flex flex-1 justify-end sm:min-w-0 sm:justify-center">
        <SearchButton />
      </div>
      <div className="flex min-w-0 items-center gap-3 text-sm">
        {isAdmin ? (
          <Link href="/admin" data-testid="admin-link" className="whitespace-nowrap text-fg-muted hover:underline">
            Admin
          </Link>
        ) : null}
        <Link href="/settings" className="flex min-w-0 items-center gap-2 text-fg-muted hover:underline">
          <Avatar user={user} size="md" />
          <span data-testid="current-user" className="min-w-0 truncate">
            {user.displayName} <span className="hidden text-fg-subtle sm:inline">@{user.username}</span>
          </span>
        </Link>
        <form action={logoutAction}>
          <button type="submit" className="whitespace-nowrap rounded-md border border-line-strong px-3 py-1 hover:bg-surface-muted">
            Sign out
          </button>
        </form>
      </div>
    </header>
  );
}
