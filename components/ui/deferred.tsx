'use client';
import { useEffect, useSyncExternalStore, type ComponentType, type ReactNode } from 'react';

/**
 * Components that are not part of a page's first JavaScript: what opens (menus, dialogs, popovers, the message
 * toolbar), the room's timeline and the Markdown renderer. In the browser each starts downloading as soon as the
 * module declaring it has run — while the page hydrates and its socket connects — so the page paints and takes
 * input without them, and they are normally in place before anyone reaches for them.
 *
 * Unlike `next/dynamic`, a loaded component renders synchronously from then on (no Suspense boundary, no flash
 * of the fallback when a row or a menu mounts later), and the fallback is the caller's: a look-alike that is
 * disabled, skeleton rows, plain text, or nothing. The props are the loaded component's, inferred from `load`. A failed fetch (a dropped connection) is tried again with backoff while
 * something is waiting for it; the fallback is told, so it can say so.
 */
export interface Deferred<P> {
  Component: ComponentType<P>;
  /** Start (or join) fetching it. Rejects if this attempt fails; a later call tries again. */
  preload(): Promise<void>;
}

/** What a fallback is rendered for: still fetching, or the last attempt failed (another is scheduled). */
export type DeferredState = 'loading' | 'failed';

const RETRY_MS = [1_000, 2_000, 5_000, 10_000, 30_000];

export function deferred<P extends object>(
  load: () => Promise<ComponentType<P>>,
  fallback: (props: P, state: DeferredState) => ReactNode = () => null,
): Deferred<P> {
  let snapshot: { Loaded: ComponentType<P> | null; state: DeferredState } = { Loaded: null, state: 'loading' };
  let loading: Promise<void> | null = null;
  let failures = 0;
  let retry: ReturnType<typeof setTimeout> | undefined;
  const listeners = new Set<() => void>();
  const publish = (next: typeof snapshot) => {
    snapshot = next;
    for (const listener of listeners) listener();
  };

  const preload = (): Promise<void> => {
    loading ??= load().then(
      (component) => publish({ Loaded: component, state: 'loading' }),
      (error: unknown) => {
        loading = null;
        failures += 1;
        if (listeners.size > 0 && retry === undefined) {
          // Someone is waiting for it: try again later (Next's chunk loader does not retry by itself).
          retry = setTimeout(() => {
            retry = undefined;
            void preload().catch(() => undefined);
          }, RETRY_MS[Math.min(failures, RETRY_MS.length) - 1]);
        }
        publish({ Loaded: null, state: 'failed' });
        throw error;
      },
    );
    return loading;
  };
  // Now, while the page's own scripts run and hydrate: a timer would wait behind hydration's long tasks.
  if (typeof window !== 'undefined') void preload().catch(() => undefined);

  const subscribe = (listener: () => void) => {
    listeners.add(listener);
    return () => void listeners.delete(listener);
  };
  const current = () => snapshot;
  const onServer = { Loaded: null, state: 'loading' as const };

  function DeferredComponent(props: P) {
    const { Loaded, state } = useSyncExternalStore(subscribe, current, () => onServer);
    useEffect(() => {
      if (!snapshot.Loaded) void preload().catch(() => undefined);
    }, []);
    return Loaded ? <Loaded {...props} /> : fallback(props, state);
  }
  return { Component: DeferredComponent, preload };
}
