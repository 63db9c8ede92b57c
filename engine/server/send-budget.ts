import type { OutboundFrame } from './replay-buffer.ts';

/** What the budget needs of one client's outbound path (a ClientChannel). */
export interface BudgetedChannel {
  readonly id: string;
  /** Told to close (4000) already, or its socket is no longer open. */
  readonly isClosing: boolean;
  /** Bytes this client holds: its queue and what its socket has not handed to the kernel yet (as of the last `measure`). */
  readonly heldBytes: number;
  /** Brings `heldBytes` up to date with the socket (releases the frames it has sent). */
  measure(): void;
  /** Closes it for the budget: `slow_consumer` error, then close 4000 (its queue is freed now). */
  shedForBudget(budgetBytes: number): void;
  /** Cuts off a client already closing (its socket is destroyed, its bytes freed now). */
  cutOff(): void;
}

export interface SendBudgetOptions {
  /** Bytes all clients together may hold waiting, plus the journal's held events. */
  readonly budgetBytes: number;
  /** Bytes of the events held while the journal cannot write (they count against the budget, never shed). */
  readonly journalHeldBytes?: () => number;
  /** A client was closed (4000) or cut off (already closing) to bring the total under the budget. */
  readonly onDisconnect?: (channel: BudgetedChannel, how: 'slow_consumer' | 'terminated', heldBytes: number) => void;
}

/**
 * One budget for everything the server holds for its clients, process-wide. Per-client limits
 * (sendQueue.maxBytes, highWaterBytes) cap one client; this caps them all together, so many
 * clients that stop reading cannot add up to more memory than the process has.
 *
 * What counts is memory, not copies: a broadcast frame is one Buffer shared by every client
 * (and the replay buffer), so each frame is counted once while any client's queue or socket
 * holds it (`holders` on the frame), and a reply built for one client counts for that client.
 * The events the journal holds while it cannot write count too; they are never dropped here.
 *
 * Past the budget, the client holding the most bytes is closed as a slow consumer (the
 * `slow_consumer` error, then close 4000: it reconnects and resumes from its last seq), then
 * the next, until the total is back under the budget. A client already closing that still holds
 * the most is cut off (its socket destroyed: 1006 at the client, as for a missed heartbeat).
 * Trading is never held up: publishing never waits on this.
 */
export class SendBudget {
  private readonly channels = new Set<BudgetedChannel>();
  /** Distinct frame bytes held by clients (as of each channel's last measure: an over-count until then). */
  private frameBytes = 0;
  private enforcing = false;
  /** Clients closed (4000) for the budget. */
  closedTotal = 0;
  /** Clients cut off for the budget while already closing. */
  terminatedTotal = 0;

  constructor(private readonly options: SendBudgetOptions) {}

  get budgetBytes(): number {
    return this.options.budgetBytes;
  }

  /** Distinct bytes waiting for clients, every client measured now. */
  get clientBytes(): number {
    for (const c of this.channels) c.measure();
    return this.frameBytes;
  }

  /** What the budget is held to: `clientBytes` plus the journal's held events. */
  get usedBytes(): number {
    return this.clientBytes + this.journalHeld();
  }

  add(channel: BudgetedChannel): void {
    this.channels.add(channel);
  }

  remove(channel: BudgetedChannel): void {
    this.channels.delete(channel);
  }

  /** A client's queue or socket took `frame`. */
  ref(frame: OutboundFrame): void {
    if (frame.holders) frame.holders++;
    else {
      frame.holders = 1;
      this.frameBytes += frame.data.length;
    }
  }

  /** A client's queue or socket let go of `frame` (sent, shed or dropped). */
  unref(frame: OutboundFrame): void {
    if (!frame.holders) return;
    if (--frame.holders === 0) this.frameBytes -= frame.data.length;
  }

  /** After anything grew: closes the largest clients while the total is over the budget. */
  check(): void {
    if (this.frameBytes + this.journalHeld() > this.options.budgetBytes) this.enforce();
  }

  private journalHeld(): number {
    return this.options.journalHeldBytes?.() ?? 0;
  }

  private enforce(): void {
    if (this.enforcing) return;
    this.enforcing = true;
    try {
      // What the sockets have sent since each client's last send no longer counts.
      for (const c of this.channels) c.measure();
      while (this.frameBytes + this.journalHeld() > this.options.budgetBytes) {
        let largest: BudgetedChannel | null = null;
        for (const c of this.channels) if (c.heldBytes > (largest?.heldBytes ?? 0)) largest = c;
        if (!largest) break;
        const held = largest.heldBytes;
        if (largest.isClosing) {
          largest.cutOff();
          this.terminatedTotal++;
          this.options.onDisconnect?.(largest, 'terminated', held);
        } else {
          largest.shedForBudget(this.options.budgetBytes);
          this.closedTotal++;
          this.options.onDisconnect?.(largest, 'slow_consumer', held);
        }
      }
    } finally {
      this.enforcing = false;
    }
  }
}
