import type { Deal } from '../model/mt5.ts';

/**
 * The exit deals of one position that did not close all of it (a partial close: retcode 10010
 * on an IOC close, a close of part by hand). MT5 keeps the position open with the rest of its
 * volume; the engine books each deal on the account as it comes and reports the round trip
 * once, when the last of the volume is closed: TRADE_EXIT's pnl is then the sum of every exit
 * deal and its exit price their volume-weighted price.
 */
export class ExitTally {
  volume = 0;
  /** Sum of price x volume, for the volume-weighted exit price. */
  value = 0;
  profit = 0;
  commission = 0;
  swap = 0;
  /** Tickets of the deals in the tally: a deal found again (a reconciliation, a restart) is not added twice. */
  readonly deals = new Set<number>();

  add(deal: Pick<Deal, 'ticket' | 'volume' | 'price' | 'profit' | 'commission' | 'swap'>): void {
    this.deals.add(deal.ticket);
    this.volume += deal.volume;
    this.value += deal.price * deal.volume;
    this.profit += deal.profit;
    this.commission += deal.commission;
    this.swap += deal.swap;
  }
}

/** Volumes are compared with this slack: 0.1 + 0.2 lots is 0.3 lots. */
export const VOLUME_EPSILON = 1e-9;

/** `a - b` lots without float noise (8 decimals, as volumes go out). */
export function lotsLeft(a: number, b: number): number {
  return Math.round((a - b) * 1e8) / 1e8;
}
