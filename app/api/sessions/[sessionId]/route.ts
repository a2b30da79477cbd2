/** DELETE: sign one of my sessions out (a lost phone); its open sockets close on every instance. */
import { recordAudit } from '@/lib/data/audit';
import { revokeSession } from '@/lib/data/sessions';
import { AppError } from '@/lib/errors';
import { requireApiUser, route } from '@/lib/http';
import { notifySessionsEnded } from '@/lib/realtime/notify';
import { sessionIdSchema } from '@/lib/schemas/user';

export const dynamic = 'force-dynamic';

export const DELETE = route(async (request: Request, context: { params: Promise<{ sessionId: string }> }) => {
  const { user, ip } = await requireApiUser(request);
  const parsed = sessionIdSchema.safeParse((await context.params).sessionId);
  if (!parsed.success) throw new AppError('NOT_FOUND', 'That session does not exist (any more).');
  notifySessionsEnded(await revokeSession({ userId: user.id, sessionId: parsed.data }));
  await recordAudit({ kind: 'sessions.ended', actorId: user.id, ip, details: { count: 1 } });
  return new Response(null, { status: 204 });
});
