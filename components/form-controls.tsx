/** The pieces every form shares: the form-level error and the submit button with its busy label. */

export function FormError({ message }: { message: string | undefined }) {
  if (!message) return null;
  return (
    <p role="alert" className="rounded-md bg-danger-soft px-3 py-2 text-sm text-danger-fg">
      {message}
    </p>
  );
}

export function SubmitButton({ busy, label, busyLabel, className = 'w-full' }: { busy: boolean; label: string; busyLabel: string; className?: string }) {
  return (
    <button
      type="submit"
      disabled={busy}
      className={`rounded-md bg-accent px-4 py-2 font-medium text-white hover:bg-accent-hover disabled:opacity-60 ${className}`}
    >
      {busy ? busyLabel : label}
    </button>
  );
}
