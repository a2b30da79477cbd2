import { describe, expect, it } from 'vitest';
import type { RoomActivity } from '../realtime/events';
import { roomSummary } from '../testing/room-fixtures';
import { RecentKeys, callEntryNotifies, messageSnippet, messageUrl, notificationContent, notificationKey, plainSnippet, shouldNotify, type NotifyInput } from './decide';

const ME = 'me';
const activity = (o: Partial<RoomActivity> = {}): RoomActivity => ({
  roomId: 'r1',
  lastSeq: 7,
  authorId: 'alice',
  threadRootSeq: null,
  mentions: [],
  mentionsRoom: false,
  ...o,
});
const room = (o: Partial<NonNullable<NotifyInput['room']>> = {}) => ({ isMember: true, kind: 'public' as const, notify: null, lastReadSeq: 3, ...o });
const decide = (o: Partial<NotifyInput> = {}) =>
  shouldNotify({ activity: activity(), room: room(), meId: ME, visible: false, permission: 'granted', alreadyNotified: false, ...o });

describe('shouldNotify', () => {
  it('rooms notify mentions of me and of everyone (the default level), not other messages', () => {
    expect(decide({ activity: activity({ mentions: [ME] }) })).toBe('mention');
    expect(decide({ activity: activity({ mentionsRoom: true }) })).toBe('mention');
    expect(decide({ activity: activity({ mentions: ['carol'] }) })).toBeNull();
    expect(decide()).toBeNull();
  });

  it('direct conversations notify every message by default; any room set to "all" does', () => {
    expect(decide({ room: room({ kind: 'direct' }) })).toBe('direct');
    expect(decide({ room: room({ notify: 'all' }) })).toBe('all');
    expect(decide({ room: room({ kind: 'direct', notify: 'mentions' }) })).toBeNull();
  });

  it('never in a muted room, never my own message, never while visible or without permission, once', () => {
    const mention = activity({ mentions: [ME], mentionsRoom: true });
    expect(decide({ activity: mention, room: room({ notify: 'none' }) })).toBeNull();
    expect(decide({ activity: mention, room: room({ kind: 'direct', notify: 'none' }) })).toBeNull();
    expect(decide({ activity: { ...mention, authorId: ME }, room: room({ notify: 'all' }) })).toBeNull();
    expect(decide({ activity: mention, visible: true })).toBeNull();
    expect(decide({ activity: mention, permission: 'default' })).toBeNull();
    expect(decide({ activity: mention, permission: 'denied' })).toBeNull();
    expect(decide({ activity: mention, permission: 'unsupported' })).toBeNull();
    expect(decide({ activity: mention, alreadyNotified: true })).toBeNull();
  });

  it('not for a room I am not in, nor a message I have read already (in another tab)', () => {
    const mention = activity({ mentions: [ME] });
    expect(decide({ activity: mention, room: undefined })).toBeNull();
    expect(decide({ activity: mention, room: room({ isMember: false }) })).toBeNull();
    expect(decide({ activity: mention, room: room({ lastReadSeq: 7 }) })).toBeNull();
  });

  it('a thread reply only when it mentions me, even in direct conversations and "all" rooms', () => {
    expect(decide({ activity: activity({ threadRootSeq: 2 }), room: room({ kind: 'direct' }) })).toBeNull();
    expect(decide({ activity: activity({ threadRootSeq: 2 }), room: room({ notify: 'all' }) })).toBeNull();
    expect(decide({ activity: activity({ threadRootSeq: 2, mentions: [ME] }) })).toBe('mention');
  });
});

describe('notification content', () => {
  const alice = { id: 'alice', username: 'alice', displayName: 'Alice' };
  const general = roomSummary('r1', { name: 'general' });
  const dm = roomSummary('d1', { kind: 'direct', name: '', peer: alice });

  it('"Alice in #general" and the message as one plain line of at most 140 characters', () => {
    const body = `**Hey** @bob, see \`this\`:\n\n> quoted\n\n${'x'.repeat(200)}`;
    const content = notificationContent({ room: general, message: { author: alice, body, threadRootSeq: null }, reason: 'mention' });
    expect(content.title).toBe('Alice in #general');
    expect(content.body.startsWith('Hey @bob, see this: quoted x')).toBe(true);
    expect([...content.body]).toHaveLength(140);
    expect(content.body.endsWith('…')).toBe(true);
    expect(notificationContent({ room: dm, message: { author: alice, body: 'hi', threadRootSeq: null }, reason: 'direct' })).toEqual({ title: 'Alice', body: 'hi' });
    expect(notificationContent({ room: general, message: { author: alice, body: 'hi', threadRootSeq: 3 }, reason: 'mention' }).title).toBe('Alice in #general (thread)');
  });

  it('a message of files only says what it carries, names kept as typed', () => {
    const file = (name: string, kind: 'file' | 'image' | 'audio' = 'file', voice = false) => ({ name, kind, voice });
    expect(notificationContent({ room: dm, message: { author: alice, body: '', threadRootSeq: null, attachments: [file('my_big_report.pdf')] }, reason: 'direct' }).body).toBe(
      '📎 my_big_report.pdf',
    );
    expect(messageSnippet({ body: '', attachments: [file('Voice.webm', 'audio', true)] })).toBe('🎤 Voice message');
    expect(messageSnippet({ body: 'look', attachments: [file('a.png', 'image')] })).toBe('look');
    expect([...messageSnippet({ body: '', attachments: [file(`${'x'.repeat(300)}.pdf`)] })]).toHaveLength(140);
  });

  it('a call entry reads as the call, from the side of someone who was called', () => {
    const call = (outcome: 'missed' | 'completed' | 'cancelled', durationMs: number | null = null) => ({ callId: 'c', kind: 'video' as const, outcome, durationMs, participantIds: ['alice'] });
    expect(notificationContent({ room: dm, message: { author: alice, body: '', threadRootSeq: null, call: call('missed') }, reason: 'direct' })).toEqual({
      title: 'Alice',
      body: '📞 Missed video call',
    });
    expect(messageSnippet({ body: '', call: call('cancelled') })).toBe('📞 Missed call');
    expect(messageSnippet({ body: '', call: call('completed', 192_000) })).toBe('📞 Video call · 3 min 12 s');
    // Only a missed call is news: a call that took place, or one declined, notifies nobody.
    expect(callEntryNotifies({ call: call('missed') })).toBe(true);
    expect(callEntryNotifies({ call: call('cancelled') })).toBe(true);
    expect(callEntryNotifies({ call: call('completed', 1000) })).toBe(false);
    expect(callEntryNotifies({ call: null })).toBe(true);
  });

  it('without the message: a generic line, naming the author where the room does', () => {
    expect(notificationContent({ room: dm, message: null, reason: 'direct' })).toEqual({ title: 'New message from Alice', body: '' });
    expect(notificationContent({ room: general, message: null, reason: 'mention' }).title).toBe('New mention in #general');
    expect(notificationContent({ room: general, message: null, reason: 'all' }).title).toBe('New message in #general');
  });

  it('plain snippets keep short text, count code points, and show markup as text', () => {
    expect(plainSnippet('  hello\n world ')).toBe('hello world');
    expect(plainSnippet('😀'.repeat(10), 5)).toBe('😀😀😀😀…');
    expect(plainSnippet('a <b>c</b>')).not.toContain('<b>');
  });

  it('tags by room and seq; clicking opens the room at the message', () => {
    expect(notificationKey('r1', 7)).toBe('r1:7');
    expect(messageUrl('r1', 7)).toBe('/rooms/r1?m=7');
  });
});

describe('RecentKeys', () => {
  it('remembers the latest keys up to its capacity', () => {
    const keys = new RecentKeys(2);
    keys.add('a');
    keys.add('b');
    keys.add('a'); // refreshed: now the newest
    keys.add('c');
    expect([keys.has('a'), keys.has('b'), keys.has('c')]).toEqual([true, false, true]);
  });
});
