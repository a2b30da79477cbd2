'use client';
import { useEffect, useSyncExternalStore, type ComponentType, type ReactNode } from 'react';

/**
 * Components that are not part of a page's first JavaScript: what opens (menus, dialogs, popovers, the message
 * toolbar) and the Markdown renderer. Each is fetched right after the signed-in shell hydrates
 * ({@link preloadDeferred}, alongside the socket's handshake) or when first rendered, whichever is sooner, so the
 * page paints and takes input without them and they are normally in place before anyone reaches for them.
 *
 * Unlike `next/dynamic`, a loaded component renders synchronously from then on (no Suspense boundary, no flash
 * of the fallback when a row or a menu mounts later), and the fallback is the caller's: a look-alike that is
 * marked busy, or nothing.
 */
export interface Deferred<P> {
  Component: ComponentType<P>;
  /** Start (or join) fetching it. A failed fetch (offline, a deploy in between) may be retried. */
  preload(): Promise<void>;
}

const registry = new Set<() => Promise<void>>();

/** Fetch every deferred component the page has declared (once each; failures are retried on next use). */
export function preloadDeferred(): void {
  for (const preload of registry) void preload().catch(() => undefined);
}

export function deferred<P extends object>(load: () => Promise<ComponentType<P>>, fallback: (props: P) => ReactNode = () => null): Deferred<P> {
  let loaded: ComponentType<P> | null = null;
  let loading: Promise<void> | null = null;
  const listeners = new Set<() => void>();

  const preload = () => {
    loading ??= load().then(
      (component) => {
        loaded = component;
        for (const listener of listeners) listener();
      },
      (error: unknown) => {
        loading = null;
        throw error;
      },
    );
    return loading;
  };
  registry.add(preload);

  const subscribe = (listener: () => void) => {
    listeners.add(listener);
    return () => void listeners.delete(listener);
  };
  const current = () => loaded;
  const onServer = () => null;

  function DeferredComponent(props: P) {
    const Loaded = useSyncExternalStore(subscribe, current, onServer);
    useEffect(() => {
      if (!loaded) void preload().catch(() => undefined);
    }, []);
    return Loaded ? <Loaded {...props} /> : fallback(props);
  }
  return { Component: DeferredComponent, preload };
}
