'use client';
import { ComputerDesktopIcon, MoonIcon, SunIcon } from '@heroicons/react/20/solid';
import { useId, useSyncExternalStore, type ComponentType, type SVGProps } from 'react';
import { applyTheme, parseTheme, type Theme } from '@/lib/theme';

export const THEME_OPTIONS: { value: Theme; label: string; Icon: ComponentType<SVGProps<SVGSVGElement>> }[] = [
  { value: 'system', label: 'System', Icon: ComputerDesktopIcon },
  { value: 'light', label: 'Light', Icon: SunIcon },
  { value: 'dark', label: 'Dark', Icon: MoonIcon },
];

/** Watches <html data-theme>, so every theme control on the page (settings, header menu) shows the same choice. */
function subscribe(onChange: () => void): () => void {
  const observer = new MutationObserver(onChange);
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
  return () => observer.disconnect();
}

/** The theme in effect: the server rendered it into <html data-theme> from the cookie; `applyTheme` changes both. */
export function useTheme(): [Theme, (theme: Theme) => void] {
  const theme = useSyncExternalStore(
    subscribe,
    () => parseTheme(document.documentElement.dataset.theme),
    () => 'system' as Theme,
  );
  return [theme, applyTheme];
}

/** Settings → Appearance: a radio group named "Theme" (System / Light / Dark), applied at once. */
export function ThemeRadioGroup() {
  const [theme, setTheme] = useTheme();
  const labelId = useId();
  return (
    <div role="radiogroup" aria-labelledby={labelId} className="mt-3">
      <p id={labelId} className="mb-2 text-sm font-medium text-fg">
        Theme
      </p>
      <div className="grid grid-cols-3 gap-2">
        {THEME_OPTIONS.map(({ value, label, Icon }) => (
          <label
            key={value}
            className="relative flex min-h-touch cursor-pointer items-center justify-center gap-2 rounded-control border border-line-strong bg-surface px-3 text-sm font-medium text-fg-muted hover:bg-surface-sunken has-[:checked]:border-accent has-[:checked]:bg-accent-soft has-[:checked]:text-fg has-[:focus-visible]:ring-2 has-[:focus-visible]:ring-focus"
          >
            <input
              type="radio"
              name="theme"
              value={value}
              checked={theme === value}
              onChange={() => setTheme(value)}
              // Transparent over the whole tile, so the radio itself is what a pointer hits.
              className="absolute inset-0 m-0 cursor-pointer appearance-none rounded-control opacity-0"
            />
            <Icon aria-hidden className="size-4 shrink-0" />
            {label}
          </label>
        ))}
      </div>
      <p className="mt-2 text-xs text-fg-subtle">System follows your device&apos;s light or dark setting.</p>
    </div>
  );
}
