'use client';
import { useEffect, useState, useSyncExternalStore } from 'react';

function subscribe(onChange: () => void): () => void {
  window.addEventListener('focus', onChange);
  window.addEventListener('blur', onChange);
  document.addEventListener('visibilitychange', onChange);
  return () => {
    window.removeEventListener('focus', onChange);
    window.removeEventListener('blur', onChange);
    document.removeEventListener('visibilitychange', onChange);
  };
}

/** The window is focused and visible: what is on screen is being looked at. */
export function isWindowActive(): boolean {
  return document.visibilityState === 'visible' && document.hasFocus();
}

export function useWindowActive(): boolean {
  return useSyncExternalStore(subscribe, isWindowActive, () => false);
}

/** Calls back when the window becomes active. */
export function subscribeWindowActive(onActive: () => void): () => void {
  return subscribe(() => {
    if (isWindowActive()) onActive();
  });
}

/** The current time, refreshed every `intervalMs` (relative times such as "last seen 5 min ago"). */
export function useNow(intervalMs = 30_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}
