/**
 * Message search: the query string of GET /api/search and the page it returns (docs/protocol.md §6).
 * The search text itself (`q`) is parsed by lib/search/query.ts; this file only bounds and types it.
 */
import { z } from 'zod';
import type { ChatMessage } from './message';
import type { RoomKind } from './room';
import { plainText } from './text';
import type { PublicUser } from './user';

export const SEARCH_QUERY_MAX = 200;
export const SEARCH_PAGE_MAX = 50;
export const SEARCH_SORTS = ['relevance', 'newest'] as const;
export type SearchSort = (typeof SEARCH_SORTS)[number];
export const SEARCH_SCOPES = ['mine', 'all'] as const;
export type SearchScope = (typeof SEARCH_SCOPES)[number];

/** An IANA time zone this runtime knows ("Europe/Paris", "UTC"): dates in `q` are days in it. */
function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

export const searchQuerySchema = z.strictObject({
  q: plainText(
    z
      .string({ error: 'Type something to search for.' })
      .trim()
      .min(1, 'Type something to search for.')
      .max(SEARCH_QUERY_MAX, `Search at most ${SEARCH_QUERY_MAX} characters.`),
    { label: 'The search' },
  ),
  /** mine: rooms and conversations I am in; all: also public rooms I have not joined. */
  scope: z.enum(SEARCH_SCOPES, { error: 'scope must be "mine" or "all".' }).default('mine'),
  sort: z.enum(SEARCH_SORTS, { error: 'sort must be "relevance" or "newest".' }).default('relevance'),
  /** Opaque: `nextCursor` of the previous page (same q, scope, sort and tz). */
  cursor: plainText(z.string().min(1).max(200), { label: 'The cursor' }).optional(),
  limit: z.coerce.number().int().min(1).max(SEARCH_PAGE_MAX).default(20),
  tz: plainText(z.string().trim().min(1).max(64), { label: 'The time zone' })
    .refine(isTimeZone, 'tz must be an IANA time zone such as "Europe/Paris".')
    .default('UTC'),
});
export type SearchQuery = z.infer<typeof searchQuerySchema>;

/** A piece of a snippet; `match: true` pieces are the words the search matched (render them highlighted). */
export interface SnippetPart {
  text: string;
  match: boolean;
}

/** Where a hit was said: enough to label it and open it. */
export interface SearchRoom {
  id: string;
  name: string;
  kind: RoomKind;
  /** Direct rooms: the other participant. */
  peer: PublicUser | null;
  isMember: boolean;
}

export interface SearchHit {
  /** The message in its current state. */
  message: ChatMessage;
  room: SearchRoom;
  /** Plain text (Markdown removed) around the first match, at most ~200 characters, with "…" where cut. */
  snippet: SnippetPart[];
}

export interface SearchPage {
  hits: SearchHit[];
  nextCursor: string | null;
  /**
   * true when nothing matched exactly and these are near matches (typos: "deplyoment" → "deployment").
   * Only a first page is ever approximate; paging on stays approximate.
   */
  approximate: boolean;
  /** Human-readable remarks about the query, e.g. a filter that matched no room ("No room named …"). */
  notes: string[];
}
