import type { Config } from 'tailwindcss';

/**
 * Parley's design tokens. Colours are semantic and resolve to CSS variables (app/globals.css), which the light and
 * dark themes set: components name a role ("muted text", "danger fill"), never a hue, so one change of theme restyles
 * every screen and both stay AA. Hues appear directly only where a colour is the same in both themes (the call
 * stage, the lightbox, dialog scrims, avatars, presence dots).
 */
const color = (name: string) => `var(--${name})`;

export default {
  content: ['./app/**/*.{ts,tsx}', './components/**/*.{ts,tsx}'],
  theme: {
    extend: {
      // `animate-appear-late`: hidden for a moment, then shown — a placeholder that a fast answer never flashes.
      keyframes: { appear: { from: { visibility: 'hidden' }, to: { visibility: 'visible' } } },
      animation: { 'appear-late': 'appear 0s linear 200ms both' },
      colors: {
        // Backgrounds, from the page up to the strongest fill.
        surface: {
          DEFAULT: color('surface'),
          muted: color('surface-muted'),
          sunken: color('surface-sunken'),
          strong: color('surface-strong'),
        },
        // Text: body, secondary and the quietest text that still passes AA on every surface.
        fg: {
          DEFAULT: color('fg'),
          muted: color('fg-muted'),
          subtle: color('fg-subtle'),
        },
        line: { DEFAULT: color('line'), strong: color('line-strong') },
        accent: {
          DEFAULT: color('accent'),
          hover: color('accent-hover'),
          soft: color('accent-soft'),
          'soft-strong': color('accent-soft-strong'),
        },
        link: color('link'),
        focus: color('focus'),
        danger: { DEFAULT: color('danger'), hover: color('danger-hover'), soft: color('danger-soft'), line: color('danger-line'), fg: color('danger-fg') },
        warning: { soft: color('warning-soft'), line: color('warning-line'), fg: color('warning-fg') },
        success: { soft: color('success-soft'), line: color('success-line'), fg: color('success-fg') },
      },
      fontFamily: {
        sans: ['var(--font-sans)'],
      },
      // The type scale: Tailwind's steps, with chat's body size (15 px) in between sm and base.
      fontSize: {
        body: ['0.9375rem', { lineHeight: '1.4rem' }],
      },
      borderRadius: {
        control: '0.375rem', // buttons, inputs, chips
        card: '0.75rem', // panels, dialogs, popovers
      },
      boxShadow: {
        raised: 'var(--shadow-raised)', // toolbars, floating buttons
        overlay: 'var(--shadow-overlay)', // dialogs, menus, popovers
      },
      spacing: {
        touch: '2.75rem', // 44 px: the smallest touch target on phones
      },
    },
  },
} satisfies Config;
