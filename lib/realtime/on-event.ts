/**
 * The one way client→server events are handled, so that every event answers the way docs/protocol.md §3
 * promises: the ack is the last argument and is called exactly once; the payload (if the event takes one)
 * is the only other argument and is validated with its zod schema; failures become the documented error
 * acks (lib/errors.ts) — also a handler that throws synchronously, and an event nobody handles.
 *
 * Handlers are defined once per namespace kind (an EventTable), not once per socket: a socket gets one
 * shared dispatcher (Socket.IO calls `onAny` listeners with `this` = the socket), so an idle tab holds no
 * closures, listener arrays or per-event state of ours (bench (c): memory per tab).
 */
import type { z } from 'zod';
import { AppError, errorAck, invalidPayload, okAck, toAppError, type Ack, type ErrorCode } from '../errors';
import type { Logger } from '../logger';

type Answer = (response: Ack<unknown>) => void;

/** What this needs of a server-side socket (any namespace). */
export interface EventSocket {
  onAny(listener: (event: unknown, ...args: unknown[]) => void): unknown;
  listeners(event: string): unknown[];
}

/** An event's arguments as events.ts declares them: `(payload, ack)`, `(ack)`, or `(ack?)`. */
type ArgsOf<Events, E extends keyof Events> = Events[E] extends (...args: infer A) => void ? A : never;
type AckFunction = (response: never) => void;
/** The payload an event takes; undefined when it takes none. */
type PayloadOf<Events, E extends keyof Events> =
  ArgsOf<Events, E> extends [infer P, unknown]
    ? P
    : ArgsOf<Events, E> extends [AckFunction]
      ? undefined
      : ArgsOf<Events, E> extends [infer P, AckFunction?]
        ? P
        : undefined;
/** The data of a successful answer. */
type DataOf<Events, E extends keyof Events> =
  Extract<ArgsOf<Events, E>[number], (response: never) => void> extends (response: Ack<infer T>) => void ? T : never;
/** Whether the ack may be left out: `(ack?)` or `(payload, ack?)`. */
type AckOptional<Events, E extends keyof Events> =
  ArgsOf<Events, E> extends [unknown, unknown] ? false : ArgsOf<Events, E> extends [AckFunction] ? false : true;

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

export interface HandlerContext<Socket> {
  /** The socket the event came from. */
  socket: Socket;
  /** Runs `work` right after a successful answer (a broadcast goes out after the ack). */
  afterAck(work: () => void): void;
}

export type EventHandlers<Events, Socket> = <E extends keyof Events & string, S extends PayloadSchema<Events, E>>(
  event: E,
  schema: S,
  handler: (payload: Parsed<S>, context: HandlerContext<Socket>) => Promise<DataOf<Events, E>> | DataOf<Events, E>,
  // Events whose ack is optional (events.ts) must say so here too: it decides what happens without one.
  ...options: AckOptional<Events, E> extends true ? [options: EventOptions & { ackOptional: true }] : [options?: EventOptions]
) => void;

export interface EventTable<Events, Socket extends EventSocket> {
  /** Defines an event's handler for every socket of the namespace kind (once, at start-up). */
  on: EventHandlers<Events, Socket>;
  /** Hands a new socket's events to the table, and answers events nobody handles. */
  listen(socket: Socket): void;
}

interface Entry {
  schema: z.ZodType | null;
  handler: (payload: never, context: HandlerContext<never>) => unknown;
  options: EventOptions & { ackOptional?: true };
}

function refusal(message: string): AppError {
  return new AppError('INVALID_PAYLOAD', message);
}

/**
 * A namespace kind's handlers: `const events = createEventTable<RoomClientToServerEvents, RoomSocket>({ log })`,
 * then `events.on('read:mark', markReadSchema, async ({ seq }, { socket }) => ({ lastReadSeq }))` once, and
 * `events.listen(socket)` on each connection. An event without a trailing ack is ignored (nobody could learn
 * the outcome) unless `ackOptional`. An event the table does not know is left to the socket's own `on`
 * listeners if it has any, else answered "Unknown event." when it carries an ack.
 */
export function createEventTable<Events, Socket extends EventSocket>(deps: { log: Logger }): EventTable<Events, Socket> {
  const entries = new Map<string, Entry>();

  function run(socket: Socket, event: string, entry: Entry, args: unknown[]): void {
    const { schema, handler, options } = entry;
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
        const parsed = schema.safeParse(args[0]);
        if (!parsed.success) throw invalidPayload(parsed.error, options.invalidMessage);
        payload = parsed.data;
      }
      const after: (() => void)[] = [];
      const context: HandlerContext<Socket> = { socket, afterAck: (work) => void after.push(work) };
      Promise.resolve((handler as (payload: unknown, context: HandlerContext<Socket>) => unknown)(payload, context)).then((data) => {
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
  }

  /** The one listener every socket of the kind shares: Socket.IO calls it with `this` = the socket. */
  function dispatch(this: Socket, event: unknown, ...args: unknown[]): void {
    const entry = typeof event === 'string' ? entries.get(event) : undefined;
    if (entry) return run(this, event as string, entry, args);
    if (typeof event === 'string' && this.listeners(event).length > 0) return;
    const ack = args.at(-1);
    if (typeof ack === 'function') (ack as Answer)(errorAck(refusal('Unknown event.')));
  }

  return {
    on: (event, schema, handler, ...rest) => {
      if (entries.has(event)) throw new Error(`${event} has a handler already`);
      entries.set(event, { schema: schema as z.ZodType | null, handler: handler as Entry['handler'], options: rest[0] ?? {} });
    },
    listen: (socket) => {
      socket.onAny(dispatch);
      compactAnyListeners(socket);
    },
  };
}

/**
 * Socket.IO's onAny pushes onto a new empty array, which V8 gives 17 slots (~180 B) for our one listener,
 * two per tab: replaced by an exact copy. Socket.IO (4.x) keeps them in `_anyListeners` and reads that
 * field afresh for every event; sockets without it (test stand-ins) are left alone.
 */
function compactAnyListeners(socket: EventSocket): void {
  const holder = socket as EventSocket & { _anyListeners?: unknown };
  if (Array.isArray(holder._anyListeners)) holder._anyListeners = holder._anyListeners.slice();
}
