/** Shared by the /api/admin/* route handlers: the query string and the `[userId]` parameter, validated. */
import type { z } from 'zod';
import { AppError, parseOrThrow } from '@/lib/errors';
import { userIdParamSchema } from '@/lib/schemas/moderation';

/**
 * The query, parsed strictly (an unknown parameter is 422). An empty value counts as absent, so that
 * `?q=&cursor=` is the first page of everything, as a form would send it.
 */
export function adminQuery<S extends z.ZodType>(schema: S, request: Request): z.infer<S> {
  const entries = [...new URL(request.url).searchParams].filter(([, value]) => value !== '');
  return parseOrThrow(schema, Object.fromEntries(entries));
}

/** A `[userId]` that is not a user id names nobody: 404, as a room id of the wrong shape does. */
export async function userIdParam(context: { params: Promise<{ userId: string }> }): Promise<string> {
  const parsed = userIdParamSchema.safeParse((await context.params).userId);
  if (!parsed.success) throw new AppError('NOT_FOUND', 'That user does not exist.');
  return parsed.data;
}
