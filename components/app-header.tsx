import Link from 'next/link';
import { logoutAction } from '@/app/(auth)/actions';
import type { PublicUser } from '@/lib/schemas/user';

export function AppHeader({ user }: { user: PublicUser }) {
  return (
    <header className="flex items-center justify-between border-b border-slate-200 bg-white px-4 py-2">
      <Link href="/" className="text-lg font-semibold text-brand-700">
        Parley
      </Link>
      <div className="flex items-center gap-3 text-sm">
        <span data-testid="current-user" className="text-slate-700">
          {user.displayName} <span className="text-slate-400">@{user.username}</span>
        </span>
        <form action={logoutAction}>
          <button type="submit" className="rounded-md border border-slate-300 px-3 py-1 hover:bg-slate-50">
            Sign out
          </button>
        </form>
      </div>
    </header>
  );
}
