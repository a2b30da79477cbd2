'use client';
import { useRouter } from 'next/navigation';
import { useEffect, useRef, useState } from 'react';
import { notificationsApi } from '@/lib/notifications/api';
import { RecentKeys, callEntryNotifies, messageUrl, notificationContent, notificationKey, shouldNotify } from '@/lib/notifications/decide';
import type { RoomActivity } from '@/lib/realtime/events';
import type { ChatMessage } from '@/lib/schemas/message';
import { findRoom } from '@/lib/stores/room-list';
import type { RoomsStore } from '@/lib/stores/rooms-store';
import { openRoomHref } from './room-navigation';

export interface MessageNotifications {
  /** A `room:activity` from the main socket. */
  onActivity(activity: RoomActivity): void;
  /** My read position moved (`room:read`): notifications of what I have read go away. */
  onRead(roomId: string, lastReadSeq: number): void;
}

const CHANNEL = 'parley:notifications';

function permissionNow(): NotificationPermission | 'unsupported' {
  return typeof Notification === 'undefined' ? 'unsupported' : Notification.permission;
}

const hidden = () => document.visibilityState !== 'visible';

/**
 * Browser notifications for the tab's rooms (lib/notifications/decide.ts says which): fetches the
 * message for its text, tags each by roomId:seq (the browser shows one per tag, also from several tabs),
 * remembers what it notified across reconnects and tells the other tabs, and opens the room at the
 * message on click. Mounted by the chat shell, which feeds it the main socket's events.
 */
export function useMessageNotifications(store: RoomsStore, meId: string): MessageNotifications {
  const router = useRouter();
  const routerRef = useRef(router);
  const meRef = useRef(meId);
  useEffect(() => {
    routerRef.current = router;
    meRef.current = meId;
  }, [router, meId]);

  const [state] = useState(() => ({
    notified: new RecentKeys(500),
    shown: new Map<string, { roomId: string; seq: number; notification: Notification }>(),
  }));
  const channelRef = useRef<BroadcastChannel | null>(null);

  useEffect(() => {
    if (typeof BroadcastChannel === 'undefined') return;
    const channel = new BroadcastChannel(CHANNEL);
    channel.onmessage = (event: MessageEvent<unknown>) => {
      if (typeof event.data === 'string') state.notified.add(event.data);
    };
    channelRef.current = channel;
    return () => {
      channelRef.current = null;
      channel.close();
    };
  }, [state]);

  const [api] = useState<MessageNotifications>(() => ({
    onActivity(activity) {
      const key = notificationKey(activity.roomId, activity.lastSeq);
      const decide = () =>
        shouldNotify({
          activity,
          room: findRoom(store.getState(), activity.roomId),
          meId: meRef.current,
          visible: !hidden(),
          permission: permissionNow(),
          alreadyNotified: state.notified.has(key),
        });
      if (!decide()) return;
      void (async () => {
        let message: ChatMessage | null = null;
        try {
          message = await notificationsApi.message(activity.roomId, activity.lastSeq);
        } catch {
          // a generic line instead
        }
        // Things may have moved while it loaded: read in another tab, shown again, deleted, told by another tab.
        const reason = decide();
        const room = findRoom(store.getState(), activity.roomId);
        if (!reason || !room || message?.deletedAt || (message && !callEntryNotifies(message))) return;
        state.notified.add(key);
        channelRef.current?.postMessage(key);
        const { title, body } = notificationContent({ room, message, reason });
        const url = messageUrl(activity.roomId, activity.lastSeq);
        let notification: Notification;
        try {
          notification = new Notification(title, { body, tag: key, data: { url } });
        } catch {
          return; // e.g. Chrome on Android allows service-worker notifications only
        }
        state.shown.set(key, { roomId: activity.roomId, seq: activity.lastSeq, notification });
        notification.onclick = () => {
          window.focus();
          openRoomHref(url, store, routerRef.current);
          notification.close();
        };
        notification.onclose = () => state.shown.delete(key);
      })();
    },
    onRead(roomId, lastReadSeq) {
      for (const [key, shown] of state.shown) {
        if (shown.roomId === roomId && shown.seq <= lastReadSeq) {
          shown.notification.close();
          state.shown.delete(key);
        }
      }
    },
  }));

  // Signing out or leaving the chat: nothing stays on screen that points into it.
  useEffect(
    () => () => {
      for (const shown of state.shown.values()) shown.notification.close();
      state.shown.clear();
    },
    [state],
  );

  return api;
}
