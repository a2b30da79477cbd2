/** The pieces every form shares: the form-level error and the submit button with its busy label. */
import { ExclamationCircleIcon } from '@heroicons/react/20/solid';
import { Button } from '@/components/ui/button';

export function FormError({ message }: { message: string | undefined }) {
  if (!message) return null;
  return (
    <p role="alert" className="flex items-start gap-2 rounded-control border border-danger-line bg-danger-soft px-3 py-2 text-sm text-danger-fg">
      <ExclamationCircleIcon aria-hidden className="mt-0.5 size-4 shrink-0" />
      <span>{message}</span>
    </p>
  );
}

export function SubmitButton({ busy, label, busyLabel, className = 'w-full' }: { busy: boolean; label: string; busyLabel: string; className?: string }) {
  return (
    <Button type="submit" disabled={busy} aria-disabled={busy} className={className}>
      {busy ? busyLabel : label}
    </Button>
  );
}
