/**
 * How a person without a picture looks (docs/protocol.md §4.15): their initials on a colour derived from
 * their id, so the same person has the same colour on every screen and device, and a rename keeps it.
 * Every colour carries white text at WCAG AA (≥ 4.5:1) whatever the theme around it: the circle is its own
 * background. Pure functions, shared by the component and its tests.
 */
import type { PublicUser } from '@/lib/schemas/user';

/**
 * Tailwind's 700/800 shades that keep white text at AA or better (checked in avatar-look.test.ts against
 * their sRGB values). Classes, not inline styles: the page's CSP refuses style attributes in server HTML.
 * Written out whole so Tailwind finds them.
 */
export const AVATAR_COLORS = [
  { className: 'bg-red-700', hex: '#b91c1c' },
  { className: 'bg-orange-700', hex: '#c2410c' },
  { className: 'bg-amber-800', hex: '#92400e' },
  { className: 'bg-lime-800', hex: '#3f6212' },
  { className: 'bg-green-700', hex: '#15803d' },
  { className: 'bg-emerald-800', hex: '#065f46' },
  { className: 'bg-teal-700', hex: '#0f766e' },
  { className: 'bg-cyan-800', hex: '#155e75' },
  { className: 'bg-sky-800', hex: '#075985' },
  { className: 'bg-blue-700', hex: '#1d4ed8' },
  { className: 'bg-indigo-700', hex: '#4338ca' },
  { className: 'bg-violet-700', hex: '#6d28d9' },
  { className: 'bg-purple-700', hex: '#7e22ce' },
  { className: 'bg-fuchsia-800', hex: '#86198f' },
  { className: 'bg-pink-700', hex: '#be185d' },
  { className: 'bg-rose-700', hex: '#be123c' },
] as const;

export type AvatarColor = (typeof AVATAR_COLORS)[number];

/** FNV-1a over the id: cheap, stable across browsers and releases, and spread well enough for 16 buckets. */
export function avatarColor(userId: string): AvatarColor {
  let hash = 0x811c9dc5;
  for (let i = 0; i < userId.length; i++) {
    hash ^= userId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return AVATAR_COLORS[(hash >>> 0) % AVATAR_COLORS.length]!;
}

const graphemes = typeof Intl !== 'undefined' && 'Segmenter' in Intl ? new Intl.Segmenter(undefined, { granularity: 'grapheme' }) : null;

function firstGrapheme(word: string): string {
  if (graphemes) return graphemes.segment(word)[Symbol.iterator]().next().value?.segment ?? '';
  return Array.from(word)[0] ?? '';
}

/** "Ada Lovelace" → "AL", "ada" → "A", "Jean-Luc Picard" → "JP", "🦊 Fox" → "🦊F"; "?" when there is nothing. */
export function initialsOf(displayName: string): string {
  const words = displayName.trim().split(/\s+/u).filter(Boolean);
  if (words.length === 0) return '?';
  const first = firstGrapheme(words[0]!);
  const last = words.length > 1 ? firstGrapheme(words[words.length - 1]!) : '';
  return (first + last).toLocaleUpperCase();
}

/** The picture's URL: the version makes it cacheable for a year (a new picture has a new version). */
export function avatarUrl(user: Pick<PublicUser, 'id' | 'avatar'>): string | null {
  return user.avatar ? `/api/users/${encodeURIComponent(user.id)}/avatar?v=${encodeURIComponent(user.avatar)}` : null;
}

/** WCAG 2 contrast ratio of two #rrggbb colours (for the tests and any future palette change). */
export function contrastRatio(a: string, b: string): number {
  const luminance = (hex: string) => {
    const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255).map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
    return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
  };
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi! + 0.05) / (lo! + 0.05);
}
