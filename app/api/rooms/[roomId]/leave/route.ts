/** POST: stop being a member (owners transfer or delete instead). The last one out of a group deletes it. */
import { leaveCallsOfRoom } from '@/lib/data/calls';
import { leaveRoom } from '@/lib/data/rooms';
import { json, requireApiUser, roomIdParam, route } from '@/lib/http';
import { notifyCallChanged, notifyLines, notifyMemberLeft, notifyRoomDeleted } from '@/lib/realtime/notify';

export const dynamic = 'force-dynamic';

export const POST = route(async (request: Request, context: { params: Promise<{ roomId: string }> }) => {
  const { user } = await requireApiUser(request);
  const roomId = await roomIdParam(context);
  const { left, lines, deleted } = await leaveRoom({ roomId, userId: user.id });
  if (deleted) {
    notifyRoomDeleted(roomId, { memberIds: [user.id] });
  } else if (left) {
    notifyLines(lines);
    notifyMemberLeft(roomId, user);
    for (const change of await leaveCallsOfRoom({ roomId, userId: user.id })) notifyCallChanged(change);
  }
  return json({ ok: true });
});
