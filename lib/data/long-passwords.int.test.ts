/**
 * bcrypt compares only the first 72 bytes of a password: without a guard, the 72-byte password plus any
 * suffix would be accepted. Sign-in and private-room join must refuse every candidate but the password set.
 */
import { describe, expect, it } from 'vitest';
import { createTestUser, uniqueName } from '../testing/realtime';
import { createRoomSchema } from '../schemas/room';
import { registerSchema } from '../schemas/user';
import { createRoom, joinRoom } from './rooms';
import { registerUser } from './registration';
import { authenticate } from './users';

const ascii72 = 'a passphrase of exactly seventy-two bytes, '.repeat(2).slice(0, 72);
const mixed72 = `${'€'.repeat(20)}twelve bytes`; // 60 + 12
const suffixes = ['x', '€', ' and then anything at all'];
const ip = () => `10.2.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`;

describe('passwords of exactly 72 bytes (bcrypt’s limit)', () => {
  it('sign-in accepts the password and refuses it with any suffix', async () => {
    expect(new TextEncoder().encode(ascii72)).toHaveLength(72);
    const username = uniqueName('long');
    const data = registerSchema.parse({ username, displayName: 'Long', password: ascii72, confirmPassword: ascii72 });
    await registerUser({ data, ip: ip() });

    for (const suffix of suffixes) {
      await expect(authenticate({ username, password: ascii72 + suffix, ip: ip() })).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    }
    await expect(authenticate({ username, password: ascii72, ip: ip() })).resolves.toMatchObject({ username });
  });

  it('private-room join accepts the password and refuses it with any suffix', async () => {
    expect(new TextEncoder().encode(mixed72)).toHaveLength(72);
    const owner = await createTestUser();
    const stranger = await createTestUser();
    const data = createRoomSchema.parse({ kind: 'private', name: uniqueName('vault'), password: mixed72 });
    const room = await createRoom({ ownerId: owner.id, data, ip: null });

    for (const suffix of suffixes.slice(0, 2)) {
      await expect(joinRoom({ roomId: room.id, userId: stranger.id, password: mixed72 + suffix, ip: null })).rejects.toMatchObject({
        code: 'FORBIDDEN',
        message: 'Wrong room password.',
      });
    }
    await expect(joinRoom({ roomId: room.id, userId: stranger.id, password: mixed72, ip: null })).resolves.toMatchObject({ joined: true });
  });
});
