/**
 * The production build check shared by `npm start` (scripts/start.ts) and `npm run start:cluster`
 * (scripts/cluster.ts): build the web app when `.next/BUILD_ID` is missing or older than any source.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
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

/**
 * Runs `npx next build` in `root` when the build is stale. Returns the build's exit code (0 when nothing
 * had to be built); the caller decides whether to exit.
 */
export function buildIfStale(env: NodeJS.ProcessEnv, root: string = process.cwd()): number {
  if (buildIsCurrent(root)) return 0;
  console.log('parley: building the web app (first start, or sources changed)…');
  const build = spawnSync('npx', ['next', 'build'], { stdio: 'inherit', env, cwd: root });
  return build.status ?? 1;
}
