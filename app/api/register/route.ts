/**
 * POST: JSON registration for non-browser clients; the register page uses the same schema and data
 * function. GET: who may register (`open`, `invite`: with a sign-up invitation, `closed`), no session needed.
 */
import { clientIpFromHeaders } from '@/lib/client-ip';
import { getRegistrationMode } from '@/lib/data/instance';
import { registerUser } from '@/lib/data/registration';
import { parseOrThrow } from '@/lib/errors';
import { json, readJsonBody, route } from '@/lib/http';
import { noParametersSchema } from '@/lib/schemas/admin';
import { registerSchema } from '@/lib/schemas/user';

export const dynamic = 'force-dynamic';

export const GET = route(async (request: Request) => {
  parseOrThrow(noParametersSchema, Object.fromEntries(new URL(request.url).searchParams));
  return json({ registrationMode: await getRegistrationMode() });
});

export const POST = route(async (request: Request) => {
  const data = parseOrThrow(registerSchema, await readJsonBody(request));
  const ip = clientIpFromHeaders(request.headers);
  const user = await registerUser({ data, ip });
  return json({ user }, 201);
});
