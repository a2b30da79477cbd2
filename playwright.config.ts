import { existsSync } from 'node:fs';
import { defineConfig, devices } from '@playwright/test';
import { METRICS_TOKEN } from './e2e/helpers';

// scripts/test.ts picks a free port and a database; running `npx playwright test` alone needs
// DATABASE_URL (or uses the embedded development database) and this default port.
const port = Number(process.env.E2E_PORT ?? 3210);
const baseURL = `http://127.0.0.1:${port}`;
const systemChromium = '/usr/bin/chromium';
// A fake microphone (a beeping tone) for e2e/files.spec.ts's voice messages. Only a context granted the
// `microphone` permission reaches it; without `--use-fake-ui-for-media-stream`, which would answer every
// permission prompt with yes (even a permission denied over CDP, as the refusal test needs).
const fakeMedia = ['--use-fake-device-for-media-stream'];

export default defineConfig({
  testDir: 'e2e',
  outputDir: 'test-results/e2e',
  fullyParallel: false,
  workers: 1,
  retries: process.env.CI ? 1 : 0,
  timeout: 45_000,
  expect: { timeout: 10_000 },
  // The HTML report (playwright-report/, `npx playwright show-report`) carries e2e/screens.spec.ts's screenshots.
  reporter: [['list'], ['html', { open: 'never' }], ['./e2e/summary-reporter.ts']],
  use: {
    baseURL,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
  projects: [
    {
      name: 'chromium',
      use: {
        ...devices['Desktop Chrome'],
        // Playwright cannot download its browser on our machines: use Debian's Chromium when present.
        launchOptions: existsSync(systemChromium)
          ? {
              executablePath: systemChromium,
              args: [
                '--no-sandbox',
                '--disable-gpu',
                '--disable-background-networking',
                '--disable-component-update',
                '--disable-sync',
                '--disable-quic',
                '--no-first-run',
                ...fakeMedia,
              ],
            }
          : { args: fakeMedia },
      },
    },
  ],
  webServer: {
    command: 'npx tsx server.ts',
    url: `${baseURL}/api/ready`,
    reuseExistingServer: false,
    timeout: 120_000,
    stdout: 'ignore',
    stderr: 'pipe',
    env: {
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'warn',
      // Every e2e user signs up and in from 127.0.0.1; production limits would trip mid-suite.
      RATE_LIMIT_SIGNUPS_PER_IP: '1000',
      RATE_LIMIT_LOGIN_PER_IP: '1000',
      // e2e/password-pool.spec.ts reads the password pool's counters.
      METRICS_TOKEN,
      // e2e/admin.spec.ts: the instance admin (the first account of a reused database may be anyone's).
      ADMIN_USERNAMES: 'e2e-admin',
      ...(process.env.DATABASE_URL ? { DATABASE_URL: process.env.DATABASE_URL } : {}),
      ...(process.env.AUTH_SECRET ? { AUTH_SECRET: process.env.AUTH_SECRET } : {}),
    },
  },
});
