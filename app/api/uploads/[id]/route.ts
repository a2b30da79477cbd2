/** DELETE: remove one of my uploads that no message has taken (the composer's ✕); its quota comes back. */
import { z } from 'zod';
import { deleteUnsentUpload } from '@/lib/data/attachments';
import { AppError } from '@/lib/errors';
import { pokeGarbageCollector } from '@/lib/files/garbage';
import { requireApiUser, route } from '@/lib/http';

export const dynamic = 'force-dynamic';

const uploadIdSchema = z.uuid().toLowerCase();

export const DELETE = route(async (request: Request, context: { params: Promise<{ id: string }> }) => {
  const { user } = await requireApiUser(request);
  const parsed = uploadIdSchema.safeParse((await context.params).id);
  if (!parsed.success) throw new AppError('NOT_FOUND', 'That file does not exist (any more).');
  await deleteUnsentUpload({ id: parsed.data, userId: user.id });
  pokeGarbageCollector();
  return new Response(null, { status: 204 });
});
