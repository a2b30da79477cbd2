/** GET: one room with its members (members only). PATCH: admins and the owner change settings. DELETE: the owner (or an instance admin) deletes the room. */
import { pokeGarbageCollector } from '@/lib/files/garbage';
import { updateRoomSettings } from '@/lib/data/moderation';
import { readMemberList } from '@/lib/data/member-list';
import { deleteRoom, getRoomForUser } from '@/lib/data/rooms';
import { parseOrThrow } from '@/lib/errors';
import { json, readJsonBody, requireApiUser, roomIdParam, route } from '@/lib/http';
import { updateRoomSchema } from '@/lib/schemas/room';
import { notifyLines, notifyRoomDeleted, notifyRoomUpdated } from '@/lib/realtime/notify';

export const dynamic = 'force-dynamic';

type Context = { params: Promise<{ roomId: string }> };

export const GET = route(async (request: Request, context: Context) => {
  const { user } = await requireApiUser(request);
  const roomId = await roomIdParam(context);
  // Read once, then the members on it (membership checked there): this is every in-place room switch's read.
  const room = await getRoomForUser({ roomId, userId: user.id });
  const { members } = await readMemberList({ room });
  return json({ room, members });
});

export const PATCH = route(async (request: Request, context: Context) => {
  const { user, ip } = await requireApiUser(request);
  const roomId = await roomIdParam(context);
  const changes = parseOrThrow(updateRoomSchema, await readJsonBody(request));
  const { settings, lines } = await updateRoomSettings({ roomId, userId: user.id, changes, ip });
  if (lines.length > 0) {
    notifyLines(lines);
    notifyRoomUpdated(settings);
  }
  return json({ room: await getRoomForUser({ roomId, userId: user.id }) });
});

export const DELETE = route(async (request: Request, context: Context) => {
  const { user, ip } = await requireApiUser(request);
  const roomId = await roomIdParam(context);
  const audience = await deleteRoom({ roomId, userId: user.id, ip });
  notifyRoomDeleted(roomId, audience);
  pokeGarbageCollector(); // the room's files' bytes go now rather than at the next sweep
  return new Response(null, { status: 204 });
});
