'use client';
import * as DropdownMenu from '@radix-ui/react-dropdown-menu';
import type { ComponentPropsWithoutRef } from 'react';

/**
 * A dropdown menu's panel: portalled, kept on screen, and styled one way for every menu (account, message
 * actions, notifications). Radix's Root/Trigger/Item stay as they are; pass a width and anything else Radix takes.
 */
export function MenuContent({ className = 'min-w-52', ...props }: ComponentPropsWithoutRef<typeof DropdownMenu.Content>) {
  return (
    <DropdownMenu.Portal>
      <DropdownMenu.Content
        align="end"
        sideOffset={4}
        collisionPadding={8}
        {...props}
        className={`z-50 max-w-[calc(100vw-1rem)] rounded-card border border-line bg-surface p-1 shadow-overlay ${className}`}
      />
    </DropdownMenu.Portal>
  );
}
