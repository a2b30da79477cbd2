'use client';
/**
 * A short label on hover and on keyboard focus (Radix Tooltip). The child must be one element that takes a ref
 * and handlers (a button, a link, a span…). The label is a visual aid: give the child its own accessible name
 * (aria-label or text) — a tooltip is never the only name of a control.
 *
 *   <Tooltip label="Copy link"><button aria-label="Copy link">…</button></Tooltip>
 */
import * as RadixTooltip from '@radix-ui/react-tooltip';
import type { ReactElement, ReactNode } from 'react';

export function Tooltip({
  label,
  children,
  side = 'top',
}: {
  label: ReactNode;
  children: ReactElement;
  side?: 'top' | 'right' | 'bottom' | 'left';
}) {
  return (
    // One provider per tooltip keeps the API one element; Radix shares nothing between providers that matters here.
    <RadixTooltip.Provider delayDuration={400} skipDelayDuration={200}>
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
    </RadixTooltip.Provider>
  );
}
