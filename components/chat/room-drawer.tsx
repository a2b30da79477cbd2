'use client';
import * as Dialog from '@radix-ui/react-dialog';
import type { ReactNode, RefObject } from 'react';
import { DRAWER_TOGGLE_ID } from './ui-store';

export interface RoomDrawerProps {
  open: boolean;
  onOpenChange(open: boolean): void;
  /** Set when a navigation closed the drawer: focus then goes to the new page, not back to the toggle. */
  closedByNavigationRef: RefObject<boolean>;
  /** The sidebar's content. */
  children: ReactNode;
}

/** The sidebar below the md breakpoint: a modal drawer (focus moves in, Escape closes, focus returns to the toggle). */
export function RoomDrawer({ open, onOpenChange, closedByNavigationRef, children }: RoomDrawerProps) {
  return (
    <Dialog.Root open={open} onOpenChange={onOpenChange}>
      <Dialog.Portal>
        <Dialog.Overlay className="fixed inset-0 z-40 bg-slate-900/40 md:hidden" />
        <Dialog.Content
          id="room-drawer"
          aria-describedby={undefined}
          onCloseAutoFocus={(event) => {
            // Radix returns focus to a Dialog.Trigger; ours lives in the header (SidebarToggle).
            event.preventDefault();
            if (!closedByNavigationRef.current) {
              document.getElementById(DRAWER_TOGGLE_ID)?.focus();
              return;
            }
            closedByNavigationRef.current = false;
            const main = document.getElementById('main');
            if (main && !main.contains(document.activeElement)) main.focus({ preventScroll: true });
          }}
          className="fixed inset-y-0 left-0 z-50 flex w-80 max-w-[85vw] flex-col bg-surface-muted shadow-overlay md:hidden"
        >
          <Dialog.Title className="sr-only">Rooms</Dialog.Title>
          <nav aria-label="Rooms" className="flex min-h-0 flex-1 flex-col">
            {children}
          </nav>
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}
