/** PUT { durationSeconds, reason? }: mute a member of a lower role. DELETE: unmute (§4.13). */
import { muteMember, unmuteMember } from '@/lib/data/moderation';
import { parseOrThrow } from '@/lib/errors';
import { json, readJsonBody, requireApiUser, roomIdParam, route, userIdParam } from '@/lib/http';
import { notifyLines, notifyMemberUpdated } from '@/lib/realtime/notify';
import { muteSchema } from '@/lib/schemas/moderation';

export const dynamic = 'force-dynamic';

type Context = { params: Promise<{ roomId: string; userId: string }> };

export const PUT = route(async (request: Request, context: Context) => {
  const { user, ip } = await requireApiUser(request);
  const roomId = await roomIdParam(context);
  const targetId = await userIdParam(context);
  const { durationSeconds, reason } = parseOrThrow(muteSchema, await readJsonBody(request));
  const { member, lines } = await muteMember({ roomId, userId: user.id, targetId, durationSeconds, reason, ip });
  notifyLines(lines);
  notifyMemberUpdated(roomId, member);
  return json({ member });
});

export const DELETE = route(async (request: Request, context: Context) => {
  const { user, ip } = await requireApiUser(request);
  const roomId = await roomIdParam(context);
  const targetId = await userIdParam(context);
  const { member, lines } = await unmuteMember({ roomId, userId: user.id, targetId, ip });
  notifyLines(lines);
  notifyMemberUpdated(roomId, member);
  return json({ member });
});
