import { TRADE_RETCODE, retcodeText, type TradeResult } from '../../model/mt5.ts';
import type { EaMessageOf } from './bridge-protocol.ts';

/**
 * The search for a cut-off order starts a day before it was sent: times are converted to UTC with
 * the offset the EA reports, but an EA before 1.20 reports none and its times stay on the trade
 * server's clock, often hours off UTC.
 */
export const LOOKUP_MARGIN_MS = 86_400_000;

export function failure(retcode: number, request: { volume: number } | null, detail: string): TradeResult {
  return { retcode, deal: 0, order: 0, volume: request?.volume ?? 0, price: 0, bid: 0, ask: 0, comment: `${retcodeText(retcode)}: ${detail}`, request_id: 0, retcode_external: 0 };
}

/**
 * The result of an order found on the terminal (after a reconnect or a timeout), or null if it
 * never executed. Matches found by magic, symbol, volume and time (`by: "fallback"`: the broker
 * rewrote the comment) may include other orders' deals: a deal already claimed by another order's
 * result is skipped, and the earliest remaining one is taken.
 */
export function resultFromFound(found: EaMessageOf<'found'>, request: { volume: number }, claimed: ReadonlySet<number> = new Set()): TradeResult | null {
  const deal = [...found.deals].filter((d) => !claimed.has(d.ticket)).sort((a, b) => a.time - b.time || a.ticket - b.ticket)[0];
  if (deal) {
    return { retcode: TRADE_RETCODE.DONE, deal: deal.ticket, order: deal.order, volume: deal.volume, price: deal.price, bid: 0, ask: 0,
      comment: 'Request completed (confirmed after reconnect)', request_id: 0, retcode_external: 0 };
  }
  const position = found.by === 'fallback' ? undefined : found.positions[0];
  if (position) {
    return { retcode: TRADE_RETCODE.DONE, deal: 0, order: position.ticket, volume: position.volume ?? request.volume, price: position.price_open,
      bid: 0, ask: 0, comment: 'Request completed (confirmed after reconnect)', request_id: 0, retcode_external: 0 };
  }
  return null;
}
