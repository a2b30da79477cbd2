/** Structured logs (pino), one JSON line per event. Secrets and passwords are redacted by path. */
import pino, { type Logger } from 'pino';
import { getEnv } from './env';

export type { Logger };

const globalForLogger = globalThis as unknown as { parleyLogger?: Logger };

export function getLogger(): Logger {
  globalForLogger.parleyLogger ??= pino({
    level: getEnv().LOG_LEVEL,
    base: { app: 'parley' },
    redact: {
      paths: ['password', '*.password', 'passwordHash', '*.passwordHash', 'secret', '*.secret', 'cookie', '*.cookie', 'headers.cookie', 'headers.authorization'],
      censor: '[redacted]',
    },
  });
  return globalForLogger.parleyLogger;
}
