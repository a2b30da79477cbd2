/** DELETE { reason? }: a moderator (or above) removes a member of a lower role — a kick (§4.13). */
import { leaveCallsOfRoom } from '@/lib/data/calls';
import { kickMember } from '@/lib/data/moderation';
import { parseOrThrow } from '@/lib/errors';
import { readOptionalJsonBody, requireApiUser, roomIdParam, route, userIdParam } from '@/lib/http';
import { notifyCallChanged, notifyLines, notifyMemberLeft } from '@/lib/realtime/notify';
import { kickSchema } from '@/lib/schemas/moderation';

export const dynamic = 'force-dynamic';

export const DELETE = route(async (request: Request, context: { params: Promise<{ roomId: string; userId: string }> }) => {
  const { user, ip } = await requireApiUser(request);
  const roomId = await roomIdParam(context);
  const targetId = await userIdParam(context);
  const { reason } = parseOrThrow(kickSchema, (await readOptionalJsonBody(request)) ?? {});
  const removal = await kickMember({ roomId, userId: user.id, targetId, reason, ip });
  notifyLines(removal.lines);
  notifyMemberLeft(roomId, removal.user, { reason: 'kicked', by: removal.by });
  for (const change of await leaveCallsOfRoom({ roomId, userId: targetId })) notifyCallChanged(change);
  return new Response(null, { status: 204 });
});
