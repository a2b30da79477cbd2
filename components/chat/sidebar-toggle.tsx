'use client';
import { MenuIcon } from './icons';
import { useUiStore } from './ui-store';

/** Opens the rooms drawer on small screens. */
export function SidebarToggle() {
  const open = useUiStore((s) => s.sidebarOpen);
  const setOpen = useUiStore((s) => s.setSidebarOpen);
  return (
    <button
      type="button"
      onClick={() => setOpen(!open)}
      aria-expanded={open}
      aria-controls="room-sidebar"
      className="rounded-md p-1.5 text-fg-muted hover:bg-surface-sunken md:hidden"
    >
      <MenuIcon width={20} height={20} />
      <span className="sr-only">Rooms</span>
    </button>
  );
}
