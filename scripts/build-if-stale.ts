/**
 * The production build check shared by `npm start` (scripts/start.ts) and `npm run start:cluster`
 * (scripts/cluster.ts): build the web app when `.next/BUILD_ID` is missing or older than any source.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants, existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const SOURCES = ['app', 'components', 'lib', 'public', 'next.config.mjs', 'tailwind.config.ts', 'postcss.config.mjs', 'package-lock.json'];

function newestMtime(target: string): number {
  if (!existsSync(target)) return 0;
  const stat = statSync(target);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(target)) newest = Math.max(newest, newestMtime(path.join(target, entry)));
  return newest;
}

/** True when `<root>/.next/BUILD_ID` exists and no source is newer than it. */
export function buildIsCurrent(root: string = process.cwd()): boolean {
  const buildId = path.join(root, '.next', 'BUILD_ID');
  if (!existsSync(buildId)) return false;
  const built = statSync(buildId).mtimeMs;
  return SOURCES.every((source) => newestMtime(path.join(root, source)) <= built);
}

function isWritable(dir: string): boolean {
  try {
    accessSync(dir, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Runs `next build` in `root` when the build is stale. Resolves with the build's exit code (0 when nothing
 * had to be built); the caller decides whether to exit. Aborting `signal` (the caller is being stopped)
 * stops the build and everything it started.
 */
export async function buildIfStale(env: NodeJS.ProcessEnv, options: { root?: string; signal?: AbortSignal } = {}): Promise<number> {
  const root = options.root ?? process.cwd();
  if (buildIsCurrent(root)) return 0;
  if (!isWritable(root)) {
    // A platform's run-time disk (read-only, or a copy whose file times say little): the build made by
    // its build step is the one to run, and a build here could only fail.
    if (existsSync(path.join(root, '.next', 'BUILD_ID'))) {
      console.warn('parley: the application directory is read-only: starting the existing build without checking it against the sources');
      return 0;
    }
    console.error('parley: there is no production build and the application directory is read-only: run `npm run build` in the build step');
    return 1;
  }
  if (options.signal?.aborted) return 1;
  console.log('parley: building the web app (first start, or sources changed)…');
  // Next's own CLI, not `npx next`: no npm and shell in between. In its own process group, so that an
  // abort stops the build's workers too.
  const nextCli = createRequire(path.join(root, 'package.json')).resolve('next/dist/bin/next');
  const build = spawn(process.execPath, [nextCli, 'build'], { stdio: 'inherit', env, cwd: root, detached: true });
  const stop = () => {
    try {
      if (build.pid) process.kill(-build.pid, 'SIGTERM');
    } catch {
      /* already gone */
    }
  };
  options.signal?.addEventListener('abort', stop, { once: true });
  try {
    return await new Promise<number>((resolve) => {
      build.once('error', () => resolve(1));
      build.once('exit', (code) => resolve(code ?? 1));
    });
  } finally {
    options.signal?.removeEventListener('abort', stop);
  }
}
