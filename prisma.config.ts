// Prisma 7 configuration (read by every `prisma` CLI command; the schema file holds no URL).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { defineConfig } from 'prisma/config';

const root = path.dirname(fileURLToPath(import.meta.url));

// Like Next.js, honour a local `.env` (variables already set in the environment win). dotenv is a dev dependency:
// skip quietly where it is not installed.
try {
  createRequire(import.meta.url)('dotenv').config({ path: path.join(root, '.env'), quiet: true });
} catch {
  // no dotenv, no .env: nothing to load
}

// Prisma's native schema engine cannot be downloaded on our machines: use the WebAssembly stand-in
// (scripts/prisma-engine/README.md). Set before the CLI looks for the engine, so a plain `npx prisma ...` works.
process.env.PRISMA_SCHEMA_ENGINE_BINARY ??= path.join(root, 'scripts', 'prisma-engine', 'engine.mjs');

// DATABASE_URL if set; otherwise the development database: the app's embedded PostgreSQL (running while
// `npm run dev` or `npm start` runs), whose generated password lib/postgres/embedded.ts keeps beside its data.
function embeddedDatabaseUrl(): string {
  const passwordFile = path.join(root, process.env.DATA_DIR || '.data', 'postgres.password');
  const password = existsSync(passwordFile) ? readFileSync(passwordFile, 'utf8').trim() : 'postgres';
  return `postgresql://postgres:${encodeURIComponent(password)}@127.0.0.1:${process.env.EMBEDDED_PG_PORT ?? 54329}/parley`;
}
const databaseUrl = process.env.DATABASE_URL || embeddedDatabaseUrl();

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: {
    path: 'prisma/migrations',
  },
  datasource: {
    url: databaseUrl,
  },
});
