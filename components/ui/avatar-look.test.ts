import { describe, expect, it } from 'vitest';
import { AVATAR_COLORS, avatarColor, avatarUrl, contrastRatio, initialsOf } from './avatar-look';

describe('avatar look', () => {
  it('every colour carries white initials at WCAG AA (4.5:1), in any theme', () => {
    for (const { hex, className } of AVATAR_COLORS) expect(contrastRatio(hex, '#ffffff'), className).toBeGreaterThanOrEqual(4.5);
  });

  it('derives the colour from the id alone: stable, and spread over the palette', () => {
    const id = '01a22bf6-4517-707d-b88d-6411deef8aa0';
    expect(avatarColor(id)).toBe(avatarColor(id));
    const used = new Set(Array.from({ length: 400 }, (_, i) => avatarColor(`01a22bf6-4517-707d-b88d-${String(i).padStart(12, '0')}`).className));
    expect(used.size).toBeGreaterThanOrEqual(12);
  });

  it('initials: first and last word, whole graphemes, upper-cased', () => {
    expect(initialsOf('Ada Lovelace')).toBe('AL');
    expect(initialsOf('  ada  ')).toBe('A');
    expect(initialsOf('Grace Brewster Murray Hopper')).toBe('GH');
    expect(initialsOf('Deleted user')).toBe('DU');
    expect(initialsOf('👩🏽‍💻 dev')).toBe('👩🏽‍💻D');
    expect(initialsOf('élodie')).toBe('É');
    expect(initialsOf('   ')).toBe('?');
  });

  it('a picture URL only with a version, escaped', () => {
    expect(avatarUrl({ id: 'u1', avatar: null })).toBeNull();
    expect(avatarUrl({ id: 'u1', avatar: 'a_b-c' })).toBe('/api/users/u1/avatar?v=a_b-c');
  });
});
