/** GET ?q=&cursor=&limit=: everyone on the instance, newest first (instance admins). */
import { listUsersForAdmin } from '@/lib/data/admin';
import { json, requireApiUser, route } from '@/lib/http';
import { adminUsersQuerySchema } from '@/lib/schemas/admin';
import { adminQuery } from '../params';

export const dynamic = 'force-dynamic';

export const GET = route(async (request: Request) => {
  const { user } = await requireApiUser(request);
  const query = adminQuery(adminUsersQuerySchema, request);
  return json(await listUsersForAdmin({ actorId: user.id, ...query }));
});
