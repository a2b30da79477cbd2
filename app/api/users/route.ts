/** GET ?q=&limit=: people to start a direct conversation with (by username or display name). */
import { searchUsers } from '@/lib/data/users';
import { parseOrThrow } from '@/lib/errors';
import { json, requireApiUser, route } from '@/lib/http';
import { userSearchSchema } from '@/lib/schemas/user';

export const dynamic = 'force-dynamic';

export const GET = route(async (request: Request) => {
  const { user } = await requireApiUser(request);
  const { q, limit } = parseOrThrow(userSearchSchema, Object.fromEntries(new URL(request.url).searchParams));
  return json({ users: await searchUsers({ q, limit, excludeId: user.id }) });
});
