/**
 * Which names a message body mentions, as the server resolves them (lib/data/messages.ts) and the composer
 * previews them: `@username` outside code, and `@room` / `@here` for everyone. Only members of the room become
 * mentions; anything else stays text. Users named "room" or "here" are mentioned by the room keyword instead.
 */

/** Mentions of everyone. */
export const ROOM_MENTION_KEYWORDS: ReadonlySet<string> = new Set(['room', 'here']);

// Fenced blocks first (they may contain backticks), then inline code spans: mentions there are text.
const FENCED_CODE = /(^|\n)(`{3,}|~{3,})[^\n]*\n[\s\S]*?(\n\2[^\n]*(?=\n|$)|$)/g;
const INLINE_CODE = /(`+)[^`]*?\1/g;
// "@" not preceded by a word character, "@", "." or "/" (emails, paths); the username alphabet of lib/schemas/user.ts.
const MENTION = /(?<![\w@./])@([a-z0-9_.-]{1,32})/gi;

export interface MentionCandidates {
  /** Lower-cased usernames, also with trailing "." and "-" removed ("thanks @bob." mentions bob). */
  names: string[];
  /** `@room` or `@here` appears. */
  room: boolean;
}

/** At most this many distinct names are looked up per message. */
export const MAX_MENTION_NAMES = 50;

export function mentionCandidates(body: string): MentionCandidates {
  const text = body.replace(FENCED_CODE, '$1').replace(INLINE_CODE, '');
  const names = new Set<string>();
  let room = false;
  for (const match of text.matchAll(MENTION)) {
    const raw = match[1]!.toLowerCase();
    const trimmed = raw.replace(/[.-]+$/, '');
    for (const name of [raw, trimmed]) {
      if (ROOM_MENTION_KEYWORDS.has(name)) room = true;
      else if (name.length >= 3 && names.size < MAX_MENTION_NAMES) names.add(name);
    }
  }
  return { names: [...names], room };
}
