/** GET: the room's files, newest first (the Files view), members only. */
import { listRoomFiles } from '@/lib/data/attachments';
import { parseOrThrow } from '@/lib/errors';
import { json, requireApiUser, roomIdParam, route } from '@/lib/http';
import { roomFilesQuerySchema } from '@/lib/schemas/attachment';

export const dynamic = 'force-dynamic';

export const GET = route(async (request: Request, context: { params: Promise<{ roomId: string }> }) => {
  const { user } = await requireApiUser(request);
  const roomId = await roomIdParam(context);
  const query = parseOrThrow(roomFilesQuerySchema, Object.fromEntries(new URL(request.url).searchParams));
  return json(await listRoomFiles({ roomId, userId: user.id, query }));
});
