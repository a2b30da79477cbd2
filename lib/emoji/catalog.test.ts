import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  DEFAULT_FREQUENT_EMOJI,
  type EmojiCatalog,
  emojiName,
  emojiPreferencesVersion,
  frequentEmoji,
  loadEmojiCatalog,
  loadedEmojiCatalog,
  preferredSkinTone,
  recordEmojiUse,
  searchEmoji,
  setPreferredSkinTone,
  subscribeEmojiPreferences,
  withSkinTone,
} from './catalog';
import { normalizeEmoji } from './single-emoji';

const DAY = 24 * 60 * 60 * 1000;

describe('the emoji catalogue', () => {
  let catalog: EmojiCatalog;
  beforeAll(async () => {
    expect(loadedEmojiCatalog()).toBeUndefined();
    catalog = await loadEmojiCatalog();
  });

  const first = (query: string) => searchEmoji(catalog, query)[0]?.name;
  const names = (query: string) => searchEmoji(catalog, query).map((e) => e.name);

  it('loads once, in picker categories, without components or lone regional indicators', async () => {
    expect(await loadEmojiCatalog()).toBe(catalog);
    expect(loadedEmojiCatalog()).toBe(catalog);
    expect(catalog.categories.map((c) => c.key)).toEqual([
      'smileys-emotion',
      'people-body',
      'animals-nature',
      'food-drink',
      'travel-places',
      'activities',
      'objects',
      'symbols',
      'flags',
    ]);
    expect(catalog.categories[0]?.name).toBe('Smileys & emotion');
    const all = catalog.categories.flatMap((c) => c.emoji);
    expect(all.length).toBeGreaterThan(1800);
    expect(all.find((e) => e.emoji === '🏽')).toBeUndefined();
    expect(all.find((e) => e.emoji === '🇫')).toBeUndefined();
    expect(catalog.byEmoji.get('🇫🇷')?.name).toBe('flag: France');
  });

  it('offers every emoji (and skin) in the form the server stores', () => {
    for (const entry of catalog.categories.flatMap((c) => c.emoji)) {
      expect(normalizeEmoji(entry.emoji), entry.name).toBe(entry.emoji);
      for (const skin of entry.skins) expect(normalizeEmoji(skin.emoji), skin.name).toBe(skin.emoji);
    }
  });

  it('gives each emoji its names, shortcodes and keywords', () => {
    const thumbsUp = catalog.byEmoji.get('👍');
    expect(thumbsUp).toMatchObject({ name: 'thumbs up', shortcodes: ['+1', 'thumbsup'], group: 'people-body' });
    expect(thumbsUp?.keywords).toContain('like');
    expect(thumbsUp?.skins).toHaveLength(5);
  });

  it('finds thumbs up by "thumbs", by the "+1" shortcode and by 👍 itself', () => {
    expect(first('thumbs')).toBe('thumbs up');
    expect(names('thumbs')).toContain('thumbs down');
    expect(first('+1')).toBe('thumbs up');
    expect(first(':+1:')).toBe('thumbs up');
    expect(first('👍')).toBe('thumbs up');
    expect(first('👍')).toBe('thumbs up');
    expect(first('👍🏿')).toBe('thumbs up');
  });

  it('ranks exact shortcode and name matches first, then prefixes, then keywords', () => {
    expect(first('tada')).toBe('party popper');
    expect(first('thumbs up')).toBe('thumbs up');
    expect(first('Thumbs Up')).toBe('thumbs up');
    expect(first('white_check_mark')).toBe('check mark button');
    expect(first('white check mark')).toBe('check mark button');

    const heart = names('heart');
    expect(heart[0]).toBe('red heart'); // exact shortcode
    // "heart with arrow" starts with the query; "broken heart" only has it as a word.
    expect(heart.indexOf('heart with arrow')).toBeGreaterThan(0);
    expect(heart.indexOf('heart with arrow')).toBeLessThan(heart.indexOf('broken heart'));

    const yes = names('yes');
    expect(yes).toContain('thumbs up'); // a keyword only
    const cat = names('cat');
    expect(cat.slice(0, 2)).toEqual(['cat face', 'cat']);
    expect(cat.indexOf('cat with wry smile')).toBeLessThan(cat.indexOf('grinning cat'));
  });

  it('matches every word of a query, in any order, and word prefixes last', () => {
    expect(first('up thumbs')).toBe('thumbs up');
    expect(names('flag fr')).toEqual(expect.arrayContaining(['flag: France', 'flag: French Polynesia']));
    expect(names('flag fr')).not.toContain('french fries');
    expect(names('thu u')).toContain('thumbs up');
  });

  it('ignores case, accents and curly apostrophes; matches emoticons as typed', () => {
    expect(first('pinata')).toBe('piñata');
    expect(first("cote d'ivoire")).toBe('flag: Côte d’Ivoire');
    expect(first(':)')).toBe('slightly smiling face');
    expect(first('<3')).toBe('red heart');
  });

  it('finds nothing for nothing, and honours the limit', () => {
    expect(searchEmoji(catalog, '')).toEqual([]);
    expect(searchEmoji(catalog, '   ')).toEqual([]);
    expect(searchEmoji(catalog, ':')).toEqual([]);
    expect(searchEmoji(catalog, '::')).toEqual([]);
    expect(searchEmoji(catalog, 'qqxqzz')).toEqual([]);
    expect(searchEmoji(catalog, 'face', 5)).toHaveLength(5);
    expect(searchEmoji(catalog, 'face', 0)).toEqual([]);
  });

  it('names skin variants and picks the one in the preferred tone', () => {
    const thumbsUp = catalog.byEmoji.get('👍')!;
    expect(withSkinTone(thumbsUp, 0).emoji).toBe(thumbsUp.emoji);
    expect(withSkinTone(thumbsUp, 3).emoji).toBe('👍🏽');
    expect(withSkinTone(catalog.byEmoji.get('🤝')!, 5).emoji).toBe('🤝🏿');
    expect(withSkinTone(catalog.byEmoji.get('🐶')!, 5).emoji).toBe('🐶');
    expect(emojiName(catalog, '👍🏿')).toBe('thumbs up: dark skin tone');
    expect(emojiName(catalog, '❤')).toBe('red heart');
    expect(emojiName(catalog, 'hi')).toBeUndefined();
  });
});

/** A localStorage double; `broken` makes every call throw, as in a browser with storage disabled. */
function fakeStorage(initial: Record<string, string> = {}) {
  const items = new Map(Object.entries(initial));
  const state = { broken: false };
  const guard = () => {
    if (state.broken) throw new DOMException('The operation is insecure.', 'SecurityError');
  };
  const storage = {
    getItem: (key: string) => (guard(), items.get(key) ?? null),
    setItem: (key: string, value: string) => (guard(), void items.set(key, String(value))),
    removeItem: (key: string) => (guard(), void items.delete(key)),
    clear: () => items.clear(),
    key: (i: number) => [...items.keys()][i] ?? null,
    get length() {
      return items.size;
    },
  };
  return { storage, items, state };
}

function browserWith(storage: ReturnType<typeof fakeStorage>['storage']) {
  const target = new EventTarget();
  vi.stubGlobal('window', {
    localStorage: storage,
    addEventListener: target.addEventListener.bind(target),
    removeEventListener: target.removeEventListener.bind(target),
  });
  return target;
}

describe('frequently used emoji', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('are the defaults, in the stored form, on the server and before any history', () => {
    expect(typeof window).toBe('undefined');
    expect(frequentEmoji()).toEqual(DEFAULT_FREQUENT_EMOJI);
    expect(frequentEmoji(3)).toEqual(DEFAULT_FREQUENT_EMOJI.slice(0, 3));
    expect(() => recordEmojiUse('🦄')).not.toThrow();
    for (const emoji of DEFAULT_FREQUENT_EMOJI) expect(normalizeEmoji(emoji)).toBe(emoji);

    browserWith(fakeStorage().storage);
    expect(frequentEmoji(8)).toEqual(DEFAULT_FREQUENT_EMOJI);
  });

  it('puts the most used first and tops up with the defaults, without repeats', () => {
    const { storage } = fakeStorage();
    browserWith(storage);
    const now = Date.now();
    recordEmojiUse('🦄', now);
    recordEmojiUse('🐙', now + 1);
    recordEmojiUse('🦄', now + 2);
    recordEmojiUse('🔥', now + 3);
    // 🔥 and 🐙 were used once each: the more recent first.
    expect(frequentEmoji(4, now + 4)).toEqual(['🦄', '🔥', '🐙', '👍']);
    expect(frequentEmoji(8, now + 4)).toEqual(['🦄', '🔥', '🐙', '👍', '❤️', '😂', '🎉', '👀']);
    expect(frequentEmoji(1, now + 4)).toEqual(['🦄']);
    expect(frequentEmoji(0, now + 4)).toEqual([]);
  });

  it('lets recent use outweigh old habits', () => {
    browserWith(fakeStorage().storage);
    const now = Date.now();
    for (let i = 0; i < 3; i++) recordEmojiUse('🦄', now - 60 * DAY + i);
    recordEmojiUse('🐙', now);
    expect(frequentEmoji(2, now)).toEqual(['🐙', '🦄']);
    // Same weight: the most recent first.
    recordEmojiUse('🐝', now);
    recordEmojiUse('🐙', now + 1);
    recordEmojiUse('🐝', now + 2);
    expect(frequentEmoji(2, now + 2)).toEqual(['🐝', '🐙']);
  });

  it('remembers a bounded number of emoji', () => {
    const { storage, items } = fakeStorage();
    browserWith(storage);
    const animals = [...'🐶🐱🐭🐹🐰🦊🐻🐼🐨🐯🦁🐮🐷🐸🐵🐔🐧🐦🐤🦆🦅🦉🦇🐺🐗🐴🦄🐝🐛🦋🐌🐞🐜🦟🦗🕷🦂🐢🐍🦎🦖🦕🐙🦑🦐🦞🦀🐡🐠🐟🐬🐳🐋🦈🐊🐅🐆🦓🦍🦧'];
    expect(animals.length).toBeGreaterThan(48);
    animals.forEach((emoji, i) => recordEmojiUse(emoji, 1_000 + i));
    const stored = JSON.parse(items.get('parley:emoji:frequent')!) as Record<string, unknown>;
    expect(Object.keys(stored)).toHaveLength(48);
    expect(stored).toHaveProperty(animals.at(-1)!);
    expect(frequentEmoji(1, 1_000 + animals.length)).toEqual([animals.at(-1)]);
  });

  it.each([
    ['not JSON', '{oops'],
    ['null', 'null'],
    ['an array', '["👍"]'],
    ['a number', '42'],
    ['wrong value types', '{"🦄":"lots","🐙":[1],"🐝":[1,"x"],"🐛":{"n":1}}'],
    ['non-positive scores', '{"🦄":[0,1],"🐙":[-3,1]}'],
    ['an over-long key', JSON.stringify({ ['x'.repeat(65)]: [5, 1] })],
  ])('fall back to the defaults when storage holds %s', (_name, raw) => {
    browserWith(fakeStorage({ 'parley:emoji:frequent': raw }).storage);
    expect(frequentEmoji()).toEqual(DEFAULT_FREQUENT_EMOJI);
    expect(() => recordEmojiUse('🦄')).not.toThrow();
    expect(frequentEmoji(1)).toEqual(['🦄']);
  });

  it('keep the valid entries of a partly corrupt store', () => {
    browserWith(fakeStorage({ 'parley:emoji:frequent': '{"🦄":[2,1],"🐙":"x"}' }).storage);
    expect(frequentEmoji(2, 2)).toEqual(['🦄', '👍']);
  });

  it('work without usable storage: disabled, throwing or full', () => {
    const { storage, state } = fakeStorage();
    state.broken = true;
    browserWith(storage);
    expect(frequentEmoji()).toEqual(DEFAULT_FREQUENT_EMOJI);
    expect(() => recordEmojiUse('🦄')).not.toThrow();
    expect(preferredSkinTone()).toBe(0);

    vi.stubGlobal('window', {
      get localStorage(): Storage {
        throw new DOMException('denied', 'SecurityError');
      },
    });
    expect(frequentEmoji()).toEqual(DEFAULT_FREQUENT_EMOJI);
    expect(() => recordEmojiUse('🦄')).not.toThrow();
  });

  it('ignore what cannot be an emoji', () => {
    const { storage, items } = fakeStorage();
    browserWith(storage);
    recordEmojiUse('');
    recordEmojiUse('x'.repeat(65));
    expect(items.size).toBe(0);
  });

  it('tell subscribers about changes here and in other tabs', () => {
    const target = browserWith(fakeStorage().storage);
    const listener = vi.fn();
    const unsubscribe = subscribeEmojiPreferences(listener);
    const before = emojiPreferencesVersion();

    recordEmojiUse('🦄');
    expect(listener).toHaveBeenCalledTimes(1);
    expect(emojiPreferencesVersion()).toBeGreaterThan(before);

    target.dispatchEvent(Object.assign(new Event('storage'), { key: 'parley:emoji:frequent' }));
    expect(listener).toHaveBeenCalledTimes(2);
    target.dispatchEvent(Object.assign(new Event('storage'), { key: 'someone-else' }));
    expect(listener).toHaveBeenCalledTimes(2);

    unsubscribe();
    recordEmojiUse('🦄');
    target.dispatchEvent(Object.assign(new Event('storage'), { key: 'parley:emoji:frequent' }));
    expect(listener).toHaveBeenCalledTimes(2);
  });
});

describe('preferred skin tone', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('is the default until chosen, and survives reloads', () => {
    const { storage } = fakeStorage();
    browserWith(storage);
    expect(preferredSkinTone()).toBe(0);
    setPreferredSkinTone(4);
    expect(preferredSkinTone()).toBe(4);
  });

  it.each(['9', '-1', '2.5', 'dark', ''])('ignores a stored %j', (raw) => {
    browserWith(fakeStorage({ 'parley:emoji:skin-tone': raw }).storage);
    expect(preferredSkinTone()).toBe(0);
  });
});
