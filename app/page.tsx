import { AppHeader } from '@/components/app-header';
import { requireUser } from '@/lib/auth';

export const dynamic = 'force-dynamic';

export default async function HomePage() {
  const user = await requireUser('/');
  return (
    <div className="flex h-full flex-col">
      <AppHeader user={user} />
      <main className="flex flex-1 items-center justify-center p-6">
        <div className="text-center">
          <h1 className="text-2xl font-semibold">Welcome, {user.displayName}</h1>
          <p className="mt-2 text-slate-600">You are signed in to Parley.</p>
        </div>
      </main>
    </div>
  );
}
