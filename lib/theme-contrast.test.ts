import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

/**
 * The colour tokens of both themes (app/globals.css), checked against WCAG AA (4.5:1 for text) on every background
 * that text of that role sits on in the components. axe checks the pages it is shown; this checks every pairing,
 * hover and rarely shown states included.
 */
const css = readFileSync(new URL('../app/globals.css', import.meta.url), 'utf8');

function tokens(block: string): Record<string, string> {
  return Object.fromEntries([...block.matchAll(/--([a-z-]+):\s*(#[0-9a-f]{6});/g)].map((m) => [m[1]!, m[2]!]));
}
const darkStart = css.indexOf('@variant dark {', css.indexOf(':root {'));
const light = tokens(css.slice(css.indexOf(':root {'), darkStart));
const dark = { ...light, ...tokens(css.slice(darkStart, css.indexOf('}', darkStart))) };

function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255).map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}
export function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi! + 0.05) / (lo! + 0.05);
}

const surfaces = ['surface', 'surface-muted', 'surface-sunken'];
const PAIRS: Array<[text: string, backgrounds: string[]]> = [
  ['fg', [...surfaces, 'surface-strong', 'accent-soft', 'accent-soft-strong', 'warning-soft', 'danger-soft']],
  ['fg-muted', [...surfaces, 'surface-strong', 'accent-soft', 'accent-soft-strong', 'warning-soft']],
  ['fg-subtle', [...surfaces, 'accent-soft', 'warning-soft']],
  ['link', [...surfaces, 'accent-soft', 'accent-soft-strong', 'warning-soft']],
  ['danger-fg', [...surfaces, 'danger-soft']],
  ['warning-fg', [...surfaces, 'warning-soft']],
  ['success-fg', [...surfaces, 'success-soft']],
  ['white', ['accent', 'accent-hover', 'danger', 'danger-hover']],
];

describe.each([
  ['light', light],
  ['dark', dark],
])('%s theme', (_name, theme) => {
  const value = (token: string) => (token === 'white' ? '#ffffff' : theme[token]);
  it.each(PAIRS.flatMap(([text, backgrounds]) => backgrounds.map((bg) => [text, bg] as const)))('%s on %s is at least 4.5:1', (text, bg) => {
    expect(value(text), text).toMatch(/^#/);
    expect(value(bg), bg).toMatch(/^#/);
    expect(contrast(value(text)!, value(bg)!)).toBeGreaterThanOrEqual(4.5);
  });
  it('focus rings stand out from the page (3:1, WCAG 1.4.11)', () => {
    for (const bg of surfaces) expect(contrast(theme.focus!, theme[bg]!)).toBeGreaterThanOrEqual(3);
  });
});
