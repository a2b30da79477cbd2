/** GET: the room's members with roles (members only). */
import { listMembers } from '@/lib/data/rooms';
import { json, requireApiUser, roomIdParam, route } from '@/lib/http';

export const dynamic = 'force-dynamic';

export const GET = route(async (request: Request, context: { params: Promise<{ roomId: string }> }) => {
  const { user } = await requireApiUser(request);
  const roomId = await roomIdParam(context);
  return json({ members: await listMembers({ roomId, userId: user.id }) });
});
