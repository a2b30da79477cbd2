import Link from 'next/link';
import type { ReactNode } from 'react';
import { logoutAction } from '@/app/(auth)/actions';
import type { PublicUser } from '@/lib/schemas/user';
import { Avatar } from './ui/avatar';
import { SearchButton } from './search/search-button';

/** `isAdmin`: the user administers the instance (lib/data/instance-admin.ts): the header links to /admin. */
export function AppHeader({ user, leading, isAdmin = false }: { user: PublicUser; leading?: ReactNode; isAdmin?: boolean }) {
  return (
    <header className="flex items-center justify-between gap-2 border-b border-slate-200 bg-white px-3 py-2 sm:px-4">
      <div className="flex items-center gap-2">
        {leading}
        <Link href="/" className="text-lg font-semibold text-brand-700">
          Parley
        </Link>
      </div>
      <div className="flex flex-1 justify-end sm:min-w-0 sm:justify-center">
        <SearchButton />
      </div>
      <div className="flex min-w-0 items-center gap-3 text-sm">
        {isAdmin ? (
          <Link href="/admin" data-testid="admin-link" className="whitespace-nowrap text-slate-700 hover:underline">
            Admin
          </Link>
        ) : null}
        <Link href="/settings" className="flex min-w-0 items-center gap-2 text-slate-700 hover:underline">
          <Avatar user={user} size="md" />
          <span data-testid="current-user" className="min-w-0 truncate">
            {user.displayName} <span className="hidden text-slate-500 sm:inline">@{user.username}</span>
          </span>
        </Link>
        <form action={logoutAction}>
          <button type="submit" className="whitespace-nowrap rounded-md border border-slate-300 px-3 py-1 hover:bg-slate-50">
            Sign out
          </button>
        </form>
      </div>
    </header>
  );
}
