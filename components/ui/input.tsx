import { forwardRef, type InputHTMLAttributes } from 'react';

/** A text input in the house style; `invalid` draws the danger border (set aria-invalid yourself or use Field). */
export const Input = forwardRef<HTMLInputElement, InputHTMLAttributes<HTMLInputElement> & { invalid?: boolean }>(function Input(
  { invalid = false, className = '', ...props },
  ref,
) {
  return (
    <input
      ref={ref}
      className={`block w-full rounded-control border bg-surface px-3 py-2 text-fg shadow-raised outline-none placeholder:text-fg-subtle focus:border-focus focus:ring-2 focus:ring-focus/40 disabled:opacity-60 max-sm:min-h-touch ${
        invalid ? 'border-danger' : 'border-line-strong'
      } ${className}`}
      {...props}
    />
  );
});

export interface FieldProps extends InputHTMLAttributes<HTMLInputElement> {
  label: string;
  name: string;
  /** Shown under the input and announced (role="alert"); marks the input invalid. */
  error?: string;
  hint?: string;
}

/** A labelled input with its hint or inline error, wired with aria-describedby. */
export const Field = forwardRef<HTMLInputElement, FieldProps>(function Field({ label, name, error, hint, id, ...input }, ref) {
  // A stable id from the name (forms here have one field per name; pass `id` when a page has two such forms).
  const inputId = id ?? `field-${name}`;
  const noteId = `${inputId}-note`;
  return (
    <div>
      <label htmlFor={inputId} className="mb-1.5 block text-sm font-medium text-fg">
        {label}
      </label>
      <Input
        ref={ref}
        id={inputId}
        name={name}
        invalid={Boolean(error)}
        aria-invalid={error ? true : undefined}
        aria-describedby={error || hint ? noteId : undefined}
        {...input}
      />
      {error ? (
        <p id={noteId} role="alert" className="mt-1.5 text-sm text-danger-fg">
          {error}
        </p>
      ) : hint ? (
        <p id={noteId} className="mt-1.5 text-xs text-fg-subtle">
          {hint}
        </p>
      ) : null}
    </div>
  );
});
