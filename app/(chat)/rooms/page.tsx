import type { Metadata } from 'next';
import { RoomDirectory } from '@/components/chat/room-directory';
import { requireUser } from '@/lib/auth';
import { listRoomDirectory } from '@/lib/data/rooms';
import { roomDirectoryQuerySchema } from '@/lib/schemas/room';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Room directory · Parley' };

/** The room directory: its first page rendered on the server, then searched and paged in the browser. */
export default async function RoomDirectoryPage() {
  const user = await requireUser('/rooms');
  const initial = await listRoomDirectory({ userId: user.id, ...roomDirectoryQuerySchema.parse({}) });
  return (
    <div className="min-h-0 flex-1 overflow-y-auto">
      <div className="mx-auto w-full max-w-3xl p-4 sm:p-8">
        <h1 className="text-2xl font-semibold">Room directory</h1>
        <p className="mt-2 text-fg-muted">Rooms you are not in yet, the busiest first. Find one by its name or what it is about.</p>
        <RoomDirectory initial={initial} />
      </div>
    </div>
  );
}
