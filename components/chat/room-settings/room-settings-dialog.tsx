'use client';
/**
 * The room's settings, for its moderators and up: one dialog with a tab per concern, showing only the
 * tabs the viewer's role opens (docs/protocol.md §4.13): General (admins), Members, Bans, Invitations
 * (moderators), Danger zone (admins: archive; the owner: transfer, delete). Focus is trapped inside and
 * goes back to the header button when it closes (Radix Dialog).
 */
import { HEADER_ACTION } from '@/components/ui/button';
import { Cog6ToothIcon, ShieldCheckIcon, XMarkIcon } from '@heroicons/react/20/solid';
import * as Dialog from '@radix-ui/react-dialog';
import dynamic from 'next/dynamic';
import { useState } from 'react';
import { roomPowers } from '@/lib/community/permissions';
import { hasRole } from '@/lib/schemas/limits';
import { useRoom } from '../room-context';
import { Tabs, type TabItem } from './tabs';

// Each tab's panel is fetched when the dialog shows it, not with the room page (issue 15's JS budget).
const GeneralSettings = dynamic(() => import('./general-settings').then((m) => m.GeneralSettings), { ssr: false });
const MembersSettings = dynamic(() => import('./members-settings').then((m) => m.MembersSettings), { ssr: false });
const BansSettings = dynamic(() => import('./bans-settings').then((m) => m.BansSettings), { ssr: false });
const InvitesSettings = dynamic(() => import('./invites-settings').then((m) => m.InvitesSettings), { ssr: false });
const DangerZone = dynamic(() => import('./danger-zone').then((m) => m.DangerZone), { ssr: false });

type TabKey = 'general' | 'members' | 'bans' | 'invites' | 'danger';

export function RoomSettingsButton() {
  const room = useRoom((s) => s.room);
  const [open, setOpen] = useState(false);
  const powers = roomPowers(room);
  const admin = hasRole(room.role, 'admin');
  const tabs: TabItem<TabKey>[] = [
    ...(admin ? [{ key: 'general' as const, label: 'General' }] : []),
    { key: 'members', label: 'Members' },
    { key: 'bans', label: 'Bans' },
    { key: 'invites', label: 'Invitations' },
    ...(powers.archive || powers.deleteRoom || powers.transfer ? [{ key: 'danger' as const, label: 'Danger zone', danger: true }] : []),
  ];
  const [tab, setTab] = useState<TabKey>(tabs[0]!.key);
  const current = tabs.some((t) => t.key === tab) ? tab : tabs[0]!.key; // a role change may take a tab away
  if (!powers.openSettings) return null;
  const title = admin ? 'Room settings' : 'Manage members';
  const Icon = admin ? Cog6ToothIcon : ShieldCheckIcon;

  return (
    <Dialog.Root open={open} onOpenChange={setOpen}>
      <Dialog.Trigger
        data-testid="room-settings-button"
        aria-label={title}
        title={title}
        className={HEADER_ACTION}
      >
        <Icon aria-hidden="true" className="size-4 text-fg-muted" />
        <span className="hidden lg:inline">{admin ? 'Settings' : 'Manage'}</span>
      </Dialog.Trigger>
      <Dialog.Portal>
        <Dialog.Overlay className="fixed inset-0 z-50 bg-slate-900/40" />
        <Dialog.Content
          data-testid="room-settings"
          className="fixed inset-0 z-50 flex flex-col bg-surface shadow-2xl outline-none sm:inset-x-4 sm:bottom-auto sm:top-[6vh] sm:mx-auto sm:h-[min(44rem,88vh)] sm:max-w-3xl sm:rounded-xl sm:border sm:border-line"
        >
          <div className="flex items-center gap-2 border-b border-line px-4 py-3">
            <div className="min-w-0 flex-1">
              <Dialog.Title className="truncate text-base font-semibold text-fg">{title}</Dialog.Title>
              <Dialog.Description className="truncate text-sm text-fg-muted">#{room.name}</Dialog.Description>
            </div>
            <Dialog.Close
              aria-label={`Close ${title.toLowerCase()}`}
              className="flex size-8 items-center justify-center rounded text-fg-muted hover:bg-surface-sunken focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-focus"
            >
              <XMarkIcon aria-hidden="true" className="size-5" />
            </Dialog.Close>
          </div>
          <Tabs<TabKey> label={title} tabs={tabs} active={current} onChange={setTab}>
            {current === 'general' ? <GeneralSettings room={room} /> : null}
            {current === 'members' ? <MembersSettings room={room} /> : null}
            {current === 'bans' ? <BansSettings room={room} /> : null}
            {current === 'invites' ? <InvitesSettings room={room} revokeAny={powers.revokeAnyInvite} /> : null}
            {current === 'danger' ? <DangerZone room={room} powers={powers} onDeleted={() => setOpen(false)} /> : null}
          </Tabs>
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}
