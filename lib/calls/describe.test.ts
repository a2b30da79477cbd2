import { describe, expect, it } from 'vitest';
import type { CallInfo } from '../schemas/call';
import { callEntryText, callOutcomeText, callSnippet, formatCallClock, formatCallDuration, isMissedFor } from './describe';

describe('call wording', () => {
  it('formats durations the way entries say them', () => {
    expect(formatCallDuration(0)).toBe('0 s');
    expect(formatCallDuration(12_900)).toBe('12 s');
    expect(formatCallDuration(192_000)).toBe('3 min 12 s');
    expect(formatCallDuration(180_000)).toBe('3 min');
    expect(formatCallDuration(3_840_000)).toBe('1 h 4 min');
    expect(formatCallDuration(3_600_000)).toBe('1 h');
    expect(formatCallDuration(Number.NaN)).toBe('0 s');
    expect(formatCallClock(7_000)).toBe('0:07');
    expect(formatCallClock(754_000)).toBe('12:34');
    expect(formatCallClock(3_723_000)).toBe('1:02:03');
  });

  it('words an entry for the caller and for everyone else (protocol §4.12)', () => {
    const caller = { isCaller: true, calleeName: 'Ann' };
    const other = { isCaller: false };
    const entry = (outcome: Parameters<typeof callEntryText>[0]['outcome'], kind: 'audio' | 'video' = 'video', durationMs: number | null = null) => ({ kind, outcome, durationMs });
    expect(callEntryText(entry('completed', 'video', 192_000), other)).toBe('Video call · 3 min 12 s');
    expect(callEntryText(entry('completed', 'audio', 5_000), caller)).toBe('Voice call · 5 s');
    expect(callEntryText(entry('missed'), other)).toBe('Missed video call');
    expect(callEntryText(entry('missed', 'audio'), other)).toBe('Missed voice call');
    expect(callEntryText(entry('missed'), caller)).toBe('No answer');
    expect(callEntryText(entry('declined'), other)).toBe('Call declined');
    expect(callEntryText(entry('declined'), caller)).toBe('Call declined');
    expect(callEntryText(entry('cancelled'), other)).toBe('Missed call');
    expect(callEntryText(entry('cancelled'), caller)).toBe('Cancelled call');
    expect(callEntryText(entry('busy'), other)).toBe('Missed call');
    expect(callEntryText(entry('busy'), caller)).toBe('Ann was in another call');
    expect(callEntryText(entry('busy'), { isCaller: true })).toBe('Everyone you called was in another call');
    expect(callEntryText(entry('unavailable'), caller)).toBe('Ann was not available');
    expect(callEntryText(entry('unavailable'), other)).toBe('Missed call');
    expect(isMissedFor('missed', false)).toBe(true);
    expect(isMissedFor('missed', true)).toBe(false);
    expect(isMissedFor('declined', false)).toBe(false);
  });

  it('stands for an entry in one line where only a snippet fits', () => {
    expect(callSnippet({ kind: 'video', outcome: 'missed' })).toBe('📞 Missed video call');
    expect(callSnippet({ kind: 'audio', outcome: 'completed' })).toBe('📞 Voice call');
    expect(callSnippet({ kind: 'audio', outcome: 'completed', durationMs: 65_000 })).toBe('📞 Voice call · 1 min 5 s');
    expect(callSnippet({ kind: 'video', outcome: 'busy' })).toBe('📞 Missed call');
  });

  it('says how a call ended, on both sides', () => {
    const ann = { id: 'a', username: 'ann', displayName: 'Ann' };
    const ended = (endReason: CallInfo['endReason'], extra: Partial<CallInfo> = {}) =>
      ({ state: 'ended', endReason, caller: ann, answeredAt: null, endedAt: '2026-01-01T10:03:12.000Z', ...extra }) as Pick<
        CallInfo,
        'state' | 'endReason' | 'answeredAt' | 'endedAt' | 'caller'
      >;
    expect(callOutcomeText(ended('completed', { answeredAt: '2026-01-01T10:00:00.000Z' }), { isCaller: false })).toBe('Call ended · 3 min 12 s');
    expect(callOutcomeText(ended('declined'), { isCaller: true, calleeName: 'Bob' })).toBe('Call declined');
    expect(callOutcomeText(ended('busy'), { isCaller: true, calleeName: 'Bob' })).toBe('Bob is in another call');
    expect(callOutcomeText(ended('missed'), { isCaller: true })).toBe('No answer');
    expect(callOutcomeText(ended('missed'), { isCaller: false })).toBe('Missed call from Ann');
    expect(callOutcomeText(ended('unavailable'), { isCaller: true, calleeName: 'Bob' })).toBe('Bob is not available');
    expect(callOutcomeText(ended('cancelled'), { isCaller: false })).toBe('Ann cancelled the call');
    expect(callOutcomeText(ended('cancelled'), { isCaller: true })).toBe('Call cancelled');
    expect(callOutcomeText({ ...ended(null), state: 'active' }, { isCaller: true })).toBeNull();
  });
});
