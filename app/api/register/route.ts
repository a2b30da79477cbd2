/** JSON registration for non-browser clients; the register page uses the same schema and data function. */
import { clientIpFromHeaders } from '@/lib/client-ip';
import { registerUser } from '@/lib/data/users';
import { parseOrThrow } from '@/lib/errors';
import { json, readJsonBody, route } from '@/lib/http';
import { registerSchema } from '@/lib/schemas/user';

export const dynamic = 'force-dynamic';

export const POST = route(async (request: Request) => {
  const data = parseOrThrow(registerSchema, await readJsonBody(request));
  const ip = clientIpFromHeaders(request.headers);
  const user = await registerUser({ data, ip });
  return json({ user }, 201);
});
