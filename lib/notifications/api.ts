/** REST calls of notification settings and notification previews (lib/api-client.ts underneath). */
import { apiFetch, roomsApi } from '../api-client';
import type { ChatMessage } from '../schemas/message';
import type { NotifyLevel, RoomMentionsPolicy, RoomSummary } from '../schemas/room';

const roomPath = (roomId: string) => `/api/rooms/${encodeURIComponent(roomId)}`;

export const notificationsApi = {
  /** PUT /api/rooms/:id/notifications: my level in a room. */
  setLevel: (roomId: string, level: NotifyLevel) =>
    apiFetch<{ room: RoomSummary }>(`${roomPath(roomId)}/notifications`, { method: 'PUT', body: { level } }),
  /** PATCH /api/rooms/:id (owner): who may notify everyone with @room / @here. */
  setRoomMentions: (roomId: string, roomMentions: RoomMentionsPolicy) =>
    apiFetch<{ room: RoomSummary }>(roomPath(roomId), { method: 'PATCH', body: { roomMentions } }),
  /** One message by seq (the page of one around it), or null when it is not there. */
  async message(roomId: string, seq: number): Promise<ChatMessage | null> {
    const page = await roomsApi.history(roomId, { around: seq, limit: 1 });
    return page.messages.find((m) => m.seq === seq) ?? null;
  },
};
