import { TRADE_RETCODE, retcodeText, type TradeResult } from '../../model/mt5.ts';
import type { EaMessageOf } from './bridge-protocol.ts';

/**
 * MT5 reports times on the trade server's clock, often hours off UTC, so the search for a
 * cut-off order starts a day before it was sent.
 */
export const LOOKUP_MARGIN_MS = 86_400_000;

export function failure(retcode: number, request: { volume: number } | null, detail: string): TradeResult {
  return { retcode, deal: 0, order: 0, volume: request?.volume ?? 0, price: 0, bid: 0, ask: 0, comment: `${retcodeText(retcode)}: ${detail}`, request_id: 0, retcode_external: 0 };
}

/** The result of an order found on the terminal after a reconnect, or null if it never executed. */
export function resultFromFound(found: EaMessageOf<'found'>, request: { volume: number }): TradeResult | null {
  const deal = found.deals[0];
  if (deal) {
    return { retcode: TRADE_RETCODE.DONE, deal: deal.ticket, order: deal.order, volume: deal.volume, price: deal.price, bid: 0, ask: 0,
      comment: 'Request completed (confirmed after reconnect)', request_id: 0, retcode_external: 0 };
  }
  const position = found.positions[0];
  if (position) {
    return { retcode: TRADE_RETCODE.DONE, deal: 0, order: position.ticket, volume: position.volume ?? request.volume, price: position.price_open,
      bid: 0, ask: 0, comment: 'Request completed (confirmed after reconnect)', request_id: 0, retcode_external: 0 };
  }
  return null;
}
