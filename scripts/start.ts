/**
 * `npm start` and `npm run dev`: run server.ts under a small supervisor that makes stopping npm stop
 * everything.
 *
 *   npm start      production: builds the app when the build is missing or older than the sources. With
 *                  no AUTH_SECRET it uses a random secret generated once into DATA_DIR/auth-secret (like the
 *                  development server does); deployments that run server.ts directly with
 *                  NODE_ENV=production must set AUTH_SECRET themselves.
 *   npm run dev    (`--dev`) development: Next's dev server with HMR, no build.
 *
 * Stopping: SIGINT/SIGTERM are passed on to server.ts, which closes its sockets and then stops the
 * embedded PostgreSQL. Process managers signal npm alone; the npm scripts `exec` this script so that npm's
 * relay reaches it (dash, /bin/sh on Debian, would otherwise stay in between as `sh -c`, swallow SIGINT
 * and die of SIGTERM without passing either on). If npm is gone without a word (kill -9) this script
 * stops too, and server.ts stops when this script is gone however it ended: its IPC channel closes
 * (lib/supervision.ts). server.ts runs in its own process group, so a terminal's Ctrl-C reaches it only
 * through here and PostgreSQL is not interrupted before the sockets are closed.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadOrCreateSecretFile } from '../lib/env';
import { onLauncherExit } from '../lib/supervision';
import { buildIfStale } from './build-if-stale';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dev = process.argv.includes('--dev');

async function main(): Promise<void> {
  process.chdir(ROOT);
  let stopSignal: NodeJS.Signals | undefined;
  let stopServer: (signal: NodeJS.Signals) => void = () => undefined;
  const building = new AbortController();
  const stop = (signal: NodeJS.Signals) => {
    if (stopSignal) return;
    stopSignal = signal;
    building.abort();
    stopServer(signal);
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => stop(signal));
  onLauncherExit(() => stop('SIGTERM'));

  const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: dev ? 'development' : 'production' };
  if (!dev) {
    if (!env.AUTH_SECRET) {
      const dataDir = env.DATA_DIR || '.data';
      try {
        env.AUTH_SECRET = loadOrCreateSecretFile(dataDir);
      } catch (error) {
        // A platform's read-only disk: there is nowhere to keep a generated secret, and it must be one secret for every instance anyway.
        const reason = error instanceof Error && 'code' in error ? String(error.code) : String(error);
        console.error(`parley: AUTH_SECRET is not set, and no generated one can be kept in ${dataDir} (${reason}). Set AUTH_SECRET (openssl rand -base64 32) in the environment.`);
        process.exit(1);
      }
      console.log(`parley: AUTH_SECRET not set; using the generated secret in ${dataDir}/auth-secret`);
    }
    const built = await buildIfStale(env, { root: ROOT, signal: building.signal });
    if (stopSignal) process.exit(0);
    if (built !== 0) process.exit(built);
  }

  const server = spawn(process.execPath, ['--import', 'tsx', 'server.ts'], {
    cwd: ROOT,
    env,
    detached: true,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  stopServer = (signal) => {
    if (server.exitCode === null && server.signalCode === null) server.kill(signal);
  };
  if (stopSignal) stopServer(stopSignal);
  server.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

main().catch((error: unknown) => {
  console.error('parley: failed to start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
