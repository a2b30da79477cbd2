import type { Metadata } from 'next';
import { AppearanceSettings } from '@/components/settings/appearance-settings';
import { DeleteAccount } from '@/components/settings/delete-account';
import { ProfileSettings } from '@/components/settings/profile-settings';
import { SecuritySettings } from '@/components/settings/security-settings';
import { requireUser } from '@/lib/auth';
import { getAccount } from '@/lib/data/account';

export const metadata: Metadata = { title: 'Account · Parley' };
export const dynamic = 'force-dynamic';

/** The account page: how others see you (picture, name), how Parley looks, the password, sessions, and leaving for good. */
export default async function SettingsPage() {
  const session = await requireUser('/settings');
  const { user, createdAt } = await getAccount({ userId: session.id });
  return (
    <div className="min-h-0 flex-1 overflow-y-auto">
      <div className="mx-auto w-full max-w-2xl p-4 sm:p-8">
        <h1 className="text-2xl font-semibold tracking-tight">Your account</h1>
        <p className="mt-1 text-sm text-fg-muted">
          Member since <time dateTime={createdAt}>{new Date(createdAt).toLocaleDateString('en', { year: 'numeric', month: 'long', day: 'numeric' })}</time>
        </p>
        <ProfileSettings initialUser={user} />
        <AppearanceSettings />
        <SecuritySettings />
        <DeleteAccount />
      </div>
    </div>
  );
}
