import { describe, expect, it } from 'vitest';
import { hitTime } from './hit-time';

const at = { locale: 'en-US', timeZone: 'Europe/Paris' };
const now = new Date('2026-11-30T15:00:00Z'); // 16:00 in Paris

describe('hitTime', () => {
  it('says how long ago within the hour', () => {
    expect(hitTime('2026-11-30T14:55:00Z', now, at).label).toBe('5 minutes ago');
    expect(hitTime('2026-11-30T14:59:40Z', now, at).label).toBe('this minute');
  });

  it('gives the time for today and yesterday, in the time zone', () => {
    expect(hitTime('2026-11-30T08:05:00Z', now, at).label).toBe('Today 09:05 AM');
    expect(hitTime('2026-11-29T22:30:00Z', now, at).label).toBe('Yesterday 11:30 PM');
    // 23:30 UTC on the 29th is already the 30th in Paris.
    expect(hitTime('2026-11-29T23:30:00Z', now, at).label).toBe('Today 12:30 AM');
  });

  it('gives the day before that, with the year when it is another', () => {
    expect(hitTime('2026-11-03T12:00:00Z', now, at).label).toBe('Nov 3');
    expect(hitTime('2025-11-03T12:00:00Z', now, at).label).toBe('Nov 3, 2025');
  });

  it('puts the full date and time in the title', () => {
    expect(hitTime('2026-11-03T12:00:00Z', now, at).title).toBe('Tuesday, November 3, 2026 at 1:00 PM');
  });

  it('treats a time slightly in the future (clock skew) as a date, not "in 2 minutes"', () => {
    expect(hitTime('2026-11-30T15:02:00Z', now, at).label).toBe('Today 04:02 PM');
  });
});
