/** The text rule of lib/schemas/text.ts without zod, for the browser (issue 15's room-page JS budget). */
export type TextKind = 'single-line' | 'multi-line' | 'name';

// C0 and C1 control characters, DEL; multi-line text keeps \t \n \r.
const SINGLE_LINE_FORBIDDEN = /\p{Cc}/u;
const MULTI_LINE_FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;
const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C]/;

export function isAllowedText(text: string, kind: TextKind): boolean {
  if (kind === 'multi-line') return !MULTI_LINE_FORBIDDEN.test(text);
  if (kind === 'name') return !SINGLE_LINE_FORBIDDEN.test(text) && !BIDI_CONTROLS.test(text);
  return !SINGLE_LINE_FORBIDDEN.test(text);
}

export const textRuleMessages: Record<TextKind, (label: string) => string> = {
  'single-line': (label) => `${label} cannot contain control characters.`,
  'multi-line': (label) => `${label} cannot contain control characters other than line breaks and tabs.`,
  name: (label) => `${label} cannot contain control characters or direction overrides.`,
};
