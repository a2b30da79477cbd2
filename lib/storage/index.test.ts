import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEnv } from '../env';
import { startS3Server, type TestS3Server } from '../testing/s3-server';
import { closeStorage, getStorage, setStorageForTests, storageFromEnv } from './index';
import { createLocalStorage } from './local';

const AUTH_SECRET = 'index-test-secret-0123456789abcdefghijklmnopqrstuvwxyz';

describe('storageFromEnv', () => {
  let dataDir: string;
  let s3: TestS3Server;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'parley-storage-env-'));
    s3 = await startS3Server();
  });
  afterAll(async () => {
    await s3?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('keeps local files under DATA_DIR/files', async () => {
    const storage = storageFromEnv(parseEnv({ AUTH_SECRET, DATA_DIR: dataDir }));
    expect(storage.driver).toBe('local');
    const source = path.join(dataDir, 'source.txt');
    await writeFile(source, 'bytes');
    await storage.putFile('room/file', source, { contentType: 'text/plain' });
    expect(existsSync(path.join(dataDir, 'files', 'room', 'file'))).toBe(true);
  });

  const s3Env = () => ({
    AUTH_SECRET,
    DATA_DIR: dataDir,
    STORAGE_DRIVER: 's3',
    S3_ENDPOINT: s3.endpoint,
    S3_BUCKET: s3.bucket,
    S3_ACCESS_KEY_ID: s3.credentials.accessKeyId,
    S3_SECRET_ACCESS_KEY: s3.credentials.secretAccessKey,
  });

  it('reaches a real S3 endpoint with the settings', async () => {
    const storage = storageFromEnv(parseEnv(s3Env()));
    expect(storage.driver).toBe('s3');
    await storage.check();
    await storage.close();
  });

  it('uses path-style URLs for an S3_ENDPOINT unless S3_FORCE_PATH_STYLE=false', { timeout: 20_000 }, async () => {
    // A hostname, not an IP: for an IP the SDK goes path-style whatever it is told.
    const seen: { host?: string; url?: string }[] = [];
    const fake = createServer((request, response) => {
      seen.push({ host: request.headers.host, url: request.url });
      response.end();
    });
    await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve));
    const endpoint = `http://localhost:${(fake.address() as AddressInfo).port}`;
    try {
      const pathStyle = storageFromEnv(parseEnv({ ...s3Env(), S3_ENDPOINT: endpoint }));
      await pathStyle.check();
      await pathStyle.close();
      expect(seen).toEqual([{ host: expect.stringMatching(/^localhost:/), url: '/parley-test/' }]);
      seen.length = 0;
      // Virtual-host style asks parley-test.localhost, which may not resolve here: the check may fail.
      const hostStyle = storageFromEnv(parseEnv({ ...s3Env(), S3_ENDPOINT: endpoint, S3_FORCE_PATH_STYLE: 'false' }));
      await hostStyle.check().catch(() => undefined);
      await hostStyle.close();
      expect(seen.filter((request) => request.url?.startsWith('/parley-test'))).toEqual([]);
    } finally {
      fake.closeAllConnections();
      await new Promise((resolve) => fake.close(resolve));
    }
  });
});

describe('the process-wide storage', () => {
  afterAll(() => setStorageForTests(undefined));

  it('is one instance until closed, and can be replaced by tests', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'parley-storage-global-'));
    try {
      const replacement = createLocalStorage({ root });
      setStorageForTests(replacement);
      expect(getStorage()).toBe(replacement);
      expect(getStorage()).toBe(getStorage());
      await closeStorage();
      expect(getStorage()).not.toBe(replacement); // made afresh from the environment
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
