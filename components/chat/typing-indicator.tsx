'use client';
import { typingText } from '@/lib/stores/typing';
import { useRoom } from './room-context';

/** "Alice is typing…" above the composer; the line keeps its height so the timeline does not jump. */
export function TypingIndicator() {
  const text = useRoom((s) => typingText(s.typing));
  return (
    <div data-testid="typing-indicator" aria-live="polite" className="h-5 truncate px-3 text-xs italic text-fg-subtle sm:px-4">
      {text ?? ''}
    </div>
  );
}
