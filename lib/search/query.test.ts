/**
 * The search language (docs/protocol.md "Search syntax") as parseSearch reads it: every operator and
 * filter, quoting, negation, what is plain text, and each documented error.
 */
import { describe, expect, it } from 'vitest';
import { emptySearch, hasFilter, parseSearch, SEARCH_TERMS_MAX, SearchSyntaxError, wordRuns, type ParsedSearch } from './query';

const EMPTY: ParsedSearch = emptySearch();

const word = (text: string, negated = false) => ({ kind: 'word' as const, text, negated });
const phrase = (text: string, negated = false) => ({ kind: 'phrase' as const, text, negated });

/** The SearchSyntaxError a query raises (fails the test if it parses). */
function syntaxError(input: string): SearchSyntaxError {
  try {
    parseSearch(input);
  } catch (error) {
    expect(error).toBeInstanceOf(SearchSyntaxError);
    return error as SearchSyntaxError;
  }
  throw new Error(`expected ${JSON.stringify(input)} to be refused`);
}

describe('parseSearch: words and phrases', () => {
  it('reads words separated by any whitespace, each a term to match', () => {
    expect(parseSearch('deploy')).toEqual({ ...EMPTY, terms: [word('deploy')] });
    expect(parseSearch('  deploy \t staging\u00a0now ').terms).toEqual([word('deploy'), word('staging'), word('now')]);
  });

  it('keeps words as typed (case and accents are the matcher’s business)', () => {
    expect(parseSearch('Café CAFE').terms).toEqual([word('Café'), word('CAFE')]);
  });

  it('drops a trailing * from a word (prefixes match anyway)', () => {
    expect(parseSearch('deplo*').terms).toEqual([word('deplo')]);
    expect(parseSearch('deplo***').terms).toEqual([word('deplo')]);
  });

  it('reads a quoted run as one exact phrase, trimmed', () => {
    expect(parseSearch('"release train"').terms).toEqual([phrase('release train')]);
    expect(parseSearch('" release  train "').terms).toEqual([phrase('release  train')]);
    expect(parseSearch('say "release train" now').terms).toEqual([word('say'), phrase('release train'), word('now')]);
  });

  it('runs an unclosed quote to the end', () => {
    expect(parseSearch('ship "release train').terms).toEqual([word('ship'), phrase('release train')]);
    expect(parseSearch('"release train in:#ops').terms).toEqual([phrase('release train in:#ops')]);
  });

  it('negates a word or a phrase with a leading -', () => {
    expect(parseSearch('deploy -staging').terms).toEqual([word('deploy'), word('staging', true)]);
    expect(parseSearch('deploy -"release train"').terms).toEqual([word('deploy'), phrase('release train', true)]);
  });

  it('does not negate with a lone - or a - inside a word', () => {
    expect(parseSearch('deploy - staging').terms).toEqual([word('deploy'), word('staging')]);
    expect(parseSearch('re-deploy').terms).toEqual([word('re-deploy')]);
    expect(parseSearch('deploy -').terms).toEqual([word('deploy')]);
  });

  it('ignores terms with no letter or digit (operators, punctuation, empty quotes)', () => {
    expect(parseSearch('deploy & | ! : * ( ) < - > \\ \' "" --').terms).toEqual([word('deploy')]);
    expect(parseSearch('deploy -!!!').terms).toEqual([word('deploy')]);
    expect(parseSearch('deploy 🚀').terms).toEqual([word('deploy')]);
  });

  it('keeps punctuation inside a term that has a letter or digit, as plain text', () => {
    expect(parseSearch('node.js a&b !x (y) deploy:* 100%').terms).toEqual([
      word('node.js'),
      word('a&b'),
      word('!x'),
      word('(y)'),
      word('deploy:'),
      word('100%'),
    ]);
  });

  it('finds letters and digits in any script', () => {
    expect(parseSearch('東京 שלום Ελλάδα ١٢٣').terms).toEqual([word('東京'), word('שלום'), word('Ελλάδα'), word('١٢٣')]);
  });

  it('reads a `key:value` with an unknown key as plain text (URLs, times)', () => {
    expect(parseSearch('https://example.com/a 10:30 foo:bar').terms).toEqual([word('https://example.com/a'), word('10:30'), word('foo:bar')]);
    expect(hasFilter(parseSearch('https://example.com/a'))).toBe(false);
  });

  it('reads @me as the mention filter, and other @names as words', () => {
    expect(parseSearch('@me')).toEqual({ ...EMPTY, mentionsMe: true });
    expect(parseSearch('@ME deploy')).toEqual({ ...EMPTY, terms: [word('deploy')], mentionsMe: true });
    expect(parseSearch('@alice').terms).toEqual([word('@alice')]);
    expect(parseSearch('"@me"').terms).toEqual([phrase('@me')]);
  });

  it('allows up to 10 terms, negated ones included; filters and ignored tokens do not count', () => {
    const ten = Array.from({ length: SEARCH_TERMS_MAX }, (_, i) => `w${i}`);
    expect(SEARCH_TERMS_MAX).toBe(10);
    expect(parseSearch(ten.join(' ')).terms).toHaveLength(10);
    expect(parseSearch(`${ten.join(' ')} in:#ops from:@bob has:link is:thread @me on:today ! * --`).terms).toHaveLength(10);
    expect(syntaxError([...ten, 'eleven'].join(' ')).message).toMatch(/at most 10/);
    expect(syntaxError([...ten.slice(0, 9), '-x', '"a b"'].join(' ')).message).toMatch(/at most 10/);
  });
});

describe('parseSearch: filters', () => {
  it('in: names a room with or without #, quoted for names with spaces, lower-cased', () => {
    expect(parseSearch('in:#General').rooms).toEqual([{ kind: 'name', name: 'general' }]);
    expect(parseSearch('in:general').rooms).toEqual([{ kind: 'name', name: 'general' }]);
    expect(parseSearch('in:"Team Chat" deploy')).toEqual({ ...EMPTY, terms: [word('deploy')], rooms: [{ kind: 'name', name: 'team chat' }] });
    expect(parseSearch('in:"#Team Chat"').rooms).toEqual([{ kind: 'name', name: 'team chat' }]);
  });

  it('in:@user names my direct conversation with that user', () => {
    expect(parseSearch('in:@Alice').rooms).toEqual([{ kind: 'direct', username: 'alice' }]);
  });

  it('repeated in: and from: collect any of several', () => {
    const parsed = parseSearch('in:#ops in:@bob from:@alice from:Carol x');
    expect(parsed.rooms).toEqual([
      { kind: 'name', name: 'ops' },
      { kind: 'direct', username: 'bob' },
    ]);
    expect(parsed.authors).toEqual(['alice', 'carol']);
  });

  it('from: with or without @', () => {
    expect(parseSearch('from:@Alice').authors).toEqual(['alice']);
    expect(parseSearch('from:alice').authors).toEqual(['alice']);
  });

  it('filter keys are case-insensitive', () => {
    const parsed = parseSearch('IN:#ops From:@bob HAS:link Is:Thread ON:2026-11-15');
    expect(parsed).toEqual({ ...EMPTY, rooms: [{ kind: 'name', name: 'ops' }], authors: ['bob'], hasLink: true, isThread: true, on: '2026-11-15' });
  });

  it('before:, after:, on: take a calendar day, "today" or "yesterday"', () => {
    expect(parseSearch('before:2026-11-30 after:2026-11-01')).toMatchObject({ before: '2026-11-30', after: '2026-11-01', on: null });
    expect(parseSearch('on:2026-11-15').on).toBe('2026-11-15');
    expect(parseSearch('on:Today').on).toBe('today');
    expect(parseSearch('after:YESTERDAY').after).toBe('yesterday');
    expect(parseSearch('on:2028-02-29').on).toBe('2028-02-29'); // a leap day
  });

  it('has: files of any kind or one kind, each once however often typed', () => {
    expect(parseSearch('has:FILE')).toEqual({ ...EMPTY, hasAttachments: ['file'] });
    expect(parseSearch('has:image has:Image has:audio')).toEqual({ ...EMPTY, hasAttachments: ['image', 'audio'] });
    expect(parseSearch('report has:video has:link').hasAttachments).toEqual(['video']);
  });

  it('has:link and is:thread (values case-insensitive)', () => {
    expect(parseSearch('has:LINK')).toEqual({ ...EMPTY, hasLink: true });
    expect(parseSearch('is:thread')).toEqual({ ...EMPTY, isThread: true });
  });

  it('a filter alone is a whole query; hasFilter says so', () => {
    for (const query of ['in:#ops', 'in:@bob', 'from:@alice', 'before:2026-01-01', 'after:today', 'on:yesterday', 'has:link', 'is:thread', '@me']) {
      expect(hasFilter(parseSearch(query)), query).toBe(true);
    }
    expect(hasFilter(parseSearch('deploy'))).toBe(false);
    expect(parseSearch('-staging in:#ops').terms).toEqual([word('staging', true)]);
  });
});

describe('parseSearch: errors say what to change', () => {
  it('no term and no filter', () => {
    for (const query of ['', '   ', '-staging', '-"release train"', '-a -b', '& | ! * ( )', '""', '🚀', '-@me']) {
      expect(syntaxError(query).message, JSON.stringify(query)).toMatch(/word|filter/i);
    }
  });

  it('invalid dates', () => {
    for (const query of ['on:2026-02-30', 'on:2026-13-01', 'before:2026-00-10', 'after:abc', 'on:2026-1-5', 'on:26-11-15', 'before:tomorrow', 'on:2026-02-29']) {
      expect(syntaxError(query).message, query).toMatch(/date like 2026-11-30/);
    }
  });

  it('a repeated date filter', () => {
    expect(syntaxError('before:2026-01-01 before:2026-02-01').message).toMatch(/once/);
    expect(syntaxError('on:today on:today').message).toMatch(/once/);
  });

  it('on: with before: or after:', () => {
    expect(syntaxError('on:today before:2026-01-01').message).toMatch(/on:/);
    expect(syntaxError('after:2026-01-01 on:today').message).toMatch(/on:/);
  });

  it('an unknown has: or is: value', () => {
    expect(syntaxError('has:pdf').message).toMatch(/has:link/);
    expect(syntaxError('is:open').message).toMatch(/is:thread/);
  });

  it('a filter with no value', () => {
    for (const key of ['in', 'from', 'before', 'after', 'on', 'has', 'is']) {
      expect(syntaxError(`deploy ${key}:`).message, key).toMatch(/needs a value/);
      expect(syntaxError(`deploy ${key}:""`).message, `${key}:""`).toMatch(/needs a value/);
    }
  });

  it('a negated filter', () => {
    for (const query of ['deploy -in:#ops', 'deploy -from:@alice', 'deploy -has:link', 'deploy -is:thread', 'deploy -on:today']) {
      expect(syntaxError(query).message, query).toMatch(/not supported/);
    }
  });
});

describe('wordRuns', () => {
  it('cuts a word into runs of letters, digits and combining marks', () => {
    expect(wordRuns('node.js')).toEqual(['node', 'js']);
    expect(wordRuns("a:* & b | !c <-> 'd'")).toEqual(['a', 'b', 'c', 'd']);
    expect(wordRuns('cafe\u0301')).toEqual(['cafe\u0301']); // a decomposed é stays one run
    expect(wordRuns('日本語のテキスト')).toEqual(['日本語のテキスト']);
    expect(wordRuns('100%_sure\\x')).toEqual(['100', 'sure', 'x']);
  });

  it('gives nothing for text with no letter or digit', () => {
    expect(wordRuns('')).toEqual([]);
    expect(wordRuns('&|!:*()<->\\\'"')).toEqual([]);
  });
});
