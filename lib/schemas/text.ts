/** Shared text rules. */

/** Names shown to others must not smuggle in control characters (terminal escapes, NUL, newlines). */
export function hasNoControlChars(text: string): boolean {
  return !/\p{Cc}/u.test(text);
}
