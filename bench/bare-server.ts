/**
 * The baseline: a bare Socket.IO fan-out server with the same namespace shape and options as Parley's
 * (dynamic `/r/<id>`, 64 KiB max payload, the same ping interval, empty namespaces cleaned up) — no auth, no validation, no
 * database. On `message:send` it acks `{ ok: true, data: { ...payload, seq } }` and emits `message:new`
 * to the namespace. Started by bench/run.ts; tells it its port over IPC, and answers its GC and stats
 * requests (bench/shared.ts answerServerCommands).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { ENGINE_PING, MAX_SOCKET_PAYLOAD_BYTES } from '../lib/realtime/engine-options';
import { answerServerCommands, exitWithParent } from './shared';

const httpServer = createServer();
const io = new Server(httpServer, { serveClient: false, maxHttpBufferSize: MAX_SOCKET_PAYLOAD_BYTES, ...ENGINE_PING, cleanupEmptyChildNamespaces: true });
const seqs = new Map<string, number>();

io.of(/^\/r\/[\w-]+$/).on('connection', (socket) => {
  const nsp = socket.nsp;
  socket.on('message:send', (payload: Record<string, unknown>, ack: unknown) => {
    if (typeof ack !== 'function') return;
    const seq = (seqs.get(nsp.name) ?? 0) + 1;
    seqs.set(nsp.name, seq);
    const message = { ...payload, seq };
    ack({ ok: true, data: message });
    nsp.emit('message:new', message);
  });
});

answerServerCommands(() => ({
  notifySent: 0,
  notifyHeartbeat: 0,
  notifyReceived: 0,
  connections: io.engine.clientsCount,
  roomNamespaces: [...io._nsps.keys()].filter((name) => name.startsWith('/r/')).length,
}));

function shutdown(): Promise<void> {
  return new Promise((resolve) => void io.close(() => resolve()));
}
exitWithParent(shutdown);
process.on('SIGTERM', () => void shutdown().finally(() => process.exit(0)));

httpServer.listen(0, '127.0.0.1', () => {
  const { port } = httpServer.address() as AddressInfo;
  process.send?.({ type: 'ready', port });
});
