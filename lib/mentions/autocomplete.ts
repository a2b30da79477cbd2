/**
 * The composer's @-autocomplete, pure: which `@word` the caret is in, which members (and `@room` /
 * `@here`) match it, and the text once one is chosen. The alphabet and the "not after a word character,
 * '@', '.' or '/'" rule are those of lib/schemas/mentions.ts, so what is offered is what the server
 * resolves.
 */
import { ROOM_MENTION_KEYWORDS } from '../schemas/mentions';
import type { PublicUser } from '../schemas/user';

/** The `@word` being typed: `text.slice(start, end)` is replaced on insertion; `query` is what precedes the caret. */
export interface MentionQuery {
  /** Index of the "@". */
  start: number;
  /** End of the word (it may go on after the caret). */
  end: number;
  /** Lower-cased letters between "@" and the caret (may be empty: "@" alone lists everyone). */
  query: string;
}

const NAME_CHAR = /[a-z0-9_.-]/i;
const BLOCKS_MENTION = /[\w@./]/;
const MAX_NAME = 32;

/** Inside a fenced block or an inline code span, "@" is text (the server does not resolve it there). */
function inCode(before: string): boolean {
  const fences = before.match(/(^|\n)(```|~~~)/g)?.length ?? 0;
  if (fences % 2 === 1) return true;
  const line = before.slice(before.lastIndexOf('\n') + 1);
  return (line.match(/`/g)?.length ?? 0) % 2 === 1;
}

/** The mention word at the caret, or null (no "@", an e-mail address, a path, code, too long). */
export function mentionQueryAt(text: string, caret: number): MentionQuery | null {
  if (caret < 0 || caret > text.length) return null;
  let at = caret;
  while (at > 0 && NAME_CHAR.test(text[at - 1]!)) at -= 1;
  if (at === 0 || text[at - 1] !== '@') return null;
  const start = at - 1;
  if (start > 0 && BLOCKS_MENTION.test(text[start - 1]!)) return null;
  if (caret - at > MAX_NAME) return null;
  if (inCode(text.slice(0, start))) return null;
  let end = caret;
  while (end < text.length && NAME_CHAR.test(text[end]!)) end += 1;
  return { start, end, query: text.slice(at, caret).toLowerCase() };
}

export type MentionOption = { kind: 'user'; user: PublicUser } | { kind: 'room'; keyword: 'room' | 'here' };

/** What "@…" an option inserts. */
export function optionName(option: MentionOption): string {
  return option.kind === 'user' ? option.user.username : option.keyword;
}

export const MENTION_OPTIONS_LISTED = 8;

/** 0: username starts with it; 1: a word of the display name does; 2: either contains it; -1: no match. */
function rank(user: PublicUser, query: string): number {
  if (!query) return 0;
  const username = user.username.toLowerCase();
  const display = user.displayName.toLocaleLowerCase();
  if (username.startsWith(query)) return 0;
  if (display.split(/\s+/).some((word) => word.startsWith(query))) return 1;
  if (username.includes(query) || display.includes(query)) return 2;
  return -1;
}

/**
 * Members matching the query, best first (username prefix, then display-name prefix, then substring;
 * by display name within each), never me; then `@room` and `@here` when the query starts them and
 * `includeRoom` (the room lets me notify everyone).
 */
export function matchMentions(
  members: readonly PublicUser[],
  query: string,
  options: { meId?: string; includeRoom?: boolean; limit?: number } = {},
): MentionOption[] {
  const q = query.toLowerCase();
  const seen = new Set<string>();
  const ranked: { user: PublicUser; rank: number }[] = [];
  for (const user of members) {
    // A user called "room" or "here" cannot be mentioned by name: "@room" means everyone.
    if (user.id === options.meId || seen.has(user.id) || ROOM_MENTION_KEYWORDS.has(user.username.toLowerCase())) continue;
    seen.add(user.id);
    const r = rank(user, q);
    if (r >= 0) ranked.push({ user, rank: r });
  }
  ranked.sort(
    (a, b) =>
      a.rank - b.rank ||
      a.user.displayName.localeCompare(b.user.displayName, undefined, { sensitivity: 'base' }) ||
      a.user.username.localeCompare(b.user.username),
  );
  const users: MentionOption[] = ranked.slice(0, options.limit ?? MENTION_OPTIONS_LISTED).map(({ user }) => ({ kind: 'user', user }));
  const keywords: MentionOption[] =
    options.includeRoom === false ? [] : (['room', 'here'] as const).filter((k) => k.startsWith(q)).map((keyword) => ({ kind: 'room', keyword }));
  return [...users, ...keywords];
}

/** The text with the word replaced by "@name " and where the caret goes (after the space). */
export function insertMention(text: string, at: MentionQuery, name: string): { text: string; caret: number } {
  const before = text.slice(0, at.start);
  const after = text.slice(at.end);
  const mention = `@${name}`;
  // Reuse a space already there rather than doubling it.
  const space = /^\s/.test(after) ? '' : ' ';
  return { text: `${before}${mention}${space}${after}`, caret: before.length + mention.length + 1 };
}
