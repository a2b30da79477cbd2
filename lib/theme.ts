/**
 * The colour theme: "system" (the default) follows the OS; "light" and "dark" pin one. Kept in a cookie rather than
 * localStorage so the server renders <html data-theme> with the page and the first paint is already right (no flash,
 * and no inline script for the CSP to allow). Signed-out pages honour it too.
 */
export const THEMES = ['system', 'light', 'dark'] as const;
export type Theme = (typeof THEMES)[number];
export const THEME_COOKIE = 'parley-theme';

/** The theme a cookie value names, or "system" for anything else (absent, stale, tampered with). No zod: every page loads this. */
export function parseTheme(value: string | undefined): Theme {
  return THEMES.find((theme) => theme === value) ?? 'system';
}

/** Browser only: applies a theme at once and remembers it for a year. */
export function applyTheme(theme: Theme): void {
  document.documentElement.dataset.theme = theme;
  const secure = location.protocol === 'https:' ? '; Secure' : '';
  document.cookie = `${THEME_COOKIE}=${theme}; Path=/; Max-Age=31536000; SameSite=Lax${secure}`;
}
