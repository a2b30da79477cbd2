/**
 * Vitest global setup: one test database for the whole run, shared with workers via provide/inject; and
 * whether the shared Redis answers (the Redis variants of the adapter suites skip, saying why, if not).
 */
import { randomUUID } from 'node:crypto';
import { createClient } from 'redis';
import type { TestProject } from 'vitest/node';
import { defaultTestRedisUrl, probeRedis, testRedisRunPrefix } from './redis';
import { startTestDatabase } from './test-database';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const database = await startTestDatabase();
  project.provide('databaseUrl', database.url);
  const redisUrl = defaultTestRedisUrl();
  const redisMissing = await probeRedis(redisUrl);
  project.provide('redisUrl', redisMissing ? '' : redisUrl);
  project.provide('redisMissing', redisMissing ?? '');
  const redisRun = randomUUID().slice(0, 8);
  project.provide('redisRun', redisRun);
  return async () => {
    if (!redisMissing) await deleteTestStreams(redisUrl, testRedisRunPrefix(redisRun)).catch(() => undefined);
    await database.stop();
  };
}

/** The streams this run's adapters left on the shared Redis (each file has its own, lib/testing/redis.ts); not another run's. */
async function deleteTestStreams(url: string, prefix: string): Promise<void> {
  const client = createClient({ url, socket: { reconnectStrategy: false } });
  client.on('error', () => undefined);
  await client.connect();
  try {
    for await (const keys of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 1000 })) {
      if (keys.length > 0) await client.del(keys);
    }
  } finally {
    client.destroy();
  }
}
