/**
 * endPool: once it resolves, the pool's connections are gone from the server — so stopping the database
 * right after cuts nobody off (pg-pool's own end() resolves before its connections have closed).
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';
import { endPool, trackPoolConnections } from './pool-end';

async function backendsNamed(name: string): Promise<number> {
  const observer = new pg.Client({ connectionString: inject('databaseUrl') });
  await observer.connect();
  try {
    const { rows } = await observer.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1', [name]);
    return rows[0]!.n;
  } finally {
    await observer.end();
  }
}

describe('endPool', () => {
  it('resolves only once every connection of the pool has closed', async () => {
    const name = `pool-end-${randomUUID().slice(0, 8)}`;
    const pool = new pg.Pool({ connectionString: inject('databaseUrl'), application_name: name, max: 20 });
    trackPoolConnections(pool);
    // Twenty connections, each busy at once, then idle in the pool.
    await Promise.all(Array.from({ length: 20 }, () => pool.query('SELECT pg_sleep(0.05)')));
    expect(await backendsNamed(name)).toBe(20);

    await endPool(pool);
    // Asked at once: with pg-pool's end() alone, the backends are usually still there at this point.
    expect(await backendsNamed(name)).toBe(0);
  });
});
