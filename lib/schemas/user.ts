/** Account rules, shared by the register/login forms (inline errors), route handlers and next-auth. */
import { z } from 'zod';
import { PRESENCE_WATCH_LIMIT } from './limits';
import { inviteTokenSchema } from './moderation';
import { plainText } from './text';

const encoder = new TextEncoder();
const utf8Length = (s: string) => encoder.encode(s).length;

/** Usernames are canonical lower-case, so "Alice" and "alice" are the same account. */
export const usernameSchema = plainText(
  z
    .string({ error: 'Enter a username.' })
    .trim()
    .toLowerCase()
    .min(3, 'Username must be at least 3 characters.')
    .max(32, 'Username must be at most 32 characters.')
    .regex(/^[a-z0-9_.-]+$/, 'Use only letters, digits, "_", "." and "-".')
    // Deleted accounts are renamed deleted-<hex> (docs/protocol.md §4.15): nobody may pose as one.
    .refine((name) => !name.startsWith('deleted-'), 'Usernames starting with "deleted-" are reserved.'),
  { label: 'Username' },
);

/** bcrypt reads at most 72 bytes, so longer passwords would be silently truncated: refuse them. */
export const passwordSchema = plainText(
  z
    .string({ error: 'Enter a password.' })
    .refine((p) => utf8Length(p) >= 8, 'Password must be at least 8 bytes.')
    .refine((p) => utf8Length(p) <= 72, 'Password must be at most 72 bytes.'),
  { label: 'Password' },
);

export const displayNameSchema = plainText(
  z.string({ error: 'Enter a display name.' }).trim().min(1, 'Enter a display name.').max(64, 'Display name must be at most 64 characters.'),
  { kind: 'name', label: 'Display name' },
);

export const registerSchema = z
  .strictObject({
    username: usernameSchema,
    displayName: displayNameSchema,
    password: passwordSchema,
    confirmPassword: plainText(z.string({ error: 'Confirm your password.' }), { label: 'Password' }),
    /** A sign-up invitation's token: required while registration is invite-only (docs/protocol.md §4.15). */
    inviteToken: inviteTokenSchema.optional(),
  })
  .refine((v) => v.password === v.confirmPassword, {
    path: ['confirmPassword'],
    message: 'Passwords do not match.',
  });

export type RegisterInput = z.infer<typeof registerSchema>;

/** Login accepts what a user types; only shape is checked, so the error stays generic. */
export const loginSchema = z.strictObject({
  username: plainText(z.string().trim().toLowerCase().min(1, 'Enter your username.').max(64), { label: 'Username' }),
  password: plainText(z.string().min(1, 'Enter your password.').max(1024), { label: 'Password' }),
});

export type LoginInput = z.infer<typeof loginSchema>;

/** POST /api/account/password: the current password proves it is the owner, not a borrowed session. */
export const changePasswordSchema = z
  .strictObject({
    currentPassword: plainText(z.string({ error: 'Enter your current password.' }).min(1, 'Enter your current password.').max(1024), {
      label: 'Password',
    }),
    newPassword: passwordSchema,
    confirmPassword: plainText(z.string({ error: 'Confirm the new password.' }), { label: 'Password' }),
  })
  .refine((v) => v.newPassword === v.confirmPassword, { path: ['confirmPassword'], message: 'Passwords do not match.' })
  .refine((v) => v.newPassword !== v.currentPassword, { path: ['newPassword'], message: 'Choose a password different from the current one.' });
export type ChangePasswordInput = z.infer<typeof changePasswordSchema>;

/** DELETE /api/sessions?except=current: end every session but the caller's; without it, all of them. */
export const endSessionsQuerySchema = z.strictObject({
  except: z.literal('current', { error: 'except must be "current".' }).optional(),
});

export const sessionIdSchema = z.uuid({ error: 'Not a session id.' }).toLowerCase();

/** A signed-in device (lib/data/sessions.ts). */
export interface SessionInfo {
  id: string;
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
  ip: string | null;
  userAgent: string | null;
}

/** A session as the sessions list shows it to its owner. */
export interface SessionView extends SessionInfo {
  /** The session making this request. */
  current: boolean;
}

/** The public view of a user; never carries the password hash. */
export interface PublicUser {
  id: string;
  username: string;
  displayName: string;
  /**
   * The uploaded avatar's version, or null for generated initials (docs/protocol.md §4.15): the picture is
   * `GET /api/users/:id/avatar?v=<avatar>`. Every server response carries it; optional here only so that
   * older fixtures type-check.
   */
  avatar?: string | null;
}

/** GET /api/users?q=: people to start a conversation with, by username or display name. */
export const userSearchSchema = z.strictObject({
  q: plainText(z.string().trim().min(1, 'Type at least one character.').max(64), { label: 'The search' }),
  limit: z.coerce.number().int().min(1).max(50).default(20),
});

export type PresenceStatus = 'online' | 'away' | 'offline';

export interface PresenceInfo {
  userId: string;
  status: PresenceStatus;
  /** When the user was last connected; null while connected, or if never seen. */
  lastSeenAt: string | null;
}

export const presenceSetSchema = z.strictObject({
  status: z.enum(['online', 'away']),
});

// Defined zod-free in ./limits (the browser imports it from there).
export { PRESENCE_WATCH_LIMIT } from './limits';

export const presenceWatchSchema = z.strictObject({
  userIds: z.array(z.uuid().toLowerCase()).max(PRESENCE_WATCH_LIMIT, `Watch at most ${PRESENCE_WATCH_LIMIT} users.`),
});
