/**
 * A real S3 API for tests: s3rver on 127.0.0.1 (a free port) with its data in a fresh temp folder and one
 * bucket made. Tests run the file code on the S3 backend against it, with its default credentials.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import S3rver from 's3rver';

export interface TestS3Server {
  endpoint: string;
  bucket: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** Stops the server (dropping open connections) and removes its data. */
  close(): Promise<void>;
}

export async function startS3Server(options: { bucket?: string } = {}): Promise<TestS3Server> {
  const bucket = options.bucket ?? 'parley-test';
  const directory = await mkdtemp(path.join(tmpdir(), 'parley-s3rver-'));
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    // Path-style only: vhost matching would read a bucket name out of `127.0.0.1`.
    vhostBuckets: false,
    configureBuckets: [{ name: bucket }],
  });
  let address;
  try {
    address = await server.run();
  } catch (error) {
    await rm(directory, { recursive: true, force: true });
    throw error;
  }
  let closed: Promise<void> | undefined;
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    bucket,
    region: 'us-east-1',
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    close() {
      closed ??= (async () => {
        // Clients keep connections alive; without this, close() waits for them to time out.
        server.httpServer?.closeAllConnections();
        await server.close();
        await rm(directory, { recursive: true, force: true });
      })();
      return closed;
    },
  };
}
