/** GET ?q=&cursor=&limit=: public and private rooms I am not in, searchable, a page at a time. */
import { listRoomDirectory } from '@/lib/data/rooms';
import { parseOrThrow } from '@/lib/errors';
import { json, requireApiUser, route } from '@/lib/http';
import { roomDirectoryQuerySchema } from '@/lib/schemas/room';

export const dynamic = 'force-dynamic';

export const GET = route(async (request: Request) => {
  const { user } = await requireApiUser(request);
  const query = parseOrThrow(roomDirectoryQuerySchema, Object.fromEntries(new URL(request.url).searchParams));
  return json(await listRoomDirectory({ userId: user.id, ...query }));
});
