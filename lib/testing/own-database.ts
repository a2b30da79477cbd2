/**
 * A fresh database of a test file's own, on the run's PostgreSQL server: migrated and made the process's
 * database (lib/db.ts), for tests of instance-wide state — the first account, the registration mode —
 * that would disturb (or be disturbed by) the other files sharing the run's database; or empty, for a
 * process under test to migrate itself.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { configureDatabase, disconnectDb } from '../db';
import { migrateDatabase } from '../postgres/migrate';

export interface OwnDatabase {
  readonly url: string;
  /** Closes the process's connections to it and drops it. */
  drop(): Promise<void>;
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

async function onServer(serverUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: withDatabase(serverUrl, 'postgres') });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/**
 * A new, EMPTY database on the run's server, for a process under test to migrate itself (npm start, the
 * container image). `serverUrl`: any database on the server (the run's, `inject('databaseUrl')`).
 */
export async function createEmptyDatabase(serverUrl: string, prefix: string): Promise<OwnDatabase> {
  const name = `parley_${prefix.replace(/[^a-z0-9_]/g, '_')}_${randomBytes(4).toString('hex')}`;
  await onServer(serverUrl, `CREATE DATABASE "${name}"`);
  return {
    url: withDatabase(serverUrl, name),
    drop: () => onServer(serverUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
  };
}

/** A new database, migrated and made this process's database (lib/db.ts). */
export async function createOwnDatabase(serverUrl: string, prefix: string): Promise<OwnDatabase> {
  const empty = await createEmptyDatabase(serverUrl, prefix);
  await migrateDatabase(empty.url);
  await disconnectDb();
  configureDatabase(empty.url);
  return {
    url: empty.url,
    async drop() {
      await disconnectDb();
      await empty.drop();
    },
  };
}
