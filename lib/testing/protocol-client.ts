/**
 * A client that follows docs/protocol.md's rules the way the browser does: ordered by seq, duplicates
 * dropped, gaps healed from history (`after=`, here through the same data function the REST route
 * calls), `lastSeq` in every handshake, sends retried with the same clientId until acknowledged, and —
 * like a client behind a load balancer — reconnecting to another instance when its own is gone.
 */
import { randomUUID } from 'node:crypto';
import { io as connect, type Socket } from 'socket.io-client';
import { getHistory } from '../data/messages';
import type { Ack } from '../errors';
import type { ChatMessage } from '../schemas/message';
import type { PublicUser } from '../schemas/user';
import { sessionCookie } from './realtime';

export class ProtocolClient {
  readonly bySeq = new Map<number, ChatMessage>();
  /** How many times a message was added to the view (must equal the number of distinct messages). */
  renders = 0;
  /** How many times each seq arrived live (`message:new`), not from a replay or history. */
  readonly live = new Map<number, number>();
  disconnects = 0;
  errorCodes: string[] = [];
  socket!: Socket;
  private urlIndex = 0;
  private closed = false;
  private healing: Promise<void> | undefined;

  private constructor(
    private readonly urls: string[],
    private readonly roomId: string,
    private readonly user: PublicUser,
    private readonly cookie: string,
  ) {}

  static async open(urls: string[], roomId: string, user: PublicUser, options: { startAt?: number } = {}): Promise<ProtocolClient> {
    const client = new ProtocolClient(urls, roomId, user, await sessionCookie(user));
    client.urlIndex = options.startAt ?? 0;
    client.connect();
    await new Promise<void>((resolve) => client.socket.once('connect', () => resolve()));
    return client;
  }

  private connect(): void {
    const url = this.urls[this.urlIndex % this.urls.length]!;
    const socket = connect(`${url}/r/${this.roomId}`, {
      transports: ['websocket'],
      extraHeaders: { cookie: this.cookie },
      reconnection: true,
      reconnectionDelay: 100,
      reconnectionDelayMax: 300,
      reconnectionAttempts: 3,
      auth: (cb) => cb({ lastSeq: this.lastContiguousSeq() }),
    });
    socket.on('disconnect', () => (this.disconnects += 1));
    socket.on('message:new', (m: ChatMessage) => {
      this.live.set(m.seq, (this.live.get(m.seq) ?? 0) + 1);
      this.receive([m]);
    });
    socket.on('message:replay', (r: { messages: ChatMessage[] }) => this.receive(r.messages));
    // Its instance is gone for good: go to the next one, as a load balancer would send us.
    socket.io.on('reconnect_failed', () => {
      if (this.closed) return;
      this.urlIndex += 1;
      this.connect();
    });
    this.socket = socket;
  }

  /** The instance this client is (or was last) connected to. */
  get url(): string {
    return this.urls[this.urlIndex % this.urls.length]!;
  }

  private receive(messages: ChatMessage[]): void {
    for (const message of messages) {
      if (this.bySeq.has(message.seq)) continue;
      this.bySeq.set(message.seq, message);
      this.renders += 1;
    }
    if (this.maxSeq() > this.lastContiguousSeq()) void this.heal();
  }

  /** Fetches what is missing below the newest seq held, as the browser does over REST. */
  heal(): Promise<void> {
    this.healing ??= (async () => {
      try {
        while (this.maxSeq() > this.lastContiguousSeq()) {
          const page = await getHistory({
            roomId: this.roomId,
            userId: this.user.id,
            query: { after: this.lastContiguousSeq(), limit: 100 },
          });
          if (page.messages.length === 0) break;
          this.receive(page.messages);
        }
      } catch {
        // The database is down (a restart test): try again shortly rather than leave the gap (and an
        // unhandled rejection that fails the run).
        setTimeout(() => {
          if (!this.closed) void this.heal();
        }, 500);
      } finally {
        this.healing = undefined;
      }
    })();
    return this.healing;
  }

  maxSeq(): number {
    return Math.max(0, ...this.bySeq.keys());
  }

  lastContiguousSeq(): number {
    let seq = 0;
    while (this.bySeq.has(seq + 1)) seq += 1;
    return seq;
  }

  /** Sends until acknowledged, reusing one clientId across retries (and across instances). */
  async sendUntilAcked(body: string, deadlineMs = 60_000): Promise<ChatMessage> {
    const clientId = randomUUID();
    const deadline = Date.now() + deadlineMs;
    while (Date.now() < deadline) {
      if (this.socket.connected) {
        try {
          const ack = (await this.socket.timeout(2000).emitWithAck('message:send', { clientId, body })) as Ack<ChatMessage>;
          if (ack.ok) {
            this.receive([ack.data]);
            return ack.data;
          }
          this.errorCodes.push(ack.error.code);
        } catch {
          this.errorCodes.push('ACK_TIMEOUT');
        }
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`message not acknowledged within ${deadlineMs} ms`);
  }

  close(): void {
    this.closed = true;
    this.socket.close();
  }
}
