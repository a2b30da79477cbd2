/**
 * The browser's REST calls for running a room and group conversations (docs/protocol.md §4.13, §4.14, §6),
 * on lib/api-client.ts's `apiFetch` (JSON in and out, errors as `ApiError` with the server's `issues`).
 */
import { apiFetch } from '../api-client';
import type { CreateInviteInput, CreatedInvite, InvitePreview, InviteView, RoomBanView } from '../schemas/moderation';
import type { RoomMember, RoomSummary, UpdateRoomInput } from '../schemas/room';
import type { PublicUser } from '../schemas/user';

const roomPath = (roomId: string) => `/api/rooms/${encodeURIComponent(roomId)}`;
const memberPath = (roomId: string, userId: string) => `${roomPath(roomId)}/members/${encodeURIComponent(userId)}`;

/** A reason is optional everywhere: an empty one is left out of the body. */
const withReason = (reason: string | undefined) => (reason?.trim() ? { reason: reason.trim() } : {});

export const roomSettingsApi = {
  /** PATCH /api/rooms/:id (admin, owner): any subset of the settings; answers my view of the room. */
  update: (roomId: string, input: UpdateRoomInput) => apiFetch<{ room: RoomSummary }>(roomPath(roomId), { method: 'PATCH', body: input }),
  archive: (roomId: string) => apiFetch<{ room: RoomSummary }>(`${roomPath(roomId)}/archive`, { method: 'PUT' }),
  restore: (roomId: string) => apiFetch<{ room: RoomSummary }>(`${roomPath(roomId)}/archive`, { method: 'DELETE' }),
  /** To a current member; I become an admin. */
  transfer: (roomId: string, userId: string) => apiFetch<{ room: RoomSummary }>(`${roomPath(roomId)}/transfer`, { method: 'POST', body: { userId } }),
};

export const membersApi = {
  /** Adds people directly (rooms where my role allows it, and groups); all or nobody. */
  add: (roomId: string, userIds: string[]) => apiFetch<{ added: PublicUser[] }>(`${roomPath(roomId)}/members`, { method: 'POST', body: { userIds } }),
  kick: (roomId: string, userId: string, reason?: string) => apiFetch<void>(memberPath(roomId, userId), { method: 'DELETE', body: withReason(reason) }),
  setRole: (roomId: string, userId: string, role: 'admin' | 'moderator' | 'member') =>
    apiFetch<{ member: RoomMember }>(`${memberPath(roomId, userId)}/role`, { method: 'PUT', body: { role } }),
  mute: (roomId: string, userId: string, durationSeconds: number, reason?: string) =>
    apiFetch<{ member: RoomMember }>(`${memberPath(roomId, userId)}/mute`, { method: 'PUT', body: { durationSeconds, ...withReason(reason) } }),
  unmute: (roomId: string, userId: string) => apiFetch<{ member: RoomMember }>(`${memberPath(roomId, userId)}/mute`, { method: 'DELETE' }),
};

export const bansApi = {
  list: (roomId: string) => apiFetch<{ bans: RoomBanView[] }>(`${roomPath(roomId)}/bans`),
  ban: (roomId: string, userId: string, reason?: string) =>
    apiFetch<{ ban: RoomBanView }>(`${roomPath(roomId)}/bans/${encodeURIComponent(userId)}`, { method: 'PUT', body: withReason(reason) }),
  unban: (roomId: string, userId: string) => apiFetch<void>(`${roomPath(roomId)}/bans/${encodeURIComponent(userId)}`, { method: 'DELETE' }),
};

export const invitesApi = {
  list: (roomId: string) => apiFetch<{ invites: InviteView[] }>(`${roomPath(roomId)}/invites`),
  create: (roomId: string, input: Partial<CreateInviteInput>) => apiFetch<CreatedInvite>(`${roomPath(roomId)}/invites`, { method: 'POST', body: input }),
  revoke: (inviteId: string) => apiFetch<void>(`/api/invites/${encodeURIComponent(inviteId)}`, { method: 'DELETE' }),
  /** No session needed. */
  preview: (token: string) => apiFetch<InvitePreview>(`/api/invites/${encodeURIComponent(token)}`),
  accept: (token: string) => apiFetch<{ room: RoomSummary; joined: boolean }>(`/api/invites/${encodeURIComponent(token)}/accept`, { method: 'POST' }),
};

export const groupsApi = {
  /** A new group of me and 2–8 others (always a new one). */
  start: (userIds: string[]) => apiFetch<{ room: RoomSummary }>('/api/groups', { method: 'POST', body: { userIds } }),
};
