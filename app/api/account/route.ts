/**
 * GET: my account. PATCH {displayName}: rename myself. DELETE {password}: delete my account (docs/protocol.md
 * §4.15) — every session ends and its sockets close, the rooms I leave hear it, rooms I owned have a new owner.
 */
import { deleteAccount, getAccount, updateDisplayName } from '@/lib/data/account';
import { parseOrThrow } from '@/lib/errors';
import { pokeGarbageCollector } from '@/lib/files/garbage';
import { json, readJsonBody, requireApiUser, route } from '@/lib/http';
import {
  notifyCallChanged,
  notifyLines,
  notifyMemberLeft,
  notifyMemberUpdated,
  notifyRoomDeleted,
  notifyRoomUpdated,
  notifySessionsEnded,
} from '@/lib/realtime/notify';
import { deleteAccountSchema, updateAccountSchema } from '@/lib/schemas/account';

export const dynamic = 'force-dynamic';

export const GET = route(async (request: Request) => {
  const { user } = await requireApiUser(request);
  return json(await getAccount({ userId: user.id }));
});

export const PATCH = route(async (request: Request) => {
  const { user, ip } = await requireApiUser(request);
  const { displayName } = parseOrThrow(updateAccountSchema, await readJsonBody(request));
  return json({ user: await updateDisplayName({ userId: user.id, displayName, ip }) });
});

export const DELETE = route(async (request: Request) => {
  const { user, ip } = await requireApiUser(request);
  const { password } = parseOrThrow(deleteAccountSchema, await readJsonBody(request));
  const deleted = await deleteAccount({ userId: user.id, password, ip });
  notifySessionsEnded(deleted.endedSessionIds);
  for (const change of deleted.callChanges) notifyCallChanged(change);
  for (const roomId of deleted.leftRoomIds) notifyMemberLeft(roomId, deleted.user);
  for (const { roomId, memberIds } of deleted.deletedRooms) notifyRoomDeleted(roomId, { memberIds });
  notifyLines(deleted.lines);
  for (const settings of deleted.settings) notifyRoomUpdated(settings);
  for (const { roomId, member } of deleted.memberUpdates) notifyMemberUpdated(roomId, member);
  pokeGarbageCollector(); // unsent uploads, the picture and emptied rooms' files
  return new Response(null, { status: 204 });
});
