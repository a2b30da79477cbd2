/**
 * Waveform bar heights as classes, not inline styles: the page's CSP (style-src without 'unsafe-inline')
 * drops style attributes in server-rendered HTML, and messages are rendered on the server first.
 * Spelled out in full so Tailwind finds them.
 */
const HEIGHTS = ['h-[15%]', 'h-[25%]', 'h-[35%]', 'h-[45%]', 'h-[55%]', 'h-[65%]', 'h-[75%]', 'h-[85%]', 'h-full'] as const;

/** The class for a bar of `value` (0–255). */
export function barHeightClass(value: number): string {
  const index = Math.round((Math.max(0, Math.min(255, value)) / 255) * (HEIGHTS.length - 1));
  return HEIGHTS[index]!;
}
