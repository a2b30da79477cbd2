/**
 * Editing the search text the way the filter chips do: find a filter token in what was typed, toggle it,
 * append one. Tokens are read with the same rules as the server's parser (lib/search/query.ts: runs split
 * on whitespace, a `"` quotes up to the next one, a leading `-` negates, `key:` for the known filter keys),
 * so what a chip shows as "on" is what the server will apply.
 */
import { hasFilter, parseSearch, SearchSyntaxError } from '@/lib/search/query';
import type { PublicUser } from '@/lib/schemas/user';

const FILTER_KEYS = new Set(['in', 'from', 'before', 'after', 'on', 'has', 'is']);

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
  const spans: TokenSpan[] = [];
  let i = 0;
  while (i < input.length) {
    while (i < input.length && /\s/.test(input[i]!)) i++;
    if (i >= input.length) break;
    const start = i;
    let negated = false;
    if (input[i] === '-' && i + 1 < input.length && !/\s/.test(input[i + 1]!)) {
      negated = true;
      i++;
    }
    let key: string | null = null;
    const keyMatch = /^([A-Za-z]+):/.exec(input.slice(i));
    if (keyMatch && FILTER_KEYS.has(keyMatch[1]!.toLowerCase())) {
      key = keyMatch[1]!.toLowerCase();
      i += keyMatch[0].length;
    }
    if (input[i] === '"') {
      const close = input.indexOf('"', i + 1);
      const value = input.slice(i + 1, close === -1 ? input.length : close);
      i = close === -1 ? input.length : close + 1;
      spans.push({ start, end: i, identity: identityOf(key, value, true), negated });
      continue;
    }
    const valueStart = i;
    while (i < input.length && !/\s/.test(input[i]!)) i++;
    spans.push({ start, end: i, identity: identityOf(key, input.slice(valueStart, i), false), negated });
  }
  return spans;
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
