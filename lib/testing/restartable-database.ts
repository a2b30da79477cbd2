/**
 * A PostgreSQL of a test file's own, which the test may stop and start again (restart tests): an
 * embedded server in a temp directory, migrated, and made the process's database (lib/db.ts).
 */
import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { configureDatabase, disconnectDb } from '../db';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../postgres/embedded';
import { migrateDatabase } from '../postgres/migrate';
import { freePort } from './free-port';

export interface RestartableDatabase {
  /** The same URL across restarts (same port, same data). */
  readonly url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
}

export async function startRestartableDatabase(name: string): Promise<RestartableDatabase> {
  const dir = mkdtempSync(path.join(tmpdir(), `parley-${name}-`));
  chmodSync(dir, 0o755); // as root, PostgreSQL runs as the "postgres" user and must reach its directory
  const options = { dataDir: path.join(dir, 'pg'), port: await freePort(), database: name, persistent: true };
  let server: EmbeddedPostgres = await startEmbeddedPostgres(options);
  await migrateDatabase(server.url);
  await disconnectDb();
  configureDatabase(server.url);
  return {
    get url() {
      return server.url;
    },
    stop: () => server.stop(),
    async start() {
      server = await startEmbeddedPostgres(options);
    },
  };
}
