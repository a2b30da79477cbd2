'use client';
import { useEffect } from 'react';

/**
 * Registers public/sw.js (scope "/"), which only shows /offline when a page navigation cannot reach the server.
 * Production only: in `next dev` a worker would keep serving stale chunks between edits.
 */
export function ServiceWorkerRegistration() {
  useEffect(() => {
    if (process.env.NODE_ENV !== 'production' || !('serviceWorker' in navigator)) return;
    navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch(() => {
      // No worker (private mode, a blocked script): the app works without it, just without the offline page.
    });
  }, []);
  return null;
}
