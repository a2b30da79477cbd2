/** POST { userId }: the owner hands the room to a member, becoming admin (§4.13). */
import { transferOwnership } from '@/lib/data/moderation';
import { getRoomForUser } from '@/lib/data/rooms';
import { parseOrThrow } from '@/lib/errors';
import { json, readJsonBody, requireApiUser, roomIdParam, route } from '@/lib/http';
import { notifyLines, notifyMemberUpdated, notifyRoomUpdated } from '@/lib/realtime/notify';
import { transferSchema } from '@/lib/schemas/moderation';

export const dynamic = 'force-dynamic';

export const POST = route(async (request: Request, context: { params: Promise<{ roomId: string }> }) => {
  const { user, ip } = await requireApiUser(request);
  const roomId = await roomIdParam(context);
  const { userId } = parseOrThrow(transferSchema, await readJsonBody(request));
  const { settings, lines, members } = await transferOwnership({ roomId, userId: user.id, toUserId: userId, ip });
  notifyLines(lines);
  notifyRoomUpdated(settings);
  for (const member of members) notifyMemberUpdated(roomId, member);
  return json({ room: await getRoomForUser({ roomId, userId: user.id }) });
});
