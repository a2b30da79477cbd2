'use client';
import { Bars3Icon } from '@heroicons/react/24/outline';
import { DRAWER_TOGGLE_ID, useUiStore } from './ui-store';

/** Opens the rooms drawer on small screens (the drawer returns focus here when it closes). */
export function SidebarToggle() {
  const open = useUiStore((s) => s.sidebarOpen);
  const setOpen = useUiStore((s) => s.setSidebarOpen);
  return (
    <button
      type="button"
      id={DRAWER_TOGGLE_ID}
      onClick={() => setOpen(!open)}
      aria-expanded={open}
      aria-controls={open ? 'room-drawer' : undefined}
      aria-label="Rooms"
      className="-ml-1 flex size-touch items-center justify-center rounded-control text-fg-muted hover:bg-surface-sunken hover:text-fg md:hidden"
    >
      <Bars3Icon aria-hidden="true" className="size-6" />
    </button>
  );
}
