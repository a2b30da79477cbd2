/**
 * The search language (docs/protocol.md "Search syntax"), parsed into plain data. Nothing here ever
 * reaches PostgreSQL as query syntax: lib/data/search.ts passes every piece as a bound parameter, to
 * plainto_tsquery / phraseto_tsquery (which accept any text) or as an escaped LIKE pattern.
 *
 *   deplo              a word; also matches words it begins ("deployment") and, from 3 characters, any text containing it
 *   "release train"    an exact phrase (an unclosed quote runs to the end)
 *   -word  -"a phrase" leave out messages that have it
 *   in:#room  in:"Team chat"  in:@alice   a room by name, or the direct conversation with alice (repeat: any of them)
 *   from:@alice        written by alice (repeat: any of them)
 *   before:2026-11-30  after:…  on:…     days in the caller's time zone; also "today", "yesterday"
 *   has:link  is:thread  @me             has a link, is a thread root or reply, mentions me (or @room/@here)
 *   has:file  has:image|video|audio      carries a file / one of that kind
 *
 * Anything else that looks like `key:value` (a URL, "10:30") is ordinary text.
 */

export const SEARCH_TERMS_MAX = 10;

export interface SearchTerm {
  kind: 'word' | 'phrase';
  /** As typed, trimmed (for a word: without a trailing `*`). */
  text: string;
  negated: boolean;
}

export type RoomRef = { kind: 'name'; name: string } | { kind: 'direct'; username: string };

/** A calendar day (YYYY-MM-DD) or a day relative to today, in the caller's time zone. */
export type DayRef = string;

export interface ParsedSearch {
  terms: SearchTerm[];
  rooms: RoomRef[];
  authors: string[];
  before: DayRef | null;
  after: DayRef | null;
  on: DayRef | null;
  hasLink: boolean;
  /** has:file (any attachment) and has:image / has:video / has:audio (one of that kind), each at most once. */
  hasAttachments: AttachmentFilter[];
  isThread: boolean;
  mentionsMe: boolean;
}

export type AttachmentFilter = 'file' | 'image' | 'video' | 'audio';
const ATTACHMENT_FILTERS: readonly string[] = ['file', 'image', 'video', 'audio'];

export class SearchSyntaxError extends Error {}

const FILTER_KEYS = new Set(['in', 'from', 'before', 'after', 'on', 'has', 'is']);
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** One token of a search text, with where it stands in it ([start, end) in UTF-16 units). */
export interface SearchToken {
  text: string;
  quoted: boolean;
  negated: boolean;
  /** Set for `key:value` tokens with a known key (lower-cased). */
  key: string | null;
  start: number;
  end: number;
}

/**
 * Splits on whitespace; a leading `-` negates; `key:` for the known filter keys; a double quote starts a
 * quoted run (up to the next quote or the end). Shared with the search box's filter chips
 * (components/search/query-tokens.ts), so what a chip shows as applied is what the server applies.
 */
export function tokenizeSearch(input: string): SearchToken[] {
  const tokens: SearchToken[] = [];
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
      const text = input.slice(i + 1, close === -1 ? input.length : close);
      i = close === -1 ? input.length : close + 1;
      tokens.push({ text, quoted: true, negated, key, start, end: i });
      continue;
    }
    const valueStart = i;
    while (i < input.length && !/\s/.test(input[i]!)) i++;
    tokens.push({ text: input.slice(valueStart, i), quoted: false, negated, key, start, end: i });
  }
  return tokens;
}

function dayValue(key: string, value: string): DayRef {
  const lowered = value.toLowerCase();
  if (lowered === 'today' || lowered === 'yesterday') return lowered;
  const match = DAY.exec(value);
  if (match) {
    const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
    const date = new Date(Date.UTC(year, month - 1, day));
    if (date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day) return value;
  }
  throw new SearchSyntaxError(`${key}: needs a date like 2026-11-30 (or "today", "yesterday").`);
}

/** A search with no term and no filter: what parsing starts from. */
export function emptySearch(): ParsedSearch {
  return { terms: [], rooms: [], authors: [], before: null, after: null, on: null, hasLink: false, hasAttachments: [], isThread: false, mentionsMe: false };
}

export function parseSearch(input: string): ParsedSearch {
  const parsed = emptySearch();
  for (const token of tokenizeSearch(input)) {
    if (token.key !== null) {
      applyFilter(parsed, token);
      continue;
    }
    if (!token.quoted && !token.negated && token.text.toLowerCase() === '@me') {
      parsed.mentionsMe = true;
      continue;
    }
    const text = token.quoted ? token.text.trim() : token.text.replace(/\*+$/, '');
    if (!/[\p{L}\p{N}]/u.test(text)) continue; // only punctuation or operators: nothing to look for
    parsed.terms.push({ kind: token.quoted ? 'phrase' : 'word', text, negated: token.negated });
  }
  if (parsed.terms.length > SEARCH_TERMS_MAX) {
    throw new SearchSyntaxError(`Search for at most ${SEARCH_TERMS_MAX} words or phrases at once.`);
  }
  if (parsed.on !== null && (parsed.before !== null || parsed.after !== null)) {
    throw new SearchSyntaxError('Use on: alone, or before: and after:, not both.');
  }
  if (!parsed.terms.some((term) => !term.negated) && !hasFilter(parsed)) {
    throw new SearchSyntaxError('Type a word to search for, or add a filter such as in:#room or from:@someone.');
  }
  return parsed;
}

function applyFilter(parsed: ParsedSearch, token: SearchToken): void {
  const key = token.key!;
  const value = token.text.trim();
  if (token.negated) throw new SearchSyntaxError(`-${key}: is not supported; filters can only narrow a search.`);
  if (!value) throw new SearchSyntaxError(`${key}: needs a value, e.g. ${example(key)}.`);
  switch (key) {
    case 'in':
      if (value.startsWith('@')) parsed.rooms.push({ kind: 'direct', username: value.slice(1).toLowerCase() });
      else parsed.rooms.push({ kind: 'name', name: (value.startsWith('#') ? value.slice(1) : value).toLowerCase() });
      return;
    case 'from':
      parsed.authors.push((value.startsWith('@') ? value.slice(1) : value).toLowerCase());
      return;
    case 'before':
    case 'after':
    case 'on':
      if (parsed[key] !== null) throw new SearchSyntaxError(`Use ${key}: once.`);
      parsed[key] = dayValue(key, value);
      return;
    case 'has': {
      const what = value.toLowerCase();
      if (what === 'link') parsed.hasLink = true;
      else if (ATTACHMENT_FILTERS.includes(what)) {
        const kind = what as AttachmentFilter;
        if (!parsed.hasAttachments.includes(kind)) parsed.hasAttachments.push(kind);
      } else throw new SearchSyntaxError('has: takes link, file, image, video or audio (has:link, has:image).');
      return;
    }
    case 'is':
      if (value.toLowerCase() !== 'thread') throw new SearchSyntaxError('is: takes "thread" (is:thread).');
      parsed.isThread = true;
      return;
  }
}

function example(key: string): string {
  return (
    { in: 'in:#general', from: 'from:@alice', has: 'has:link', is: 'is:thread' }[key] ?? `${key}:2026-11-30`
  );
}

export function hasFilter(parsed: ParsedSearch): boolean {
  return (
    parsed.rooms.length > 0 ||
    parsed.authors.length > 0 ||
    parsed.before !== null ||
    parsed.after !== null ||
    parsed.on !== null ||
    parsed.hasLink ||
    parsed.hasAttachments.length > 0 ||
    parsed.isThread ||
    parsed.mentionsMe
  );
}

/** A run of letters, digits and combining marks (global: use with match/matchAll). */
export const WORD_RUN = /[\p{L}\p{N}\p{M}]+/gu;

/**
 * The runs of letters, digits and combining marks in a text ("node.js" → ["node", "js"]): its words, as
 * snippets mark them.
 */
export function wordRuns(text: string): string[] {
  return text.match(WORD_RUN) ?? [];
}
