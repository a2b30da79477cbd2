/**
 * The room page's JavaScript budget (issue 15: ≤ 250 KB gzipped): after `next build`, the JS a browser
 * loads to show /rooms/<id>, read from the build's own manifests, gzipped the way a server sends it.
 *
 * Which files: the runtime every App Router page boots with (build-manifest.json `rootMainFiles`) and
 * the entry chunks of the route's segments — root layout, (chat) layout and the page — from the route's
 * client reference manifest
 * (`server/app/(chat)/rooms/[roomId]/page_client-reference-manifest.js`, `entryJSFiles`). Polyfills are
 * `nomodule` (modern browsers skip them) and chunks loaded on demand (dynamic imports) are not counted.
 * e2e/bundle-budget.spec.ts checks this list against what Chromium downloads for a room.
 *
 * `npx tsx scripts/bundle-budget.ts` prints the files and fails over budget; scripts/bundle-budget.int.test.ts
 * runs the same check in `npm test`.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { runInNewContext } from 'node:vm';
import { gzipSync } from 'node:zlib';

export const ROOM_ROUTE = '/(chat)/rooms/[roomId]/page';
/**
 * Bytes, gzipped: issue 15's 250 KB. Measured 243.6 KB on 2026-12-01: the React/Next runtime ~129 KB (react-dom
 * alone ~62), then the shell (sidebar, header, stores, socket client, toast, tooltip), the room view and composer.
 * It was 354 KB before what the first paint does not need was deferred (components/ui/deferred.tsx, fetched as the
 * page hydrates, not before it): the timeline with react-virtuoso, the Markdown stack, the message toolbar, and every menu, dialog
 * and popover with their Radix primitives. Chunks loaded after the first paint are not counted here;
 * e2e/bundle-budget.spec.ts prints them.
 */
export const ROOM_PAGE_JS_BUDGET = 250 * 1024;

export interface BundleFile {
  /** Path under .next, e.g. `static/chunks/abc.js` (served as `/_next/static/chunks/abc.js`). */
  file: string;
  bytes: number;
  gzipBytes: number;
}

export interface BundleReport {
  route: string;
  files: BundleFile[];
  totalBytes: number;
  totalGzipBytes: number;
  budget: number;
}

interface ClientReferenceManifest {
  entryJSFiles?: Record<string, string[]>;
}

/**
 * The segments whose entry chunks a page loads: every layout above it and the error boundary beside it (where
 * one exists: React renders the boundary with the layout, so its chunk is fetched up front), the global error
 * boundary, and the page. The manifest also lists `app/not-found`'s chunks; Chromium does not fetch them for a room
 * (e2e/bundle-budget.spec.ts checks both ways), so they are not counted.
 */
function segmentsOf(route: string): string[] {
  const parts = route.replace(/^\//, '').split('/').slice(0, -1); // drop "page"
  const levels = parts.map((_, i) => `[project]/app/${parts.slice(0, i).join('/')}${i ? '/' : ''}`);
  return [...levels.flatMap((level) => [`${level}layout`, `${level}error`]), '[project]/app/global-error', `[project]/app/${parts.join('/')}/page`];
}

function readClientManifest(nextDir: string, route: string): ClientReferenceManifest {
  const file = path.join(nextDir, 'server', 'app', `${route.replace(/^\//, '')}_client-reference-manifest.js`);
  if (!existsSync(file)) throw new Error(`${file} is missing: run \`next build\` first`);
  // The file assigns globalThis.__RSC_MANIFEST[route]; run it against a sandbox instead of requiring it.
  const sandbox: { globalThis?: unknown; __RSC_MANIFEST?: Record<string, ClientReferenceManifest> } = {};
  sandbox.globalThis = sandbox;
  runInNewContext(readFileSync(file, 'utf8'), sandbox, { filename: file });
  const manifest = sandbox.__RSC_MANIFEST?.[route];
  if (!manifest?.entryJSFiles) throw new Error(`${file} has no entryJSFiles for ${route}: has Next's manifest format changed?`);
  return manifest;
}

/** Every entry chunk the route's manifest names, counted or not (not-found's too): for checking the count. */
export function manifestEntryFiles(nextDir = path.resolve('.next'), route = ROOM_ROUTE): Set<string> {
  const { entryJSFiles = {} } = readClientManifest(nextDir, route);
  return new Set(Object.values(entryJSFiles).flat());
}

/** The JS files `route` loads and their gzipped sizes (gzip level 6, what servers commonly send). */
export function measureRoute(nextDir = path.resolve('.next'), route = ROOM_ROUTE, budget = ROOM_PAGE_JS_BUDGET): BundleReport {
  const build = JSON.parse(readFileSync(path.join(nextDir, 'build-manifest.json'), 'utf8')) as { rootMainFiles?: string[] };
  const { entryJSFiles = {} } = readClientManifest(nextDir, route);
  const wanted = segmentsOf(route);
  // The root layout and the page must be there; nested layouts and error boundaries only where the app has them.
  const missing = [wanted[0]!, wanted.at(-1)!].filter((segment) => !(segment in entryJSFiles));
  if (missing.length) throw new Error(`no entry chunks for ${missing.join(', ')} (known: ${Object.keys(entryJSFiles).join(', ')})`);
  const names = new Set<string>(build.rootMainFiles ?? []);
  for (const segment of wanted) for (const file of entryJSFiles[segment] ?? []) names.add(file);
  const files = [...names]
    .filter((file) => file.endsWith('.js'))
    .map((file) => {
      const content = readFileSync(path.join(nextDir, file));
      return { file, bytes: content.length, gzipBytes: gzipSync(content, { level: 6 }).length };
    });
  return {
    route,
    files,
    totalBytes: files.reduce((sum, f) => sum + f.bytes, 0),
    totalGzipBytes: files.reduce((sum, f) => sum + f.gzipBytes, 0),
    budget,
  };
}

export const kb = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KB`;

function main(): void {
  const report = measureRoute();
  for (const f of [...report.files].sort((a, b) => b.gzipBytes - a.gzipBytes)) {
    console.log(`  ${kb(f.gzipBytes).padStart(9)} gz  ${kb(f.bytes).padStart(9)}  ${f.file}`);
  }
  const verdict = report.totalGzipBytes <= report.budget ? 'within' : 'OVER';
  console.log(`${report.route}: ${kb(report.totalGzipBytes)} gzipped (${kb(report.totalBytes)} raw) — ${verdict} the ${kb(report.budget)} budget`);
  if (verdict === 'OVER') process.exit(1);
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.dirname, 'bundle-budget.ts')) main();
