import { describe, expect, it } from 'vitest';
import type { SearchHit } from '../schemas/search';
import { chatMessage } from '../testing/room-fixtures';
import { appendHits, hitKey, searchErrorText } from './search';

function hit(roomId: string, seq: number, text = `message ${seq}`): SearchHit {
  return {
    message: chatMessage(seq, { roomId, body: text }),
    room: { id: roomId, name: roomId, kind: 'public', peer: null, isMember: true },
    snippet: [{ text, match: false }],
  };
}

describe('search result pages', () => {
  it('appends the next page, leaving out hits already shown', () => {
    const shown = [hit('a', 3), hit('b', 3)];
    const next = appendHits(shown, [hit('b', 3, 'again'), hit('a', 2)]);
    expect(next.map(hitKey)).toEqual(['a:3', 'b:3', 'a:2']);
    expect(next[1]!.snippet[0]!.text).toBe('message 3');
  });

  it('tells the issue on the search text, else the message', () => {
    expect(
      searchErrorText({ code: 'INVALID_PAYLOAD', message: 'The request is invalid.', issues: [{ path: 'q', message: 'from: needs a value, e.g. from:@alice.' }] }),
    ).toBe('from: needs a value, e.g. from:@alice.');
    expect(searchErrorText({ code: 'RATE_LIMITED', message: 'You are searching too fast.' })).toBe('You are searching too fast.');
  });
});
