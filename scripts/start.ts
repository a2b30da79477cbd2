/**
 * `npm start`: the zero-configuration way to run Parley on one machine. Builds the app when the build
 * is missing or older than the sources, then runs server.ts in production mode. With no AUTH_SECRET it
 * uses a random secret generated once into DATA_DIR/auth-secret (like the development server does);
 * deployments that run server.ts directly with NODE_ENV=production must set AUTH_SECRET themselves.
 */
import { spawn } from 'node:child_process';
import { loadOrCreateSecretFile } from '../lib/env';
import { buildIfStale } from './build-if-stale';

const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'production' };
if (!env.AUTH_SECRET) {
  const dataDir = env.DATA_DIR || '.data';
  env.AUTH_SECRET = loadOrCreateSecretFile(dataDir);
  console.log(`parley: AUTH_SECRET not set; using the generated secret in ${dataDir}/auth-secret`);
}

const built = buildIfStale(env);
if (built !== 0) process.exit(built);

const server = spawn(process.execPath, ['--import', 'tsx', 'server.ts'], { stdio: 'inherit', env });
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => server.kill(signal));
server.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
