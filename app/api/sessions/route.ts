/**
 * GET: where I am signed in (my live sessions, newest use first, mine marked `current`).
 * DELETE: sign out everywhere — every session, or every other one with `?except=current`.
 */
import { recordAudit } from '@/lib/data/audit';
import { listSessions, revokeAllSessions } from '@/lib/data/sessions';
import { parseOrThrow } from '@/lib/errors';
import { json, requireApiUser, route } from '@/lib/http';
import { notifySessionsEnded } from '@/lib/realtime/notify';
import { endSessionsQuerySchema, type SessionView } from '@/lib/schemas/user';

export const dynamic = 'force-dynamic';

export const GET = route(async (request: Request) => {
  const { user, sessionId } = await requireApiUser(request);
  const sessions: SessionView[] = (await listSessions({ userId: user.id })).map((s) => ({ ...s, current: s.id === sessionId }));
  return json({ sessions });
});

export const DELETE = route(async (request: Request) => {
  const { user, sessionId, ip } = await requireApiUser(request);
  const { except } = parseOrThrow(endSessionsQuerySchema, Object.fromEntries(new URL(request.url).searchParams));
  const ended = await revokeAllSessions({ userId: user.id, keep: except === 'current' ? sessionId : undefined });
  notifySessionsEnded(ended);
  await recordAudit({ kind: 'sessions.ended', actorId: user.id, ip, details: { count: ended.length, keptCurrent: except === 'current' } });
  return json({ ended: ended.length });
});
