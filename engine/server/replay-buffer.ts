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
}

/**
 * The last `capacity` events, by sequence number, for clients that reconnect and `resume`.
 * A fixed ring: memory is bounded whatever the event rate.
 */
export class ReplayBuffer {
  private readonly ring: (ReplayEntry | undefined)[];
  private start = 0;
  private size = 0;

  constructor(readonly capacity: number) {
    this.ring = new Array(capacity);
  }

  push(entry: ReplayEntry): void {
    const index = (this.start + this.size) % this.capacity;
    this.ring[index] = entry;
    if (this.size < this.capacity) this.size++;
    else this.start = (this.start + 1) % this.capacity;
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
