/**
 * Running a room (docs/protocol.md §4.13–§4.14): member roles, kick, ban, mute, adding members, ownership,
 * archiving, invitation links, group conversations. Shared by route handlers and forms.
 */
import { z } from 'zod';
import { ADD_MEMBERS_MAX, GROUP_MAX_MEMBERS, GROUP_MIN_MEMBERS } from './limits';
import { plainText } from './text';
import type { PublicUser } from './user';

const userId = z.uuid({ error: 'Not a user id.' }).toLowerCase();
export const userIdParamSchema = userId;

/** Why a moderator acted: shown in the room's line and to the person acted on. Optional. */
export const moderationReasonSchema = plainText(z.string().trim().max(500, 'Reason must be at most 500 characters.'), {
  label: 'Reason',
}).default('');

/** PUT /api/rooms/:roomId/members/:userId/role */
export const setRoleSchema = z.strictObject({
  role: z.enum(['admin', 'moderator', 'member'], { error: 'role must be admin, moderator or member (ownership is transferred).' }),
});

/** Shortest and longest mute. */
export const MUTE_MIN_SECONDS = 60;
export const MUTE_MAX_SECONDS = 30 * 24 * 60 * 60;

/** PUT /api/rooms/:roomId/members/:userId/mute */
export const muteSchema = z.strictObject({
  durationSeconds: z
    .number({ error: 'durationSeconds must be a number.' })
    .int()
    .min(MUTE_MIN_SECONDS, 'Mute for at least a minute.')
    .max(MUTE_MAX_SECONDS, 'Mute for at most 30 days.'),
  reason: moderationReasonSchema,
});

/** DELETE /api/rooms/:roomId/members/:userId (kick) and PUT /api/rooms/:roomId/bans/:userId (ban): body optional. */
export const kickSchema = z.strictObject({ reason: moderationReasonSchema });
export const banSchema = z.strictObject({ reason: moderationReasonSchema });

// Defined zod-free in ./limits (the browser imports them from there).
export { ADD_MEMBERS_MAX, GROUP_MAX_MEMBERS, GROUP_MIN_MEMBERS } from './limits';

/** POST /api/rooms/:roomId/members: add people directly (no password, no link). */
export const addMembersSchema = z.strictObject({
  userIds: z
    .array(userId)
    .min(1, 'Choose at least one person.')
    .max(ADD_MEMBERS_MAX, `Add at most ${ADD_MEMBERS_MAX} people at once.`)
    .refine((ids) => new Set(ids).size === ids.length, 'Each person once.'),
});

/** POST /api/rooms/:roomId/transfer */
export const transferSchema = z.strictObject({ userId });


/** POST /api/groups: the starter plus 2 to 8 others. */
export const startGroupSchema = z.strictObject({
  userIds: z
    .array(userId)
    .min(GROUP_MIN_MEMBERS - 1, `Choose at least ${GROUP_MIN_MEMBERS - 1} people.`)
    .max(GROUP_MAX_MEMBERS - 1, `A group holds at most ${GROUP_MAX_MEMBERS} people, you included.`)
    .refine((ids) => new Set(ids).size === ids.length, 'Each person once.'),
});

export interface RoomBanView {
  user: PublicUser;
  /** Who banned them (null if that account is gone). */
  by: PublicUser | null;
  reason: string;
  createdAt: string;
}

/** Invitation links. Tokens are 32 base64url characters (192 bits); only their SHA-256 is stored. */
export const INVITE_TOKEN_PATTERN = /^[A-Za-z0-9_-]{32}$/;
export const inviteTokenSchema = plainText(z.string().regex(INVITE_TOKEN_PATTERN, 'Not an invitation token.'), { label: 'The token' });
export const inviteIdSchema = z.uuid({ error: 'Not an invitation id.' }).toLowerCase();

export const INVITE_MAX_SECONDS = 30 * 24 * 60 * 60;

/** POST /api/rooms/:roomId/invites and POST /api/admin/invites. null: never expires / no use limit. */
export const createInviteSchema = z.strictObject({
  expiresInSeconds: z
    .number({ error: 'expiresInSeconds must be a number.' })
    .int()
    .min(5 * 60, 'An invitation lasts at least 5 minutes.')
    .max(INVITE_MAX_SECONDS, 'An invitation lasts at most 30 days.')
    .nullable()
    .default(7 * 24 * 60 * 60),
  maxUses: z.number({ error: 'maxUses must be a number.' }).int().min(1).max(10_000).nullable().default(null),
});
export type CreateInviteInput = z.infer<typeof createInviteSchema>;

/** An invitation as its room's moderators (or the instance's admins) list it. The token is never listed. */
export interface InviteView {
  id: string;
  /** null: a sign-up invitation (§4.15). */
  roomId: string | null;
  createdBy: PublicUser | null;
  createdAt: string;
  expiresAt: string | null;
  maxUses: number | null;
  uses: number;
  revokedAt: string | null;
  /** active: usable now; the others say why not. */
  status: 'active' | 'expired' | 'used_up' | 'revoked';
}

/** What creating an invitation answers: the only time the link is shown. */
export interface CreatedInvite {
  invite: InviteView;
  token: string;
  /** Path of the page that accepts it: /invite/<token>. */
  path: string;
}

/** GET /api/invites/:token: what an invitation leads to, before accepting it. */
export interface InvitePreview {
  kind: 'room' | 'signup';
  /** Room invitations: the room's name, description, kind and size (nothing of its content). */
  room: { id: string; name: string; description: string; kind: 'public' | 'private'; memberCount: number } | null;
  invitedBy: PublicUser | null;
  expiresAt: string | null;
}
