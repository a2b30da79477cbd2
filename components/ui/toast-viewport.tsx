'use client';
import * as RadixToast from '@radix-ui/react-toast';
import { XMarkIcon } from '@heroicons/react/20/solid';
import type { ToastItem, ToastVariant } from './toast';

/** The toasts on screen (./toast.tsx decides when; this is fetched with the first one). */
export interface ToastViewportProps {
  toasts: ToastItem[];
  onRemove(id: number): void;
}

const VARIANT: Record<ToastVariant, string> = {
  default: 'border-line bg-surface text-fg',
  success: 'border-success-line bg-success-soft text-success-fg',
  danger: 'border-danger-line bg-danger-soft text-danger-fg',
};

export function ToastViewport({ toasts, onRemove }: ToastViewportProps) {
  return (
    <RadixToast.Provider swipeDirection="right" label="Notifications">
      {toasts.map((t) => (
        <RadixToast.Root
          key={t.id}
          duration={t.duration}
          onOpenChange={(open) => !open && onRemove(t.id)}
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
