/**
 * The uploads scenario's baseline (bench/uploads.ts): the least a server can do with an upload — stream
 * the request body to a file on disk, fsync it, answer 201 with its size. No session, no database, no
 * type sniffing, hashing or storage backend. Started by bench/run.ts; tells it its port over IPC.
 */
import { randomUUID } from 'node:crypto';
import { createWriteStream, mkdirSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { exitWithParent } from './shared';

const dir = process.env.BENCH_UPLOAD_DIR;
if (!dir) throw new Error('BENCH_UPLOAD_DIR is not set (bench/uploads.ts sets it)');
mkdirSync(dir, { recursive: true });

const httpServer = createServer((req, res) => {
  if (req.method !== 'POST') {
    res.writeHead(405).end();
    return;
  }
  const file = path.join(dir, randomUUID());
  let size = 0;
  req.on('data', (chunk: Buffer) => {
    size += chunk.length;
  });
  pipeline(req, createWriteStream(file))
    .then(async () => {
      const handle = await open(file, 'r');
      await handle.sync();
      await handle.close();
      res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ size }));
    })
    .catch(() => {
      rmSync(file, { force: true });
      if (!res.headersSent) res.writeHead(400).end();
    });
});

function shutdown(): Promise<void> {
  return new Promise((resolve) => httpServer.close(() => resolve()));
}
exitWithParent(shutdown);
process.on('SIGTERM', () => void shutdown().finally(() => process.exit(0)));

httpServer.listen(0, '127.0.0.1', () => {
  const { port } = httpServer.address() as AddressInfo;
  process.send?.({ type: 'ready', port });
});
