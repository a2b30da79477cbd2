/**
 * PUT: disable an account — sign-in refused, every session ended, its open sockets closed on every
 * instance at once. DELETE: enable it again. Instance admins only.
 */
import { setUserDisabledByAdmin } from '@/lib/data/admin';
import { json, readOptionalJsonBody, requireApiUser, route } from '@/lib/http';
import { notifySessionsEnded } from '@/lib/realtime/notify';
import { noParametersSchema } from '@/lib/schemas/admin';
import { parseOrThrow } from '@/lib/errors';
import { userIdParam } from '../../../params';

export const dynamic = 'force-dynamic';

type Context = { params: Promise<{ userId: string }> };

function handler(disabled: boolean) {
  return route(async (request: Request, context: Context) => {
    const { user, ip } = await requireApiUser(request);
    const userId = await userIdParam(context);
    parseOrThrow(noParametersSchema, (await readOptionalJsonBody(request)) ?? {});
    const result = await setUserDisabledByAdmin({ actorId: user.id, ip, userId, disabled });
    notifySessionsEnded(result.endedSessionIds);
    return json({ user: result.user });
  });
}

export const PUT = handler(true);
export const DELETE = handler(false);
