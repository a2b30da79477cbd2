/**
 * `npm start`: the zero-configuration way to run Parley on one machine. Builds the app when the build
 * is missing or older than the sources, then runs server.ts in production mode. With no AUTH_SECRET it
 * uses a random secret generated once into DATA_DIR/auth-secret (like the development server does);
 * deployments that run server.ts directly with NODE_ENV=production must set AUTH_SECRET themselves.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { loadOrCreateSecretFile } from '../lib/env';

const SOURCES = ['app', 'components', 'lib', 'public', 'next.config.mjs', 'tailwind.config.ts', 'postcss.config.mjs', 'package-lock.json'];

function newestMtime(target: string): number {
  if (!existsSync(target)) return 0;
  const stat = statSync(target);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(target)) newest = Math.max(newest, newestMtime(path.join(target, entry)));
  return newest;
}

function buildIsCurrent(): boolean {
  const buildId = path.join('.next', 'BUILD_ID');
  if (!existsSync(buildId)) return false;
  const built = statSync(buildId).mtimeMs;
  return SOURCES.every((source) => newestMtime(source) <= built);
}

const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'production' };
if (!env.AUTH_SECRET) {
  const dataDir = env.DATA_DIR || '.data';
  env.AUTH_SECRET = loadOrCreateSecretFile(dataDir);
  console.log(`parley: AUTH_SECRET not set; using the generated secret in ${dataDir}/auth-secret`);
}

if (!buildIsCurrent()) {
  console.log('parley: building the web app (first start, or sources changed)…');
  const build = spawnSync('npx', ['next', 'build'], { stdio: 'inherit', env });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

const server = spawn(process.execPath, ['--import', 'tsx', 'server.ts'], { stdio: 'inherit', env });
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => server.kill(signal));
server.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
