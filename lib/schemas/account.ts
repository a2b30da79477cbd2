/** The account routes (docs/protocol.md §4.15): shared by the route handlers and the settings forms. */
import { z } from 'zod';
import { plainText } from './text';
import { displayNameSchema, type PublicUser } from './user';

/** PATCH /api/account: what a user may change about themselves (the password has its own route). */
export const updateAccountSchema = z.strictObject({ displayName: displayNameSchema });
export type UpdateAccountInput = z.infer<typeof updateAccountSchema>;

/** DELETE /api/account: the password proves it is the owner, not a borrowed session or an open laptop. */
export const deleteAccountSchema = z.strictObject({
  password: plainText(z.string({ error: 'Enter your password.' }).min(1, 'Enter your password.').max(1024), { label: 'Password' }),
});
export type DeleteAccountInput = z.infer<typeof deleteAccountSchema>;

/** GET /api/account. */
export interface AccountView {
  user: PublicUser;
  isAdmin: boolean;
  createdAt: string;
}

/** The `:userId` of GET /api/users/:userId/avatar (anything else: 404). */
export const avatarUserIdSchema = z.uuid({ error: 'Not a user id.' }).toLowerCase();

/** GET /api/users/:userId/avatar?v=: the version is what PublicUser.avatar holds. */
export const avatarQuerySchema = z.strictObject({
  v: plainText(z.string().max(40)).optional(),
});

/** Uploaded pictures: at most this many bytes, and this many pixels decoded (§7). */
export const AVATAR_MAX_BYTES = 5 * 1024 * 1024;
export const AVATAR_MAX_PIXELS = 40_000_000;
/** Served square, this many pixels on a side. */
export const AVATAR_SIZE = 256;
/** The types a picture may be, decided from its bytes. */
export const AVATAR_TYPES = ['image/png', 'image/jpeg', 'image/webp', 'image/gif'] as const;

/** The deleted account's public face (§4.15): the row stays so its messages keep an author. */
export const DELETED_USER_DISPLAY_NAME = 'Deleted user';
