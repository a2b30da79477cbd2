/** PUT: my notification level in a room — all messages, mentions only, or muted (members only). */
import { setNotifyLevel } from '@/lib/data/rooms';
import { parseOrThrow } from '@/lib/errors';
import { json, readJsonBody, requireApiUser, roomIdParam, route } from '@/lib/http';
import { notifyMembershipRefresh } from '@/lib/realtime/notify';
import { setNotifyLevelSchema } from '@/lib/schemas/room';

export const dynamic = 'force-dynamic';

export const PUT = route(async (request: Request, context: { params: Promise<{ roomId: string }> }) => {
  const { user } = await requireApiUser(request);
  const roomId = await roomIdParam(context);
  const { level } = parseOrThrow(setNotifyLevelSchema, await readJsonBody(request));
  const room = await setNotifyLevel({ roomId, userId: user.id, level });
  notifyMembershipRefresh(roomId, user.id);
  return json({ room });
});
