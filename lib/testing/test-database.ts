/**
 * A database for one test run that never touches development data: TEST_DATABASE_URL when set (CI may
 * point it at any server), otherwise a throwaway embedded PostgreSQL in a temp directory.
 */
import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
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
    await takeFirstAccount(external);
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
  await takeFirstAccount(server.url);
  return { url: server.url, stop: () => server.stop() };
}

/**
 * The instance's first account becomes its administrator (docs/protocol.md §4.15). Created here, before
 * any test runs, so that no test's user becomes an instance admin by winning a race to be first (and
 * passes a permission check it was written to fail). It cannot sign in: "!" is no bcrypt hash.
 */
async function takeFirstAccount(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`
      INSERT INTO users (id, username, display_name, password_hash, is_admin)
      SELECT gen_random_uuid(), 'first-account', 'First account', '!', true
      WHERE NOT EXISTS (SELECT 1 FROM users)
      ON CONFLICT DO NOTHING`);
  } finally {
    await client.end();
  }
}
