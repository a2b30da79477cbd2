'use client';
/** A message's reactions: one pill per emoji with its count, pressed when I reacted; who reacted on hover and to screen readers. */
import type { ChatMessage, Reaction } from '@/lib/schemas/message';
import { useMe, useRoom } from './room-context';

function whoReacted(reaction: Reaction, names: ReadonlyMap<string, string>, meId: string): string {
  const listed = reaction.userIds.map((id) => (id === meId ? 'you' : (names.get(id) ?? 'someone who left')));
  const others = reaction.count - listed.length;
  return others > 0 ? `${listed.join(', ')} and ${others} more` : listed.join(', ');
}

export function ReactionBar({ message, names }: { message: ChatMessage; names: ReadonlyMap<string, string> }) {
  const me = useMe();
  const toggleReaction = useRoom((s) => s.toggleReaction);
  return (
    <ul aria-label="Reactions" data-testid="reactions" className="mt-1 flex flex-wrap gap-1">
      {message.reactions.map((reaction) => {
        const mine = reaction.userIds.includes(me.id);
        const who = whoReacted(reaction, names, me.id);
        return (
          <li key={reaction.emoji}>
            <button
              type="button"
              data-testid="reaction"
              data-emoji={reaction.emoji}
              data-count={reaction.count}
              aria-pressed={mine}
              aria-label={`${reaction.emoji} ${reaction.count}: ${who}. ${mine ? 'Remove your reaction' : 'React with this too'}`}
              title={`${who} reacted with ${reaction.emoji}`}
              onClick={() => void toggleReaction(message.seq, reaction.emoji)}
              className={`inline-flex h-7 items-center gap-1 rounded-full border px-2 text-xs transition-colors focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-focus ${
                mine ? 'border-accent bg-accent-soft text-link hover:bg-accent-soft-strong' : 'border-line bg-surface-muted text-fg-muted hover:border-line-strong hover:bg-surface-sunken'
              }`}
            >
              <span aria-hidden="true" className="text-sm leading-none">
                {reaction.emoji}
              </span>
              <span aria-hidden="true" className="font-medium tabular-nums">
                {reaction.count}
              </span>
            </button>
          </li>
        );
      })}
    </ul>
  );
}
