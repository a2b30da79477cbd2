/** GET ?kind=&actorId=&from=&to=&cursor=&limit=: the audit log, newest first (instance admins). */
import { listAuditEvents } from '@/lib/data/admin';
import { json, requireApiUser, route } from '@/lib/http';
import { adminAuditQuerySchema } from '@/lib/schemas/admin';
import { adminQuery } from '../params';

export const dynamic = 'force-dynamic';

export const GET = route(async (request: Request) => {
  const { user } = await requireApiUser(request);
  const filter = adminQuery(adminAuditQuerySchema, request);
  return json(await listAuditEvents({ actorId: user.id, filter }));
});
