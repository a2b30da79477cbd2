/**
 * A database for one test run that never touches development data: TEST_DATABASE_URL when set (CI may
 * point it at any server), otherwise a throwaway embedded PostgreSQL in a temp directory.
 */
import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startEmbeddedPostgres } from '../postgres/embedded';
import { migrateDatabase } from '../postgres/migrate';
import { freePort } from './free-port';

export interface TestDatabase {
  url: string;
  stop(): Promise<void>;
}

export async function startTestDatabase(): Promise<TestDatabase> {
  // Test-only setting, read here rather than in lib/env.ts, which describes the product.
  const external = process.env.TEST_DATABASE_URL;
  if (external) {
    await migrateDatabase(external);
    return { url: external, stop: async () => undefined };
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'parley-test-'));
  chmodSync(dir, 0o755); // as root, PostgreSQL runs as the "postgres" user and must reach its directory
  const server = await startEmbeddedPostgres({
    dataDir: path.join(dir, 'pg'),
    port: await freePort(),
    database: 'parley_test',
    persistent: false,
  });
  await migrateDatabase(server.url);
  return { url: server.url, stop: () => server.stop() };
}
