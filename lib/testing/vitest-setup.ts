/** Per-worker setup for integration tests: point lib/db at the run's test database. */
import { afterAll, inject } from 'vitest';
import { configureDatabase, disconnectDb } from '../db';

configureDatabase(inject('databaseUrl'));

afterAll(async () => {
  await disconnectDb();
});
