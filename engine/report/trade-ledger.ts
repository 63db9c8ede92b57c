import { formatSeconds, parseTimestamp } from '../../protocol/envelope.ts';
import type { LogEvent } from '../../protocol/index.ts';
import type { BarSeries } from '../model/bar.ts';
import { profitConversion, type ProfitConversion, type SymbolSpec } from '../model/symbol-spec.ts';
import type { ReportTrade } from './tester-stats.ts';

/** A symbol the ledger can price: its spec and the bars it is trading on (read at each exit). */
export interface LedgerSymbol {
  readonly spec: SymbolSpec;
  readonly series: BarSeries;
}

interface PricedSymbol extends LedgerSymbol {
  readonly conversion: ProfitConversion;
}

interface OpenTrade {
  readonly id: number;
  readonly direction: 1 | -1;
  readonly entryTime: number;
  readonly entryPrice: number;
  readonly lots: number;
}

/**
 * The trades of a run as the report needs them, built from the run's own events
 * (TRADE_ENTRY / TRADE_EXIT); the equity side (drawdowns, daily curve) comes from the metrics.
 * MFE and MAE come from the bars the trade was open over (bar highs and lows, spread aside), in account currency, computed at the
 * exit while those bars are still in the symbol's window; never smaller than the realised move.
 */
export class TradeLedger {
  readonly trades: ReportTrade[] = [];
  /** Trades still open (a handful at most: a list beats a map here). */
  private readonly open: OpenTrade[] = [];
  // Doubles from the start (0.5): a field that starts as a small integer and later holds a double
  // changes representation, which throws away the optimised code that reads it.
  private readonly range = { top: 0.5, bottom: 0.5 };

  /** Each symbol with its profit conversion to the account currency, decided once. */
  private readonly symbols = new Map<string, PricedSymbol>();

  constructor(symbols: ReadonlyMap<string, LedgerSymbol>, currency: string) {
    for (const [name, s] of symbols) this.symbols.set(name, { spec: s.spec, series: s.series, conversion: profitConversion(s.spec, currency) });
  }

  /**
   * One event of the run. `at` is its time in epoch ms when the caller has it as a number (the
   * event factory's `lastAt`): used when it formats to the event's own time, else that is parsed.
   */
  onEvent(event: LogEvent, at?: number): void {
    if (event.event_type === 'TRADE_ENTRY') {
      const d = event.data;
      const time = timeOf(d.time ?? event.timestamp, at);
      this.open.push({ id: d.position_id ?? -1, direction: d.direction === 'buy' ? 1 : -1, entryTime: time, entryPrice: d.price, lots: d.lot_size });
    } else if (event.event_type === 'TRADE_EXIT') {
      const d = event.data;
      const id = d.position_id ?? -1;
      // A loop, not findIndex: a closure per call costs more than the search here.
      let k = this.open.length - 1;
      while (k >= 0 && this.open[k].id !== id) k--;
      if (k < 0) return;
      const entry = this.open[k];
      this.open.splice(k, 1);
      const exitTime = timeOf(d.timestamp, at);
      this.trades.push(this.closed(d.symbol, entry, exitTime, d.exit_price, d.pnl));
    }
  }

  /**
   * The closed trade with its MFE and MAE. Profit rises with direction x price (also after
   * conversion at that price), so the extremes are at the highest and lowest price the trade
   * saw: one scan of the bars, then two conversions.
   */
  private closed(symbol: string, t: OpenTrade, exitTime: number, exitPrice: number, pnl: number): ReportTrade {
    const s = this.symbols.get(symbol);
    let mfe = 0, mae = 0;
    if (s) {
      const bars = s.series;
      // Bars that opened at or after the entry bar and before the exit.
      const from = Math.max(0, lastAtOrBefore(bars.time, bars.length, t.entryTime));
      const range = priceRange(bars.time, bars.high, bars.low, from, bars.length, exitTime, exitPrice, this.range);
      const realised = this.money(s, t, exitPrice);
      mfe = Math.max(0, realised, this.money(s, t, t.direction === 1 ? range.top : range.bottom));
      mae = Math.min(0, realised, this.money(s, t, t.direction === 1 ? range.bottom : range.top));
    }
    return { symbol, direction: t.direction, entryTime: t.entryTime, exitTime, pnl, mfe, mae };
  }

  /** The trade's profit at `price`, in account currency (0 when there is no rate to convert with: no wrong figure). */
  private money(symbol: PricedSymbol, t: OpenTrade, price: number): number {
    const spec = symbol.spec;
    const amount = (t.direction * (price - t.entryPrice) / spec.tickSize) * spec.tickValueProfit * t.lots;
    return symbol.conversion === 'same' ? amount : symbol.conversion === 'divide' ? amount / price : 0;
  }

}

/**
 * The highest high and lowest low (and `price`) of the bars from `from` that open before
 * `before`, into `out`. A function of its own over plain arrays: small enough to be optimised
 * on its own, whatever its caller does.
 */
function priceRange(time: Float64Array, high: Float64Array, low: Float64Array, from: number, length: number, before: number, price: number,
  out: { top: number; bottom: number }): { top: number; bottom: number } {
  let top = price;
  let bottom = price;
  for (let i = from; i < length && time[i] < before; i++) {
    if (high[i] > top) top = high[i];
    if (low[i] < bottom) bottom = low[i];
  }
  out.top = top;
  out.bottom = bottom;
  return out;
}

/** `text` as epoch ms: `at` when it is that time (a check against the formatter's cache), else parsed. */
function timeOf(text: string, at: number | undefined): number {
  return at !== undefined && at === at && formatSeconds(at) === text ? Math.floor(at / 1000) * 1000 : parseTimestamp(text);
}

/** Index of the last time <= t (binary search), or -1. */
function lastAtOrBefore(time: Float64Array, length: number, t: number): number {
  let lo = 0, hi = length - 1, found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (time[mid] <= t) { found = mid; lo = mid + 1; } else hi = mid - 1;
  }
  return found;
}
