import { describe, expect, it } from 'vitest';
import { roomSummary } from '../testing/room-fixtures';
import { addMention, mentionCount, mentionsMe, mentionsStale, mergeTrack, readMentions, trackFromSummary, withMentionCounts, type MentionTrack } from './mentions';

const track = (count: number, upToSeq: number, readSeq: number, live: number[] = []): MentionTrack => ({ count, upToSeq, readSeq, live });

describe('mention tracks', () => {
  it('start from the server summary; rooms I am not in have none', () => {
    expect(trackFromSummary(roomSummary('a', { isMember: true, unreadMentions: 2, lastSeq: 9, lastReadSeq: 4 }))).toEqual(track(2, 9, 4));
    expect(trackFromSummary(roomSummary('a', { isMember: true }))).toEqual(track(0, 0, 0));
    expect(trackFromSummary(roomSummary('a'))).toBeNull();
  });

  it('a mention of me is someone else mentioning me by name or everyone', () => {
    expect(mentionsMe({ authorId: 'alice', mentions: ['bob'], mentionsRoom: false }, 'bob')).toBe(true);
    expect(mentionsMe({ authorId: 'alice', mentions: [], mentionsRoom: true }, 'bob')).toBe(true);
    expect(mentionsMe({ authorId: 'alice', mentions: ['carol'], mentionsRoom: false }, 'bob')).toBe(false);
    expect(mentionsMe({ authorId: 'bob', mentions: ['bob'], mentionsRoom: true }, 'bob')).toBe(false); // my own
  });

  it('counts live mentions once per seq, and not those the server count covers', () => {
    let t = track(2, 10, 5);
    t = addMention(t, 12);
    t = addMention(t, 11);
    expect(addMention(t, 12)).toBe(t); // room:activity again for the same message
    expect(addMention(t, 9)).toBe(t); // already in the server's count
    expect(t.live).toEqual([11, 12]);
    expect(mentionCount(t, 5)).toBe(4);
  });

  it('reading past the server range clears its count; live mentions clear by seq', () => {
    const t = track(2, 10, 5, [11, 14]);
    expect(mentionCount(t, 10)).toBe(2);
    expect(mentionCount(t, 12)).toBe(1);
    expect(mentionCount(t, 14)).toBe(0);
    expect(readMentions(t, 12).live).toEqual([14]);
    expect(readMentions(t, 3)).toBe(t);
  });

  it('reading into the server range is stale (unknown how many were passed); at its ends it is not', () => {
    const t = track(2, 10, 5);
    expect(mentionsStale(t, 7)).toBe(true);
    expect(mentionCount(t, 7)).toBe(2); // an upper bound until recounted
    expect(mentionsStale(t, 5)).toBe(false);
    expect(mentionsStale(t, 10)).toBe(false);
    expect(mentionsStale(track(0, 10, 5), 7)).toBe(false);
    expect(mentionsStale(t, null)).toBe(false);
  });

  it('a fresh count replaces the held one unless it is older, keeping live mentions beyond it', () => {
    const held = track(1, 10, 5, [12, 15]);
    expect(mergeTrack(held, track(3, 13, 5))).toEqual(track(3, 13, 5, [15]));
    expect(mergeTrack(held, track(0, 10, 8))).toEqual(track(0, 10, 8, [12, 15]));
    expect(mergeTrack(held, track(0, 10, 5))).toEqual(track(0, 10, 5, [12, 15])); // same position: e.g. a mention deleted
    expect(mergeTrack(held, track(4, 8, 2))).toBe(held); // an old room:ready summary arriving late
    expect(mergeTrack(held, track(4, 10, 2))).toBe(held);
    expect(mergeTrack(undefined, track(4, 8, 2))).toEqual(track(4, 8, 2));
  });

  it('sets each room’s unreadMentions from its track, keeping unchanged rooms as they are', () => {
    const a = roomSummary('a', { isMember: true, lastReadSeq: 5, unreadMentions: 1 });
    const b = roomSummary('b', { isMember: true, lastReadSeq: 0, unreadMentions: 0 });
    const [a2, b2] = withMentionCounts([a, b], { a: track(1, 10, 5, [11]), b: track(0, 0, 0) });
    expect(a2!.unreadMentions).toBe(2);
    expect(b2).toBe(b);
  });
});
