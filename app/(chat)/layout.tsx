import type { ReactNode } from 'react';
import { AppHeader } from '@/components/app-header';
import { ChatShell } from '@/components/chat/chat-shell';
import { SidebarToggle } from '@/components/chat/sidebar-toggle';
import { currentSession } from '@/lib/auth';
import { isInstanceAdmin } from '@/lib/data/instance-admin';
import { getEnv } from '@/lib/env';
import { listRoomsForUser } from '@/lib/data/rooms';

export const dynamic = 'force-dynamic';

/** The signed-in area: header, rooms sidebar, the tab's live connection. */
export default async function ChatLayout({ children }: { children: ReactNode }) {
  const session = await currentSession();
  // Signed out: each page redirects to login with its own return path (a layout does not know it).
  if (!session?.user?.id) return children;
  const user = session.user;
  const [rooms, isAdmin] = await Promise.all([listRoomsForUser({ userId: user.id }), isInstanceAdmin(user.id)]);
  return (
    <div className="flex h-full flex-col">
      <AppHeader user={user} isAdmin={isAdmin} leading={<SidebarToggle />} />
      <ChatShell userId={user.id} initialRooms={rooms} transports={getEnv().REALTIME_TRANSPORTS}>
        {children}
      </ChatShell>
    </div>
  );
}
