/**
 * The Prisma CLI with the schema engine stand-in (scripts/prisma-engine/engine.mjs), against the run's test database
 * (migrated by lib/postgres/migrate.ts). A crashed engine can make the CLI exit 0 silently, so every case checks
 * the output, not only the exit code.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { inject, describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..', '..');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function prisma(args: string[], env: Record<string, string | undefined> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [path.join(root, 'scripts', 'prisma.mjs'), ...args],
      {
        cwd: root,
        env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', CHECKPOINT_DISABLE: '1', ...env },
        timeout: 25_000,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout: String(stdout), stderr: String(stderr) });
      },
    );
  });
}

describe('Prisma CLI with the wasm schema engine stand-in', () => {
  const databaseUrl = inject('databaseUrl');

  it('sees the migrated test database as up to date (same bookkeeping as lib/postgres/migrate.ts)', async () => {
    const run = await prisma(['migrate', 'status'], { DATABASE_URL: databaseUrl });
    expect(run.stdout + run.stderr).toContain('Database schema is up to date!');
    expect(run.code).toBe(0);
  });

  it('finds no difference between the migrated database and schema.prisma (hand-written CHECKs are not drift)', async () => {
    const run = await prisma(
      ['migrate', 'diff', '--from-config-datasource', '--to-schema', 'prisma/schema.prisma', '--exit-code'],
      { DATABASE_URL: databaseUrl },
    );
    expect(run.stdout + run.stderr).toContain('No difference detected.');
    expect(run.code).toBe(0);
  });

  it('renders SQL from the schema without any database', async () => {
    const run = await prisma(['migrate', 'diff', '--from-empty', '--to-schema', 'prisma/schema.prisma', '--script'], {
      DATABASE_URL: 'postgresql://postgres@127.0.0.1:1/nowhere',
    });
    expect(run.stdout).toContain('CREATE TABLE "users"');
    expect(run.code).toBe(0);
  });

  it('reports an engine crash instead of exiting 0 silently', async () => {
    // The CLI turns every call but getDatabaseVersion into the engine's artificial panic.
    const run = await prisma(['migrate', 'status'], { DATABASE_URL: databaseUrl, FORCE_PANIC_SCHEMA_ENGINE: '1' });
    expect(run.stdout + run.stderr).toContain('This is the debugPanic artificial panic');
    expect(run.code).not.toBe(0);
  });
});
