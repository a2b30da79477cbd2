'use client';
import * as RadixToast from '@radix-ui/react-toast';
import { XMarkIcon } from '@heroicons/react/20/solid';
import { useState } from 'react';
import { create } from 'zustand';

/**
 * Toasts: short, non-blocking notes ("Saved", "Copied link"). Call `toast()` from anywhere in the browser; the one
 * `<Toaster>` (root layout) shows them. Radix announces them politely (role="status"), pauses on hover/focus, and
 * F8 jumps to them. Errors that need a decision belong in the screen, not in a toast.
 */
export type ToastVariant = 'default' | 'success' | 'danger';
export interface ToastInput {
  title: string;
  description?: string;
  variant?: ToastVariant;
  /** ms; Radix's default is 5 s. */
  duration?: number;
}
interface ToastItem extends ToastInput {
  id: number;
}

interface ToastStore {
  toasts: ToastItem[];
  add(toast: ToastInput): number;
  remove(id: number): void;
}

let nextId = 1;
const useToasts = create<ToastStore>((set) => ({
  toasts: [],
  add: (input) => {
    const id = nextId++;
    // At most three at once: a burst should not bury the screen.
    set((s) => ({ toasts: [...s.toasts.slice(-2), { ...input, id }] }));
    return id;
  },
  remove: (id) => set((s) => ({ toasts: s.toasts.filter((t) => t.id !== id) })),
}));

/** Shows a toast; returns its id (for `dismissToast`). */
export function toast(input: ToastInput | string): number {
  return useToasts.getState().add(typeof input === 'string' ? { title: input } : input);
}

export function dismissToast(id: number): void {
  useToasts.getState().remove(id);
}

const VARIANT: Record<ToastVariant, string> = {
  default: 'border-line bg-surface text-fg',
  success: 'border-success-line bg-success-soft text-success-fg',
  danger: 'border-danger-line bg-danger-soft text-danger-fg',
};

/**
 * Mount once (app/layout.tsx). Radix puts an inline `style` on its viewport's wrapper, which our CSP (no inline
 * styles) refuses: so nothing is rendered until the first toast, and the viewport's own classes make it let clicks
 * through (pointer-events-none, toasts auto) instead of relying on that style.
 */
export function Toaster() {
  const toasts = useToasts((s) => s.toasts);
  const remove = useToasts((s) => s.remove);
  const [used, setUsed] = useState(false);
  if (toasts.length > 0 && !used) setUsed(true);
  if (!used) return null;
  return (
    <RadixToast.Provider swipeDirection="right" label="Notifications">
      {toasts.map((t) => (
        <RadixToast.Root
          key={t.id}
          duration={t.duration}
          onOpenChange={(open) => !open && remove(t.id)}
          data-testid="toast"
          className={`pointer-events-auto flex items-start gap-3 rounded-card border p-3 shadow-overlay data-[swipe=move]:translate-x-[var(--radix-toast-swipe-move-x)] ${VARIANT[t.variant ?? 'default']}`}
        >
          <div className="min-w-0 flex-1">
            <RadixToast.Title className="text-sm font-semibold">{t.title}</RadixToast.Title>
            {t.description ? <RadixToast.Description className="mt-0.5 text-sm opacity-90">{t.description}</RadixToast.Description> : null}
          </div>
          <RadixToast.Close
            aria-label="Dismiss"
            className="-m-1 rounded-control p-1 opacity-80 outline-none hover:opacity-100 focus-visible:ring-2 focus-visible:ring-focus max-sm:-m-2.5 max-sm:p-2.5"
          >
            <XMarkIcon aria-hidden className="size-5" />
          </RadixToast.Close>
        </RadixToast.Root>
      ))}
      <RadixToast.Viewport className="pointer-events-none fixed bottom-0 right-0 z-[100] m-0 flex w-full max-w-sm list-none flex-col gap-2 p-4 outline-none" />
    </RadixToast.Provider>
  );
}
