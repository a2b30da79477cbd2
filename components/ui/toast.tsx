'use client';
import { useState } from 'react';
import { create } from 'zustand';
import { deferred } from './deferred';

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
export interface ToastItem extends ToastInput {
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

// Radix's toast primitives are not part of the first load (./deferred.tsx); a toast raised before they arrive waits.
const ToastViewport = deferred(() => import('./toast-viewport').then((m) => m.ToastViewport)).Component;

/**
 * Mount once (app/layout.tsx). Radix puts an inline `style` on its viewport's wrapper, which our CSP (no inline
 * styles) refuses: so nothing is rendered until the first toast, and the viewport's own classes make it let clicks
 * through (pointer-events-none, toasts auto) instead of relying on that style. A toast raised before the viewport's
 * chunk is here waits in the store and shows when it arrives.
 */
export function Toaster() {
  const toasts = useToasts((s) => s.toasts);
  const remove = useToasts((s) => s.remove);
  const [used, setUsed] = useState(false);
  if (toasts.length > 0 && !used) setUsed(true);
  if (!used) return null;
  return <ToastViewport toasts={toasts} onRemove={remove} />;
}
