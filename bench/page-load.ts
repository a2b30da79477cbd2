/**
 * Page load of a room (issue 15: LCP < 1 s on localhost): `npx tsx bench/page-load.ts [--runs 7]`.
 *
 * Builds when stale, starts a throwaway database and server.ts (production), seeds the workspace the UI
 * specs use (e2e/ui-seed.ts: a room with three authors, a thread, reactions, an image, code), then opens
 * /rooms/<id> signed in, in a fresh Chromium context each time (cold browser cache, warm server; one
 * unmeasured warm-up load first), at desktop and phone size. Per load: TTFB, first contentful paint,
 * largest contentful paint (the `largest-contentful-paint` entries, read after the timeline is up and the
 * network idle), and the JavaScript transferred. Reported: the median and the worst of the runs, on
 * stdout and in bench/results/page-load-<timestamp>.{md,json}. Nothing is asserted: a figure to read.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { chromium, type Browser } from '@playwright/test';
import { freePort } from '../lib/testing/free-port';
import { startTestDatabase } from '../lib/testing/test-database';
import { buildIfStale } from '../scripts/build-if-stale';

const ROOT = path.resolve(import.meta.dirname, '..');
const SYSTEM_CHROMIUM = '/usr/bin/chromium';

interface Load {
  ttfb: number;
  fcp: number;
  lcp: number;
  /** What the LCP element was (tag and a hint), to know what is being timed. */
  lcpElement: string;
  /** Where the time before LCP went: the document's scripts ran (DOMContentLoaded), the first message row was in the DOM. */
  dcl: number;
  firstRow: number;
  jsTransferred: number;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

async function waitReady(base: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server.ts exited (${child.exitCode})`);
    try {
      if ((await fetch(`${base}/api/ready`)).ok) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error('server.ts did not become ready');
}

async function loadOnce(browser: Browser, url: string, storageState: Parameters<Browser['newContext']>[0], viewport: { width: number; height: number }): Promise<Load> {
  const context = await browser.newContext({ ...storageState, viewport });
  const page = await context.newPage();
  // When the first message row enters the DOM (the timeline is client-rendered and deferred: components/ui/deferred.tsx).
  await page.addInitScript(() => {
    const seen = new MutationObserver(() => {
      if (!document.querySelector('[data-testid="message"]')) return;
      (window as unknown as { __firstRowAt: number }).__firstRowAt = performance.now();
      seen.disconnect();
    });
    seen.observe(document, { childList: true, subtree: true });
  });
  await page.goto(url, { waitUntil: 'load' });
  await page.getByTestId('room-view').and(page.locator('[data-connected="true"]')).waitFor();
  await page.getByTestId('message').first().waitFor();
  await page.waitForLoadState('networkidle');
  const load = await page.evaluate(
    () =>
      new Promise<Load>((resolve) => {
        new PerformanceObserver((list) => {
          const entries = list.getEntries() as (PerformanceEntry & { element?: Element | null; url?: string })[];
          const last = entries.at(-1);
          const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined;
          const fcp = performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN;
          const js = (performance.getEntriesByType('resource') as PerformanceResourceTiming[])
            .filter((r) => r.initiatorType === 'script' || r.name.endsWith('.js'))
            .reduce((sum, r) => sum + r.transferSize, 0);
          const el = last?.element;
          const hint = el ? `${el.tagName.toLowerCase()}${el.getAttribute('data-testid') ? `[data-testid=${el.getAttribute('data-testid')}]` : ''} "${(el.textContent ?? last?.url ?? '').trim().slice(0, 40)}"` : (last?.url ?? '?');
          const firstRow = (window as unknown as { __firstRowAt?: number }).__firstRowAt ?? NaN;
          resolve({ ttfb: nav?.responseStart ?? NaN, fcp, lcp: last?.startTime ?? NaN, lcpElement: hint, jsTransferred: js, dcl: nav?.domContentLoadedEventEnd ?? NaN, firstRow });
        }).observe({ type: 'largest-contentful-paint', buffered: true });
      }),
  );
  await context.close();
  return load;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { runs: { type: 'string', default: '7' } } });
  const runs = Math.max(1, Number(values.runs));
  console.log('page-load: checking the production build (builds when stale)');
  if ((await buildIfStale({ ...process.env, NODE_ENV: 'production' }, { root: ROOT })) !== 0) throw new Error('next build failed');

  const database = await startTestDatabase();
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'parley-bench-page-load-'));
  const server = spawn(process.execPath, ['--import', 'tsx', 'server.ts'], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: {
      ...process.env,
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: String(port),
      DATABASE_URL: database.url,
      DATA_DIR: dataDir,
      AUTH_SECRET: randomBytes(32).toString('base64url'),
      LOG_LEVEL: 'warn',
      RATE_LIMIT_SIGNUPS_PER_IP: '1000',
      RATE_LIMIT_LOGIN_PER_IP: '1000',
    },
  });
  let browser: Browser | undefined;
  try {
    await waitReady(base, server, 120_000);
    // e2e/ui-seed.ts finds the server by E2E_PORT and backdates messages through DATABASE_URL.
    process.env.E2E_PORT = String(port);
    process.env.DATABASE_URL = database.url;
    const { seedWorkspace, devices } = await import('../e2e/ui-seed');
    const ws = await seedWorkspace();
    browser = await chromium.launch(
      existsSync(SYSTEM_CHROMIUM)
        ? { executablePath: SYSTEM_CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run'] }
        : {},
    );
    const url = `${base}/rooms/${ws.room.id}`;
    const results: Record<string, Load[]> = {};
    for (const [device, viewport] of Object.entries(devices)) {
      await loadOnce(browser, url, { storageState: ws.alice.storageState }, viewport); // warm-up: server JIT, caches
      const loads: Load[] = [];
      for (let i = 0; i < runs; i += 1) loads.push(await loadOnce(browser, url, { storageState: ws.alice.storageState }, viewport));
      results[device] = loads;
    }

    const ms = (x: number): string => `${Math.round(x)} ms`;
    const lines = [
      `# Page load: /rooms/<id> on localhost (${new Date().toISOString()})`,
      '',
      `Production build, server.ts, Chromium (${browser.version()}), fresh context per load, ${runs} runs after one warm-up.`,
      '',
      '| device | TTFB p50 | FCP p50 | DOMContentLoaded p50 | first row p50 | **LCP p50** | LCP max | JS transferred | LCP element |',
      '|---|---|---|---|---|---|---|---|---|',
      ...Object.entries(results).map(([device, loads]) => {
        const lcp = loads.map((l) => l.lcp);
        return `| ${device} | ${ms(median(loads.map((l) => l.ttfb)))} | ${ms(median(loads.map((l) => l.fcp)))} | ${ms(median(loads.map((l) => l.dcl)))} | ${ms(median(loads.map((l) => l.firstRow)))} | **${ms(median(lcp))}** | ${ms(Math.max(...lcp))} | ${(median(loads.map((l) => l.jsTransferred)) / 1024).toFixed(1)} KB | ${loads.at(-1)?.lcpElement ?? ''} |`;
      }),
      '',
      'Target (issue 15): LCP < 1 s on localhost.',
    ];
    const report = lines.join('\n');
    console.log(`\n${report}`);
    const dir = path.join(ROOT, 'bench', 'results');
    mkdirSync(dir, { recursive: true });
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    writeFileSync(path.join(dir, `page-load-${stamp}.md`), `${report}\n`);
    writeFileSync(path.join(dir, `page-load-${stamp}.json`), JSON.stringify(results, null, 2));
  } finally {
    await browser?.close();
    server.kill('SIGTERM');
    await new Promise((resolve) => (server.exitCode !== null ? resolve(null) : server.once('exit', resolve)));
    await database.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
