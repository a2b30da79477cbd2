/** `message:send`: validate → rate limit → persist with seq → ack → broadcast after commit. */
import { BurstyRateLimiter, RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { createMessage } from '../../data/messages';
import { AppError, errorAck, invalidPayload, okAck, toAppError, type Ack } from '../../errors';
import type { Logger } from '../../logger';
import { getMetrics } from '../../metrics';
import { formatWait, retryAfterSeconds } from '../../rate-limit';
import { sendMessageSchema, type ChatMessage } from '../../schemas/message';
import { notifyMessageStored, type RoomSocket } from '../notify';
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

export function registerMessageHandlers(
  socket: RoomSocket,
  deps: { io: ParleyServer; roomId: string; log: Logger; limiter: BurstyRateLimiter },
): void {
  const { user } = socket.data;
  const metrics = getMetrics();

  socket.on('message:send', async (payload: unknown, ack: (response: Ack<ChatMessage>) => void) => {
    if (typeof ack !== 'function') return; // without an ack the client could never learn the outcome
    const stopTimer = metrics.messageHandling.startTimer();
    const parsed = sendMessageSchema.safeParse(payload);
    if (!parsed.success) {
      metrics.messagesRejected.inc({ reason: 'INVALID_PAYLOAD' });
      return ack(errorAck(invalidPayload(parsed.error, 'The message is invalid.')));
    }
    try {
      try {
        await deps.limiter.consume(user.id);
      } catch (rejection) {
        if (!(rejection instanceof RateLimiterRes)) throw rejection;
        const retryAfter = retryAfterSeconds(rejection);
        throw new AppError('RATE_LIMITED', `You are sending too fast. Wait ${formatWait(retryAfter)}.`, { retryAfter });
      }
      const { message, duplicate } = await createMessage({
        roomId: deps.roomId,
        authorId: user.id,
        clientId: parsed.data.clientId,
        body: parsed.data.body,
      });
      ack(okAck(message));
      metrics.messagesAccepted.inc(duplicate ? 0 : 1);
      // A retried clientId too: the instance that stored it first may have died before broadcasting it.
      // Instances that sent it already do not send it again (bus.ts); clients dedupe by seq anyway.
      notifyMessageStored(message, socket.id, deps.io);
      stopTimer();
    } catch (error) {
      const known = toAppError(error);
      if (!known) deps.log.error({ err: error, roomId: deps.roomId }, 'message:send failed');
      metrics.messagesRejected.inc({ reason: known?.code ?? 'INTERNAL' });
      ack(errorAck(error));
    }
  });
}
