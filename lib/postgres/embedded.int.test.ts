import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { freePort } from '../testing/free-port';
import { startEmbeddedPostgres } from './embedded';

function tempCluster(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'parley-embedded-'));
  chmodSync(dir, 0o755);
  return path.join(dir, 'pg');
}

function postgresProcessesFor(dataDir: string): string[] {
  const out = execFileSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' });
  return out.split('\n').filter((line) => line.includes(`-D ${dataDir}`));
}

async function canQuery(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query('SELECT 1 AS one')).rows[0]?.one === 1;
  } finally {
    await client.end();
  }
}

describe('embedded PostgreSQL', () => {
  it('keeps data across restarts, and recovers from a server left running by a killed process', async () => {
    const dataDir = tempCluster();
    const port = await freePort();
    const first = await startEmbeddedPostgres({ dataDir, port, database: 'app', persistent: true });
    const client = new pg.Client({ connectionString: first.url });
    await client.connect();
    await client.query('CREATE TABLE kept (v int); INSERT INTO kept VALUES (42)');
    await client.end();

    // Node "dies" without stopping it: PostgreSQL keeps running and its postmaster.pid stays.
    expect(postgresProcessesFor(dataDir)).toHaveLength(1);
    const second = await startEmbeddedPostgres({ dataDir, port, database: 'app', persistent: true });
    expect(second.pid).not.toBe(first.pid);
    const check = new pg.Client({ connectionString: second.url });
    await check.connect();
    expect((await check.query('SELECT v FROM kept')).rows).toEqual([{ v: 42 }]);
    await check.end();
    await second.stop();
    expect(postgresProcessesFor(dataDir)).toHaveLength(0);
  });

  it('starts over a stale postmaster.pid whose process is gone', async () => {
    const dataDir = tempCluster();
    const port = await freePort();
    const server = await startEmbeddedPostgres({ dataDir, port, database: 'app', persistent: true });
    await server.stop();
    writeFileSync(path.join(dataDir, 'postmaster.pid'), '999999\n' + dataDir + '\n');
    const again = await startEmbeddedPostgres({ dataDir, port, database: 'app', persistent: true });
    expect(await canQuery(again.url)).toBe(true);
    await again.stop();
  });

  it('stop() returns when PostgreSQL has already stopped (signalled directly, or crashed)', async () => {
    const dataDir = tempCluster();
    const server = await startEmbeddedPostgres({ dataDir, port: await freePort(), database: 'app', persistent: false });
    process.kill(server.pid!, 'SIGINT'); // as a terminal's Ctrl-C to its process group would
    await expect.poll(() => postgresProcessesFor(dataDir), { timeout: 10_000 }).toHaveLength(0);
    await server.stop(); // the package alone would wait forever for an exit event that has already passed
    expect(existsSync(dataDir)).toBe(false); // not persistent: removed all the same
  });

  it('says which port to change when the port is taken', async () => {
    const port = await freePort();
    const holder = await startEmbeddedPostgres({ dataDir: tempCluster(), port, database: 'a', persistent: false });
    await expect(startEmbeddedPostgres({ dataDir: tempCluster(), port, database: 'b', persistent: false })).rejects.toThrow(/EMBEDDED_PG_PORT/);
    await holder.stop();
  });
});
