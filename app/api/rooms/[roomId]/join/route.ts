/** POST { password? }: become a member (private rooms check the password, rate limited). */
import { joinRoom } from '@/lib/data/rooms';
import { parseOrThrow } from '@/lib/errors';
import { json, readOptionalJsonBody, requireApiUser, roomIdParam, route } from '@/lib/http';
import { notifyMemberJoined } from '@/lib/realtime/notify';
import { joinRoomSchema } from '@/lib/schemas/room';

export const dynamic = 'force-dynamic';

export const POST = route(async (request: Request, context: { params: Promise<{ roomId: string }> }) => {
  const { user, ip } = await requireApiUser(request);
  const roomId = await roomIdParam(context);
  const { password } = parseOrThrow(joinRoomSchema, (await readOptionalJsonBody(request)) ?? {});
  const { room, joined } = await joinRoom({ roomId, userId: user.id, password, ip });
  if (joined) notifyMemberJoined(room, user);
  return json({ room });
});
