/**
 * POST: leave a call — call:hangup for a page being closed (navigator.sendBeacon still goes out while the
 * page unloads; its socket is closed by then). docs/protocol.md §6.
 */
import { z } from 'zod';
import { hangupCall } from '@/lib/data/calls';
import { AppError, parseOrThrow } from '@/lib/errors';
import { json, readOptionalJsonBody, requireApiUser, route } from '@/lib/http';
import { notifyCallChanged } from '@/lib/realtime/notify';
import { callIdParamSchema } from '@/lib/schemas/call';

export const dynamic = 'force-dynamic';

const emptyBodySchema = z.strictObject({});

export const POST = route(async (request: Request, context: { params: Promise<{ callId: string }> }) => {
  const { user } = await requireApiUser(request);
  const parsed = callIdParamSchema.safeParse((await context.params).callId);
  if (!parsed.success) throw new AppError('NOT_FOUND', 'There is no such call.');
  parseOrThrow(emptyBodySchema, (await readOptionalJsonBody(request)) ?? {});
  const change = await hangupCall({ callId: parsed.data, userId: user.id });
  notifyCallChanged(change);
  return json({ call: change.call });
});
