'use client';
/**
 * A room event's line in the conversation (a message whose `event` is set and whose body is empty): one
 * compact centred sentence — "Alice renamed the room to Design", "Bob was muted by Alice for 1 hour — spam"
 * — and when. Unknown event types (a newer server) read as a neutral line, never as an error.
 */
import type { ReactNode } from 'react';
import { describeRoomEvent } from '@/lib/community/describe';
import type { ChatMessage } from '@/lib/schemas/message';

export function RoomEventLine({ message, time }: { message: ChatMessage & { event: NonNullable<ChatMessage['event']> }; time: ReactNode }) {
  const text = describeRoomEvent(message.event, message.author.displayName, message.createdAt);
  return (
    <p data-testid="event-line" data-event-type={message.event.type} className="py-1 text-center text-xs text-fg-muted">
      <span className="break-words">{text}</span> · {time}
    </p>
  );
}
