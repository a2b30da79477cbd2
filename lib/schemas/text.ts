/**
 * The one rule for text that crosses an edge (HTTP bodies, query strings, socket payloads, forms):
 * no NUL (PostgreSQL text cannot hold it, and C code reading it stops there) and no other control
 * characters (terminal escapes, form feeds, C1 codes) — except line breaks and tabs where the text is
 * meant to have lines (message bodies, descriptions). Names shown to others also refuse the invisible
 * bidirectional overrides that make "txt.exe" read as "exe.txt" (Trojan Source, CVE-2021-42574).
 *
 * Every free-text string in lib/schemas goes through `plainText` as its last string step;
 * lib/schemas/schemas.test.ts walks every exported schema and fails on a string that does not.
 */
import { z } from 'zod';
import { isAllowedText, textRuleMessages, type TextKind } from './text-rules';

// The rule itself lives zod-free in ./text-rules (the composer checks a message before sending it).
export { isAllowedText, type TextKind } from './text-rules';

/*
 * In the browser, zod compiles object parsers with `new Function` when it may, and probes whether it may by
 * calling it once: under our CSP (no 'unsafe-eval', lib/security-headers.ts) that probe is blocked and
 * reported as a violation even though zod catches it. `jitless` skips the probe and the compiling. Set here,
 * where every schema module passes (they all use plainText) before any parse, rather than in
 * instrumentation-client.ts, which would put zod on every page whether it validates anything or not.
 */
if (typeof window !== 'undefined') z.config({ jitless: true });

/** Which rule a schema carries; read by the schema walker test. */
export const textRules = z.registry<{ kind: TextKind }>();

/**
 * Adds the text rule to a string schema (call it after trim/min/max, as the last string step).
 * `label` starts the error message: "Room name cannot contain control characters."
 */
export function plainText<S extends z.ZodString>(schema: S, options: { kind?: TextKind; label?: string } = {}): S {
  const kind = options.kind ?? 'single-line';
  const ruled = schema.refine((value) => isAllowedText(value, kind), textRuleMessages[kind](options.label ?? 'The text')) as S;
  textRules.add(ruled, { kind });
  return ruled;
}
