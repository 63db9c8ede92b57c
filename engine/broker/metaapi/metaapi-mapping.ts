import {
  DEAL_ENTRY_IN, DEAL_ENTRY_OUT, DEAL_TYPE_BUY, DEAL_TYPE_SELL, POSITION_TYPE_BUY, POSITION_TYPE_SELL, TRADE_RETCODE,
  type AccountInfo, type Deal, type Position, type SymbolInfo,
} from '../../model/mt5.ts';
import type { Timeframe } from '../../model/bar.ts';
import type {
  MetaApiAccountInformation, MetaApiDeal, MetaApiPosition, MetaApiSymbolPrice, MetaApiSymbolSpecification, MetaApiTime,
} from './metaapi-shapes.ts';

/** MetaApi's string enums to MT5's numbers. */
const DEAL_ENTRY: Record<string, number> = { DEAL_ENTRY_IN: DEAL_ENTRY_IN, DEAL_ENTRY_OUT: DEAL_ENTRY_OUT, DEAL_ENTRY_INOUT: 2, DEAL_ENTRY_OUT_BY: 3 };
const DEAL_REASON: Record<string, number> = {
  DEAL_REASON_CLIENT: 0, DEAL_REASON_MOBILE: 1, DEAL_REASON_WEB: 2, DEAL_REASON_EXPERT: 3, DEAL_REASON_SL: 4, DEAL_REASON_TP: 5,
  DEAL_REASON_SO: 6, DEAL_REASON_ROLLOVER: 7, DEAL_REASON_VMARGIN: 8, DEAL_REASON_SPLIT: 9,
};
const TIMEFRAME: Record<Timeframe, string> = { M1: '1m', M5: '5m', M15: '15m', M30: '30m', H1: '1h', H4: '4h', D1: '1d' };

export function metaApiTimeframe(timeframe: Timeframe): string {
  return TIMEFRAME[timeframe];
}

export function timeMs(time: MetaApiTime): number {
  const ms = time instanceof Date ? time.getTime() : Date.parse(time);
  if (!Number.isFinite(ms)) throw new Error(`metaapi: unreadable time ${JSON.stringify(time)}`);
  return ms;
}

/** MetaApi ids are decimal strings of MT5 tickets. */
export function ticketOf(id: string | number | undefined): number {
  const n = Number(id ?? 0);
  return Number.isFinite(n) ? n : 0;
}

export function toPosition(p: MetaApiPosition): Position {
  const ticket = ticketOf(p.id);
  return {
    ticket, time: timeMs(p.time), type: p.type === 'POSITION_TYPE_SELL' ? POSITION_TYPE_SELL : POSITION_TYPE_BUY, magic: p.magic ?? 0,
    identifier: ticket, volume: p.volume, price_open: p.openPrice, sl: p.stopLoss ?? 0, tp: p.takeProfit ?? 0,
    price_current: p.currentPrice ?? p.openPrice, swap: p.swap ?? 0, profit: p.profit ?? 0, symbol: p.symbol, comment: p.comment ?? '',
  };
}

/** A trade deal in MT5's shape, or null for balance, credit and other non-trade deals. */
export function toDeal(d: MetaApiDeal): Deal | null {
  const type = d.type === 'DEAL_TYPE_BUY' ? DEAL_TYPE_BUY : d.type === 'DEAL_TYPE_SELL' ? DEAL_TYPE_SELL : null;
  if (type === null) return null;
  return {
    ticket: ticketOf(d.id), order: ticketOf(d.orderId), time: timeMs(d.time), type, entry: DEAL_ENTRY[d.entryType ?? ''] ?? DEAL_ENTRY_IN,
    magic: d.magic ?? 0, position_id: ticketOf(d.positionId), reason: DEAL_REASON[d.reason ?? ''] ?? 0, volume: d.volume ?? 0,
    price: d.price ?? 0, commission: d.commission ?? 0, swap: d.swap ?? 0, profit: d.profit ?? 0, symbol: d.symbol ?? '', comment: d.comment ?? '',
  };
}

export function toAccountInfo(a: MetaApiAccountInformation): AccountInfo {
  return {
    login: a.login ?? 0, currency: a.currency, balance: a.balance, equity: a.equity, margin: a.margin, margin_free: a.freeMargin,
    leverage: a.leverage, server: a.server, trade_allowed: a.tradeAllowed ?? true,
  };
}

/** MT5 `filling_mode` flags (SYMBOL_FILLING_FOK = 1, SYMBOL_FILLING_IOC = 2) from MetaApi's list. */
export function fillingFlags(modes: readonly string[] | undefined): number {
  return (modes ?? []).reduce((flags, m) => flags | (m === 'SYMBOL_FILLING_FOK' ? 1 : m === 'SYMBOL_FILLING_IOC' ? 2 : 0), 0);
}

export function toSymbolInfo(spec: MetaApiSymbolSpecification, price: MetaApiSymbolPrice | null): SymbolInfo {
  const point = spec.point ?? 1 / 10 ** spec.digits; // 10 ** -5 is 0.000009999999999999999
  const contract = spec.contractSize ?? 0;
  return {
    name: spec.symbol, digits: spec.digits, point, trade_tick_size: spec.tickSize,
    trade_tick_value: price?.profitTickValue ?? spec.tickSize * contract, trade_contract_size: contract,
    volume_min: spec.minVolume, volume_step: spec.volumeStep, volume_max: spec.maxVolume, trade_stops_level: spec.stopsLevel ?? 0,
    filling_mode: fillingFlags(spec.fillingModes), currency_base: spec.baseCurrency ?? '', currency_profit: spec.profitCurrency ?? '',
    bid: price?.bid ?? 0, ask: price?.ask ?? 0, spread: price ? Math.round((price.ask - price.bid) / point) : 0,
  };
}

/**
 * The MT5 retcode for a failed call. Trade errors carry the terminal's own `numericCode`; the SDK's
 * transport errors (by class name) map to the closest MT5 code.
 */
export function retcodeOfError(err: unknown): number {
  const e = err as { numericCode?: unknown; name?: unknown } | null;
  if (typeof e?.numericCode === 'number' && e.numericCode > 0) return e.numericCode;
  switch (e?.name) {
    case 'TimeoutError': return TRADE_RETCODE.TIMEOUT;
    case 'NotConnectedError': case 'NotSynchronizedError': return TRADE_RETCODE.CONNECTION;
    case 'ValidationError': return TRADE_RETCODE.INVALID;
    case 'TooManyRequestsError': return TRADE_RETCODE.TOO_MANY_REQUESTS;
    default: return TRADE_RETCODE.ERROR;
  }
}

/** MetaApi answers success with 0 (ERR_NO_ERROR) or an MT5 success retcode. */
export function successRetcode(numericCode: number): number {
  return numericCode === 0 ? TRADE_RETCODE.DONE : numericCode;
}
