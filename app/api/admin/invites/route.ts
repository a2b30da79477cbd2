/**
 * GET: the sign-up invitations (newest first, never their tokens). POST { expiresInSeconds?, maxUses? }:
 * a new one, its token shown once. Instance admins; revoke with DELETE /api/invites/:inviteId.
 */
import { createInvite, listInvites } from '@/lib/data/invites';
import { parseOrThrow } from '@/lib/errors';
import { json, readOptionalJsonBody, requireApiUser, route } from '@/lib/http';
import { noParametersSchema } from '@/lib/schemas/admin';
import { createInviteSchema } from '@/lib/schemas/moderation';

export const dynamic = 'force-dynamic';

export const GET = route(async (request: Request) => {
  const { user } = await requireApiUser(request);
  parseOrThrow(noParametersSchema, Object.fromEntries(new URL(request.url).searchParams));
  return json({ invites: await listInvites({ userId: user.id, roomId: null }) });
});

export const POST = route(async (request: Request) => {
  const { user, ip } = await requireApiUser(request);
  const options = parseOrThrow(createInviteSchema, (await readOptionalJsonBody(request)) ?? {});
  return json(await createInvite({ userId: user.id, roomId: null, options, ip }), 201);
});
