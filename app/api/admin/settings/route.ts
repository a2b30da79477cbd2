/** GET: the instance's settings. PATCH {registrationMode}: change them (instance admins). */
import { getInstanceSettings, updateInstanceSettings } from '@/lib/data/admin';
import { parseOrThrow } from '@/lib/errors';
import { json, readJsonBody, requireApiUser, route } from '@/lib/http';
import { updateInstanceSettingsSchema } from '@/lib/schemas/admin';

export const dynamic = 'force-dynamic';

export const GET = route(async (request: Request) => {
  const { user } = await requireApiUser(request);
  return json(await getInstanceSettings({ actorId: user.id }));
});

export const PATCH = route(async (request: Request) => {
  const { user, ip } = await requireApiUser(request);
  const data = parseOrThrow(updateInstanceSettingsSchema, await readJsonBody(request));
  return json(await updateInstanceSettings({ actorId: user.id, ip, ...data }));
});
