/**
 * Whether cross-instance broadcast is listening, for /api/ready: an instance whose LISTEN connection is
 * down (e.g. for a moment after a PostgreSQL restart) would miss what the other instances broadcast. On
 * globalThis, like the Socket.IO server (notify.ts), so Next's route handlers see what server.ts set up.
 */
const registry = globalThis as unknown as { parleyBroadcastChecks?: Set<() => boolean> };

export function registerBroadcastCheck(check: () => boolean): () => void {
  const checks = (registry.parleyBroadcastChecks ??= new Set());
  checks.add(check);
  return () => void checks.delete(check);
}

/** `null` without cross-instance broadcast (a single instance in memory). */
export function broadcastListening(): boolean | null {
  const checks = registry.parleyBroadcastChecks;
  if (!checks || checks.size === 0) return null;
  return [...checks].every((check) => check());
}
