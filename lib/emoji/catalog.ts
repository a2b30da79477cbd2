import type { CompactEmoji, GroupKey, MessagesDataset, ShortcodesDataset } from 'emojibase';
import { unicodeForm } from './unicode-form';

/**
 * The picker's emoji catalogue (browser side) and the user's emoji preferences.
 *
 * The catalogue comes from emojibase-data (English labels and CLDR keywords, Slack-style shortcodes from the
 * iamcal set) through dynamic `import()`: the bundler emits it as separate chunks served from our own origin,
 * fetched the first time a picker opens. Emoji are in the form the server stores (see lib/emoji/single-emoji.ts).
 */

/** 0 is the default (yellow) emoji; 1–5 are the Fitzpatrick modifiers, light to dark. */
export type SkinTone = 0 | 1 | 2 | 3 | 4 | 5;

export interface CatalogSkin {
  emoji: string;
  /** e.g. "thumbs up: medium skin tone" */
  name: string;
  /** One tone per person in the emoji (two for a handshake or a couple). */
  tones: readonly SkinTone[];
}

export interface CatalogEmoji {
  emoji: string;
  /** The CLDR name, e.g. "thumbs up": the accessible name of its button. */
  name: string;
  /** Without colons, e.g. ["+1", "thumbsup"]. */
  shortcodes: readonly string[];
  keywords: readonly string[];
  emoticons: readonly string[];
  group: GroupKey;
  order: number;
  skins: readonly CatalogSkin[];
}

export interface EmojiCategory {
  key: GroupKey;
  /** e.g. "Smileys & emotion" */
  name: string;
  emoji: readonly CatalogEmoji[];
}

export interface EmojiCatalog {
  categories: readonly EmojiCategory[];
  /** Every emoji and skin variant, with or without U+FE0F, to its catalogue entry. */
  byEmoji: ReadonlyMap<string, CatalogEmoji>;
  /** Every emoji and skin variant, with or without U+FE0F, to its name. */
  names: ReadonlyMap<string, string>;
}

const COMPONENT_GROUP: GroupKey = 'component';
const VARIATION_SELECTORS = /[\uFE0E\uFE0F]/g;
const SKIN_TONE_BASE = 0x1f3fa; // U+1F3FB is tone 1

function stripVariation(text: string): string {
  return text.replace(VARIATION_SELECTORS, '');
}

function tonesOf(emoji: string): SkinTone[] {
  const tones: SkinTone[] = [];
  for (const char of emoji) {
    const tone = (char.codePointAt(0) ?? 0) - SKIN_TONE_BASE;
    if (tone >= 1 && tone <= 5) tones.push(tone as SkinTone);
  }
  return tones;
}

function asList<T>(value: T | readonly T[] | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? [...(value as readonly T[])] : [value as T];
}

function sentenceCase(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Builds the catalogue from emojibase-data's compact dataset (pure; `loadEmojiCatalog` feeds it). */
export function buildEmojiCatalog(emojis: readonly CompactEmoji[], shortcodes: ShortcodesDataset, messages: MessagesDataset): EmojiCatalog {
  const groupByNumber = new Map(messages.groups.map((g) => [g.order, g]));
  const categories = new Map<GroupKey, { key: GroupKey; name: string; order: number; emoji: CatalogEmoji[] }>();
  const byEmoji = new Map<string, CatalogEmoji>();
  const names = new Map<string, string>();

  const remember = (emoji: string, entry: CatalogEmoji, name: string) => {
    for (const form of [emoji, stripVariation(emoji)]) {
      if (!byEmoji.has(form)) byEmoji.set(form, entry);
      if (!names.has(form)) names.set(form, name);
    }
  };

  for (const source of emojis) {
    const group = source.group === undefined ? undefined : groupByNumber.get(source.group);
    // Ungrouped (lone regional indicators) and components (a bare skin tone) are not reactions.
    if (!group || group.key === COMPONENT_GROUP) continue;

    const entry: CatalogEmoji = {
      emoji: unicodeForm(source.unicode),
      name: source.label,
      shortcodes: asList(shortcodes[source.hexcode]),
      keywords: source.tags ?? [],
      emoticons: asList(source.emoticon),
      group: group.key,
      order: source.order ?? Number.MAX_SAFE_INTEGER,
      skins: (source.skins ?? []).map((skin) => ({ emoji: unicodeForm(skin.unicode), name: skin.label, tones: tonesOf(skin.unicode) })),
    };
    remember(entry.emoji, entry, entry.name);
    for (const skin of entry.skins) remember(skin.emoji, entry, skin.name);

    let category = categories.get(group.key);
    if (!category) {
      category = { key: group.key, name: sentenceCase(group.message), order: group.order, emoji: [] };
      categories.set(group.key, category);
    }
    category.emoji.push(entry);
  }

  const sorted = [...categories.values()].sort((a, b) => a.order - b.order);
  for (const category of sorted) category.emoji.sort((a, b) => a.order - b.order);
  return {
    categories: sorted.map(({ key, name, emoji }) => ({ key, name, emoji })),
    byEmoji,
    names,
  };
}

let loaded: EmojiCatalog | undefined;
let loading: Promise<EmojiCatalog> | undefined;

/** Loads the catalogue once (separate chunks, our origin); a failed load (offline, new deploy) can be retried. */
export function loadEmojiCatalog(): Promise<EmojiCatalog> {
  if (loaded) return Promise.resolve(loaded);
  loading ??= Promise.all([
    import('emojibase-data/en/compact.json'),
    import('emojibase-data/en/shortcodes/iamcal.json'),
    import('emojibase-data/en/messages.json'),
  ]).then(
    ([emojis, shortcodes, messages]) => {
      loaded = buildEmojiCatalog(emojis.default, shortcodes.default, messages.default);
      return loaded;
    },
    (error: unknown) => {
      loading = undefined;
      throw error;
    },
  );
  return loading;
}

/** The catalogue if it has already loaded, without starting a load. */
export function loadedEmojiCatalog(): EmojiCatalog | undefined {
  return loaded;
}

/** The name of an emoji or one of its skin variants, e.g. "thumbs up: dark skin tone". */
export function emojiName(catalog: EmojiCatalog, emoji: string): string | undefined {
  return catalog.names.get(emoji) ?? catalog.names.get(stripVariation(emoji));
}

/** The variant of `entry` in `tone` (every person in that tone), or the entry itself when it has none. */
export function withSkinTone(entry: CatalogEmoji, tone: SkinTone): CatalogSkin | CatalogEmoji {
  if (tone === 0) return entry;
  return entry.skins.find((skin) => skin.tones.length > 0 && skin.tones.every((t) => t === tone)) ?? entry;
}

// ---------------------------------------------------------------------------------------------------------
// Search

interface SearchFields {
  entry: CatalogEmoji;
  name: string;
  shortcodes: string[];
  emoticons: string[];
  /** Words of the name and the shortcodes, and the keywords: what each query word is matched against. */
  words: string[];
}

const searchIndexes = new WeakMap<EmojiCatalog, SearchFields[]>();

/** Lower case, no accents (piñata, Côte d’Ivoire), straight apostrophes, single spaces. */
function fold(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[‘’]/g, "'")
    .replace(/\s+/g, ' ')
    .trim();
}

function wordsOf(text: string): string[] {
  return text.split(/[^\p{L}\p{N}'+#*]+/u).filter(Boolean);
}

function searchIndex(catalog: EmojiCatalog): SearchFields[] {
  let index = searchIndexes.get(catalog);
  if (!index) {
    index = catalog.categories.flatMap((category) =>
      category.emoji.map((entry) => {
        const name = fold(entry.name);
        const shortcodes = entry.shortcodes.map(fold);
        const words = new Set([...wordsOf(name), ...shortcodes.flatMap((s) => s.split('_')), ...entry.keywords.map(fold)]);
        return { entry, name, shortcodes, emoticons: [...entry.emoticons], words: [...words].filter(Boolean) };
      }),
    );
    searchIndexes.set(catalog, index);
  }
  return index;
}

/** Lower is better: 0 exact, 1 prefix, 2 every query word is a keyword or a word of the name, 3 word prefixes. */
function rank(fields: SearchFields, query: Query): number | undefined {
  if (fields.emoticons.includes(query.raw)) return 0;
  if (query.bare.length === 0) return undefined;
  if (fields.name === query.bare || fields.shortcodes.includes(query.shortcode)) return 0;
  if (fields.name.startsWith(query.bare) || fields.shortcodes.some((s) => s.startsWith(query.shortcode))) return 1;
  if (query.tokens.length === 0) return undefined;
  if (query.tokens.every((token) => fields.words.includes(token))) return 2;
  if (query.tokens.every((token) => fields.words.some((word) => word.startsWith(token)))) return 3;
  return undefined;
}

interface Query {
  /** As typed, trimmed: emoticons are matched as they are (`:D`, `xD`). */
  raw: string;
  /** Folded, without surrounding colons. */
  bare: string;
  /** `bare` with underscores for spaces, as shortcodes spell it. */
  shortcode: string;
  tokens: string[];
}

/**
 * Emoji matching `query`, best first: the emoji itself or an exact shortcode (`+1`, `:tada:`), name or emoticon;
 * then names and shortcodes starting with it; then keyword matches; within each, the catalogue's order.
 */
export function searchEmoji(catalog: EmojiCatalog, query: string, limit = Number.POSITIVE_INFINITY): CatalogEmoji[] {
  const raw = query.trim();
  if (raw.length === 0 || limit <= 0) return [];

  const itself = catalog.byEmoji.get(raw) ?? catalog.byEmoji.get(stripVariation(raw));
  if (itself) return [itself];

  const bare = fold(raw).replace(/^:+|:+$/g, '');
  const parsed: Query = { raw, bare, shortcode: bare.replace(/ /g, '_'), tokens: wordsOf(bare) };
  const ranked: { entry: CatalogEmoji; rank: number }[] = [];
  for (const fields of searchIndex(catalog)) {
    const r = rank(fields, parsed);
    if (r !== undefined) ranked.push({ entry: fields.entry, rank: r });
  }
  // Array.prototype.sort is stable, and the index is already in catalogue order.
  ranked.sort((a, b) => a.rank - b.rank);
  return ranked.slice(0, limit).map((r) => r.entry);
}

// ---------------------------------------------------------------------------------------------------------
// Preferences in localStorage: frequently used emoji and the preferred skin tone

const VS16 = '\u{FE0F}';

/**
 * 👍 ❤️ 😂 🎉 👀 🙏 ✅ 🔥: shown until the user has reacted enough to fill the row themselves. Spelled as the server
 * stores them (with U+FE0F where the dataset's form has it; a test checks).
 */
export const DEFAULT_FREQUENT_EMOJI: readonly string[] = ['👍', `❤${VS16}`, '😂', '🎉', '👀', '🙏', '✅', '🔥'];

const FREQUENT_KEY = 'parley:emoji:frequent';
const SKIN_TONE_KEY = 'parley:emoji:skin-tone';
const MAX_REMEMBERED = 48;
const MAX_EMOJI_LENGTH = 64;
/** A use counts half as much after two weeks: last month's favourite gives way to this week's. */
const HALF_LIFE_MS = 14 * 24 * 60 * 60 * 1000;

/** emoji → [score, last used (ms)] */
type Uses = Record<string, [number, number]>;

const listeners = new Set<() => void>();
let version = 0;

function storage(): Storage | undefined {
  if (typeof window === 'undefined') return undefined; // server render
  try {
    return window.localStorage; // throws where storage is disabled
  } catch {
    return undefined;
  }
}

function readItem(key: string): string | null {
  try {
    return storage()?.getItem(key) ?? null;
  } catch {
    return null;
  }
}

function writeItem(key: string, value: string): void {
  try {
    storage()?.setItem(key, value);
  } catch {
    // Full or disabled storage: the preference lives until the page closes, which is fine.
  }
}

function changed(): void {
  version += 1;
  for (const listener of listeners) listener();
}

function isEmojiKey(key: string): boolean {
  return key.length > 0 && key.length <= MAX_EMOJI_LENGTH;
}

/** Whatever is stored, valid entries survive and the rest is ignored: the store is user-editable. */
function readUses(): Uses {
  const raw = readItem(FREQUENT_KEY);
  if (!raw) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return {};
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return {};
  const uses: Uses = {};
  for (const [emoji, value] of Object.entries(parsed)) {
    if (!isEmojiKey(emoji) || !Array.isArray(value) || value.length !== 2) continue;
    const [score, at] = value as unknown[];
    if (typeof score === 'number' && typeof at === 'number' && Number.isFinite(score) && Number.isFinite(at) && score > 0) {
      uses[emoji] = [score, at];
    }
  }
  return uses;
}

function decayed([score, at]: [number, number], now: number): number {
  return score * 0.5 ** (Math.max(0, now - at) / HALF_LIFE_MS);
}

/** Counts one use of `emoji` towards the "frequently used" row. */
export function recordEmojiUse(emoji: string, now: number = Date.now()): void {
  if (!isEmojiKey(emoji) || !storage()) return;
  const uses = readUses();
  const previous = uses[emoji];
  uses[emoji] = [(previous ? decayed(previous, now) : 0) + 1, now];
  const kept = Object.entries(uses)
    .sort(([, a], [, b]) => decayed(b, now) - decayed(a, now))
    .slice(0, MAX_REMEMBERED);
  writeItem(FREQUENT_KEY, JSON.stringify(Object.fromEntries(kept)));
  changed();
}

/**
 * The user's most used emoji, most used first (recent uses weigh more), topped up with `DEFAULT_FREQUENT_EMOJI`.
 * On the server and without storage: the defaults.
 */
export function frequentEmoji(limit = DEFAULT_FREQUENT_EMOJI.length, now: number = Date.now()): string[] {
  const mine = Object.entries(readUses())
    .sort(([, a], [, b]) => decayed(b, now) - decayed(a, now) || b[1] - a[1])
    .map(([emoji]) => emoji);
  const chosen = new Set(mine.slice(0, limit));
  for (const emoji of DEFAULT_FREQUENT_EMOJI) {
    if (chosen.size >= limit) break;
    chosen.add(emoji);
  }
  return [...chosen].slice(0, Math.max(0, limit));
}

/** The preferred skin tone for emoji that have them (0, the default yellow, until chosen). */
export function preferredSkinTone(): SkinTone {
  const stored = Number(readItem(SKIN_TONE_KEY));
  return Number.isInteger(stored) && stored >= 0 && stored <= 5 ? (stored as SkinTone) : 0;
}

export function setPreferredSkinTone(tone: SkinTone): void {
  writeItem(SKIN_TONE_KEY, String(tone));
  changed();
}

function onStorage(event: StorageEvent): void {
  // key is null when another tab cleared all of storage.
  if (event.key === null || event.key === FREQUENT_KEY || event.key === SKIN_TONE_KEY) changed();
}

/**
 * Calls `listener` whenever the emoji preferences change, in this tab or another; for `useSyncExternalStore`
 * with `emojiPreferencesVersion` as the snapshot.
 */
export function subscribeEmojiPreferences(listener: () => void): () => void {
  if (listeners.size === 0 && typeof window !== 'undefined') window.addEventListener('storage', onStorage);
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0 && typeof window !== 'undefined') window.removeEventListener('storage', onStorage);
  };
}

/** Increases with every change to the emoji preferences (a cheap, stable `useSyncExternalStore` snapshot). */
export function emojiPreferencesVersion(): number {
  return version;
}
