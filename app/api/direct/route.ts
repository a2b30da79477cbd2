/** POST { userId }: the direct conversation with that user, created on first use (201) or found (200). */
import { getRoomForUser, startDirect } from '@/lib/data/rooms';
import { parseOrThrow } from '@/lib/errors';
import { json, readJsonBody, requireApiUser, route } from '@/lib/http';
import { notifyDirectStarted } from '@/lib/realtime/notify';
import { startDirectSchema } from '@/lib/schemas/room';

export const dynamic = 'force-dynamic';

export const POST = route(async (request: Request) => {
  const { user } = await requireApiUser(request);
  const { userId: peerId } = parseOrThrow(startDirectSchema, await readJsonBody(request));
  const { room, created } = await startDirect({ userId: user.id, peerId });
  if (created) {
    const peerView = await getRoomForUser({ roomId: room.id, userId: peerId });
    notifyDirectStarted([
      { userId: user.id, room },
      { userId: peerId, room: peerView },
    ]);
  }
  return json({ room }, created ? 201 : 200);
});
