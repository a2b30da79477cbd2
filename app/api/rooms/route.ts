/** GET: the rooms I am in (others are in ./directory). POST: create a room. */
import { createRoom, listRoomsForUser } from '@/lib/data/rooms';
import { parseOrThrow } from '@/lib/errors';
import { json, readJsonBody, requireApiUser, route } from '@/lib/http';
import { notifyRoomCreated } from '@/lib/realtime/notify';
import { createRoomSchema } from '@/lib/schemas/room';

export const dynamic = 'force-dynamic';

export const GET = route(async (request: Request) => {
  const { user } = await requireApiUser(request);
  return json(await listRoomsForUser({ userId: user.id }));
});

export const POST = route(async (request: Request) => {
  const { user, ip } = await requireApiUser(request);
  const data = parseOrThrow(createRoomSchema, await readJsonBody(request));
  const room = await createRoom({ ownerId: user.id, data, ip });
  notifyRoomCreated(room);
  return json({ room }, 201);
});
