/** POST { currentPassword, newPassword, confirmPassword }: change my password; every other session ends. */
import { changePassword } from '@/lib/data/users';
import { parseOrThrow } from '@/lib/errors';
import { json, readJsonBody, requireApiUser, route } from '@/lib/http';
import { notifySessionsEnded } from '@/lib/realtime/notify';
import { changePasswordSchema } from '@/lib/schemas/user';

export const dynamic = 'force-dynamic';

export const POST = route(async (request: Request) => {
  const { user, sessionId, ip } = await requireApiUser(request);
  const data = parseOrThrow(changePasswordSchema, await readJsonBody(request));
  const { endedSessionIds } = await changePassword({ userId: user.id, sessionId, data, ip });
  notifySessionsEnded(endedSessionIds);
  return json({ endedSessions: endedSessionIds.length });
});
