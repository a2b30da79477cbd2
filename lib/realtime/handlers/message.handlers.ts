/** `message:send`: validate → rate limit → persist with seq → ack → broadcast after commit. */
import type { BurstyRateLimiter } from 'rate-limiter-flexible';
import { createMessage } from '../../data/messages';
import { consumeOrRefuse, createFloodLimiter } from '../../flood-limits';
import { getMetrics } from '../../metrics';
import { sendMessageSchema } from '../../schemas/message';
import { notifyMessageChanged, notifyMessageStored, roomIdOf, type RoomEvents } from '../notify';
import type { ParleyServer } from '../server';

/**
 * Per user, in memory (../../flood-limits.ts): a user with tabs on two instances gets the budget twice, and a
 * restart forgives a few messages. That is a flood guard's job.
 */
export function createMessageRateLimiter(limits: { perSecond: number; burst: number }): BurstyRateLimiter {
  return createFloodLimiter({ name: 'msg', ...limits });
}

/** Defined once for every room namespace (on-event.ts says why not per socket). */
export function defineMessageHandlers(events: RoomEvents, deps: { io: ParleyServer; limiter: BurstyRateLimiter }): void {
  const metrics = getMetrics();
  events.on(
    'message:send',
    sendMessageSchema,
    async ({ clientId, body, attachments, threadRootSeq, alsoInRoom, replyToSeq }, { socket, afterAck }) => {
      const stopTimer = metrics.messageHandling.startTimer();
      const { user } = socket.data;
      await consumeOrRefuse(deps.limiter, user.id, 'sending');
      const { message, duplicate, root } = await createMessage({
        roomId: roomIdOf(socket),
        authorId: user.id,
        clientId,
        body,
        attachmentIds: attachments,
        threadRootSeq,
        alsoInRoom,
        replyToSeq,
      });
      metrics.messagesAccepted.inc(duplicate ? 0 : 1);
      afterAck(() => {
        // A retried clientId too: the instance that stored it first may have died before broadcasting it.
        // Instances that sent it already do not send it again (bus.ts); clients dedupe by seq anyway.
        notifyMessageStored(message, socket.id, deps.io);
        if (root) notifyMessageChanged(root, deps.io);
        stopTimer();
      });
      return message;
    },
    { invalidMessage: 'The message is invalid.', onRefused: (code) => metrics.messagesRejected.inc({ reason: code }) },
  );
}
