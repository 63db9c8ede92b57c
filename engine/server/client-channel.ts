import type { WebSocket } from 'ws';
import { CLOSE_CODES } from './close-codes.ts';
import type { OutboundFrame } from './replay-buffer.ts';

export interface ChannelLimits {
  /** Frames queued beyond the socket buffer before DEBUG is shed / the client is dropped. */
  readonly maxMessages: number;
  /** Bytes queued beyond the socket buffer before DEBUG is shed / the client is dropped. */
  readonly maxBytes: number;
  /** Bytes `ws.bufferedAmount` may reach before frames wait in the queue. */
  readonly highWaterBytes: number;
}

export interface ChannelObserver {
  onShed(count: number): void;
  onSlowConsumer(channel: ClientChannel, pending: number): void;
}

const TEXT = { binary: false } as const;
// A slow client that does not even complete the close handshake is cut after this long.
const CLOSE_GRACE_MS = 5_000;

/**
 * One client's outbound path. Frames go straight to the socket while it drains; when the
 * socket holds `highWaterBytes` they wait in a queue bounded by count and by bytes. A full queue sheds its oldest
 * DEBUG frame; with nothing left to shed (TRADE_ENTRY, TRADE_EXIT, ERROR are never shed) the
 * client is told it is too slow and disconnected with 4000, so nothing is dropped silently:
 * it can reconnect and `resume` from the last sequence number it saw.
 */
export class ClientChannel {
  private readonly queue: OutboundFrame[] = [];
  private queuedBytes = 0;
  private waiting = false;
  private closing = false;
  private corked = false;

  constructor(
    readonly id: string,
    private readonly ws: WebSocket,
    private readonly limits: ChannelLimits,
    private readonly observer: ChannelObserver,
  ) {}

  get pending(): number {
    return this.queue.length;
  }

  /** Bytes waiting in the queue (not yet handed to the socket). */
  get pendingBytes(): number {
    return this.queuedBytes;
  }

  get isClosing(): boolean {
    return this.closing;
  }

  /** Sends one frame, or queues it behind the ones still waiting. */
  send(frame: OutboundFrame): void {
    if (this.closing || this.ws.readyState !== 1) return;
    if (this.waiting || this.queue.length > 0) this.enqueue(frame);
    else this.write(frame);
  }

  /** Sends a non-event message (replies) in order with the events. */
  sendJson(message: object): void {
    this.send({ data: Buffer.from(JSON.stringify(message)), sheddable: false });
  }

  private write(frame: OutboundFrame): void {
    this.corkUntilNextTick();
    // Ask to be told when the socket drains only when this frame fills it: a callback per
    // frame would cost the fast path for nothing.
    if (this.ws.bufferedAmount + frame.data.length >= this.limits.highWaterBytes) {
      this.waiting = true;
      this.ws.send(frame.data, TEXT, this.onFlushed);
    } else {
      this.ws.send(frame.data, TEXT);
    }
  }

  /**
   * Events come in bursts (a bar closes on every symbol at once, a backtest streams). Corking
   * the socket for the rest of the tick turns a burst into one write system call per client
   * instead of one per event; it is released before any I/O, so it adds no latency.
   * `_socket` is ws's own field: there is no public handle, and without it we just skip this.
   */
  private corkUntilNextTick(): void {
    if (this.corked) return;
    const socket = (this.ws as unknown as { _socket?: { cork(): void; uncork(): void } })._socket;
    if (!socket) return;
    socket.cork();
    this.corked = true;
    process.nextTick(() => {
      this.corked = false;
      socket.uncork();
    });
  }

  private readonly onFlushed = (err?: Error): void => {
    this.waiting = false;
    if (err) return;
    while (!this.waiting && this.queue.length > 0 && !this.closing && this.ws.readyState === 1) {
      const frame = this.queue.shift()!;
      this.queuedBytes -= frame.data.length;
      this.write(frame);
    }
  };

  private enqueue(frame: OutboundFrame): void {
    this.queue.push(frame);
    this.queuedBytes += frame.data.length;
    // Bounded by count and by bytes: a few huge frames must not hold memory a count would allow.
    while (this.queue.length > this.limits.maxMessages || this.queuedBytes > this.limits.maxBytes) {
      const index = this.queue.findIndex((f) => f.sheddable);
      if (index < 0) return this.dropAsSlow();
      this.queuedBytes -= this.queue[index].data.length;
      this.queue.splice(index, 1);
      this.observer.onShed(1);
    }
  }

  private dropAsSlow(): void {
    const pending = this.queue.length;
    this.closing = true;
    this.queue.length = 0;
    this.queuedBytes = 0;
    this.observer.onSlowConsumer(this, pending);
    const notice = {
      type: 'error',
      code: 'slow_consumer',
      error: `this client could not keep up: ${pending} messages were waiting; reconnect and send {"type":"resume","last_seq":N}`,
      closing: true,
    };
    this.ws.send(JSON.stringify(notice), TEXT);
    this.ws.close(CLOSE_CODES.SLOW_CONSUMER, 'slow consumer');
    setTimeout(() => this.ws.terminate(), CLOSE_GRACE_MS).unref();
  }
}
