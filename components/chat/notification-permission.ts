'use client';
import { create } from 'zustand';
import { PROMPT_STORAGE } from '@/lib/notifications/prompt';

export type PermissionState = NotificationPermission | 'unsupported';

interface NotificationPermissionStore {
  /** 'unsupported' until read in the browser (and where there is no Notification API). */
  permission: PermissionState;
  /** I have taken part here (sent a message, opened a direct conversation): asking makes sense now. */
  eligible: boolean;
  /** I closed the prompt in this browser. */
  dismissed: boolean;
  /** Reads the browser's state and follows permission changes; returns the unsubscribe. */
  init(): () => void;
  markEligible(): void;
  dismiss(): void;
  /** Asks the browser (call from a click: browsers refuse prompts without a user gesture). */
  request(): Promise<void>;
}

function readPermission(): PermissionState {
  return typeof window !== 'undefined' && 'Notification' in window ? Notification.permission : 'unsupported';
}

function readFlag(key: string): boolean {
  try {
    return localStorage.getItem(key) === '1';
  } catch {
    return false; // storage blocked: behave as a fresh browser
  }
}

function writeFlag(key: string): void {
  try {
    localStorage.setItem(key, '1');
  } catch {
    // storage blocked: remembered for this page only
  }
}

/** The browser's notification permission and the sidebar prompt's memory (components/chat/notification-prompt.tsx). */
export const useNotificationPermission = create<NotificationPermissionStore>((set, get) => ({
  permission: 'unsupported',
  eligible: false,
  dismissed: false,
  init() {
    const sync = () => {
      const permission = readPermission();
      if (permission !== get().permission) set({ permission });
    };
    set({ permission: readPermission(), eligible: readFlag(PROMPT_STORAGE.eligible), dismissed: readFlag(PROMPT_STORAGE.dismissed) });
    // The person may change it in the browser's site settings at any time.
    let status: PermissionStatus | null = null;
    let disposed = false;
    navigator.permissions
      ?.query({ name: 'notifications' })
      .then((s) => {
        if (disposed) return;
        status = s;
        s.addEventListener('change', sync);
      })
      .catch(() => undefined);
    const onStorage = (event: StorageEvent) => {
      if (event.key === PROMPT_STORAGE.eligible || event.key === PROMPT_STORAGE.dismissed)
        set({ eligible: readFlag(PROMPT_STORAGE.eligible), dismissed: readFlag(PROMPT_STORAGE.dismissed) });
    };
    window.addEventListener('focus', sync);
    window.addEventListener('storage', onStorage);
    return () => {
      disposed = true;
      status?.removeEventListener('change', sync);
      window.removeEventListener('focus', sync);
      window.removeEventListener('storage', onStorage);
    };
  },
  markEligible() {
    if (get().eligible) return;
    writeFlag(PROMPT_STORAGE.eligible);
    set({ eligible: true });
  },
  dismiss() {
    writeFlag(PROMPT_STORAGE.dismissed);
    set({ dismissed: true });
  },
  async request() {
    if (readPermission() === 'unsupported') return;
    try {
      set({ permission: await Notification.requestPermission() });
    } catch {
      set({ permission: readPermission() });
    }
  },
}));
