/** One serialised event kept for replay. */
export interface ReplayEntry {
  readonly seq: number;
  readonly frame: OutboundFrame;
}

/** A message ready for the socket: serialised once, shared by every client. */
export interface OutboundFrame {
  readonly data: Buffer;
  /** DEBUG events are shed first when a client falls behind. */
  readonly sheddable: boolean;
  /** Client queues and sockets holding it now (kept by the SendBudget, which counts it once). */
  holders?: number;
}

/**
 * The last `capacity` events, by sequence number, for clients that reconnect and `resume`,
 * and at most `maxBytes` of them: a fixed ring whose oldest entries also leave once the bytes
 * held pass the budget, so memory is bounded whatever the event rate and size.
 */
export class ReplayBuffer {
  private readonly ring: (ReplayEntry | undefined)[];
  private start = 0;
  private size = 0;
  private heldBytes = 0;

  constructor(readonly capacity: number, readonly maxBytes = Number.POSITIVE_INFINITY) {
    this.ring = new Array(capacity);
  }

  /** Bytes of serialised events held. */
  get bytes(): number {
    return this.heldBytes;
  }

  get length(): number {
    return this.size;
  }

  push(entry: ReplayEntry): void {
    if (this.size === this.capacity) this.dropOldest();
    this.ring[(this.start + this.size) % this.capacity] = entry;
    this.size++;
    this.heldBytes += entry.frame.data.length;
    // The newest entry always stays, even alone over the budget: resume must see the latest seq.
    while (this.heldBytes > this.maxBytes && this.size > 1) this.dropOldest();
  }

  private dropOldest(): void {
    const oldest = this.ring[this.start]!;
    this.ring[this.start] = undefined;
    this.heldBytes -= oldest.frame.data.length;
    this.start = (this.start + 1) % this.capacity;
    this.size--;
  }

  /** Sequence number of the oldest event still held, or null when empty. */
  firstSeq(): number | null {
    return this.size === 0 ? null : this.ring[this.start]!.seq;
  }

  /** Every held event with seq > `afterSeq`, oldest first. */
  since(afterSeq: number): ReplayEntry[] {
    const out: ReplayEntry[] = [];
    for (let i = 0; i < this.size; i++) {
      const entry = this.ring[(this.start + i) % this.capacity]!;
      if (entry.seq > afterSeq) out.push(entry);
    }
    return out;
  }
}
