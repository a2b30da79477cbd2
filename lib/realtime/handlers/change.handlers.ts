/**
 * Changes to stored messages in a room namespace — `message:edit`, `message:delete`, `reaction:add`,
 * `reaction:remove` — and `thread:mark`. Each: validate → rate limit → change in the data layer (which
 * checks who may) → ack with the message as it is now → broadcast `message:updated` if it changed.
 */
import { BurstyRateLimiter, RateLimiterMemory } from 'rate-limiter-flexible';
import { pokeGarbageCollector } from '../../files/garbage';
import { deleteMessage, editMessage, markThreadRead, setReaction } from '../../data/message-changes';
import type { Logger } from '../../logger';
import { deleteMessageSchema, editMessageSchema, markThreadReadSchema, type ChatMessage } from '../../schemas/message';
import { reactionSchema } from '../../schemas/reaction';
import type { RoomClientToServerEvents } from '../events';
import { notifyMessageChanged, notifyThreadRead, type RoomSocket } from '../notify';
import { eventHandlers } from '../on-event';
import type { ParleyServer } from '../server';
import { consumeOrRefuse } from './message.handlers';

/**
 * Reactions per user, in memory per instance like the message limit: clicking a few emoji in a row
 * passes, a script toggling reactions to flood every member's screen does not.
 */
export function createReactionRateLimiter(): BurstyRateLimiter {
  return new BurstyRateLimiter(
    new RateLimiterMemory({ keyPrefix: 'reaction', points: 5, duration: 1 }),
    new RateLimiterMemory({ keyPrefix: 'reaction_burst', points: 30, duration: 20 }),
  );
}

export function registerChangeHandlers(
  socket: RoomSocket,
  deps: { io: ParleyServer; roomId: string; log: Logger; limiter: BurstyRateLimiter; reactionLimiter: BurstyRateLimiter },
): void {
  const { user, ip } = socket.data;
  const { roomId } = deps;
  const on = eventHandlers<RoomClientToServerEvents>(socket, { log: deps.log });
  /**
   * The message's current state to the room — also after a change that changed nothing (a retry): the
   * instance that applied it first may have died before broadcasting it. Sockets that have that rev
   * already are not sent it again (bus.ts), and clients keep the higher rev anyway.
   */
  const rebroadcast = (message: ChatMessage) => {
    if (message.rev > 0) notifyMessageChanged(message, deps.io);
  };

  on(
    'message:edit',
    editMessageSchema,
    async ({ seq, clientId, body }, { afterAck }) => {
      // Edits count as messages: rewriting a message is as costly to everyone as sending one.
      await consumeOrRefuse(deps.limiter, user.id, 'editing');
      const { message } = await editMessage({ roomId, userId: user.id, seq, clientId, body });
      afterAck(() => rebroadcast(message));
      return message;
    },
    { invalidMessage: 'The edit is invalid.' },
  );

  on('message:delete', deleteMessageSchema, async ({ seq }, { afterAck }) => {
    await consumeOrRefuse(deps.limiter, user.id, 'deleting');
    const { message, changed } = await deleteMessage({ roomId, userId: user.id, seq, ip });
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
    on(
      event,
      reactionSchema,
      async ({ seq, emoji }, { afterAck }) => {
        await consumeOrRefuse(deps.reactionLimiter, user.id, 'reacting');
        const { message } = await setReaction({ roomId, userId: user.id, seq, emoji, add });
        afterAck(() => rebroadcast(message));
        return message;
      },
      { invalidMessage: 'The reaction is invalid.' },
    );
  }

  on('thread:mark', markThreadReadSchema, async ({ rootSeq, seq }, { afterAck }) => {
    const { lastReadSeq, changed } = await markThreadRead({ roomId, userId: user.id, rootSeq, seq });
    if (changed) afterAck(() => notifyThreadRead(roomId, user.id, { rootSeq, lastReadSeq }, deps.io));
    return { rootSeq, lastReadSeq };
  });
}
