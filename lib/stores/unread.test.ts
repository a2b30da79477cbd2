import { describe, expect, it } from 'vitest';
import type { RoomSummary } from '../schemas/room';
import { attentionCount, badgeText, faviconFor, mentionBadgeText, mentionCount, tabTitle, titleWithUnread, totalUnread, unreadCount } from './unread';

const room = (id: string, lastSeq: number | null, lastReadSeq: number | null, isMember = true) =>
  ({ id, isMember, lastSeq, lastReadSeq }) as RoomSummary;

describe('unread', () => {
  it('is lastSeq − lastReadSeq for my rooms, never negative', () => {
    expect(unreadCount(room('a', 7, 4))).toBe(3);
    expect(unreadCount(room('a', 7, null))).toBe(7);
    expect(unreadCount(room('a', 4, 7))).toBe(0);
    expect(unreadCount(room('a', null, null))).toBe(0);
    expect(unreadCount(room('a', 7, 0, false))).toBe(0);
  });

  it('totals my rooms, optionally without the one on screen', () => {
    const rooms = [room('a', 5, 3), room('b', 2, 0), room('c', 1, 1)];
    expect(totalUnread(rooms)).toBe(4);
    expect(totalUnread(rooms, 'a')).toBe(2);
  });

  it('puts the total in front of the title, replacing an earlier count', () => {
    expect(titleWithUnread('Parley', 3)).toBe('(3) Parley');
    expect(titleWithUnread('(3) Parley', 5)).toBe('(5) Parley');
    expect(titleWithUnread('(5) Room · Parley', 0)).toBe('Room · Parley');
    expect(titleWithUnread('(2024) plans', 0)).toBe('plans'); // a leading count is always ours
    expect(titleWithUnread('Parley', 150)).toBe('(99+) Parley');
    expect(badgeText(7)).toBe('7');
  });

  it('muted rooms call only for their mentions; the title total follows', () => {
    const muted = { ...room('m', 9, 2), notify: 'none', unreadMentions: 1 } as RoomSummary;
    const loud = { ...room('l', 4, 1), notify: 'mentions', unreadMentions: 1 } as RoomSummary;
    expect(attentionCount(muted)).toBe(1);
    expect(attentionCount(loud)).toBe(3);
    expect(totalUnread([muted, loud])).toBe(4);
    expect(mentionCount({ ...muted, isMember: false })).toBe(0);
    expect(mentionBadgeText(3)).toBe('@3');
    expect(mentionBadgeText(100)).toBe('@99+');
  });
});

describe('tab title and favicon', () => {
  it('names the page and takes the unread prefix', () => {
    expect(titleWithUnread(tabTitle('general'), 3)).toBe('(3) general · Parley');
    expect(titleWithUnread('(3) general · Parley', 0)).toBe('general · Parley');
  });

  it('shows the unread mark only when something is unread', () => {
    expect(faviconFor(0)).toBe('/favicon.svg');
    expect(faviconFor(2)).toBe('/favicon-unread.svg');
  });
});
