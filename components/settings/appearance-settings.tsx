import { ThemeRadioGroup } from '@/components/ui/theme-toggle';

/** Settings → Appearance: the theme (also in the header's account menu). Saved in this browser, applied at once. */
export function AppearanceSettings() {
  return (
    <section aria-labelledby="appearance-heading" className="mt-8">
      <h2 id="appearance-heading" className="text-lg font-semibold">
        Appearance
      </h2>
      <p className="mt-1 text-sm text-fg-muted">How Parley looks on this device.</p>
      <ThemeRadioGroup />
    </section>
  );
}
