/**
 * The one Prisma client, on globalThis so server.ts (run by tsx) and Next's server bundle share a pool.
 * The database URL is decided once at start-up (DATABASE_URL or the embedded server) by
 * lib/postgres/database.ts and handed here with `configureDatabase`.
 */
import { createHash } from 'node:crypto';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaClient } from '@/generated/prisma/client.ts';
import { getEnv } from './env';
import { getLogger } from './logger';
import { endPool, trackPoolConnections } from './postgres/pool-end';

export type { PrismaClient };

const globalForDb = globalThis as unknown as {
  parleyPrisma?: PrismaClient;
  parleyPool?: pg.Pool;
  parleyDatabaseUrl?: string;
};

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
  let name = statementNames.get(query.sql);
  if (!name) {
    name = `p${createHash('sha1').update(query.sql).digest('base64url')}`;
    // Texts that vary (IN lists of every length) must not grow the map without bound.
    if (statementNames.size >= 1_000) statementNames.clear();
    statementNames.set(query.sql, name);
  }
  return name;
}
const statementNames = new Map<string, string>();

/**
 * Our own pool, handed to Prisma's adapter, so that (1) an idle connection that dies with a restarting
 * PostgreSQL is an error we log instead of an unhandled 'error' event that kills the process, and
 * (2) its use can be reported as a metric.
 */
export function getDbPool(): pg.Pool {
  if (!globalForDb.parleyPool) {
    const pool = new pg.Pool({ connectionString: databaseUrl(), max: 20, connectionTimeoutMillis: 5_000 });
    trackPoolConnections(pool);
    pool.on('error', (error) => getLogger().warn({ err: error.message }, 'database connection lost (idle client); the pool reconnects'));
    globalForDb.parleyPool = pool;
  }
  return globalForDb.parleyPool;
}

export function getDb(): PrismaClient {
  globalForDb.parleyPrisma ??= new PrismaClient({
    adapter: new PrismaPg(getDbPool(), { statementNameGenerator: statementName }),
  });
  return globalForDb.parleyPrisma;
}

export async function disconnectDb(): Promise<void> {
  const client = globalForDb.parleyPrisma;
  const pool = globalForDb.parleyPool;
  globalForDb.parleyPrisma = undefined;
  globalForDb.parleyPool = undefined;
  await client?.$disconnect();
  if (pool) await endPool(pool);
}
