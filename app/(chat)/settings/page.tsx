import type { Metadata } from 'next';
import { SecuritySettings } from '@/components/settings/security-settings';
import { requireUser } from '@/lib/auth';

export const metadata: Metadata = { title: 'Account · Parley' };
export const dynamic = 'force-dynamic';

/** The account page: who you are signed in as, the password, and where you are signed in. */
export default async function SettingsPage() {
  const user = await requireUser('/settings');
  return (
    <main className="min-h-0 flex-1 overflow-y-auto">
      <div className="mx-auto w-full max-w-lg p-6">
        <h1 className="text-xl font-semibold">Your account</h1>
        <dl className="mt-4 grid grid-cols-[8rem_1fr] gap-2 text-sm">
          <dt className="text-slate-600">Username</dt>
          <dd data-testid="account-username">@{user.username}</dd>
          <dt className="text-slate-600">Display name</dt>
          <dd>{user.displayName}</dd>
        </dl>
        <SecuritySettings />
      </div>
    </main>
  );
}
