/** PUT { role }: admins set moderator/member; the owner also admin (§4.13). */
import { setMemberRole } from '@/lib/data/moderation';
import { parseOrThrow } from '@/lib/errors';
import { json, readJsonBody, requireApiUser, roomIdParam, route, userIdParam } from '@/lib/http';
import { notifyLines, notifyMemberUpdated } from '@/lib/realtime/notify';
import { setRoleSchema } from '@/lib/schemas/moderation';

export const dynamic = 'force-dynamic';

export const PUT = route(async (request: Request, context: { params: Promise<{ roomId: string; userId: string }> }) => {
  const { user, ip } = await requireApiUser(request);
  const roomId = await roomIdParam(context);
  const targetId = await userIdParam(context);
  const { role } = parseOrThrow(setRoleSchema, await readJsonBody(request));
  const { member, lines } = await setMemberRole({ roomId, userId: user.id, targetId, role, ip });
  if (lines.length > 0) {
    notifyLines(lines);
    notifyMemberUpdated(roomId, member);
  }
  return json({ member });
});
