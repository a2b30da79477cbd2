/** GET: the room's bans, newest first (moderators and above; §4.13). */
import { listBans } from '@/lib/data/moderation';
import { json, requireApiUser, roomIdParam, route } from '@/lib/http';

export const dynamic = 'force-dynamic';

export const GET = route(async (request: Request, context: { params: Promise<{ roomId: string }> }) => {
  const { user } = await requireApiUser(request);
  const roomId = await roomIdParam(context);
  return json({ bans: await listBans({ roomId, userId: user.id }) });
});
