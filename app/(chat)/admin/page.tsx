import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { AdminPanel } from '@/components/admin/admin-panel';
import { isAdminTab } from '@/components/admin/tabs';
import { requireUser } from '@/lib/auth';
import { isInstanceAdmin } from '@/lib/data/instance-admin';

export const metadata: Metadata = { title: 'Administration · Parley' };
export const dynamic = 'force-dynamic';

/** The instance administrators' page (docs/protocol.md §4.15). Anyone else finds nothing here. */
export default async function AdminPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const user = await requireUser('/admin');
  if (!(await isInstanceAdmin(user.id))) notFound();
  const tab = (await searchParams).tab;
  return (
    <div className="min-h-0 flex-1 overflow-y-auto">
      <div className="mx-auto w-full max-w-4xl p-4 sm:p-6">
        <h1 className="text-xl font-semibold">Administration</h1>
        <p className="mt-1 text-sm text-fg-muted">People, rooms and settings of this Parley. Everything you do here is recorded in the audit log.</p>
        <div className="mt-4">
          <AdminPanel meId={user.id} initialTab={isAdminTab(tab) ? tab : 'users'} />
        </div>
      </div>
    </div>
  );
}
