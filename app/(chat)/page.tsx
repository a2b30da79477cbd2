import { CreateRoomForm } from '@/components/chat/create-room-form';
import { HomeStart } from '@/components/chat/home-start';
import { requireUser } from '@/lib/auth';

export const dynamic = 'force-dynamic';

/** Home: where to go next (components/chat/home-start.tsx) and the form to create a room. */
export default async function HomePage() {
  const user = await requireUser('/');
  return (
    <div className="min-h-0 flex-1 overflow-y-auto">
      <div className="mx-auto w-full max-w-3xl p-4 sm:p-8">
        <h1 className="text-2xl font-semibold">Welcome, {user.displayName}</h1>
        <HomeStart />
        <section
          id="create-room"
          aria-labelledby="create-room-heading"
          className="mt-8 scroll-mt-4 rounded-card border border-line bg-surface p-4 shadow-raised sm:p-6"
        >
          <h2 id="create-room-heading" className="text-lg font-semibold">
            Create a room
          </h2>
          <CreateRoomForm />
        </section>
      </div>
    </div>
  );
}
