import type { Metadata } from 'next';
import { AppHeader } from '@/components/app-header';
import { requireUser } from '@/lib/auth';

export const metadata: Metadata = { title: 'Account · Parley' };
export const dynamic = 'force-dynamic';

/** The account page: who you are signed in as. */
export default async function SettingsPage() {
  const user = await requireUser('/settings');
  return (
    <div className="flex h-full flex-col">
      <AppHeader user={user} />
      <main className="mx-auto w-full max-w-lg p-6">
        <h1 className="text-xl font-semibold">Your account</h1>
        <dl className="mt-4 grid grid-cols-[8rem_1fr] gap-2 text-sm">
          <dt className="text-slate-500">Username</dt>
          <dd data-testid="account-username">@{user.username}</dd>
          <dt className="text-slate-500">Display name</dt>
          <dd>{user.displayName}</dd>
        </dl>
      </main>
    </div>
  );
}
