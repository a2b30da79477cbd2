import { describe, expect, it } from 'vitest';
import { describeRoomEvent, eventMembership, formatDuration, groupName, listNames } from './describe';

const carol = { id: 'c', username: 'carol', displayName: 'Carol' };
const dan = { id: 'd', username: 'dan', displayName: 'Dan' };
const at = '2026-11-30T10:00:00.000Z';

describe('room words', () => {
  it('lists names the way a sentence does', () => {
    expect(listNames([])).toBe('');
    expect(listNames(['Carol'])).toBe('Carol');
    expect(listNames(['Carol', 'Dan'])).toBe('Carol and Dan');
    expect(listNames(['Carol', 'Dan', 'Erin'])).toBe('Carol, Dan and Erin');
  });

  it('names a group by its other members: up to three, then two and a count', () => {
    const p = (...names: string[]) => names.map((displayName) => ({ displayName }));
    expect(groupName(p('Alice', 'Bob'))).toBe('Alice and Bob');
    expect(groupName(p('Alice', 'Bob', 'Carol'))).toBe('Alice, Bob and Carol');
    expect(groupName(p('Alice', 'Bob', 'Carol', 'Dan'))).toBe('Alice, Bob and 2 others');
    expect(groupName([])).toBe('Only you');
  });

  it('says a duration in its two largest whole units', () => {
    expect(formatDuration(15 * 60)).toBe('15 minutes');
    expect(formatDuration(3600)).toBe('1 hour');
    expect(formatDuration(8 * 3600)).toBe('8 hours');
    expect(formatDuration(24 * 3600)).toBe('1 day');
    expect(formatDuration(7 * 24 * 3600)).toBe('7 days');
    expect(formatDuration(26 * 3600 + 60)).toBe('1 day and 2 hours');
    expect(formatDuration(3600 + 0.4)).toBe('1 hour'); // the line is written a moment after the mute
  });

  it('describes every room event, with reasons and mute lengths', () => {
    expect(describeRoomEvent({ type: 'renamed', name: 'Design', previous: 'Lobby' }, 'Alice', at)).toBe('Alice renamed the room to Design');
    expect(describeRoomEvent({ type: 'members_added', subjects: [carol, dan] }, 'Alice', at)).toBe('Alice added Carol and Dan');
    expect(describeRoomEvent({ type: 'muted', subject: carol, until: '2026-11-30T11:00:00.200Z', reason: 'spam' }, 'Bob', at)).toBe(
      'Carol was muted by Bob for 1 hour — spam',
    );
    expect(describeRoomEvent({ type: 'banned', subject: dan, reason: '' }, 'Bob', at)).toBe('Dan was banned by Bob');
    expect(describeRoomEvent({ type: 'kicked', subject: dan, reason: ' off topic ' }, 'Bob', at)).toBe('Dan was removed by Bob — off topic');
    expect(describeRoomEvent({ type: 'role_changed', subject: carol, role: 'moderator' }, 'Alice', at)).toBe('Alice made Carol a moderator');
    expect(describeRoomEvent({ type: 'ownership_transferred', to: carol }, 'Alice', at)).toBe('Alice made Carol the owner');
    expect(describeRoomEvent({ type: 'topic_changed', topic: '' }, 'Alice', at)).toBe('Alice cleared the topic');
    expect(describeRoomEvent({ type: 'archived' }, 'Alice', at)).toBe('Alice archived the room');
    expect(describeRoomEvent({ type: 'left' }, 'Dan', at)).toBe('Dan left the conversation');
  });

  it('reads an unknown event type as a neutral line', () => {
    expect(describeRoomEvent({ type: 'painted_the_walls' }, 'Alice', at)).toBe('Alice changed the room');
  });

  it('knows who an event brings in or takes out', () => {
    expect(eventMembership({ type: 'members_added', subjects: [carol, dan] }, 'a')).toEqual({ joined: ['c', 'd'], left: [] });
    expect(eventMembership({ type: 'joined_by_invite' }, 'a')).toEqual({ joined: ['a'], left: [] });
    expect(eventMembership({ type: 'banned', subject: dan, reason: '' }, 'a')).toEqual({ joined: [], left: ['d'] });
    expect(eventMembership({ type: 'renamed', name: 'x', previous: 'y' }, 'a')).toEqual({ joined: [], left: [] });
  });
});
