/** GET: what the caller may upload (size limit, files per message) and how much of their quota is used. */
import { uploadLimits } from '@/lib/data/attachments';
import { json, requireApiUser, route } from '@/lib/http';

export const dynamic = 'force-dynamic';

export const GET = route(async (request: Request) => {
  const { user } = await requireApiUser(request);
  return json(await uploadLimits(user.id));
});
