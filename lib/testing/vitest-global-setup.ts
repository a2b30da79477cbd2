/** Vitest global setup: one test database for the whole run, shared with workers via provide/inject. */
import type { TestProject } from 'vitest/node';
import { startTestDatabase } from './test-database';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const database = await startTestDatabase();
  project.provide('databaseUrl', database.url);
  return () => database.stop();
}
