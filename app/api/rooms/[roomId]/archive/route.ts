/** PUT: archive the room (read-only, kept). DELETE: restore it. Admins, the owner, instance admins (§4.13). */
import { setRoomArchived } from '@/lib/data/moderation';
import { getRoomForUser } from '@/lib/data/rooms';
import { AppError } from '@/lib/errors';
import { json, requireApiUser, roomIdParam, route } from '@/lib/http';
import { notifyLines, notifyRoomUpdated } from '@/lib/realtime/notify';
import type { RoomSummary } from '@/lib/schemas/room';

export const dynamic = 'force-dynamic';

type Context = { params: Promise<{ roomId: string }> };

function archiveRoute(archived: boolean) {
  return route(async (request: Request, context: Context) => {
    const { user, ip } = await requireApiUser(request);
    const roomId = await roomIdParam(context);
    const { changed, settings, lines } = await setRoomArchived({ roomId, userId: user.id, archived, ip });
    if (changed) {
      notifyLines(lines);
      notifyRoomUpdated(settings);
    }
    // An instance admin who is not a member gets the room as anyone outside it sees it.
    let room: RoomSummary | null = null;
    try {
      room = await getRoomForUser({ roomId, userId: user.id });
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
    }
    return json({ room, settings });
  });
}

export const PUT = archiveRoute(true);
export const DELETE = archiveRoute(false);
