/**
 * REALTIME_ADAPTER → the cross-instance adapter, in one place for server.ts, the benchmark server and the
 * test instances. `memory` (one instance) has none.
 */
import type { Env } from '../env';
import type { Logger } from '../logger';
import { createPostgresAdapter } from './adapter';
import { createRedisAdapter } from './adapter-redis';
import type { ClusterAdapterHandle } from './cluster-adapter';

export type ClusterAdapterConfig = { kind: 'postgres'; databaseUrl: string } | { kind: 'redis'; url: string; prefix: string };

/** What the configuration asks for; `databaseUrl` is the database in use (embedded or DATABASE_URL). */
export function clusterAdapterConfig(
  env: Pick<Env, 'REALTIME_ADAPTER' | 'REDIS_URL' | 'REDIS_PREFIX'>,
  databaseUrl: string,
): ClusterAdapterConfig | undefined {
  switch (env.REALTIME_ADAPTER) {
    case 'postgres':
      return { kind: 'postgres', databaseUrl };
    case 'redis':
      // lib/env.ts refuses redis without REDIS_URL; this only narrows the type.
      if (!env.REDIS_URL) throw new Error('REALTIME_ADAPTER=redis needs REDIS_URL');
      return { kind: 'redis', url: env.REDIS_URL, prefix: env.REDIS_PREFIX };
    case 'memory':
      return undefined;
  }
}

export function createClusterAdapter(config: ClusterAdapterConfig, log: Logger): ClusterAdapterHandle {
  return config.kind === 'postgres' ? createPostgresAdapter(config.databaseUrl, log) : createRedisAdapter(config, log);
}
