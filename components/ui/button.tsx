import { forwardRef, type ButtonHTMLAttributes } from 'react';

/**
 * The one button. Variants and sizes live here so every screen's buttons match; phones get a 44 px target
 * (`max-sm:min-h-touch`) whatever the visual size.
 */
export const BUTTON_VARIANTS = {
  primary: 'bg-accent text-white hover:bg-accent-hover',
  secondary: 'border border-line-strong bg-surface text-fg hover:bg-surface-sunken',
  ghost: 'text-fg-muted hover:bg-surface-sunken hover:text-fg',
  danger: 'bg-danger text-white hover:bg-danger-hover',
} as const;

export const BUTTON_SIZES = {
  sm: 'h-8 px-3 text-sm max-sm:min-h-touch',
  md: 'h-9 px-4 text-sm max-sm:min-h-touch',
  lg: 'h-11 px-5 text-base',
  icon: 'size-9 max-sm:size-touch',
} as const;

/**
 * The room header's actions (call, add people, settings, notifications, files): an outlined icon, its label
 * from wide screens up, and a 44 px target on phones like every other button.
 */
export const HEADER_ACTION =
  'flex min-h-8 min-w-8 shrink-0 items-center justify-center gap-1 rounded-control border border-line-strong px-2 py-1 text-sm text-fg-muted hover:bg-surface-muted focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-focus disabled:opacity-50 data-[state=open]:bg-surface-sunken max-sm:min-h-touch max-sm:min-w-touch';

export type ButtonVariant = keyof typeof BUTTON_VARIANTS;
export type ButtonSize = keyof typeof BUTTON_SIZES;

/** The classes of a button, for links that look like one. */
export function buttonClasses({ variant = 'primary', size = 'md', className = '' }: { variant?: ButtonVariant; size?: ButtonSize; className?: string } = {}): string {
  return [
    'inline-flex shrink-0 items-center justify-center gap-2 whitespace-nowrap rounded-control font-medium transition-colors',
    'outline-none focus-visible:ring-2 focus-visible:ring-focus focus-visible:ring-offset-2',
    'disabled:pointer-events-none disabled:opacity-60',
    BUTTON_VARIANTS[variant],
    BUTTON_SIZES[size],
    className,
  ].join(' ');
}

export interface ButtonProps extends ButtonHTMLAttributes<HTMLButtonElement> {
  variant?: ButtonVariant;
  size?: ButtonSize;
}

export const Button = forwardRef<HTMLButtonElement, ButtonProps>(function Button({ variant, size, className, type = 'button', ...props }, ref) {
  return <button ref={ref} type={type} className={buttonClasses({ variant, size, className })} {...props} />;
});
