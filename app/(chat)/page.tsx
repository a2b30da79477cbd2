import Link from 'next/link';
import { CreateRoomForm } from '@/components/chat/create-room-form';
import { requireUser } from '@/lib/auth';

export const dynamic = 'force-dynamic';

export default async function HomePage() {
  const user = await requireUser('/');
  return (
    <main className="min-h-0 flex-1 overflow-y-auto">
      <div className="mx-auto w-full max-w-xl p-4 sm:p-6">
        <h1 className="text-2xl font-semibold">Welcome, {user.displayName}</h1>
        <p className="mt-2 text-fg-muted">
          Pick one of your rooms from the list,{' '}
          <Link href="/rooms" className="text-link underline hover:text-link">
            find one in the room directory
          </Link>
          , or start a new one.
        </p>
        <section aria-labelledby="create-room-heading" className="mt-6 rounded-xl border border-line bg-surface p-4 shadow-sm sm:p-6">
          <h2 id="create-room-heading" className="text-lg font-semibold">
            Create a room
          </h2>
          <CreateRoomForm />
        </section>
      </div>
    </main>
  );
}
