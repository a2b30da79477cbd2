#!/usr/bin/env node
// Runs the project's Prisma CLI with the schema engine stand-in (scripts/prisma-engine/), so that every command works
// without downloading Prisma's native engine. Used by `npm run prisma -- <args>` and by `postinstall` (`generate`).
//   node scripts/prisma.mjs <prisma args...>
// prisma.config.ts sets the same variable, so a plain `npx prisma ...` works too; this wrapper also covers a run
// with another config file (`--config`) and resolves the CLI from this project, not from PATH.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);

function resolveCli() {
  try {
    return createRequire(path.join(root, 'package.json')).resolve('prisma/build/index.js');
  } catch {
    const fallback = path.join(root, 'node_modules', 'prisma', 'build', 'index.js');
    return existsSync(fallback) ? fallback : null;
  }
}

const cli = resolveCli();
if (!cli) {
  // `npm install --omit=dev` (production) has no Prisma CLI: the generated client must then come with the build.
  if (process.env.npm_lifecycle_event === 'postinstall') {
    console.warn('[prisma] the prisma CLI is not installed (dev dependency); skipping `prisma generate`.');
    process.exit(0);
  }
  console.error('[prisma] the prisma CLI is not installed: run `npm install` (with dev dependencies).');
  process.exit(1);
}

const env = { ...process.env };
env.PRISMA_SCHEMA_ENGINE_BINARY ||= path.join(root, 'scripts', 'prisma-engine', 'engine.mjs');
// No update check against Prisma's servers (unreachable offline; it only adds noise).
env.CHECKPOINT_DISABLE ??= '1';

const child = spawn(process.execPath, [cli, ...args], { stdio: 'inherit', env });

const forward = (signal) => {
  if (child.exitCode === null && child.signalCode === null) child.kill(signal);
};
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => forward(signal));

child.on('error', (error) => {
  console.error(`[prisma] could not start the Prisma CLI: ${error.message}`);
  process.exit(1);
});
child.on('exit', (code, signal) => {
  if (signal) {
    process.removeAllListeners(signal);
    process.kill(process.pid, signal);
    return;
  }
  process.exit(code ?? 1);
});
