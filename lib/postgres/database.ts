/** Decides which PostgreSQL the process uses and brings it up to date: DATABASE_URL, or the embedded one. */
import path from 'node:path';
import type { Env } from '../env';
import type { Logger } from '../logger';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './embedded';
import { migrateDatabase } from './migrate';

export interface OpenDatabase {
  url: string;
  embedded: EmbeddedPostgres | undefined;
  close(): Promise<void>;
}

export async function openDatabase(env: Env, log: Logger): Promise<OpenDatabase> {
  let embedded: EmbeddedPostgres | undefined;
  let url = env.DATABASE_URL;
  if (!url) {
    const started = Date.now();
    embedded = await startEmbeddedPostgres({
      dataDir: path.join(env.DATA_DIR, 'postgres'),
      port: env.EMBEDDED_PG_PORT,
      database: 'parley',
      persistent: true,
      log: (level, message) => log[level]({ component: 'embedded-postgres' }, message),
    });
    url = embedded.url;
    log.info({ port: embedded.port, ms: Date.now() - started }, 'embedded PostgreSQL ready');
  }
  try {
    const result = await migrateDatabase(url, { log: (message) => log.info({ component: 'migrate' }, message) });
    log.info({ applied: result.applied.length, alreadyApplied: result.alreadyApplied }, 'database schema up to date');
  } catch (error) {
    await embedded?.stop();
    throw error;
  }
  return {
    url,
    embedded,
    async close() {
      await embedded?.stop();
    },
  };
}
