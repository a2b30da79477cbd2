import type { InputHTMLAttributes } from 'react';

interface FieldProps extends InputHTMLAttributes<HTMLInputElement> {
  label: string;
  name: string;
  error?: string;
  hint?: string;
}

/** A labelled input with its inline error (announced to screen readers). */
export function Field({ label, name, error, hint, ...input }: FieldProps) {
  const inputId = `field-${name}`;
  const noteId = `${inputId}-note`;
  return (
    <div>
      <label htmlFor={inputId} className="mb-1 block text-sm font-medium text-fg-muted">
        {label}
      </label>
      <input
        id={inputId}
        name={name}
        aria-invalid={error ? true : undefined}
        aria-describedby={error || hint ? noteId : undefined}
        className={`w-full rounded-md border px-3 py-2 text-fg shadow-sm outline-none focus:ring-2 focus:ring-focus ${
          error ? 'border-danger' : 'border-line-strong'
        }`}
        {...input}
      />
      {error ? (
        <p id={noteId} role="alert" className="mt-1 text-sm text-danger-fg">
          {error}
        </p>
      ) : hint ? (
        <p id={noteId} className="mt-1 text-xs text-fg-subtle">
          {hint}
        </p>
      ) : null}
    </div>
  );
}
