/** GET: one room with its members (members only). DELETE: the owner deletes the room. */
import { deleteRoom, getRoomForUser, listMembers } from '@/lib/data/rooms';
import { json, requireApiUser, roomIdParam, route } from '@/lib/http';
import { notifyRoomDeleted } from '@/lib/realtime/notify';

export const dynamic = 'force-dynamic';

type Context = { params: Promise<{ roomId: string }> };

export const GET = route(async (request: Request, context: Context) => {
  const { user } = await requireApiUser(request);
  const roomId = await roomIdParam(context);
  const room = await getRoomForUser({ roomId, userId: user.id });
  const members = await listMembers({ roomId, userId: user.id });
  return json({ room, members });
});

export const DELETE = route(async (request: Request, context: Context) => {
  const { user, ip } = await requireApiUser(request);
  const roomId = await roomIdParam(context);
  const audience = await deleteRoom({ roomId, userId: user.id, ip });
  notifyRoomDeleted(roomId, audience);
  return new Response(null, { status: 204 });
});
