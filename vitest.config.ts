import path from 'node:path';
import { defineConfig } from 'vitest/config';

const testEnv = {
  NODE_ENV: 'test' as const,
  AUTH_SECRET: 'vitest-only-secret-0123456789abcdefghijklmnopqrstuvwxyz',
  DATA_DIR: path.join(process.env.TMPDIR ?? '/tmp', 'parley-vitest-data'),
  LOG_LEVEL: 'silent',
};

export default defineConfig({
  resolve: { alias: { '@': path.resolve(import.meta.dirname) } },
  test: {
    env: testEnv,
    // next-auth imports `next/server` without an extension (Next has no package exports): let Vite resolve it.
    server: { deps: { inline: ['next-auth'] } },
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['lib/**/*.test.ts', 'app/**/*.test.ts', 'components/**/*.test.ts', 'deploy/**/*.test.ts'],
          exclude: ['**/*.int.test.ts', 'node_modules/**'],
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['**/*.int.test.ts'],
          // Its own project, run alone by scripts/test.ts: the image build takes both cores for minutes.
          exclude: ['node_modules/**', '.next/**', 'deploy/container.int.test.ts'],
          globalSetup: ['lib/testing/vitest-global-setup.ts'],
          setupFiles: ['lib/testing/vitest-setup.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'container',
          include: ['deploy/container.int.test.ts'],
          globalSetup: ['lib/testing/vitest-global-setup.ts'],
          testTimeout: 180_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
