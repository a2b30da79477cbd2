/** POST: stop being a member (owners delete instead). */
import { leaveCallsOfRoom } from '@/lib/data/calls';
import { leaveRoom } from '@/lib/data/rooms';
import { json, requireApiUser, roomIdParam, route } from '@/lib/http';
import { notifyCallChanged, notifyMemberLeft } from '@/lib/realtime/notify';

export const dynamic = 'force-dynamic';

export const POST = route(async (request: Request, context: { params: Promise<{ roomId: string }> }) => {
  const { user } = await requireApiUser(request);
  const roomId = await roomIdParam(context);
  const { left } = await leaveRoom({ roomId, userId: user.id });
  if (left) {
    notifyMemberLeft(roomId, user);
    for (const change of await leaveCallsOfRoom({ roomId, userId: user.id })) notifyCallChanged(change);
  }
  return json({ ok: true });
});
