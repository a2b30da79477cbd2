/**
 * Who is online, away or offline. The truth is the set of main-namespace sockets each user has (a
 * socket per tab, joined to `user:<id>`), read with fetchSockets — which goes through the adapter, so
 * it stays right with several instances. Why not a presence table with heartbeats: the sockets already
 * are the heartbeat, and a table would need its own expiry; only "last seen" is durable (users table).
 *
 * Watchers follow users through Socket.IO rooms `watch:<userId>`; every change of a user's sockets
 * re-announces their status (clients treat it as the current status). An offline decision waits a short
 * grace period so a reloading tab does not flap offline → online.
 */
import { lastSeenOf, recordLastSeen } from '../data/presence';
import type { Logger } from '../logger';
import type { PresenceInfo, PresenceStatus } from '../schemas/user';
import { fetchSocketsAcross } from './fetch-sockets';
import { userRoom, watchRoom } from './groups';
import type { ParleyServer } from './server';

export interface PresenceTracker {
  /** Re-derives a user's status and tells watchers if it changed. `afterGrace` for disconnects. */
  refresh(userId: string, options?: { afterGrace?: boolean }): void;
  /** Current presence of these users (one adapter round trip plus one query for last-seen times). */
  snapshot(userIds: string[]): Promise<PresenceInfo[]>;
  /** Stops pending grace timers (shutdown, tests). */
  close(): void;
}

function statusOf(statuses: ('online' | 'away' | undefined)[]): PresenceStatus {
  if (statuses.length === 0) return 'offline';
  return statuses.some((s) => s !== 'away') ? 'online' : 'away';
}

export function createPresenceTracker(io: ParleyServer, deps: { log: Logger; graceMs: number }): PresenceTracker {
  const log = deps.log.child({ component: 'presence' });
  const graceTimers = new Map<string, ReturnType<typeof setTimeout>>();

  async function publish(userId: string): Promise<void> {
    const sockets = await fetchSocketsAcross(io.in(userRoom(userId)));
    const status = statusOf(sockets.map((s) => s.data.status));
    // Sent on every change of a user's sockets, even when the status is the same as before: with
    // several instances no single one knows what watchers last heard, and a repeat costs nothing.
    let lastSeenAt: string | null = null;
    if (status === 'offline') {
      const now = new Date();
      await recordLastSeen(userId, now);
      lastSeenAt = now.toISOString();
    }
    io.to(watchRoom(userId)).emit('presence:changed', { userId, status, lastSeenAt });
  }

  return {
    refresh(userId, options = {}) {
      clearTimeout(graceTimers.get(userId));
      graceTimers.delete(userId);
      const run = () => void publish(userId).catch((error: unknown) => log.warn({ err: error, userId }, 'presence update failed'));
      if (!options.afterGrace) return run();
      const timer = setTimeout(() => {
        graceTimers.delete(userId);
        run();
      }, deps.graceMs);
      timer.unref?.();
      graceTimers.set(userId, timer);
    },

    async snapshot(userIds) {
      if (userIds.length === 0) return [];
      const sockets = await fetchSocketsAcross(io.in(userIds.map(userRoom)));
      const byUser = new Map<string, ('online' | 'away' | undefined)[]>();
      for (const s of sockets) {
        const list = byUser.get(s.data.user.id) ?? [];
        list.push(s.data.status);
        byUser.set(s.data.user.id, list);
      }
      const offline = userIds.filter((id) => !byUser.has(id));
      const seen = await lastSeenOf(offline);
      return userIds.map((userId) => {
        const status = statusOf(byUser.get(userId) ?? []);
        return { userId, status, lastSeenAt: status === 'offline' ? (seen.get(userId)?.toISOString() ?? null) : null };
      });
    },

    close() {
      for (const timer of graceTimers.values()) clearTimeout(timer);
      graceTimers.clear();
    },
  };
}
