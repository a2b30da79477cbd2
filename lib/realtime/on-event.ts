/**
 * The one way client→server events are handled, so that every event answers the way docs/protocol.md §3
 * promises: the ack is the last argument and is called exactly once; the payload (if the event takes one)
 * is the only other argument and is validated with its zod schema; failures become the documented error
 * acks (lib/errors.ts) — also a handler that throws synchronously, and an event nobody handles.
 */
import type { z } from 'zod';
import { AppError, errorAck, invalidPayload, okAck, toAppError, type Ack, type ErrorCode } from '../errors';
import type { Logger } from '../logger';

type Answer = (response: Ack<unknown>) => void;

/** What this needs of a server-side socket (any namespace). */
interface EventSocket {
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  onAny(listener: (event: unknown, ...args: unknown[]) => void): unknown;
  listeners(event: string): unknown[];
}

/** An event's arguments as events.ts declares them: `(payload, ack)`, `(ack)`, or `(ack?)`. */
type ArgsOf<Events, E extends keyof Events> = Events[E] extends (...args: infer A) => void ? A : never;
/** The payload an event takes; undefined when it takes none. */
type PayloadOf<Events, E extends keyof Events> = ArgsOf<Events, E> extends [infer P, unknown] ? P : undefined;
/** The data of a successful answer. */
type DataOf<Events, E extends keyof Events> =
  Extract<ArgsOf<Events, E>[number], (response: never) => void> extends (response: Ack<infer T>) => void ? T : never;
/** Whether the ack may be left out (every parameter optional). */
type AckOptional<Events, E extends keyof Events> = [] extends ArgsOf<Events, E> ? true : false;

/** The schema of an event's payload (its input is the wire type), or null for an event without one. */
type PayloadSchema<Events, E extends keyof Events> = PayloadOf<Events, E> extends undefined ? null : z.ZodType<unknown, PayloadOf<Events, E>>;
/** What the handler gets: the schema's output. */
type Parsed<S> = S extends z.ZodType ? z.output<S> : undefined;

export interface EventOptions {
  /** The INVALID_PAYLOAD message when the payload fails its schema (default "The request is invalid."). */
  invalidMessage?: string;
  /** Every refusal, by code (metrics). Not called for events without an ack that were ignored. */
  onRefused?(code: ErrorCode): void;
}

export interface HandlerContext {
  /** Runs `work` right after a successful answer (a broadcast goes out after the ack). */
  afterAck(work: () => void): void;
}

export type EventHandlers<Events> = <E extends keyof Events & string, S extends PayloadSchema<Events, E>>(
  event: E,
  schema: S,
  handler: (payload: Parsed<S>, context: HandlerContext) => Promise<DataOf<Events, E>> | DataOf<Events, E>,
  // Events whose ack is optional (events.ts) must say so here too: it decides what happens without one.
  ...options: AckOptional<Events, E> extends true ? [options: EventOptions & { ackOptional: true }] : [options?: EventOptions]
) => void;

function refusal(message: string): AppError {
  return new AppError('INVALID_PAYLOAD', message);
}

/**
 * Registers a socket's event handlers: `const on = eventHandlers<RoomClientToServerEvents>(socket, { log })`, then
 * `on('read:mark', markReadSchema, async ({ seq }) => ({ lastReadSeq }))`. An event without a trailing ack
 * is ignored (nobody could learn the outcome) unless `ackOptional`.
 */
export function eventHandlers<Events>(socket: EventSocket, deps: { log: Logger }): EventHandlers<Events> {
  return (event, schema, handler, ...rest) => {
    const options: EventOptions & { ackOptional?: true } = rest[0] ?? {};
    socket.on(event, (...args: unknown[]) => {
      const ack = typeof args.at(-1) === 'function' ? (args.pop() as Answer) : undefined;
      if (!ack && !options.ackOptional) return;
      let answered = false;
      const answer = (response: Ack<unknown>) => {
        if (answered) return;
        answered = true;
        if (!response.ok) options.onRefused?.(response.error.code);
        ack?.(response);
      };
      const fail = (error: unknown) => {
        if (!toAppError(error)) deps.log.error({ err: error, event }, 'socket handler failed');
        answer(errorAck(error));
      };
      try {
        let payload: unknown;
        if (schema === null) {
          if (args.length > 0) throw refusal('This event takes no payload: send only the ack.');
        } else {
          if (args.length !== 1) throw refusal('Send one payload object, then the ack.');
          const parsed = (schema as z.ZodType).safeParse(args[0]);
          if (!parsed.success) throw invalidPayload(parsed.error, options.invalidMessage);
          payload = parsed.data;
        }
        const after: (() => void)[] = [];
        Promise.resolve(handler(payload as never, { afterAck: (work) => void after.push(work) })).then((data) => {
          answer(okAck(data));
          for (const work of after) {
            try {
              work();
            } catch (error) {
              deps.log.error({ err: error, event }, 'socket handler failed after answering');
            }
          }
        }, fail);
      } catch (error) {
        fail(error);
      }
    });
  };
}

/**
 * Answers events no handler knows (a typo, another namespace's event) with INVALID_PAYLOAD when they
 * carry an ack, instead of leaving the client to its timeout. Install once per socket, in every namespace.
 */
export function answerUnknownEvents(socket: EventSocket): void {
  socket.onAny((event, ...args) => {
    if (typeof event === 'string' && socket.listeners(event).length > 0) return;
    const ack = args.at(-1);
    if (typeof ack === 'function') (ack as Answer)(errorAck(refusal('Unknown event.')));
  });
}
