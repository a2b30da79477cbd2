'use client';
import * as RadixTooltip from '@radix-ui/react-tooltip';
import type { ReactElement, ReactNode } from 'react';

/**
 * A hover/focus hint for an icon button or a truncated label. It does not name the control (give the button its
 * own accessible name); it is the sighted user's version of that name, and Radix wires aria-describedby.
 */
export function Tooltip({
  label,
  children,
  side = 'bottom',
}: {
  label: ReactNode;
  /** One focusable element (a button, a link). */
  children: ReactElement;
  side?: 'top' | 'right' | 'bottom' | 'left';
}) {
  return (
    <RadixTooltip.Root>
      <RadixTooltip.Trigger asChild>{children}</RadixTooltip.Trigger>
      <RadixTooltip.Portal>
        <RadixTooltip.Content
          side={side}
          sideOffset={6}
          collisionPadding={8}
          className="z-50 max-w-xs select-none rounded-control bg-fg px-2 py-1 text-xs font-medium text-surface shadow-overlay"
        >
          {label}
        </RadixTooltip.Content>
      </RadixTooltip.Portal>
    </RadixTooltip.Root>
  );
}

/** Mounted once in the root layout: one delay for every tooltip, and moving between them is instant. */
export function TooltipProvider({ children }: { children: ReactNode }) {
  return (
    <RadixTooltip.Provider delayDuration={400} skipDelayDuration={200}>
      {children}
    </RadixTooltip.Provider>
  );
}
