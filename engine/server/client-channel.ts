import type { WebSocket } from 'ws';
import { CLOSE_CODES } from './close-codes.ts';
import type { OutboundFrame } from './replay-buffer.ts';
import type { BudgetedChannel, SendBudget } from './send-budget.ts';

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
  /** Closed as too slow: its own queue was full (`queue`), or the server's SendBudget was (`budget`). */
  onSlowConsumer(channel: ClientChannel, pending: number, cause: 'queue' | 'budget', bytes: number): void;
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
 *
 * With a SendBudget, every frame it holds (queued, or handed to the socket and not yet taken
 * by the kernel) is counted there, and the budget may close it when all clients together hold
 * too much (see send-budget.ts).
 */
export class ClientChannel implements BudgetedChannel {
  private readonly queue: OutboundFrame[] = [];
  /** Beside `queue`: true where the frame is part of a `resume` replay. */
  private readonly replayed: boolean[] = [];
  private queuedBytes = 0;
  /** Replay frames in the queue, and their bytes: outside the per-client limits (see `sendReplay`). */
  private replayCount = 0;
  private replayBytes = 0;
  /** Frames handed to the socket that it may still hold, oldest first (from `sentHead`). */
  private sent: (OutboundFrame | undefined)[] = [];
  private sentHead = 0;
  /** Their bytes as on the wire (with ws's frame headers), to compare with ws.bufferedAmount. */
  private sentWire = 0;
  private sentBytes = 0;
  private waiting = false;
  private closing = false;
  private released = false;
  private corked = false;

  constructor(
    readonly id: string,
    private readonly ws: WebSocket,
    private readonly limits: ChannelLimits,
    private readonly observer: ChannelObserver,
    private readonly budget?: SendBudget,
  ) {
    budget?.add(this);
  }

  get pending(): number {
    return this.queue.length;
  }

  /** Bytes waiting in the queue (not yet handed to the socket). */
  get pendingBytes(): number {
    return this.queuedBytes;
  }

  /** Told to close, or its socket is no longer open: nothing more is sent. */
  get isClosing(): boolean {
    return this.closing || this.ws.readyState !== 1;
  }

  /** Bytes held for this client: its queue and what its socket had not sent when last measured. */
  get heldBytes(): number {
    return this.queuedBytes + this.sentBytes;
  }

  /** Sends one frame, or queues it behind the ones still waiting. */
  send(frame: OutboundFrame): void {
    if (this.closing || this.ws.readyState !== 1) return;
    this.measure();
    this.budget?.ref(frame);
    if (this.waiting || this.queue.length > 0) this.enqueue(frame);
    else this.write(frame);
    this.budget?.check();
  }

  /**
   * Sends the events of a `resume` as the socket drains. They do not count against this client's
   * queue limits: a replay is bounded by the replay buffer (up to 10,000 events or 64 MiB by
   * default), more than a client may fall behind by (8,192 messages, 32 MiB), and its frames are
   * the replay buffer's own, not copies. Counting them closed a client for asking to catch up, and
   * its next resume was closed again. The limits still hold for what is published meanwhile, so a
   * client that stops reading during a replay is closed as before; the server's send budget
   * counts the replay too.
   */
  sendReplay(frames: readonly OutboundFrame[]): void {
    if (this.closing || this.ws.readyState !== 1) return;
    this.measure();
    for (const frame of frames) {
      this.budget?.ref(frame);
      if (this.waiting || this.queue.length > 0) {
        this.queue.push(frame);
        this.replayed.push(true);
        this.queuedBytes += frame.data.length;
        this.replayCount++;
        this.replayBytes += frame.data.length;
      } else {
        this.write(frame);
      }
    }
    this.budget?.check();
  }

  /** Sends a non-event message (replies) in order with the events. */
  sendJson(message: object): void {
    this.send({ data: Buffer.from(JSON.stringify(message)), sheddable: false });
  }

  /**
   * Lets go of the frames the socket has sent: it still holds only the last `bufferedAmount`
   * bytes of what it was given (a ping or close frame of ws's own among them at most keeps
   * one more frame counted).
   */
  measure(): void {
    if (this.sentHead === this.sent.length) return;
    const buffered = this.ws.bufferedAmount;
    while (this.sentHead < this.sent.length) {
      const frame = this.sent[this.sentHead]!;
      const wire = wireBytes(frame.data.length);
      if (this.sentWire - wire < buffered) break;
      this.sentWire -= wire;
      this.sentBytes -= frame.data.length;
      this.sent[this.sentHead++] = undefined;
      this.budget?.unref(frame);
    }
    if (this.sentHead === this.sent.length) {
      this.sent = [];
      this.sentHead = 0;
    } else if (this.sentHead > 1024 && this.sentHead * 2 > this.sent.length) {
      this.sent = this.sent.slice(this.sentHead);
      this.sentHead = 0;
    }
  }

  /** Hands a frame to the socket and remembers it until the socket has sent it. */
  private toSocket(frame: OutboundFrame, cb?: (err?: Error) => void): void {
    this.sent.push(frame);
    this.sentWire += wireBytes(frame.data.length);
    this.sentBytes += frame.data.length;
    if (cb) this.ws.send(frame.data, TEXT, cb);
    else this.ws.send(frame.data, TEXT);
  }

  private write(frame: OutboundFrame): void {
    this.corkUntilNextTick();
    // Ask to be told when the socket drains only when this frame fills it: a callback per
    // frame would cost the fast path for nothing.
    if (this.ws.bufferedAmount + frame.data.length >= this.limits.highWaterBytes) {
      this.waiting = true;
      this.toSocket(frame, this.onFlushed);
    } else {
      this.toSocket(frame);
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
    this.measure();
    while (!this.waiting && this.queue.length > 0 && !this.closing && this.ws.readyState === 1) {
      const frame = this.queue.shift()!;
      if (this.replayed.shift()) {
        this.replayCount--;
        this.replayBytes -= frame.data.length;
      }
      this.queuedBytes -= frame.data.length;
      this.write(frame);
    }
  };

  private enqueue(frame: OutboundFrame): void {
    this.queue.push(frame);
    this.replayed.push(false);
    this.queuedBytes += frame.data.length;
    // Bounded by count and by bytes: a few huge frames must not hold memory a count would allow.
    // A replay's frames are outside the limits, and shedding one would not bring the rest under.
    while (this.queue.length - this.replayCount > this.limits.maxMessages || this.queuedBytes - this.replayBytes > this.limits.maxBytes) {
      const index = this.queue.findIndex((f, i) => f.sheddable && !this.replayed[i]);
      if (index < 0) return this.dropAsSlow('queue');
      const [shed] = this.queue.splice(index, 1);
      this.replayed.splice(index, 1);
      this.queuedBytes -= shed.data.length;
      this.budget?.unref(shed);
      this.observer.onShed(1);
    }
  }

  /** The SendBudget closes this client (it holds the most while all clients hold too much). */
  shedForBudget(budgetBytes: number): void {
    if (this.isClosing) return this.cutOff();
    this.dropAsSlow('budget', budgetBytes);
  }

  /** Destroys the socket now (a client already told to close, or gone): nothing it held is kept. */
  cutOff(): void {
    this.ws.terminate();
    this.release();
  }

  /** The connection is over: lets go of every frame it held (call on `close`). */
  release(): void {
    if (this.released) return;
    this.released = true;
    this.closing = true;
    this.clearQueue();
    for (let i = this.sentHead; i < this.sent.length; i++) this.budget?.unref(this.sent[i]!);
    this.sent = [];
    this.sentHead = 0;
    this.sentWire = 0;
    this.sentBytes = 0;
    this.budget?.remove(this);
  }

  private clearQueue(): void {
    for (const frame of this.queue) this.budget?.unref(frame);
    this.queue.length = 0;
    this.replayed.length = 0;
    this.queuedBytes = 0;
    this.replayCount = 0;
    this.replayBytes = 0;
  }

  private dropAsSlow(cause: 'queue' | 'budget', budgetBytes = 0): void {
    const pending = this.queue.length;
    const bytes = this.heldBytes;
    this.closing = true;
    this.clearQueue();
    this.observer.onSlowConsumer(this, pending, cause, bytes);
    const why = cause === 'queue'
      ? `${pending} messages were waiting`
      : `${pending} messages (${bytes} bytes) were waiting, the most of any client, and the server's send budget for all clients (${budgetBytes} bytes) was full`;
    const notice = {
      type: 'error',
      code: 'slow_consumer',
      error: `this client could not keep up: ${why}; reconnect and send {"type":"resume","last_seq":N}`,
      closing: true,
    };
    const frame: OutboundFrame = { data: Buffer.from(JSON.stringify(notice)), sheddable: false };
    this.budget?.ref(frame);
    this.toSocket(frame);
    this.ws.close(CLOSE_CODES.SLOW_CONSUMER, 'slow consumer');
    setTimeout(() => this.ws.terminate(), CLOSE_GRACE_MS).unref();
  }
}

/** A frame's bytes on the wire: ws adds a 2-, 4- or 10-byte header to a server's (unmasked) frame. */
function wireBytes(length: number): number {
  return length + (length < 126 ? 2 : length < 65536 ? 4 : 10);
}
