import type { LogEvent } from '../../protocol/index.ts';

/**
 * Events that came while the journal could not write, in order, waiting to be journaled and
 * sent. They have no `seq` yet: a seq is given only to what the journal took, so none is ever
 * reused or skipped. Bounded in bytes: past the budget, BAR events and backtests' events are
 * dropped (and counted); the account's own events (trades, states, decisions, errors,
 * commands) are always kept, because the paper replay waits at the budget and a live account
 * can only produce a bounded number of them with no new entries (one exit per open position).
 */
export class HeldEvents {
  private items: { event: LogEvent; bytes: number }[] = [];
  private head = 0;
  bytes = 0;
  dropped = 0;

  constructor(readonly budgetBytes: number) {}

  get length(): number {
    return this.items.length - this.head;
  }

  get full(): boolean {
    return this.bytes >= this.budgetBytes;
  }

  /** Holds `event` unless the budget is reached and it may be dropped; returns whether held. */
  push(event: LogEvent, droppable: boolean): boolean {
    if (droppable && this.full) {
      this.dropped++;
      return false;
    }
    // An estimate is enough for a budget: the wire form adds only `seq`.
    const bytes = JSON.stringify(event).length + 16;
    this.items.push({ event, bytes });
    this.bytes += bytes;
    return true;
  }

  peek(): LogEvent | undefined {
    return this.items[this.head]?.event;
  }

  /** The first `n` held events, oldest first (not removed). */
  peekMany(n: number): LogEvent[] {
    return this.items.slice(this.head, this.head + n).map((item) => item.event);
  }

  shift(): void {
    const item = this.items[this.head];
    if (!item) return;
    this.bytes -= item.bytes;
    this.items[this.head++] = undefined as never;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }
}
