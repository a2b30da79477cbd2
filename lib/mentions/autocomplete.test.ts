import { describe, expect, it } from 'vitest';
import { mentionCandidates } from '../schemas/mentions';
import type { PublicUser } from '../schemas/user';
import { insertMention, matchMentions, mentionQueryAt, optionName, type MentionOption } from './autocomplete';

const user = (id: string, username: string, displayName: string): PublicUser => ({ id, username, displayName });
const bob = user('1', 'bob', 'Bob Stone');
const bobby = user('2', 'bobby_t', 'Roberta Tables');
const ann = user('3', 'ann', 'Annie Bobson');
const jo = user('4', 'jo', 'Jo Abbott');
const me = user('9', 'me', 'Me Myself');
const members = [jo, ann, bobby, bob, me];

const names = (options: MentionOption[]) => options.map(optionName);

describe('mentionQueryAt', () => {
  it('finds the @word the caret is in, with what precedes the caret as the query', () => {
    expect(mentionQueryAt('hi @Bo', 6)).toEqual({ start: 3, end: 6, query: 'bo' });
    expect(mentionQueryAt('@', 1)).toEqual({ start: 0, end: 1, query: '' });
    expect(mentionQueryAt('hi @bob there', 6)).toEqual({ start: 3, end: 7, query: 'bo' }); // caret inside the word
    expect(mentionQueryAt('(@jo', 4)).toEqual({ start: 1, end: 4, query: 'jo' });
    expect(mentionQueryAt('a\n@jo', 5)).toEqual({ start: 2, end: 5, query: 'jo' });
  });

  it('is null where the server would not see a mention', () => {
    expect(mentionQueryAt('hello', 5)).toBeNull();
    expect(mentionQueryAt('mail me@example', 15)).toBeNull(); // an e-mail address
    expect(mentionQueryAt('@@bo', 4)).toBeNull();
    expect(mentionQueryAt('./@bo', 5)).toBeNull();
    expect(mentionQueryAt('hi @bob ', 8)).toBeNull(); // after the space: done
    expect(mentionQueryAt('`code @bo', 9)).toBeNull(); // inline code
    expect(mentionQueryAt('```\n@bo', 7)).toBeNull(); // fenced block
    expect(mentionQueryAt('`x` @bo', 7)).toEqual({ start: 4, end: 7, query: 'bo' }); // after a closed span
    expect(mentionQueryAt(`@${'a'.repeat(33)}`, 34)).toBeNull();
  });

  it('agrees with the server: an offered mention is resolved as one', () => {
    for (const [text, caret] of [['hi @bo', 6], ['(@jo', 4], ['a\n@ann', 6]] as const) {
      const at = mentionQueryAt(text, caret)!;
      const { text: sent } = insertMention(text, at, 'bob');
      expect(mentionCandidates(sent).names).toContain('bob');
    }
  });
});

describe('matchMentions', () => {
  it('ranks username prefix, then display-name word prefix, then substring; never me', () => {
    expect(names(matchMentions(members, 'bo', { meId: me.id }))).toEqual(['bob', 'bobby_t', 'ann', 'jo']); // jo: "Abbott" contains it
    expect(names(matchMentions(members, 'rob', { meId: me.id }))).toEqual(['bobby_t']);
    expect(names(matchMentions(members, 'BB', { meId: me.id }))).toEqual(['jo', 'bobby_t']); // substring, by display name
    expect(names(matchMentions(members, 'me', { meId: me.id }))).toEqual([]);
  });

  it('"@" alone lists members by display name, then @room and @here; the keywords match by prefix', () => {
    expect(names(matchMentions(members, '', { meId: me.id }))).toEqual(['ann', 'bob', 'jo', 'bobby_t', 'room', 'here']);
    expect(names(matchMentions(members, 'r', { meId: me.id }))).toEqual(['bobby_t', 'room']);
    expect(names(matchMentions(members, 'he', { meId: me.id }))).toEqual(['here']);
    expect(names(matchMentions(members, 'r', { meId: me.id, includeRoom: false }))).toEqual(['bobby_t']);
  });

  it('lists at most `limit` members, and no one called "room" or "here" (that notifies everyone)', () => {
    const many = Array.from({ length: 20 }, (_, i) => user(`u${i}`, `user${String(i).padStart(2, '0')}`, `User ${i}`));
    expect(matchMentions(many, 'user', { limit: 5 })).toHaveLength(5);
    const roomUser = user('r', 'room', 'Roomba');
    expect(names(matchMentions([roomUser], 'roo'))).toEqual(['room']);
    expect(matchMentions([roomUser], 'roo')[0]!.kind).toBe('room');
    expect(names(matchMentions([bob, bob], 'b', { includeRoom: false }))).toEqual(['bob']);
  });
});

describe('insertMention', () => {
  it('replaces the whole word with "@name " and puts the caret after the space', () => {
    expect(insertMention('hi @bo', { start: 3, end: 6, query: 'bo' }, 'bob')).toEqual({ text: 'hi @bob ', caret: 8 });
    expect(insertMention('hi @boXX!', { start: 3, end: 8, query: 'bo' }, 'bob')).toEqual({ text: 'hi @bob !', caret: 8 });
    expect(insertMention('@b there', { start: 0, end: 2, query: 'b' }, 'bob')).toEqual({ text: '@bob there', caret: 5 });
  });
});
