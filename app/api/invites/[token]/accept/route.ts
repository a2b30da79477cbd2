/** POST: join the invitation's room without a password, spending one use (§4.13). */
import { acceptInvite } from '@/lib/data/invites';
import { AppError } from '@/lib/errors';
import { json, requireApiUser, route } from '@/lib/http';
import { notifyLines, notifyMemberJoined } from '@/lib/realtime/notify';
import { inviteTokenSchema } from '@/lib/schemas/moderation';

export const dynamic = 'force-dynamic';

export const POST = route(async (request: Request, context: { params: Promise<{ token: string }> }) => {
  const { user, ip } = await requireApiUser(request);
  const parsed = inviteTokenSchema.safeParse((await context.params).token);
  if (!parsed.success) throw new AppError('NOT_FOUND', 'This invitation is not valid (any more).');
  const { room, joined, lines } = await acceptInvite({ token: parsed.data, userId: user.id, ip });
  if (joined) {
    notifyLines(lines);
    notifyMemberJoined(room, user);
  }
  return json({ room, joined });
});
