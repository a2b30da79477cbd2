/**
 * PUT: my new picture — the image's bytes as `application/octet-stream` (PNG, JPEG, WebP or GIF, at most
 * 5 MiB; decided from the content). DELETE: back to initials. Both answer `{ user }` (docs/protocol.md §4.15).
 */
import { beginAvatarUpload, removeAvatar } from '@/lib/data/account';
import { getEnv } from '@/lib/env';
import { AppError } from '@/lib/errors';
import { storeAvatar } from '@/lib/files/avatar';
import { uploadTempDir } from '@/lib/files/upload';
import { pokeGarbageCollector } from '@/lib/files/garbage';
import { json, readLimited, requireApiUser, route } from '@/lib/http';
import { getLogger } from '@/lib/logger';
import { AVATAR_MAX_BYTES } from '@/lib/schemas/account';
import { formatBytes } from '@/lib/schemas/attachment';
import { getStorage } from '@/lib/storage';

export const dynamic = 'force-dynamic';

const tooLarge = () => new AppError('PAYLOAD_TOO_LARGE', `Pictures can be at most ${formatBytes(AVATAR_MAX_BYTES)}.`);

export const PUT = route(async (request: Request) => {
  const { user, ip } = await requireApiUser(request);
  // server.ts refuses other types before this (lib/http/origin-guard.ts); said again for any other caller.
  if (request.headers.get('content-type')?.split(';')[0]?.trim().toLowerCase() !== 'application/octet-stream') {
    throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'Send the picture as Content-Type: application/octet-stream.');
  }
  if (Number(request.headers.get('content-length') ?? '0') > AVATAR_MAX_BYTES) throw tooLarge();
  await beginAvatarUpload({ userId: user.id });
  const bytes = await readLimited(request, AVATAR_MAX_BYTES, tooLarge);
  const env = getEnv();
  const updated = await storeAvatar({ userId: user.id, ip, bytes }, { storage: getStorage(), tempDir: uploadTempDir(env), log: getLogger() });
  pokeGarbageCollector(); // the previous picture's bytes
  return json({ user: updated });
});

export const DELETE = route(async (request: Request) => {
  const { user, ip } = await requireApiUser(request);
  const updated = await removeAvatar({ userId: user.id, ip });
  pokeGarbageCollector();
  return json({ user: updated });
});
