/**
 * GET ?v=: a user's picture (docs/protocol.md §4.15), to anyone signed in: a 256 px square WebP. A URL
 * naming the current version never changes its bytes (a new picture has a new version), so the browser
 * keeps it for a year; without a version, or with a stale one, it gets today's picture for a short while.
 */
import { Readable } from 'node:stream';
import { avatarKey, currentAvatar } from '@/lib/data/account';
import { AppError, parseOrThrow } from '@/lib/errors';
import { requireApiUser, route } from '@/lib/http';
import { getLogger } from '@/lib/logger';
import { avatarQuerySchema, avatarUserIdSchema } from '@/lib/schemas/account';
import { getStorage } from '@/lib/storage';

export const dynamic = 'force-dynamic';

const noPicture = () => new AppError('NOT_FOUND', 'This person has no picture.');

export const GET = route(async (request: Request, context: { params: Promise<{ userId: string }> }) => {
  await requireApiUser(request, { budget: false });
  const parsedId = avatarUserIdSchema.safeParse((await context.params).userId);
  if (!parsedId.success) throw noPicture();
  const { v } = parseOrThrow(avatarQuerySchema, Object.fromEntries(new URL(request.url).searchParams));
  const userId = parsedId.data;
  const version = await currentAvatar({ userId });
  if (!version) throw noPicture();

  const etag = `"${version}"`;
  const headers: Record<string, string> = {
    'content-type': 'image/webp',
    'x-content-type-options': 'nosniff',
    'cross-origin-resource-policy': 'same-origin',
    'content-security-policy': "default-src 'none'; sandbox",
    'cache-control': v === version ? 'private, max-age=31536000, immutable' : 'private, max-age=60',
    etag,
  };
  if (request.headers.get('if-none-match')?.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag)) {
    return new Response(null, { status: 304, headers });
  }
  let stored: Awaited<ReturnType<ReturnType<typeof getStorage>['get']>>;
  try {
    stored = await getStorage().get(avatarKey(userId, version));
  } catch (error) {
    getLogger().error({ err: error }, 'file storage failed');
    throw new AppError('UNAVAILABLE', 'File storage is unavailable right now. Try again in a moment.', { retryAfter: 5 });
  }
  if (!stored) {
    getLogger().warn({ userId, version }, 'a picture has no stored object');
    throw noPicture();
  }
  headers['content-length'] = String(stored.size);
  return new Response(Readable.toWeb(stored.body) as ReadableStream<Uint8Array>, { status: 200, headers });
});
