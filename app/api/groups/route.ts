/** POST { userIds }: a new group conversation with you and 2–8 others (§4.14). */
import { getRoomForUser, startGroup } from '@/lib/data/rooms';
import { parseOrThrow } from '@/lib/errors';
import { json, readJsonBody, requireApiUser, route } from '@/lib/http';
import { notifyDirectStarted } from '@/lib/realtime/notify';
import { startGroupSchema } from '@/lib/schemas/moderation';

export const dynamic = 'force-dynamic';

export const POST = route(async (request: Request) => {
  const { user, ip } = await requireApiUser(request);
  const { userIds } = parseOrThrow(startGroupSchema, await readJsonBody(request));
  const { room, memberIds } = await startGroup({ userId: user.id, userIds, ip });
  const views = await Promise.all(memberIds.map(async (id) => ({ userId: id, room: id === user.id ? room : await getRoomForUser({ roomId: room.id, userId: id }) })));
  notifyDirectStarted(views);
  return json({ room }, 201);
});
