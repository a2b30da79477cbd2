'use client';
import { ErrorState } from '@/components/error-state';

/** A signed-in page failed: the header and sidebar (the chat layout) stay usable around this. */
export default function ChatError({ error, retry }: { error: unknown; retry: () => void }) {
  return (
    <div className="flex min-h-0 flex-1 items-center justify-center overflow-y-auto bg-surface-muted p-4 outline-none">
      <ErrorState error={error} retry={retry} title="This page could not be shown" />
    </div>
  );
}
