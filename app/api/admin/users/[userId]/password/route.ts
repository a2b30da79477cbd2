/** POST: a new random password for the account, shown once in the answer; every session of it ends. */
import { resetPasswordByAdmin } from '@/lib/data/admin';
import { parseOrThrow } from '@/lib/errors';
import { readOptionalJsonBody, requireApiUser, route } from '@/lib/http';
import { notifySessionsEnded } from '@/lib/realtime/notify';
import { noParametersSchema } from '@/lib/schemas/admin';
import { userIdParam } from '../../../params';

export const dynamic = 'force-dynamic';

export const POST = route(async (request: Request, context: { params: Promise<{ userId: string }> }) => {
  const { user, ip } = await requireApiUser(request);
  const userId = await userIdParam(context);
  parseOrThrow(noParametersSchema, (await readOptionalJsonBody(request)) ?? {});
  const { password, endedSessionIds } = await resetPasswordByAdmin({ actorId: user.id, ip, userId });
  notifySessionsEnded(endedSessionIds);
  // A password in the answer: no cache may keep it.
  return Response.json({ password }, { status: 200, headers: { 'cache-control': 'no-store' } });
});
