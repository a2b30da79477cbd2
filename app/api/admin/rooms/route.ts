/** GET ?q=&cursor=&limit=: public and private rooms, newest first (instance admins). */
import { listRoomsForAdmin } from '@/lib/data/admin';
import { json, requireApiUser, route } from '@/lib/http';
import { adminRoomsQuerySchema } from '@/lib/schemas/admin';
import { adminQuery } from '../params';

export const dynamic = 'force-dynamic';

export const GET = route(async (request: Request) => {
  const { user } = await requireApiUser(request);
  const query = adminQuery(adminRoomsQuerySchema, request);
  return json(await listRoomsForAdmin({ actorId: user.id, ...query }));
});
