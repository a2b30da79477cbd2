/**
 * The room page's JavaScript stays within budget (issue 15 asks ≤ 250 KB gzipped; ROOM_PAGE_JS_BUDGET says
 * what is enforced until then). Runs on the production
 * build `npm test` makes before vitest (built here if stale, like scripts/start.int.test.ts).
 */
import path from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { buildIfStale } from './build-if-stale';
import { kb, measureRoute, ROOM_PAGE_JS_BUDGET } from './bundle-budget';

const ROOT = path.resolve(import.meta.dirname, '..');

beforeAll(async () => {
  const built = await buildIfStale({ PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'production' }, { root: ROOT });
  expect(built).toBe(0);
}, 600_000);

it(`the room page loads at most ${kb(ROOM_PAGE_JS_BUDGET)} of gzipped JavaScript`, () => {
  const report = measureRoute(path.join(ROOT, '.next'));
  expect(report.files.length).toBeGreaterThan(3); // found the runtime and the route's chunks, not an empty list
  const largest = [...report.files]
    .sort((a, b) => b.gzipBytes - a.gzipBytes)
    .slice(0, 5)
    .map((f) => `${f.file} ${kb(f.gzipBytes)}`);
  expect(report.totalGzipBytes, `${kb(report.totalGzipBytes)} gzipped; largest: ${largest.join(', ')}`).toBeLessThanOrEqual(report.budget);
});
