/**
 * Instance administration (docs/protocol.md §4.15): the admin pages' queries and answers, and the
 * registration mode. Shared by the /api/admin/* route handlers and the admin UI.
 */
import { z } from 'zod';
import { plainText } from './text';
import type { PublicUser } from './user';

export const REGISTRATION_MODES = ['open', 'invite', 'closed'] as const;
export type RegistrationMode = (typeof REGISTRATION_MODES)[number];
export const registrationModeSchema = z.enum(REGISTRATION_MODES, { error: 'registrationMode must be "open", "invite" or "closed".' });

/** Most rows one admin page holds; 50 unless asked. */
export const ADMIN_PAGE_MAX = 100;
const limit = z.coerce
  .number({ error: 'limit must be a number.' })
  .int('limit must be a whole number.')
  .min(1, 'limit is at least 1.')
  .max(ADMIN_PAGE_MAX, `limit is at most ${ADMIN_PAGE_MAX}.`)
  .default(50);
/** Opaque: the previous page's `nextCursor`. */
const cursor = plainText(z.string().min(1).max(200), { label: 'The cursor' }).optional();
const search = plainText(z.string().trim().max(64, 'Search at most 64 characters.'), { label: 'The search' }).default('');

/** GET /api/admin/users: newest first; `q` matches username or display name. */
export const adminUsersQuerySchema = z.strictObject({ q: search, cursor, limit });
export type AdminUsersQuery = z.infer<typeof adminUsersQuerySchema>;

/** GET /api/admin/rooms: public and private rooms, newest first; `q` matches the name. */
export const adminRoomsQuerySchema = z.strictObject({ q: search, cursor, limit });
export type AdminRoomsQuery = z.infer<typeof adminRoomsQuerySchema>;

/** An audit kind (`room.renamed`) or a prefix of kinds ending in "." (`member.`). */
export const auditKindFilterSchema = plainText(
  z
    .string()
    .trim()
    .max(64, 'A kind is at most 64 characters.')
    .regex(/^[a-z_]+(\.[a-z_]+)*\.?$/, 'A kind looks like "room.renamed", or a prefix like "member.".'),
  { label: 'The kind' },
);

const isoTime = z.iso.datetime({ offset: true, error: 'Give a time as ISO 8601, e.g. 2026-12-01T10:00:00Z.' });

/** GET /api/admin/audit: newest first, filtered by kind, actor and time (`from` inclusive, `to` exclusive). */
export const adminAuditQuerySchema = z
  .strictObject({
    kind: auditKindFilterSchema.optional(),
    actorId: z.uuid({ error: 'actorId must be a user id.' }).toLowerCase().optional(),
    from: isoTime.optional(),
    to: isoTime.optional(),
    cursor: plainText(z.string().regex(/^[1-9][0-9]{0,18}$/, 'Not a cursor from this log (use nextCursor as given).'), {
      label: 'The cursor',
    }).optional(),
    limit,
  })
  .refine((q) => !q.from || !q.to || Date.parse(q.from) < Date.parse(q.to), { path: ['to'], message: '"to" must be after "from".' });
export type AdminAuditQuery = z.infer<typeof adminAuditQuerySchema>;

/** PATCH /api/admin/settings. */
export const updateInstanceSettingsSchema = z.strictObject({ registrationMode: registrationModeSchema });
export type UpdateInstanceSettingsInput = z.infer<typeof updateInstanceSettingsSchema>;

export interface InstanceSettingsView {
  registrationMode: RegistrationMode;
}

/** A user as the admin pages show them. */
export interface AdminUserView extends PublicUser {
  createdAt: string;
  lastSeenAt: string | null;
  disabledAt: string | null;
  deletedAt: string | null;
  isAdmin: boolean;
  /** Open (unexpired) sessions. */
  sessions: number;
}

export interface AdminRoomView {
  id: string;
  name: string;
  kind: 'public' | 'private';
  owner: PublicUser;
  memberCount: number;
  createdAt: string;
  archivedAt: string | null;
  lastSeq: number;
}

export interface AuditView {
  /** The event's number, as a string (it outgrows a JSON number's exact range in theory). */
  id: string;
  kind: string;
  /** Who acted; null for the anonymous (a failed sign-in for an unknown name) or a user since removed. */
  actor: PublicUser | null;
  ip: string | null;
  details: unknown;
  createdAt: string;
}

export interface AdminUsersPage {
  users: AdminUserView[];
  nextCursor: string | null;
}

export interface AdminRoomsPage {
  rooms: AdminRoomView[];
  nextCursor: string | null;
}

export interface AuditPage {
  events: AuditView[];
  nextCursor: string | null;
}

/** Requests that take no parameters: acts without a body (or `{}`), GET /api/register without a query. */
export const noParametersSchema = z.strictObject({});
