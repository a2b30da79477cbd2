/** The admin page's REST calls (docs/protocol.md §4.15), through the app's one fetch wrapper. */
import { apiFetch } from '@/lib/api-client';
import type { AdminRoomsPage, AdminUsersPage, AdminUserView, AuditPage, InstanceSettingsView, RegistrationMode } from '@/lib/schemas/admin';
import type { CreatedInvite, CreateInviteInput, InviteView } from '@/lib/schemas/moderation';
import type { RoomSettings, RoomSummary } from '@/lib/schemas/room';

function withQuery(path: string, query: Record<string, string | number | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined && value !== '') params.set(key, String(value));
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

const userPath = (userId: string) => `/api/admin/users/${encodeURIComponent(userId)}`;
const roomPath = (roomId: string) => `/api/rooms/${encodeURIComponent(roomId)}`;

export interface AuditFilter {
  kind?: string;
  actorId?: string;
  from?: string;
  to?: string;
}

export const adminApi = {
  users: (query: { q: string; cursor?: string }, signal?: AbortSignal) => apiFetch<AdminUsersPage>(withQuery('/api/admin/users', query), { signal }),
  setDisabled: (userId: string, disabled: boolean) =>
    apiFetch<{ user: AdminUserView }>(`${userPath(userId)}/disabled`, { method: disabled ? 'PUT' : 'DELETE' }),
  resetPassword: (userId: string) => apiFetch<{ password: string }>(`${userPath(userId)}/password`, { method: 'POST' }),
  rooms: (query: { q: string; cursor?: string }, signal?: AbortSignal) => apiFetch<AdminRoomsPage>(withQuery('/api/admin/rooms', query), { signal }),
  /** The room routes, which instance admins may use on any public or private room. */
  setArchived: (roomId: string, archived: boolean) =>
    apiFetch<{ room: RoomSummary | null; settings: RoomSettings }>(`${roomPath(roomId)}/archive`, { method: archived ? 'PUT' : 'DELETE' }),
  deleteRoom: (roomId: string) => apiFetch<void>(roomPath(roomId), { method: 'DELETE' }),
  audit: (filter: AuditFilter & { cursor?: string }, signal?: AbortSignal) => apiFetch<AuditPage>(withQuery('/api/admin/audit', { ...filter }), { signal }),
  settings: () => apiFetch<InstanceSettingsView>('/api/admin/settings'),
  setRegistrationMode: (registrationMode: RegistrationMode) =>
    apiFetch<InstanceSettingsView>('/api/admin/settings', { method: 'PATCH', body: { registrationMode } }),
  invites: () => apiFetch<{ invites: InviteView[] }>('/api/admin/invites'),
  createInvite: (options: CreateInviteInput) => apiFetch<CreatedInvite>('/api/admin/invites', { method: 'POST', body: options }),
  revokeInvite: (inviteId: string) => apiFetch<void>(`/api/invites/${encodeURIComponent(inviteId)}`, { method: 'DELETE' }),
};
