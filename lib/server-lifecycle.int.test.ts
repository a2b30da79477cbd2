/**
 * server.ts as a user runs it: no DATABASE_URL (embedded PostgreSQL), serving, then SIGTERM: it must
 * exit 0 within a few seconds and leave no PostgreSQL behind. Development mode, so no build is needed.
 */
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort } from './testing/free-port';

async function waitForHttp(url: string, timeoutMs: number): Promise<Response> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fetch(url);
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

describe('server.ts lifecycle', () => {
  it('starts on embedded PostgreSQL with no configuration and shuts down cleanly on SIGTERM', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'parley-lifecycle-'));
    chmodSync(dataDir, 0o755);
    const [port, pgPort] = await Promise.all([freePort(), freePort()]);
    const child = spawn(process.execPath, ['--import', 'tsx', 'server.ts'], {
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        NODE_ENV: 'development',
        PORT: String(port),
        HOST: '127.0.0.1',
        DATA_DIR: dataDir,
        EMBEDDED_PG_PORT: String(pgPort),
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));

    const ready = await waitForHttp(`http://127.0.0.1:${port}/api/ready`, 60_000);
    expect(ready.status, output).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', database: { ok: true } });
    expect(output).toContain('embedded PostgreSQL ready');
    const secret = readFileSync(path.join(dataDir, 'auth-secret'), 'utf8').trim();
    const dbPassword = readFileSync(path.join(dataDir, 'postgres.password'), 'utf8').trim();
    expect(output).not.toContain(secret); // nothing secret in logs
    expect(output).not.toContain(dbPassword);

    // A sign-up hashes its password in the worker pool, from Next's (development) bundle; shutdown closes the pool.
    const password = 'a sturdy passphrase';
    const signUp = await fetch(`http://127.0.0.1:${port}/api/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: `life${Date.now().toString(36)}`, displayName: 'Lifecycle', password, confirmPassword: password }),
    });
    expect(signUp.status, output).toBe(201);

    const started = Date.now();
    child.kill('SIGTERM');
    const code = await exited;
    expect(code, output).toBe(0);
    expect(Date.now() - started).toBeLessThan(8_000);
    expect(output).toContain('shutdown complete');
    const leftovers = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).split('\n').filter((l) => l.includes(dataDir));
    expect(leftovers).toEqual([]);
  }, 90_000);
});
