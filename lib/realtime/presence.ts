/**
 * Who is online, away or offline. The truth is the set of main-namespace sockets each user has (a
 * socket per tab, joined to `user:<id>`), read with fetchSockets — which goes through the adapter, so
 * it stays right with several instances. Why not a presence table with heartbeats: the sockets already
 * are the heartbeat, and a table would need its own expiry; only "last seen" is durable (users table).
 *
 * Presence is visible only between people who share a room (lib/data/audience.ts decides). Watchers
 * follow users through Socket.IO rooms `watch:<userId>`, joined only for users they may see; every change
 * of a user's sockets re-announces their status to those watchers who may still see it — checked at
 * that moment, so a watch ends as soon as the last shared room does. An offline decision waits a short
 * grace period so a reloading tab does not flap offline → online.
 */
import { presenceVisibleTo, viewersOfPresence } from '../data/audience';
import { lastSeenOf, recordLastSeen } from '../data/presence';
import type { Logger } from '../logger';
import type { PresenceInfo, PresenceStatus } from '../schemas/user';
import { fetchSocketsAcross } from './fetch-sockets';
import { userRoom, watchRoom } from './groups';
import type { MainSocket } from './notify';
import type { ParleyServer } from './server';

export interface PresenceTracker {
  /** Re-derives a user's status and tells watchers if it changed. `afterGrace` for disconnects. */
  refresh(userId: string, options?: { afterGrace?: boolean }): void;
  /**
   * Replaces what a main socket watches with those of `userIds` its user may see, and returns their
   * current presence (in the order given, once each). Calls on one socket take effect in order.
   */
  watch(socket: MainSocket, userIds: string[]): Promise<PresenceInfo[]>;
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
  /** Users being published, and whether something changed meanwhile (publish again after). */
  const publishing = new Map<string, { again: boolean }>();
  const watching = new WeakMap<MainSocket, Promise<unknown>>();

  async function publish(userId: string): Promise<void> {
    // The user's own tabs (their status) and the tabs watching them, in one round trip.
    const sockets = await fetchSocketsAcross(io.in([userRoom(userId), watchRoom(userId)]));
    const status = statusOf(sockets.filter((s) => s.rooms.has(userRoom(userId))).map((s) => s.data.status));
    let lastSeenAt: string | null = null;
    if (status === 'offline') {
      const now = new Date();
      await recordLastSeen(userId, now);
      lastSeenAt = now.toISOString();
    }
    const watchers = sockets.filter((s) => s.rooms.has(watchRoom(userId)));
    if (watchers.length === 0) return;
    const viewers = await viewersOfPresence({ userId, viewerIds: [...new Set(watchers.map((s) => s.data.user.id))] });
    const allowed = watchers.filter((s) => viewers.has(s.data.user.id)).map((s) => s.id);
    const revoked = watchers.filter((s) => !viewers.has(s.data.user.id)).map((s) => s.id);
    // No room in common any more: their watch of this user ends (watching again would leave it out).
    if (revoked.length > 0) io.in(revoked).socketsLeave(watchRoom(userId));
    // Sent on every change of a user's sockets, even when the status is the same as before: with
    // several instances no single one knows what watchers last heard, and a repeat costs nothing.
    if (allowed.length > 0) io.to(allowed).emit('presence:changed', { userId, status, lastSeenAt });
  }

  /** One publish per user at a time (they read, then announce): a change meanwhile publishes again after. */
  function publishInTurn(userId: string): void {
    const running = publishing.get(userId);
    if (running) return void (running.again = true);
    const state = { again: false };
    publishing.set(userId, state);
    void (async () => {
      do {
        state.again = false;
        await publish(userId).catch((error: unknown) => log.warn({ err: error, userId }, 'presence update failed'));
      } while (state.again);
      publishing.delete(userId);
    })();
  }

  async function snapshot(userIds: string[]): Promise<PresenceInfo[]> {
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
  }

  async function replaceWatch(socket: MainSocket, userIds: string[]): Promise<PresenceInfo[]> {
    const distinct = [...new Set(userIds)];
    const visible = await presenceVisibleTo({ viewerId: socket.data.user.id, userIds: distinct });
    const allowed = distinct.filter((id) => visible.has(id));
    const wanted = new Set<string>(allowed.map(watchRoom));
    for (const room of socket.rooms) if (room.startsWith('watch:') && !wanted.has(room)) void socket.leave(room);
    await socket.join([...wanted]);
    return snapshot(allowed);
  }

  return {
    refresh(userId, options = {}) {
      clearTimeout(graceTimers.get(userId));
      graceTimers.delete(userId);
      if (!options.afterGrace) return publishInTurn(userId);
      const timer = setTimeout(() => {
        graceTimers.delete(userId);
        publishInTurn(userId);
      }, deps.graceMs);
      timer.unref?.();
      graceTimers.set(userId, timer);
    },

    watch(socket, userIds) {
      const result = (watching.get(socket) ?? Promise.resolve()).then(() => replaceWatch(socket, userIds));
      const turn = result.catch(() => undefined);
      watching.set(socket, turn);
      // Nothing queued behind it: the socket keeps no settled promise for the rest of its life.
      void turn.then(() => watching.get(socket) === turn && watching.delete(socket));
      return result;
    },

    close() {
      for (const timer of graceTimers.values()) clearTimeout(timer);
      graceTimers.clear();
    },
  };
}
