import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { unicodeForm } from './unicode-form';
import { fromCodepointToUnicode, fromHexcodeToCodepoint, type CompactEmoji, type HexcodesDataset } from 'emojibase';

/**
 * Server-side check that a reaction is exactly one emoji the picker offers, and the one form we store it in.
 *
 * The dataset is emojibase-data: `en/compact.json` lists every emoji (its `unicode` is the fully-qualified,
 * emoji-presentation form: the canonical form here) and `meta/hexcodes.json` lists, per emoji, the other
 * spellings Unicode knows (without U+FE0F, partly qualified). Text-presentation spellings (U+FE0E) are not
 * accepted: a reaction asks for the emoji. Components (a bare skin-tone swatch, hair) and the 26 lone regional
 * indicators are in the dataset but not in the picker, so they are refused too.
 */

/** Inputs longer than this (UTF-16 code units) are refused before any lookup; the dataset's longest is 15. */
export const EMOJI_MAX_LENGTH = 64;

/** emojibase's group number for "component" (skin tones and hair styles on their own). */
const COMPONENT_GROUP = 2;
const TEXT_PRESENTATION = 'FE0E';

let canonicalByForm: ReadonlyMap<string, string> | undefined;

function readDataset<T>(specifier: string): T {
  // Read and parse rather than `require`: the parsed dataset (~10 MB of objects) is garbage once the map is
  // built, instead of living on in the module cache. Node resolves the path, so this needs no bundler.
  const require = createRequire(import.meta.url);
  return JSON.parse(readFileSync(require.resolve(specifier), 'utf8')) as T;
}

function fromHexcode(hexcode: string): string {
  return fromCodepointToUnicode(fromHexcodeToCodepoint(hexcode));
}

function buildTable(): ReadonlyMap<string, string> {
  const emojis = readDataset<CompactEmoji[]>('emojibase-data/en/compact.json');
  const spellings = readDataset<HexcodesDataset>('emojibase-data/meta/hexcodes.json');
  const table = new Map<string, string>();

  const add = (emoji: CompactEmoji) => {
    if (emoji.group === undefined || emoji.group === COMPONENT_GROUP) return;
    const canonical = unicodeForm(emoji.unicode);
    table.set(emoji.unicode, canonical);
    table.set(canonical, canonical);
    for (const hexcode of Object.keys(spellings[emoji.hexcode] ?? {})) {
      if (hexcode.includes(TEXT_PRESENTATION)) continue;
      table.set(fromHexcode(hexcode), canonical);
    }
  };
  for (const emoji of emojis) {
    add(emoji);
    for (const skin of emoji.skins ?? []) add(skin);
  }
  return table;
}

function table(): ReadonlyMap<string, string> {
  canonicalByForm ??= buildTable();
  return canonicalByForm;
}

/**
 * The canonical form of `text` if it is exactly one emoji (any skin tone, ZWJ sequence, flag or keycap, with or
 * without U+FE0F), else `null`. Store and compare reactions in this form, so 👍 typed with and without U+FE0F is
 * one reaction. Loads the dataset on first call (tens of milliseconds), then is one map lookup.
 */
export function normalizeEmoji(text: string): string | null {
  if (typeof text !== 'string' || text.length === 0 || text.length > EMOJI_MAX_LENGTH) return null;
  return table().get(text) ?? null;
}

/** True iff `text` is exactly one emoji the picker offers, in any spelling `normalizeEmoji` accepts. */
export function isSingleEmoji(text: string): boolean {
  return normalizeEmoji(text) !== null;
}
