import compact from 'emojibase-data/en/compact.json';
import type { CompactEmoji } from 'emojibase';
import { describe, expect, it } from 'vitest';
import { EMOJI_MAX_LENGTH, isSingleEmoji, normalizeEmoji } from './single-emoji';
import { unicodeForm } from './unicode-form';

const VS16 = '\u{FE0F}';
const VS15 = '\u{FE0E}';
const ZWJ = '\u{200D}';

/** Every emoji the picker offers, skins included, as the dataset spells it. */
const offered: CompactEmoji[] = (compact as CompactEmoji[])
  .filter((e) => e.group !== undefined && e.group !== 2)
  .flatMap((e) => [e, ...(e.skins ?? [])]);

describe('isSingleEmoji accepts one emoji', () => {
  it.each([
    ['thumbs up', '👍'],
    ['thumbs up, fully qualified', `👍${VS16}`],
    ['skin tone', '👍🏽'],
    ['red heart', `❤${VS16}`],
    ['red heart without FE0F', '❤'],
    ['ZWJ sequence', '👩‍💻'],
    ['ZWJ sequence with skin tone', '👩🏾‍💻'],
    ['rainbow flag', '🏳️‍🌈'],
    ['rainbow flag without FE0F', `🏳${ZWJ}🌈`],
    ['family', '👨‍👩‍👧‍👦'],
    ['couple with two skin tones', '🧑🏻‍❤️‍💋‍🧑🏿'],
    ['country flag', '🇫🇷'],
    ['subdivision flag (tag sequence)', '🏴󠁧󠁢󠁳󠁣󠁴󠁿'],
    ['keycap', '1️⃣'],
    ['keycap without FE0F', `1${'\u{20E3}'}`],
    ['hash keycap', '#️⃣'],
    ['copyright sign', '©'],
    ['eye in speech bubble, partly qualified', `👁${ZWJ}🗨${VS16}`],
  ])('%s', (_name, text) => {
    expect(isSingleEmoji(text)).toBe(true);
  });

  it('accepts every emoji the dataset offers, and each one without its U+FE0F', () => {
    expect(offered.length).toBeGreaterThan(3500);
    for (const emoji of offered) {
      expect(isSingleEmoji(emoji.unicode), emoji.label).toBe(true);
      expect(isSingleEmoji(emoji.unicode.replaceAll(VS16, '')), emoji.label).toBe(true);
    }
  });
});

describe('isSingleEmoji refuses everything else', () => {
  it.each([
    ['empty', ''],
    ['space', ' '],
    ['whitespace', '\t\n'],
    ['letter', 'a'],
    ['word', 'hi'],
    ['digit alone', '1'],
    ['hash alone', '#'],
    ['digit with FE0F but no keycap', `1${VS16}`],
    ['letter keycap (not an emoji)', `a${VS16}${'\u{20E3}'}`],
    ['text before', 'hi👍'],
    ['text after', '👍hi'],
    ['two emoji', '👍👍'],
    ['two different emoji', '👍❤️'],
    ['two flags', '🇫🇷🇩🇪'],
    ['emoji plus space', '👍 '],
    ['space plus emoji', ' 👍'],
    ['emoji plus newline', '👍\n'],
    ['lone regional indicator', '🇫'],
    ['three regional indicators', '🇫🇷🇩'],
    ['unassigned flag pair', '🇦🇦'],
    ['lone ZWJ', ZWJ],
    ['lone FE0F', VS16],
    ['lone keycap mark', '\u{20E3}'],
    ['lone skin tone', '🏽'],
    ['lone hair component', '🦰'],
    ['ZWJ after an emoji', `👍${ZWJ}`],
    ['two emoji joined by ZWJ that form nothing', `👍${ZWJ}👍`],
    ['doubled FE0F', `❤${VS16}${VS16}`],
    ['FE0F where Unicode defines no variation', `😀${VS16}`],
    ['text presentation', `❤${VS15}`],
    ['skin tone on an emoji that takes none', '🐶🏽'],
    ['NUL', '\u{0000}'],
    ['NUL before emoji', '\u{0000}👍'],
    ['control character after emoji', '👍\u{0007}'],
    ['bidi override around emoji', '\u{202E}👍'],
    ['lone high surrogate', '\u{D83D}'],
    ['emoji shortcode', ':+1:'],
    ['emoticon', ':)'],
    ['HTML', '<b>👍</b>'],
  ])('%s', (_name, text) => {
    expect(isSingleEmoji(text)).toBe(false);
  });

  it(`refuses anything longer than ${EMOJI_MAX_LENGTH} UTF-16 units, and accepts the dataset's longest`, () => {
    const longest = offered.reduce((a, b) => (b.unicode.length > a.unicode.length ? b : a));
    expect(longest.unicode.length).toBeLessThanOrEqual(EMOJI_MAX_LENGTH);
    expect(isSingleEmoji(longest.unicode)).toBe(true);
    expect(isSingleEmoji('👍'.repeat(33))).toBe(false);
    expect(isSingleEmoji('a'.repeat(10_000))).toBe(false);
  });

  it('refuses any pair of emoji glued together', () => {
    const sample = offered.filter((_, i) => i % 97 === 0);
    for (const a of sample) {
      for (const b of sample) expect(isSingleEmoji(a.unicode + b.unicode), `${a.label} + ${b.label}`).toBe(false);
    }
  });

  it('refuses non-strings that slip past a schema', () => {
    expect(isSingleEmoji(undefined as unknown as string)).toBe(false);
    expect(isSingleEmoji(['👍'] as unknown as string)).toBe(false);
  });
});

describe('normalizeEmoji', () => {
  it('maps every spelling of one emoji to one stored form', () => {
    expect(normalizeEmoji('👍')).toBe(normalizeEmoji(`👍${VS16}`));
    expect(normalizeEmoji('❤')).toBe(`❤${VS16}`);
    expect(normalizeEmoji(`🏳${ZWJ}🌈`)).toBe('🏳️‍🌈');
    expect(normalizeEmoji(`1${'\u{20E3}'}`)).toBe('1️⃣');
    expect(normalizeEmoji('©')).toBe(`©${VS16}`);
    const eye = normalizeEmoji('👁️‍🗨️');
    expect(eye).not.toBeNull();
    for (const spelling of [`👁${ZWJ}🗨`, `👁${VS16}${ZWJ}🗨`, `👁${ZWJ}🗨${VS16}`]) expect(normalizeEmoji(spelling)).toBe(eye);
  });

  it('stores the form the picker offers (Unicode\'s fully qualified form), so a picked emoji is stored unchanged', () => {
    for (const emoji of offered) {
      const form = unicodeForm(emoji.unicode);
      expect(normalizeEmoji(emoji.unicode), emoji.label).toBe(form);
      expect(normalizeEmoji(form), emoji.label).toBe(form);
    }
    // What keyboards send: 👍 without U+FE0F; ❤️ and keycaps need it.
    expect(normalizeEmoji(`👍${VS16}`)).toBe('👍');
    expect(normalizeEmoji('❤')).toBe(`❤${VS16}`);
  });

  it('keeps skin tones apart', () => {
    expect(normalizeEmoji('👍🏻')).toBe('👍🏻');
    expect(normalizeEmoji('👍🏻')).not.toBe(normalizeEmoji('👍🏿'));
    expect(normalizeEmoji('👍🏻')).not.toBe(normalizeEmoji('👍'));
  });

  it('is idempotent', () => {
    for (const emoji of offered) {
      const once = normalizeEmoji(emoji.unicode.replaceAll(VS16, ''));
      expect(once).not.toBeNull();
      expect(normalizeEmoji(once!)).toBe(once);
    }
  });

  it('returns null for what isSingleEmoji refuses', () => {
    expect(normalizeEmoji('')).toBeNull();
    expect(normalizeEmoji('👍👍')).toBeNull();
    expect(normalizeEmoji('🇫')).toBeNull();
    expect(normalizeEmoji('1')).toBeNull();
  });
});
