import { formatSeconds, parseTimestamp } from '../../protocol/envelope.ts';
import type { DataOf, LogEvent } from '../../protocol/index.ts';
import type { BarSeries } from '../model/bar.ts';
import { profitConversion, type ProfitConversion, type SymbolSpec } from '../model/symbol-spec.ts';
import { TradeTable } from './trade-table.ts';

/** A symbol the ledger can price: its spec and the bars it is trading on (read at each exit). */
export interface LedgerSymbol {
  readonly spec: SymbolSpec;
  readonly series: BarSeries;
}

/**
 * A symbol with its profit conversion to the account currency (decided once), its id in the
 * trade table and where its last trade's entry bar was found.
 */
interface PricedSymbol extends LedgerSymbol {
  readonly conversion: ProfitConversion;
  readonly id: number;
  /** Profit per unit of price per lot, profit currency (tick value / tick size). */
  readonly perPrice: number;
  /** Index of the entry bar found last: the next trade's entry is at or after it (unless the window moved). */
  cursor: number;
}

/**
 * The trades of a run as the report needs them, built from the run's own events
 * (TRADE_ENTRY / TRADE_EXIT); the equity side (drawdowns, daily curve) comes from the metrics.
 * MFE and MAE come from the bars the trade was open over (bar highs and lows, spread aside), in account currency, computed at the
 * exit while those bars are still in the symbol's window; never smaller than the realised move.
 * Nothing is allocated per trade: open trades sit in a few parallel arrays, closed ones in the
 * trade table's columns.
 */
export class TradeLedger {
  /** The closed trades, in exit order. */
  readonly trades = new TradeTable();
  /**
   * Trades still open (a handful at most: a list beats a map here), as parallel arrays in entry
   * order: position id, direction, entry time (ms), entry price and lots.
   */
  private readonly openId: number[] = [];
  private readonly openDirection: Array<1 | -1> = [];
  private readonly openTime: number[] = [];
  private readonly openPrice: number[] = [];
  private readonly openLots: number[] = [];
  // Doubles from the start (0.5): a field that starts as a small integer and later holds a double
  // changes representation, which throws away the optimised code that reads it.
  private readonly range = { top: 0.5, bottom: 0.5 };

  /** Each symbol with its profit conversion to the account currency, decided once. */
  private readonly symbols = new Map<string, PricedSymbol>();

  constructor(symbols: ReadonlyMap<string, LedgerSymbol>, currency: string) {
    for (const [name, s] of symbols) {
      this.symbols.set(name, {
        spec: s.spec, series: s.series, conversion: profitConversion(s.spec, currency), id: this.trades.symbolId(name),
        perPrice: s.spec.tickValueProfit / s.spec.tickSize, cursor: 0,
      });
    }
  }

  /**
   * One event of the run. `clock.lastAt` is the time in epoch ms of the event made last (the
   * event factory's), used when it formats to the event's own time, else that is parsed. Read
   * from the clock, not passed as a number: a double argument to a call that is not inlined is
   * boxed, and this runs for every event.
   */
  onEvent(event: LogEvent, clock?: { readonly lastAt: number }): void {
    if (event.event_type === 'TRADE_ENTRY') {
      const d = event.data;
      this.openId.push(d.position_id ?? -1);
      this.openDirection.push(d.direction === 'buy' ? 1 : -1);
      this.openTime.push(timeOf(d.time ?? event.timestamp, clock));
      this.openPrice.push(d.price);
      this.openLots.push(d.lot_size);
    } else if (event.event_type === 'TRADE_EXIT') {
      const d = event.data;
      const id = d.position_id ?? -1;
      const ids = this.openId;
      let k = ids.length - 1;
      while (k >= 0 && ids[k] !== id) k--;
      if (k < 0) return;
      this.close(k, d, clock);
      removeAt(ids, k);
      removeAt(this.openDirection, k);
      removeAt(this.openTime, k);
      removeAt(this.openPrice, k);
      removeAt(this.openLots, k);
    }
  }

  /**
   * Books open trade `k`, closed by `exit`, with its MFE and MAE. Profit rises with direction x
   * price (also after conversion at that price), so the extremes are at the highest and lowest
   * price the trade saw: one scan of the bars, then two conversions.
   */
  private close(k: number, exit: DataOf<'TRADE_EXIT'>, clock: { readonly lastAt: number } | undefined): void {
    const symbol = exit.symbol;
    const direction = this.openDirection[k];
    const entryTime = this.openTime[k];
    const exitTime = timeOf(exit.timestamp, clock);
    const s = this.symbols.get(symbol);
    if (!s) {
      this.trades.add(this.trades.symbolId(symbol), direction, entryTime, exitTime, exit.pnl, 0, 0);
      return;
    }
    const entryPrice = this.openPrice[k];
    const lots = this.openLots[k];
    const exitPrice = exit.exit_price;
    const bars = s.series;
    // Bars that opened at or after the entry bar and before the exit.
    const from = Math.max(0, lastAtOrBefore(bars.time, bars.length, entryTime, s.cursor));
    s.cursor = from;
    const range = priceRange(bars.time, bars.high, bars.low, from, bars.length, exitTime, exitPrice, this.range);
    const realised = money(s, direction, entryPrice, lots, exitPrice);
    const mfe = Math.max(0, realised, money(s, direction, entryPrice, lots, direction === 1 ? range.top : range.bottom));
    const mae = Math.min(0, realised, money(s, direction, entryPrice, lots, direction === 1 ? range.bottom : range.top));
    this.trades.add(s.id, direction, entryTime, exitTime, exit.pnl, mfe, mae);
  }
}

/** The profit of `lots` entered at `entryPrice`, at `price`, in account currency (0 when there is no rate to convert with: no wrong figure). */
function money(symbol: PricedSymbol, direction: 1 | -1, entryPrice: number, lots: number, price: number): number {
  const amount = direction * (price - entryPrice) * symbol.perPrice * lots;
  return symbol.conversion === 'same' ? amount : symbol.conversion === 'divide' ? amount / price : 0;
}

/** Removes element `k`, keeping the order (the arrays hold a handful). */
function removeAt<T>(column: T[], k: number): void {
  for (let j = k + 1; j < column.length; j++) column[j - 1] = column[j];
  column.pop();
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

/** `text` as epoch ms: the clock's `lastAt` when it is that time (a check against the formatter's cache), else parsed. */
function timeOf(text: string, clock: { readonly lastAt: number } | undefined): number {
  const at = clock === undefined ? Number.NaN : clock.lastAt;
  return at === at && formatSeconds(at) === text ? Math.floor(at / 1000) * 1000 : parseTimestamp(text);
}

/**
 * Index of the last time <= t, or -1. Trades enter in time order, so the search gallops forward
 * from `hint` (the last entry found: a few bars back, in cache) and bisects only the last step;
 * a hint past `t` (the window moved, or an older trade closes) bisects the whole series.
 */
function lastAtOrBefore(time: Float64Array, length: number, t: number, hint: number): number {
  let lo = 0, hi = length - 1, found = -1;
  if (hint < length && time[hint] <= t) {
    found = hint;
    lo = hint + 1;
    let step = 1;
    while (lo + step - 1 < length && time[lo + step - 1] <= t) {
      found = lo + step - 1;
      lo = found + 1;
      step *= 2;
    }
    hi = Math.min(length - 1, lo + step - 2);
  }
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (time[mid] <= t) { found = mid; lo = mid + 1; } else hi = mid - 1;
  }
  return found;
}
