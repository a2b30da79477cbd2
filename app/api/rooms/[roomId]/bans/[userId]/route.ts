/** PUT { reason? }: ban someone of a lower role (or a non-member). DELETE: unban (§4.13). */
import { leaveCallsOfRoom } from '@/lib/data/calls';
import { banUser, unbanUser } from '@/lib/data/moderation';
import { parseOrThrow } from '@/lib/errors';
import { json, readOptionalJsonBody, requireApiUser, roomIdParam, route, userIdParam } from '@/lib/http';
import { notifyCallChanged, notifyLines, notifyMemberLeft } from '@/lib/realtime/notify';
import { banSchema } from '@/lib/schemas/moderation';

export const dynamic = 'force-dynamic';

type Context = { params: Promise<{ roomId: string; userId: string }> };

export const PUT = route(async (request: Request, context: Context) => {
  const { user, ip } = await requireApiUser(request);
  const roomId = await roomIdParam(context);
  const targetId = await userIdParam(context);
  const { reason } = parseOrThrow(banSchema, (await readOptionalJsonBody(request)) ?? {});
  const removal = await banUser({ roomId, userId: user.id, targetId, reason, ip });
  notifyLines(removal.lines);
  if (removal.wasMember) {
    notifyMemberLeft(roomId, removal.user, { reason: 'banned', by: removal.by });
    for (const change of await leaveCallsOfRoom({ roomId, userId: targetId })) notifyCallChanged(change);
  }
  return json({ ban: removal.ban });
});

export const DELETE = route(async (request: Request, context: Context) => {
  const { user, ip } = await requireApiUser(request);
  const roomId = await roomIdParam(context);
  const targetId = await userIdParam(context);
  notifyLines((await unbanUser({ roomId, userId: user.id, targetId, ip })).lines);
  return new Response(null, { status: 204 });
});
