/** GET: the room's invitation links. POST { expiresInSeconds?, maxUses? }: a new one, its token shown once (§4.13). */
import { createInvite, listInvites } from '@/lib/data/invites';
import { parseOrThrow } from '@/lib/errors';
import { json, readOptionalJsonBody, requireApiUser, roomIdParam, route } from '@/lib/http';
import { createInviteSchema } from '@/lib/schemas/moderation';

export const dynamic = 'force-dynamic';

type Context = { params: Promise<{ roomId: string }> };

export const GET = route(async (request: Request, context: Context) => {
  const { user } = await requireApiUser(request);
  const roomId = await roomIdParam(context);
  return json({ invites: await listInvites({ userId: user.id, roomId }) });
});

export const POST = route(async (request: Request, context: Context) => {
  const { user, ip } = await requireApiUser(request);
  const roomId = await roomIdParam(context);
  const options = parseOrThrow(createInviteSchema, (await readOptionalJsonBody(request)) ?? {});
  return json(await createInvite({ userId: user.id, roomId, options, ip }), 201);
});
