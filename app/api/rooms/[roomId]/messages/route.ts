/** GET: a page of history (cursor by seq, filters by author and date), members only. */
import { getHistory } from '@/lib/data/messages';
import { parseOrThrow } from '@/lib/errors';
import { json, requireApiUser, roomIdParam, route } from '@/lib/http';
import { historyQuerySchema } from '@/lib/schemas/message';

export const dynamic = 'force-dynamic';

export const GET = route(async (request: Request, context: { params: Promise<{ roomId: string }> }) => {
  const { user } = await requireApiUser(request);
  const roomId = await roomIdParam(context);
  const query = parseOrThrow(historyQuerySchema, Object.fromEntries(new URL(request.url).searchParams));
  return json(await getHistory({ roomId, userId: user.id, query }));
});
