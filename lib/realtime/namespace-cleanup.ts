/**
 * Closes a dynamic (room) namespace once nobody is in it or being admitted to it, so an instance holds
 * namespaces only for the rooms open on it.
 *
 * Socket.IO's own `cleanupEmptyChildNamespaces` (socket.io 4.8, parent-namespace.js) counts only the
 * connected sockets. A socket still in the asynchronous admission middleware when the last one left
 * was then admitted into a namespace no longer registered in `io._nsps`, where nothing addressed to
 * the room ever reached it (the room bus finds namespaces by name); and when that stale namespace
 * emptied in turn, its cleanup deleted its successor from `io._nsps`, deafening that one's sockets too.
 */
import type { Namespace, Server } from 'socket.io';

/** What this needs of Socket.IO's internals (namespace.js, parent-namespace.js). */
interface ChildNamespaceInternals {
  name: string;
  sockets: Map<string, unknown>;
  _preConnectSockets: Map<string, unknown>;
  _remove(socket: unknown): void;
  adapter: { close(): Promise<void> | void };
}

/**
 * Installs the clean-up for every child of `parent` created from now on. Use with the server option
 * `cleanupEmptyChildNamespaces: false`.
 */
export function closeEmptyChildNamespaces(io: Server, parent: Namespace): void {
  const { children } = parent as unknown as { children: Set<unknown> };
  const registry = (io as unknown as { _nsps: Map<string, unknown> })._nsps;
  io.on('new_namespace', (created: Namespace) => {
    const nsp = created as unknown as ChildNamespaceInternals;
    if (!children.has(nsp)) return;
    const remove = nsp._remove.bind(nsp);
    nsp._remove = (socket) => {
      remove(socket);
      if (nsp.sockets.size > 0 || nsp._preConnectSockets.size > 0) return;
      void nsp.adapter.close();
      // Only if it is still the registered one: never a successor of the same name.
      if (registry.get(nsp.name) === nsp) registry.delete(nsp.name);
      children.delete(nsp);
    };
  });
}
