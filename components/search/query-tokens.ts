/**
 * Editing the search text the way the filter chips do: find a filter token in what was typed, toggle it,
 * append one. Tokens are read by the server's own tokenizer (lib/search/query.ts tokenizeSearch), so what
 * a chip shows as "on" is what the server will apply.
 */
import { hasFilter, parseSearch, SearchSyntaxError, tokenizeSearch } from '@/lib/search/query';
import type { PublicUser } from '@/lib/schemas/user';

export interface TokenSpan {
  start: number;
  end: number;
  /** What the token means, for comparing two spellings of one filter (`in:#Ops` = `in:"ops"`). */
  identity: string;
  negated: boolean;
}

function identityOf(key: string | null, value: string, quoted: boolean): string {
  const v = value.trim().toLowerCase();
  switch (key) {
    case 'in':
      return v.startsWith('@') ? `in:${v}` : `in:#${v.startsWith('#') ? v.slice(1) : v}`;
    case 'from':
      return `from:@${v.startsWith('@') ? v.slice(1) : v}`;
    case null:
      return quoted ? `"${v}"` : v;
    default:
      return `${key}:${v}`;
  }
}

/** The tokens of a search text with their positions. */
export function tokenSpans(input: string): TokenSpan[] {
  return tokenizeSearch(input).map((token) => ({
    start: token.start,
    end: token.end,
    identity: identityOf(token.key, token.text, token.quoted),
    negated: token.negated,
  }));
}

/** The meaning of one token as a chip would write it. */
function identityOfToken(token: string): string {
  const span = tokenSpans(token)[0];
  if (!span) throw new Error(`Not a token: ${JSON.stringify(token)}`);
  return span.identity;
}

/** Whether the search applies this filter (in any of its spellings; a negated copy does not count). */
export function hasToken(input: string, token: string): boolean {
  const identity = identityOfToken(token);
  return tokenSpans(input).some((span) => !span.negated && span.identity === identity);
}

/** Appends a token, with one space before it (none when the text is empty or already ends with a space). */
export function appendToken(input: string, token: string): string {
  if (input.trim() === '') return token;
  return /\s$/.test(input) ? input + token : `${input} ${token}`;
}

/** Removes every copy of the filter if the search has it, else appends it. */
export function toggleToken(input: string, token: string): string {
  const identity = identityOfToken(token);
  const matches = tokenSpans(input).filter((span) => !span.negated && span.identity === identity);
  if (matches.length === 0) return appendToken(input, token);
  let out = input;
  for (const span of matches.reverse()) out = out.slice(0, span.start) + out.slice(span.end);
  return out.replace(/\s{2,}/g, ' ').trim();
}

/**
 * The `in:` filter for a room or a direct conversation, or null when its name cannot be written in the
 * search language (a name with a double quote in it).
 */
export function roomToken(room: { kind: string; name: string; peer: PublicUser | null }): string | null {
  if (room.kind === 'direct') return room.peer ? `in:@${room.peer.username}` : null;
  const name = room.name;
  if (name.includes('"') || name.trim() === '') return null;
  if (!/\s/.test(name)) return `in:#${name}`;
  // Inside quotes a leading @ would mean a person and a leading # is dropped: keep both with one more #.
  return /^[@#]/.test(name) ? `in:"#${name}"` : `in:"${name}"`;
}

/**
 * The words of a search that has nothing but words and phrases (no filters, nothing left out): what rooms
 * and people are also looked up by. Null for anything else.
 */
export function plainWords(input: string): string | null {
  try {
    const parsed = parseSearch(input);
    if (hasFilter(parsed) || parsed.terms.some((t) => t.negated)) return null;
    const words = parsed.terms.map((t) => t.text).join(' ').trim();
    return words === '' ? null : words;
  } catch (error) {
    if (error instanceof SearchSyntaxError) return null;
    throw error;
  }
}

/** Lower case without accents: "Café" and "cafe" compare equal, as the server's search does. */
export function fold(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

/** Whether every word occurs in the text (case- and accent-insensitively). */
export function containsAll(text: string, words: string): boolean {
  const folded = fold(text);
  return fold(words)
    .split(/\s+/)
    .filter(Boolean)
    .every((word) => folded.includes(word));
}
