/** GET ?q=&scope=&sort=&cursor=&limit=&tz=: messages I may read that match q (docs/protocol.md "GET /api/search"). */
import { searchMessages } from '@/lib/data/search';
import { parseOrThrow } from '@/lib/errors';
import { json, requireApiUser, route } from '@/lib/http';
import { searchQuerySchema } from '@/lib/schemas/search';

export const dynamic = 'force-dynamic';

export const GET = route(async (request: Request) => {
  const { user } = await requireApiUser(request);
  const query = parseOrThrow(searchQuerySchema, Object.fromEntries(new URL(request.url).searchParams));
  return json(await searchMessages({ userId: user.id, ...query }));
});
