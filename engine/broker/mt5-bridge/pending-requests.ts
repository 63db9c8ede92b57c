import type { TradeResult } from '../../model/mt5.ts';
import type { EaMessage, EngineMessage } from './bridge-protocol.ts';

/** A read the engine asked of the EA (positions, deals, account, symbol, lookup). */
export interface PendingQuery {
  readonly kind: 'query';
  id: string;
  readonly message: EngineMessage;
  readonly expect: EaMessage['type'];
  readonly resolve: (reply: EaMessage) => void;
  readonly reject: (error: Error) => void;
  timer: NodeJS.Timeout | null;
  /** True once written to a live session (cleared when that session dies before the reply). */
  sent: boolean;
}

/** An order sent to the EA whose result has not come back. */
export interface PendingOrder {
  readonly kind: 'order';
  id: string;
  readonly clientId: string;
  readonly message: EngineMessage & { type: 'order' };
  readonly sentAt: number;
  readonly resolve: (result: TradeResult) => void;
  timer: NodeJS.Timeout | null;
  /** True while the connection that carried it is gone: its outcome is unknown. */
  orphaned: boolean;
  /** True once resolved: a reply, a lookup or a deadline settles it, whichever comes first, once. */
  settled: boolean;
}

export type Pending = PendingQuery | PendingOrder;

/** Request ids are per-process counters; replies are matched on them. */
export class PendingRequests {
  private readonly byId = new Map<string, Pending>();
  private counter = 0;

  nextId(): string {
    this.counter += 1;
    return `r${this.counter}`;
  }

  add(pending: Pending): void {
    this.byId.set(pending.id, pending);
  }

  /** Moves a request to a fresh id (a resend after reconnect), so a late reply to the old id is ignored. */
  rekey(pending: Pending): void {
    this.byId.delete(pending.id);
    pending.id = this.nextId();
    this.byId.set(pending.id, pending);
  }

  /** Removes and returns the request a reply answers; undefined for duplicates and strays. */
  take(id: string): Pending | undefined {
    const pending = this.byId.get(id);
    if (pending) {
      this.byId.delete(id);
      if (pending.timer) clearTimeout(pending.timer);
    }
    return pending;
  }

  has(pending: Pending): boolean {
    return this.byId.get(pending.id) === pending;
  }

  all(): Pending[] {
    return [...this.byId.values()];
  }
}
