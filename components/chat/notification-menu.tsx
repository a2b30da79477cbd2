'use client';
import { HEADER_ACTION } from '@/components/ui/button';
import { BellAlertIcon, BellIcon, BellSlashIcon, CheckIcon, ChevronDownIcon } from '@heroicons/react/20/solid';
import * as Menu from '@radix-ui/react-dropdown-menu';
import { useId, useState } from 'react';
import { ApiError } from '@/lib/api-client';
import { notificationsApi } from '@/lib/notifications/api';
import { notifyLevel } from '@/lib/notifications/decide';
import { hasRole, isConversation } from '@/lib/schemas/limits';
import type { NotifyLevel, RoomMentionsPolicy, RoomSummary } from '@/lib/schemas/room';
import { findRoom } from '@/lib/stores/room-list';
import { MenuContent } from '../ui/menu';
import { useNotificationPermission } from './notification-permission';
import { useRooms, useRoomsStore } from './rooms-context';

const LEVELS: { value: NotifyLevel; label: string; hint: string }[] = [
  { value: 'all', label: 'All messages', hint: 'Every new message' },
  { value: 'mentions', label: 'Mentions only', hint: '@you and @room' },
  { value: 'none', label: 'Muted', hint: 'Nothing; mentions still show in the sidebar' },
];

const POLICIES: { value: RoomMentionsPolicy; label: string }[] = [
  { value: 'anyone', label: 'Anyone' },
  { value: 'owner', label: 'The owner and admins' },
];

const LEVEL_ICON = { all: BellAlertIcon, mentions: BellIcon, none: BellSlashIcon } as const;

const itemClass =
  'flex cursor-default select-none items-start gap-2 rounded px-2 py-1.5 text-sm text-fg outline-none data-[highlighted]:bg-accent-soft-strong data-[disabled]:opacity-60';
const labelClass = 'px-2 pb-1 pt-2 text-xs font-semibold uppercase tracking-wide text-fg-muted';

function errorText(caught: unknown): string {
  return caught instanceof ApiError ? caught.message : 'Something went wrong. Please try again.';
}

/**
 * The room header's "Notifications" menu: my level in this room (all messages, mentions only, muted)
 * and, for the owner of a public or private room, who may notify everyone with @room. Reads and
 * updates the rooms store (the sidebar's summary), which list refetches keep current across tabs.
 */
export function NotificationMenu({ room, onError }: { room: RoomSummary; onError(message: string | null): void }) {
  const rooms = useRoomsStore();
  const held = useRooms((s) => findRoom(s, room.id));
  const current = held ?? room;
  const [pending, setPending] = useState<{ level?: NotifyLevel; roomMentions?: RoomMentionsPolicy }>({});
  const level = pending.level ?? notifyLevel(current);
  const roomMentions = pending.roomMentions ?? current.roomMentions;
  // Who may use @room is a room setting: its admins and owner change it (§4.13); conversations have none.
  const isOwner = hasRole(current.role, 'admin') && !isConversation(current.kind) && current.archivedAt === null;
  const permission = useNotificationPermission((s) => s.permission);
  const requestPermission = useNotificationPermission((s) => s.request);
  const levelLabel = LEVELS.find((l) => l.value === level)!.label;
  const Icon = LEVEL_ICON[level];
  const ids = useId();

  async function change(next: Partial<{ level: NotifyLevel; roomMentions: RoomMentionsPolicy }>) {
    setPending((p) => ({ ...p, ...next }));
    onError(null);
    try {
      const answer = next.level
        ? await notificationsApi.setLevel(room.id, next.level)
        : await notificationsApi.setRoomMentions(room.id, next.roomMentions!);
      rooms.getState().settings(answer.room);
    } catch (caught) {
      onError(errorText(caught));
    } finally {
      // Shown from the store again: the answer, or what it held before a failure.
      setPending((p) => {
        const rest = { ...p };
        if (next.level) delete rest.level;
        if (next.roomMentions) delete rest.roomMentions;
        return rest;
      });
    }
  }

  return (
    <Menu.Root modal={false}>
      <Menu.Trigger asChild>
        <button
          type="button"
          data-testid="notification-menu"
          aria-label={`Notifications: ${levelLabel}`}
          className={HEADER_ACTION}
        >
          <Icon aria-hidden="true" className="size-4" />
          <span className="hidden lg:inline">{levelLabel}</span>
          <ChevronDownIcon aria-hidden="true" className="size-4 text-fg-subtle" />
        </button>
      </Menu.Trigger>
      <MenuContent className="w-72">
          <Menu.Label id={`${ids}-level`} className={labelClass}>
            Notify me about
          </Menu.Label>
          <Menu.RadioGroup aria-labelledby={`${ids}-level`} value={level} onValueChange={(value) => void change({ level: value as NotifyLevel })}>
            {LEVELS.map((option) => (
              <Menu.RadioItem key={option.value} value={option.value} className={itemClass} data-testid={`notify-${option.value}`}>
                <span className="mt-0.5 flex size-4 shrink-0 items-center justify-center">
                  <Menu.ItemIndicator>
                    <CheckIcon aria-hidden="true" className="size-4 text-link" />
                  </Menu.ItemIndicator>
                </span>
                <span className="min-w-0">
                  <span className="block font-medium">{option.label}</span>
                  <span className="block text-xs text-fg-muted">{option.hint}</span>
                </span>
              </Menu.RadioItem>
            ))}
          </Menu.RadioGroup>
          {isOwner ? (
            <>
              <Menu.Separator className="my-1 h-px bg-surface-strong" />
              <Menu.Label id={`${ids}-policy`} className={labelClass}>
                Who can use @room
              </Menu.Label>
              <Menu.RadioGroup aria-labelledby={`${ids}-policy`} value={roomMentions} onValueChange={(value) => void change({ roomMentions: value as RoomMentionsPolicy })}>
                {POLICIES.map((option) => (
                  <Menu.RadioItem key={option.value} value={option.value} className={itemClass} data-testid={`room-mentions-${option.value}`}>
                    <span className="mt-0.5 flex size-4 shrink-0 items-center justify-center">
                      <Menu.ItemIndicator>
                        <CheckIcon aria-hidden="true" className="size-4 text-link" />
                      </Menu.ItemIndicator>
                    </span>
                    <span className="font-medium">{option.label}</span>
                  </Menu.RadioItem>
                ))}
              </Menu.RadioGroup>
            </>
          ) : null}
          {permission === 'default' ? (
            <>
              <Menu.Separator className="my-1 h-px bg-surface-strong" />
              <Menu.Item className={itemClass} onSelect={() => void requestPermission()}>
                <BellAlertIcon aria-hidden="true" className="mt-0.5 size-4 shrink-0 text-link" />
                <span>Turn on browser notifications</span>
              </Menu.Item>
            </>
          ) : permission === 'denied' ? (
            <>
              <Menu.Separator className="my-1 h-px bg-surface-strong" />
              <Menu.Item disabled className="px-2 py-1.5 text-xs text-fg-muted outline-none">
                This browser blocks notifications from Parley: allow them in the site settings (the icon at the left of the address bar).
              </Menu.Item>
            </>
          ) : null}
      </MenuContent>
    </Menu.Root>
  );
}
