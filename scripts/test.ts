/**
 * `npm test`: lint (eslint + tsc), then the whole pyramid against one throwaway database — a production
 * build, vitest (unit + integration, which also runs `npm start` on that build), then Playwright in
 * Chromium against server.ts, and last the container image (deploy/container.int.test.ts: built and run alone).
 * Prints one summary line.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { freePort } from '../lib/testing/free-port';
import { startTestDatabase } from '../lib/testing/test-database';

interface StepResult {
  name: string;
  code: number;
  ms: number;
}

function run(name: string, command: string, args: string[], env: Record<string, string>): Promise<StepResult> {
  const started = Date.now();
  console.log(`\n▶ ${name}: ${command} ${args.join(' ')}`);
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: 'inherit', env: { ...process.env, ...env } });
    child.on('exit', (code, signal) => resolve({ name, code: code ?? (signal ? 1 : 0), ms: Date.now() - started }));
  });
}

function counts(file: string): { passed: number; failed: number; skipped: number } {
  if (!existsSync(file)) return { passed: 0, failed: 0, skipped: 0 };
  return JSON.parse(readFileSync(file, 'utf8')) as { passed: number; failed: number; skipped: number };
}

async function main(): Promise<void> {
  const only = process.argv[2]; // optional: unit | integration | e2e | container
  const started = Date.now();
  const database = await startTestDatabase();
  console.log(`test database ready (${process.env.TEST_DATABASE_URL ? 'TEST_DATABASE_URL' : 'embedded, throwaway'})`);
  const results: StepResult[] = [];
  const reportDir = 'test-results';
  rmSync(`${reportDir}/vitest.json`, { force: true });
  rmSync(`${reportDir}/playwright-summary.json`, { force: true });
  rmSync(`${reportDir}/vitest-container.json`, { force: true });
  try {
    const shared = { TEST_DATABASE_URL: database.url };
    // The whole run starts with the linter (eslint + tsc): a type error or lint failure fails `npm test`.
    if (!only) results.push(await run('lint', 'npm', ['run', 'lint', '--silent'], {}));
    // Build first: the integration tests run `npm start` on this build (scripts/start.int.test.ts).
    const build = only === 'unit' || only === 'container' ? undefined : await run('next build', 'npx', ['next', 'build'], { NODE_ENV: 'production' });
    if (build) results.push(build);
    if (!only || only === 'unit' || only === 'integration') {
      const projects = only ? ['--project', only] : ['--project', 'unit', '--project', 'integration'];
      results.push(
        await run('vitest', 'npx', ['vitest', 'run', ...projects, '--reporter=default', '--reporter=json', `--outputFile.json=${reportDir}/vitest.json`], shared),
      );
    }
    if ((!only || only === 'e2e') && build?.code === 0) {
      const port = await freePort();
      results.push(
        await run('playwright', 'npx', ['playwright', 'test'], {
          ...shared,
          E2E_PORT: String(port),
          DATABASE_URL: database.url,
          AUTH_SECRET: randomBytes(32).toString('base64url'),
        }),
      );
    }
    // Alone, after the rest: building the image (npm install + next build inside it) takes both cores for minutes.
    if (!only || only === 'container') {
      results.push(
        await run('container', 'npx', ['vitest', 'run', '--project', 'container', '--reporter=default', '--reporter=json', `--outputFile.json=${reportDir}/vitest-container.json`], shared),
      );
    }
  } finally {
    await database.stop();
  }

  const vitestCounts = (file: string) =>
    existsSync(file)
      ? (JSON.parse(readFileSync(file, 'utf8')) as { numPassedTests: number; numFailedTests: number; numPendingTests: number })
      : undefined;
  const vitest = vitestCounts(`${reportDir}/vitest.json`);
  const container = vitestCounts(`${reportDir}/vitest-container.json`);
  const e2e = counts(`${reportDir}/playwright-summary.json`);
  const passed = (vitest?.numPassedTests ?? 0) + (container?.numPassedTests ?? 0) + e2e.passed;
  const failed = (vitest?.numFailedTests ?? 0) + (container?.numFailedTests ?? 0) + e2e.failed;
  const skipped = (vitest?.numPendingTests ?? 0) + (container?.numPendingTests ?? 0) + e2e.skipped;
  console.log('\n' + results.map((r) => `  ${r.code === 0 ? '✓' : '✗'} ${r.name} (${(r.ms / 1000).toFixed(1)} s)`).join('\n'));
  console.log(`  total ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  const anyStepFailed = results.some((r) => r.code !== 0);
  console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
  process.exit(anyStepFailed || failed > 0 ? 1 : 0);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
