/**
 * GET /api/invites/:token — what an invitation leads to (no session needed). DELETE /api/invites/:inviteId —
 * revoke one (its creator, the room's admins, instance admins for sign-up invitations). One dynamic segment
 * serves both: a token and an invitation id have different shapes.
 */
import { previewInvite, revokeInvite } from '@/lib/data/invites';
import { AppError } from '@/lib/errors';
import { clientIpFromHeaders } from '@/lib/client-ip';
import { json, requireApiUser, route } from '@/lib/http';
import { inviteIdSchema, inviteTokenSchema } from '@/lib/schemas/moderation';

export const dynamic = 'force-dynamic';

type Context = { params: Promise<{ token: string }> };

export const GET = route(async (request: Request, context: Context) => {
  const parsed = inviteTokenSchema.safeParse((await context.params).token);
  if (!parsed.success) throw new AppError('NOT_FOUND', 'This invitation is not valid (any more).');
  return json(await previewInvite({ token: parsed.data, ip: clientIpFromHeaders(request.headers) }));
});

export const DELETE = route(async (request: Request, context: Context) => {
  const { user, ip } = await requireApiUser(request);
  const parsed = inviteIdSchema.safeParse((await context.params).token);
  if (!parsed.success) throw new AppError('NOT_FOUND', 'That invitation does not exist.');
  await revokeInvite({ userId: user.id, inviteId: parsed.data, ip });
  return new Response(null, { status: 204 });
});
