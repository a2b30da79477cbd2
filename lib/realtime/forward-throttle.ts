/**
 * Per-key, forward-only throttle for position reports (delivery acks): the first value goes out at once
 * (or after `spread()` ms), later ones at most once per interval, and only the highest one waiting is sent.
 * Lower or equal values than what was sent are dropped.
 *
 * `spread`: every member of a room hears of a message at the same moment, so reports sent at once arrive
 * together — a thousand in a few milliseconds for a large room, which holds up the messages behind them.
 * A random delay for the first report spreads them out.
 */
export interface ForwardThrottle {
  push(key: string, value: number): void;
  /** Forgets what was sent (after a reconnect the server may not have it all). */
  reset(): void;
  dispose(): void;
}

export function createForwardThrottle(
  send: (key: string, value: number) => void,
  intervalMs: number,
  spread: () => number = () => 0,
): ForwardThrottle {
  const state = new Map<string, { sent: number; at: number; waiting?: number; timer?: ReturnType<typeof setTimeout> }>();

  function flush(key: string): void {
    const entry = state.get(key);
    if (!entry || entry.waiting === undefined) return;
    const value = entry.waiting;
    entry.waiting = undefined;
    entry.timer = undefined;
    entry.sent = value;
    entry.at = Date.now();
    send(key, value);
  }

  return {
    push(key, value) {
      let entry = state.get(key);
      if (!entry) {
        entry = { sent: -Infinity, at: -Infinity };
        state.set(key, entry);
      }
      if (value <= Math.max(entry.sent, entry.waiting ?? -Infinity)) return;
      entry.waiting = value;
      if (entry.timer !== undefined) return;
      const remaining = entry.at + intervalMs - Date.now();
      const wait = remaining > 0 ? remaining : spread();
      if (wait <= 0) flush(key);
      else entry.timer = setTimeout(() => flush(key), wait);
    },
    reset() {
      for (const entry of state.values()) clearTimeout(entry.timer);
      state.clear();
    },
    dispose() {
      this.reset();
    },
  };
}
