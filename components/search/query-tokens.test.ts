import { describe, expect, it } from 'vitest';
import { parseSearch } from '@/lib/search/query';
import { appendToken, containsAll, hasToken, plainWords, roomToken, tokenSpans, toggleToken } from './query-tokens';

const alice = { id: '00000000-0000-4000-8000-000000000001', username: 'alice', displayName: 'Alice A.' };

describe('reading tokens as the server does', () => {
  it('splits on whitespace, keeps quoted runs, negation and filter keys', () => {
    const input = 'deploy -"release train" in:"Team chat" FROM:@Bob 10:30 https://x.io/a';
    expect(tokenSpans(input).map((s) => [input.slice(s.start, s.end), s.identity, s.negated])).toEqual([
      ['deploy', 'deploy', false],
      ['-"release train"', '"release train"', true],
      ['in:"Team chat"', 'in:#team chat', false],
      ['FROM:@Bob', 'from:@bob', false],
      ['10:30', '10:30', false],
      ['https://x.io/a', 'https://x.io/a', false],
    ]);
  });

  it('runs an unclosed quote to the end', () => {
    const input = 'in:"half open';
    expect(tokenSpans(input)).toEqual([{ start: 0, end: input.length, identity: 'in:#half open', negated: false }]);
  });
});

describe('hasToken', () => {
  it('recognises every spelling of one filter', () => {
    expect(hasToken('x in:general', 'in:#General')).toBe(true);
    expect(hasToken('x in:"general"', 'in:#general')).toBe(true);
    expect(hasToken('x from:bob', 'from:@Bob')).toBe(true);
    expect(hasToken('HAS:LINK', 'has:link')).toBe(true);
    expect(hasToken('@ME deploy', '@me')).toBe(true);
  });

  it('does not count a negated copy, another room or a direct conversation of the same name', () => {
    expect(hasToken('-has:link', 'has:link')).toBe(false);
    expect(hasToken('in:#ops', 'in:#general')).toBe(false);
    expect(hasToken('in:@general', 'in:#general')).toBe(false);
    expect(hasToken('me', '@me')).toBe(false);
  });
});

describe('toggleToken', () => {
  it('appends a filter the search does not have, with one space', () => {
    expect(toggleToken('', 'has:link')).toBe('has:link');
    expect(toggleToken('deploy', 'has:link')).toBe('deploy has:link');
    expect(toggleToken('deploy ', 'is:thread')).toBe('deploy is:thread');
  });

  it('removes every copy of a filter the search has, in any spelling, and tidies the spaces', () => {
    expect(toggleToken('deploy has:link staging', 'has:link')).toBe('deploy staging');
    expect(toggleToken('in:general deploy in:"General"', 'in:#general')).toBe('deploy');
    expect(toggleToken('@me', '@me')).toBe('');
  });

  it('keeps a negated copy and the words around it', () => {
    expect(toggleToken('-has:link deploy', 'has:link')).toBe('-has:link deploy has:link');
  });

  it('round-trips', () => {
    const start = 'deploy "release train"';
    expect(toggleToken(toggleToken(start, 'in:"Team chat"'), 'in:"Team chat"')).toBe(start);
  });
});

describe('appendToken', () => {
  it('adds after a space', () => {
    expect(appendToken('deploy', 'from:@')).toBe('deploy from:@');
    expect(appendToken('  ', 'from:@')).toBe('from:@');
  });
});

describe('roomToken', () => {
  it('writes a room by name, quoting names with spaces', () => {
    expect(roomToken({ kind: 'public', name: 'general', peer: null })).toBe('in:#general');
    expect(roomToken({ kind: 'private', name: 'Team chat', peer: null })).toBe('in:"Team chat"');
  });

  it('keeps a leading @ or # of a quoted name as part of the name (as the server reads it)', () => {
    for (const name of ['@ops team', '#ops team']) {
      const token = roomToken({ kind: 'public', name, peer: null })!;
      expect(parseSearch(token).rooms).toEqual([{ kind: 'name', name }]);
      expect(hasToken(token, token)).toBe(true);
    }
    expect(roomToken({ kind: 'public', name: '#ops', peer: null })).toBe('in:##ops');
    expect(parseSearch('in:##ops').rooms).toEqual([{ kind: 'name', name: '#ops' }]);
  });

  it('writes a direct conversation by the peer, and gives up on names the language cannot hold', () => {
    expect(roomToken({ kind: 'direct', name: '', peer: alice })).toBe('in:@alice');
    expect(roomToken({ kind: 'public', name: 'say "hi"', peer: null })).toBeNull();
  });
});

describe('plainWords', () => {
  it('gives the words of a search that is only words', () => {
    expect(plainWords('  deploy  "release train" ')).toBe('deploy release train');
  });

  it('is null with a filter, a left-out word, or nothing to search', () => {
    expect(plainWords('deploy in:#ops')).toBeNull();
    expect(plainWords('deploy @me')).toBeNull();
    expect(plainWords('deploy -staging')).toBeNull();
    expect(plainWords('!!')).toBeNull();
    expect(plainWords('on:notadate')).toBeNull();
  });
});

describe('containsAll', () => {
  it('matches every word, ignoring case and accents', () => {
    expect(containsAll('Café Team', 'cafe')).toBe(true);
    expect(containsAll('Café Team', 'team CAF')).toBe(true);
    expect(containsAll('Café Team', 'tea bar')).toBe(false);
  });
});
