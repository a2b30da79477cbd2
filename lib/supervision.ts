/**
 * How Parley's processes notice that the process above them is gone, so that stopping the top one (npm,
 * by a process manager or a terminal) stops everything below it, even when no signal is passed on.
 * Node has no PR_SET_PDEATHSIG; these are the portable equivalents.
 */

/**
 * Calls `onExit` once when the supervisor that spawned this process with an IPC channel (scripts/start.ts,
 * scripts/cluster.ts) goes away, however it ended (even `kill -9`): the kernel closes the channel. Does
 * nothing when there is no channel (server.ts run directly by systemd, Docker, a shell).
 */
export function onSupervisorExit(onExit: () => void): void {
  if (!process.connected) return;
  process.once('disconnect', onExit);
  process.channel?.unref(); // the channel alone must not keep the process alive
}

/**
 * Calls `onExit` once when the process that launched this one (npm, for the entry points of npm scripts:
 * scripts/start.ts, scripts/cluster.ts) has exited, which shows as a new parent pid. npm passes SIGINT and
 * SIGTERM on, but a `kill -9` of npm passes nothing, and then nobody else would stop us. Polls getppid,
 * which costs nothing. Not for server.ts: `nohup node server.ts &` must outlive its shell.
 */
export function onLauncherExit(onExit: () => void, intervalMs = 250): void {
  const launcher = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid === launcher) return;
    clearInterval(timer);
    onExit();
  }, intervalMs);
  timer.unref();
}
