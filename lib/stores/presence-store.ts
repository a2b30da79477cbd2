/**
 * Presence of the users this tab shows (member lists, direct-message peers), kept by one
 * `presence:watch` on the main namespace: each part of the UI says which users it shows, the union is
 * watched (≤ PRESENCE_WATCH_LIMIT), and `presence:changed` keeps it current.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import { PRESENCE_WATCH_LIMIT } from '../schemas/limits';
import type { PresenceInfo } from '../schemas/user';

export interface PresenceState {
  byId: Readonly<Record<string, PresenceInfo>>;
}

export interface PresenceActions {
  /** The users one part of the UI shows (replaces that part's list; [] lets go). */
  want(key: string, userIds: readonly string[]): void;
  /** A `presence:changed`. */
  apply(info: PresenceInfo): void;
  /** Where `presence:watch` goes (the tab's main socket), or null when there is none. */
  setWatcher(watch: Watcher | null): void;
  /** The main namespace (re)connected: the server forgot the watch. */
  resync(): void;
  dispose(): void;
}

export type PresenceStore = StoreApi<PresenceState & PresenceActions>;

/** `presence:watch`; resolves null when it could not be sent (not connected), rejects on an error. */
export type Watcher = (userIds: string[]) => Promise<PresenceInfo[] | null>;

export interface PresenceStoreOptions {
  /** Parts of the UI mount together: one watch for all of them. */
  debounceMs?: number;
  retryMs?: number;
}

/**
 * The union of every part's users, capped, in a stable order. Smaller parts are taken first, so a long list
 * never pushes out a short one (the sidebar's direct-message peers beside a large room's member list).
 */
export function watchSet(wanted: Iterable<readonly string[]>, limit = PRESENCE_WATCH_LIMIT): string[] {
  const all = new Set<string>();
  for (const ids of [...wanted].sort((a, b) => a.length - b.length)) {
    for (const id of ids) {
      if (all.size >= limit) break;
      all.add(id);
    }
  }
  return [...all].sort();
}

export function createPresenceStore(options: PresenceStoreOptions = {}): PresenceStore {
  const debounceMs = options.debounceMs ?? 50;
  const retryMs = options.retryMs ?? 5_000;
  let watcher: Watcher | null = null;
  const wanted = new Map<string, readonly string[]>();
  /** What the server holds, as a key ('' = nothing). */
  let serverHas = '';
  let timer: ReturnType<typeof setTimeout> | undefined;
  let disposed = false;

  function schedule(delay = debounceMs): void {
    if (disposed) return;
    clearTimeout(timer);
    timer = setTimeout(() => void send(), delay);
  }

  async function send(): Promise<void> {
    timer = undefined;
    const ids = watchSet(wanted.values());
    const key = ids.join(',');
    if (key === serverHas) return;
    serverHas = key;
    try {
      const presence = watcher ? await watcher(ids) : null;
      if (presence === null) {
        serverHas = ''; // not connected: resync() sends it on connect
        return;
      }
      if (disposed) return;
      if (presence.length) {
        store.setState((s) => ({ byId: { ...s.byId, ...Object.fromEntries(presence.map((p) => [p.userId, p])) } }));
      }
    } catch {
      if (serverHas === key) serverHas = '';
      schedule(retryMs);
    }
  }

  const store = createStore<PresenceState & PresenceActions>()((set) => ({
    byId: {},
    want(key, userIds) {
      const held = wanted.get(key);
      if (userIds.length === 0) {
        if (!held) return;
        wanted.delete(key);
      } else {
        if (held && held.length === userIds.length && held.every((id, i) => id === userIds[i])) return;
        wanted.set(key, [...userIds]);
      }
      schedule();
    },
    apply(info) {
      set((s) => {
        const held = s.byId[info.userId];
        if (held && held.status === info.status && held.lastSeenAt === info.lastSeenAt) return s;
        return { byId: { ...s.byId, [info.userId]: info } };
      });
    },
    setWatcher(watch) {
      watcher = watch;
    },
    resync() {
      serverHas = '';
      schedule(0);
    },
    dispose() {
      disposed = true;
      clearTimeout(timer);
    },
  }));
  return store;
}
