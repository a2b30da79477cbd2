/** A placeholder block while content loads; decorative (the region around it says "Loading"). */
export function Skeleton({ className = '' }: { className?: string }) {
  return <div aria-hidden className={`animate-pulse rounded-control bg-surface-strong motion-reduce:animate-none ${className}`} />;
}

/** The rooms sidebar while it loads: a filter box and a few room rows. */
export function SidebarSkeleton() {
  return (
    <div aria-hidden className="flex h-full w-64 shrink-0 flex-col gap-3 border-r border-line bg-surface-muted p-3 max-md:hidden">
      <Skeleton className="h-9 w-full" />
      <Skeleton className="mt-2 h-3 w-16" />
      {/* Widths as classes, not style attributes: the CSP allows no inline styles. */}
      {['w-[70%]', 'w-[55%]', 'w-[80%]', 'w-[60%]', 'w-[45%]'].map((width) => (
        <div key={width} className="flex items-center gap-2">
          <Skeleton className="size-5 rounded-full" />
          <Skeleton className={`h-4 ${width}`} />
        </div>
      ))}
    </div>
  );
}

/** A room while it loads: its header, a few message rows of different lengths, the composer. */
export function TimelineSkeleton() {
  return (
    <div aria-hidden className="flex min-h-0 flex-1 flex-col">
      <div className="flex h-14 items-center gap-3 border-b border-line px-4">
        <Skeleton className="h-5 w-40" />
      </div>
      <MessageRowsSkeleton />
      <div className="border-t border-line p-3">
        <Skeleton className="h-11 w-full" />
      </div>
    </div>
  );
}

/** A few message rows of different lengths, bottom-aligned like the timeline (also its stand-in while its code loads). */
export function MessageRowsSkeleton() {
  return (
    <div aria-hidden className="flex min-h-0 flex-1 flex-col justify-end gap-5 overflow-hidden p-4">
      {['w-[60%]', 'w-[85%]', 'w-[40%]', 'w-[75%]', 'w-[50%]'].map((width) => (
        <div key={width} className="flex gap-3">
          <Skeleton className="size-9 shrink-0 rounded-full" />
          <div className="flex-1 space-y-2">
            <Skeleton className="h-3 w-32" />
            <Skeleton className={`h-4 ${width}`} />
          </div>
        </div>
      ))}
    </div>
  );
}
