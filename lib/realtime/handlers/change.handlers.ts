/**
 * Changes to stored messages in a room namespace — `message:edit`, `message:delete`, `reaction:add`,
 * `reaction:remove` — and `thread:mark`. Each: validate → rate limit → change in the data layer (which
 * checks who may) → ack with the message as it is now → broadcast `message:updated` if it changed.
 */
import type { BurstyRateLimiter } from 'rate-limiter-flexible';
import { pokeGarbageCollector } from '../../files/garbage';
import { deleteMessage, editMessage, markThreadRead, setReaction } from '../../data/message-changes';
import { consumeOrRefuse, createFloodLimiter } from '../../flood-limits';
import { deleteMessageSchema, editMessageSchema, markThreadReadSchema, type ChatMessage } from '../../schemas/message';
import { reactionSchema } from '../../schemas/reaction';
import { notifyMessageChanged, notifyThreadRead, roomIdOf, type RoomEvents } from '../notify';
import type { ParleyServer } from '../server';

/**
 * Reactions per user, in memory per instance like the message limit: clicking a few emoji in a row
 * passes, a script toggling reactions to flood every member's screen does not.
 */
export function createReactionRateLimiter(): BurstyRateLimiter {
  return createFloodLimiter({ name: 'reaction', perSecond: 5, burst: 30 });
}

/** Defined once for every room namespace (on-event.ts says why not per socket). */
export function defineChangeHandlers(
  events: RoomEvents,
  deps: { io: ParleyServer; limiter: BurstyRateLimiter; reactionLimiter: BurstyRateLimiter },
): void {
  /**
   * The message's current state to the room — also after a change that changed nothing (a retry): the
   * instance that applied it first may have died before broadcasting it. Sockets that have that rev
   * already are not sent it again (bus.ts), and clients keep the higher rev anyway.
   */
  const rebroadcast = (message: ChatMessage) => {
    if (message.rev > 0) notifyMessageChanged(message, deps.io);
  };

  events.on(
    'message:edit',
    editMessageSchema,
    async ({ seq, clientId, body }, { socket, afterAck }) => {
      const userId = socket.data.user.id;
      // Edits count as messages: rewriting a message is as costly to everyone as sending one.
      await consumeOrRefuse(deps.limiter, userId, 'editing');
      const { message } = await editMessage({ roomId: roomIdOf(socket), userId, seq, clientId, body });
      afterAck(() => rebroadcast(message));
      return message;
    },
    { invalidMessage: 'The edit is invalid.' },
  );

  events.on('message:delete', deleteMessageSchema, async ({ seq }, { socket, afterAck }) => {
    const { user, ip } = socket.data;
    await consumeOrRefuse(deps.limiter, user.id, 'deleting');
    const { message, changed } = await deleteMessage({ roomId: roomIdOf(socket), userId: user.id, seq, ip });
    afterAck(() => {
      rebroadcast(message);
      if (changed) pokeGarbageCollector(); // its files' bytes go now rather than at the next sweep
    });
    return message;
  });

  for (const [event, add] of [
    ['reaction:add', true],
    ['reaction:remove', false],
  ] as const) {
    events.on(
      event,
      reactionSchema,
      async ({ seq, emoji }, { socket, afterAck }) => {
        const userId = socket.data.user.id;
        await consumeOrRefuse(deps.reactionLimiter, userId, 'reacting');
        const { message } = await setReaction({ roomId: roomIdOf(socket), userId, seq, emoji, add });
        afterAck(() => rebroadcast(message));
        return message;
      },
      { invalidMessage: 'The reaction is invalid.' },
    );
  }

  events.on('thread:mark', markThreadReadSchema, async ({ rootSeq, seq }, { socket, afterAck }) => {
    const roomId = roomIdOf(socket);
    const userId = socket.data.user.id;
    const { lastReadSeq, changed } = await markThreadRead({ roomId, userId, rootSeq, seq });
    if (changed) afterAck(() => notifyThreadRead(roomId, userId, { rootSeq, lastReadSeq }, deps.io));
    return { rootSeq, lastReadSeq };
  });
}
