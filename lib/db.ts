/**
 * The one Prisma client, on globalThis so server.ts (run by tsx) and Next's server bundle share a pool.
 * The database URL is decided once at start-up (DATABASE_URL or the embedded server) by
 * lib/postgres/database.ts and handed here with `configureDatabase`.
 */
import { createHash } from 'node:crypto';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '@/generated/prisma/client.ts';
import { getEnv } from './env';

export type { PrismaClient };

const globalForDb = globalThis as unknown as { parleyPrisma?: PrismaClient; parleyDatabaseUrl?: string };

/** Records the URL the process uses. Called by server.ts and the test harness before the first query. */
export function configureDatabase(url: string): void {
  globalForDb.parleyDatabaseUrl = url;
}

export function databaseUrl(): string {
  const url = globalForDb.parleyDatabaseUrl ?? getEnv().DATABASE_URL;
  if (!url) throw new Error('The database is not configured yet (configureDatabase was not called).');
  return url;
}

/**
 * Named statements: each pooled connection parses and plans a query once, then reuses it. Unnamed (the
 * adapter's default), PostgreSQL re-planned createMessage on every send: 0.8 ms of database CPU per
 * message against 0.29 ms (bench, 2026-11-21). The name is a hash of the SQL, so distinct texts never
 * collide; the set of texts is the app's own queries, so the per-connection cache stays small.
 */
function statementName(query: { sql: string }): string {
  return `p${createHash('sha1').update(query.sql).digest('base64url')}`;
}

export function getDb(): PrismaClient {
  globalForDb.parleyPrisma ??= new PrismaClient({
    adapter: new PrismaPg(
      { connectionString: databaseUrl(), max: 20, connectionTimeoutMillis: 5_000 },
      { statementNameGenerator: statementName },
    ),
  });
  return globalForDb.parleyPrisma;
}

export async function disconnectDb(): Promise<void> {
  const client = globalForDb.parleyPrisma;
  globalForDb.parleyPrisma = undefined;
  await client?.$disconnect();
}
