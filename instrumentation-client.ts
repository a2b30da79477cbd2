/**
 * Runs in the browser before the app's own code (Next's instrumentation-client convention).
 *
 * zod compiles object parsers with `new Function` when it may, and probes whether it may by calling it once:
 * under our CSP (no 'unsafe-eval', lib/security-headers.ts) that probe is blocked and reported as a
 * violation even though zod catches it. `jitless` skips the probe and the compiling.
 */
import { z } from 'zod';

z.config({ jitless: true });
