/**
 * The one Prisma client, on globalThis so server.ts (run by tsx) and Next's server bundle share a pool.
 * The database URL is decided once at start-up (DATABASE_URL or the embedded server) by
 * lib/postgres/database.ts and handed here with `configureDatabase`.
 */
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

export function getDb(): PrismaClient {
  globalForDb.parleyPrisma ??= new PrismaClient({
    adapter: new PrismaPg({ connectionString: databaseUrl(), max: 20, connectionTimeoutMillis: 5_000 }),
  });
  return globalForDb.parleyPrisma;
}

export async function disconnectDb(): Promise<void> {
  const client = globalForDb.parleyPrisma;
  globalForDb.parleyPrisma = undefined;
  await client?.$disconnect();
}
