/**
 * The snippet of a search hit: the message as plain text around its first match, cut into parts with the
 * matched words marked. Done here rather than with ts_headline because a hit may match by substring or
 * by near match, which ts_headline knows nothing of, and because parts (not HTML with markers) are what
 * a client can render safely.
 */
import removeMarkdown from 'remove-markdown';
import type { SnippetPart } from '../schemas/search';
import { WORD_RUN } from './query';
import { UNACCENT_LETTERS } from './unaccent-letters';

export const SNIPPET_MAX_CHARS = 200;
/** How much text to keep before the first match. */
const LEAD_CHARS = 60;

/** What to mark: words that begin with a prefix, and text that contains a needle. All already folded. */
export interface Highlighter {
  prefixes: string[];
  needles: string[];
}

/**
 * Case and accent folding as PostgreSQL's parley_fold (lower(unaccent(…))) does it for letters: unaccent's own
 * letters (ß → ss, æ → ae …), else decompose, drop the combining marks, lower-case. Returns the folded text and, for each folded UTF-16 unit, the index of the
 * original unit it came from, so a match found in folded text marks the right original characters.
 */
export function foldWithMap(text: string): { folded: string; origin: number[] } {
  let folded = '';
  const origin: number[] = [];
  let index = 0;
  for (const char of text) {
    const piece = UNACCENT_LETTERS[char] ?? char.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
    for (let i = 0; i < piece.length; i++) origin.push(index);
    folded += piece;
    index += char.length;
  }
  return { folded, origin };
}

export function fold(text: string): string {
  return foldWithMap(text).folded;
}

function plainText(body: string): string {
  let text = body;
  try {
    text = removeMarkdown(body, { gfm: true, useImgAltText: true });
  } catch {
    // keep the raw text
  }
  return text.replace(/\s+/g, ' ').trim();
}

/** [start, end) ranges of the original text to mark, merged and sorted. */
function matchRanges(text: string, highlighter: Highlighter): [number, number][] {
  const { folded, origin } = foldWithMap(text);
  const ranges: [number, number][] = [];
  const toOriginal = (start: number, end: number): [number, number] => [
    origin[start]!,
    end >= origin.length ? text.length : origin[end]!,
  ];
  for (const needle of highlighter.needles) {
    if (!needle) continue;
    for (let at = folded.indexOf(needle); at !== -1; at = folded.indexOf(needle, at + needle.length)) {
      ranges.push(toOriginal(at, at + needle.length));
    }
  }
  if (highlighter.prefixes.length > 0) {
    for (const word of folded.matchAll(WORD_RUN)) {
      if (highlighter.prefixes.some((prefix) => prefix && word[0].startsWith(prefix))) {
        ranges.push(toOriginal(word.index, word.index + word[0].length));
      }
    }
  }
  ranges.sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const range of ranges) {
    const last = merged.at(-1);
    if (last && range[0] <= last[1]) last[1] = Math.max(last[1], range[1]);
    else merged.push([...range]);
  }
  return merged;
}

/** Snippet parts of `body`: at most SNIPPET_MAX_CHARS of plain text, starting a little before the first match. */
export function buildSnippet(body: string, highlighter: Highlighter): SnippetPart[] {
  const text = plainText(body);
  const ranges = matchRanges(text, highlighter);
  let start = 0;
  const first = ranges[0];
  if (first && first[0] > LEAD_CHARS) {
    start = first[0] - LEAD_CHARS;
    const space = text.indexOf(' ', start);
    if (space !== -1 && space < first[0]) start = space + 1; // begin at a word
  }
  let end = Math.min(text.length, start + SNIPPET_MAX_CHARS);
  if (end < text.length) {
    const space = text.lastIndexOf(' ', end);
    if (space > start + SNIPPET_MAX_CHARS / 2) end = space; // end at a word
  }
  // Never split a surrogate pair.
  if (start > 0 && /[\uDC00-\uDFFF]/.test(text[start] ?? '')) start -= 1;
  if (end < text.length && /[\uDC00-\uDFFF]/.test(text[end] ?? '')) end += 1;

  const parts: SnippetPart[] = [];
  const push = (piece: string, match: boolean) => {
    if (!piece) return;
    const last = parts.at(-1);
    if (last && last.match === match) last.text += piece;
    else parts.push({ text: piece, match });
  };
  if (start > 0) push('…', false);
  let at = start;
  for (const [from, to] of ranges) {
    if (to <= start || from >= end) continue;
    const a = Math.max(from, start);
    const b = Math.min(to, end);
    push(text.slice(at, a), false);
    push(text.slice(a, b), true);
    at = b;
  }
  push(text.slice(at, end), false);
  if (end < text.length) push('…', false);
  return parts;
}
