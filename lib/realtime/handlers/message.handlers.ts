/** `message:send`: validate → rate limit → persist with seq → ack → broadcast after commit. */
import { BurstyRateLimiter, RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { createMessage } from '../../data/messages';
import { AppError } from '../../errors';
import { getMetrics } from '../../metrics';
import { formatWait, retryAfterSeconds } from '../../rate-limit';
import { sendMessageSchema } from '../../schemas/message';
import { notifyMessageChanged, notifyMessageStored, roomIdOf, type RoomEvents } from '../notify';
import type { ParleyServer } from '../server';

/**
 * Per user, in memory: a steady rate plus a burst allowance, so a quick flurry passes and a flood gets
 * RATE_LIMITED acks. In memory, so per instance: a user with tabs on two instances gets the budget
 * twice, and a restart forgives a few messages. That is a flood guard's job; a shared counter would
 * cost a database round trip per message (login limits, which guard secrets, do live in PostgreSQL).
 */
export function createMessageRateLimiter(limits: { perSecond: number; burst: number }): BurstyRateLimiter {
  return new BurstyRateLimiter(
    new RateLimiterMemory({ keyPrefix: 'msg', points: limits.perSecond, duration: 1 }),
    new RateLimiterMemory({ keyPrefix: 'msg_burst', points: Math.max(1, limits.burst), duration: 20 }),
  );
}

/** Spends one point of `limiter` for the user, or refuses with RATE_LIMITED (and when to retry). */
export async function consumeOrRefuse(limiter: BurstyRateLimiter, userId: string, what: string): Promise<void> {
  try {
    await limiter.consume(userId);
  } catch (rejection) {
    if (!(rejection instanceof RateLimiterRes)) throw rejection;
    const retryAfter = retryAfterSeconds(rejection);
    throw new AppError('RATE_LIMITED', `You are ${what} too fast. Wait ${formatWait(retryAfter)}.`, { retryAfter });
  }
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
