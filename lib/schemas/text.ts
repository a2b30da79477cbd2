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

export type TextKind = 'single-line' | 'multi-line' | 'name';

/** Which rule a schema carries; read by the schema walker test. */
export const textRules = z.registry<{ kind: TextKind }>();

// C0 and C1 control characters, DEL; multi-line text keeps \t \n \r.
const SINGLE_LINE_FORBIDDEN = /\p{Cc}/u;
const MULTI_LINE_FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;
const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C]/;

export function isAllowedText(text: string, kind: TextKind): boolean {
  if (kind === 'multi-line') return !MULTI_LINE_FORBIDDEN.test(text);
  if (kind === 'name') return !SINGLE_LINE_FORBIDDEN.test(text) && !BIDI_CONTROLS.test(text);
  return !SINGLE_LINE_FORBIDDEN.test(text);
}

const messages: Record<TextKind, (label: string) => string> = {
  'single-line': (label) => `${label} cannot contain control characters.`,
  'multi-line': (label) => `${label} cannot contain control characters other than line breaks and tabs.`,
  name: (label) => `${label} cannot contain control characters or direction overrides.`,
};

/**
 * Adds the text rule to a string schema (call it after trim/min/max, as the last string step).
 * `label` starts the error message: "Room name cannot contain control characters."
 */
export function plainText<S extends z.ZodString>(schema: S, options: { kind?: TextKind; label?: string } = {}): S {
  const kind = options.kind ?? 'single-line';
  const ruled = schema.refine((value) => isAllowedText(value, kind), messages[kind](options.label ?? 'The text')) as S;
  textRules.add(ruled, { kind });
  return ruled;
}
