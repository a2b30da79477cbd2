/** GET: the room's members with roles (members only). POST { userIds }: add people directly (§4.13, §4.14). */
import { addMembers } from '@/lib/data/moderation';
import { readMemberList } from '@/lib/data/member-list';
import { getRoomForUser, listMemberIds } from '@/lib/data/rooms';
import { parseOrThrow } from '@/lib/errors';
import { json, readJsonBody, requireApiUser, roomIdParam, route } from '@/lib/http';
import { notifyGroupChanged, notifyLines, notifyMembersAdded } from '@/lib/realtime/notify';
import { addMembersSchema } from '@/lib/schemas/moderation';

export const dynamic = 'force-dynamic';

type Context = { params: Promise<{ roomId: string }> };

export const GET = route(async (request: Request, context: Context) => {
  const { user } = await requireApiUser(request);
  const roomId = await roomIdParam(context);
  return json({ members: (await readMemberList({ roomId, userId: user.id })).members });
});

export const POST = route(async (request: Request, context: Context) => {
  const { user, ip } = await requireApiUser(request);
  const roomId = await roomIdParam(context);
  const { userIds } = parseOrThrow(addMembersSchema, await readJsonBody(request));
  const { added, lines } = await addMembers({ roomId, userId: user.id, userIds, ip });
  notifyLines(lines);
  notifyMembersAdded(roomId, await Promise.all(added.map(async (u) => ({ user: u, room: await getRoomForUser({ roomId, userId: u.id }) }))));
  const room = await getRoomForUser({ roomId, userId: user.id });
  if (room.kind === 'group' && added.length > 0) notifyGroupChanged(roomId, await listMemberIds(roomId));
  return json({ added });
});
