/** Parley's mark (the favicon's speech bubble) with the word beside it unless `markOnly`. */
export function Logo({ markOnly = false, className = '' }: { markOnly?: boolean; className?: string }) {
  return (
    <span className={`inline-flex items-center gap-2 font-semibold tracking-tight text-fg ${className}`}>
      <svg viewBox="0 0 32 32" aria-hidden className="size-7 shrink-0">
        <path className="fill-accent" d="M6 4h20a4 4 0 0 1 4 4v12a4 4 0 0 1-4 4H14l-6 5v-5H6a4 4 0 0 1-4-4V8a4 4 0 0 1 4-4z" />
        <path fill="#fff" d="M9 11h14v2.5H9zM9 16h9v2.5H9z" />
      </svg>
      {markOnly ? <span className="sr-only">Parley</span> : <span className="text-lg">Parley</span>}
    </span>
  );
}
