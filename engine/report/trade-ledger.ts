import type { BarSeries } from '../model/bar.ts';
import { profitConversion, type ProfitConversion, type SymbolSpec } from '../model/symbol-spec.ts';
import { TradeTable } from './trade-table.ts';

/** A symbol the ledger can price: its spec and the bars it is trading on (read at each exit). */
export interface LedgerSymbol {
  readonly spec: SymbolSpec;
  readonly series: BarSeries;
}

/** The closed position as the ledger reads it (the symbol actor's position). */
export interface ClosedPosition {
  readonly direction: 'buy' | 'sell';
  readonly entryPrice: number;
  readonly lotSize: number;
  /** Fill time, UTC ms. */
  readonly entryTime: number;
  /** Index in the symbol's series of the bar it was filled in (kept current when the bar window moves). */
  readonly entryIndex: number;
}

/** The closing deal as the ledger reads it: its time (UTC ms) and price. */
export interface ClosingDeal {
  readonly time: number;
  readonly price: number;
}

/**
 * Books one closed trade of a symbol: its position, the closing deal and the round trip's net
 * pnl (TRADE_EXIT's `pnl`). Objects, not their numbers: a double argument to a call that is not
 * inlined is boxed, and this runs for every trade.
 */
export type TradeRecorder = (position: ClosedPosition, deal: ClosingDeal, pnl: number) => void;

/** A symbol with its profit conversion to the account currency (decided once) and its id in the trade table. */
interface PricedSymbol extends LedgerSymbol {
  readonly conversion: ProfitConversion;
  readonly id: number;
  /** Profit per unit of price per lot, profit currency (tick value / tick size). */
  readonly perPrice: number;
  /**
   * The highest high and lowest low of the bars read so far for the trade filled at `seenFor`
   * (NaN: none): its bars that a moving window dropped (`barsLeaving`), then at the exit the rest.
   */
  seenFor: number;
  seenHigh: number;
  seenLow: number;
}

/**
 * The trades of a run as the report needs them, told by each symbol actor as its position
 * closes (`recorder`), in exit order; the equity side (drawdowns, daily curve) comes from the
 * metrics. MFE and MAE come from the bars the trade was open over (bar highs and lows, spread
 * aside), in account currency, computed at the exit while those bars are still in the symbol's
 * window; never smaller than the realised move. Nothing is allocated per trade: closed trades go
 * into the trade table's columns. (It was built from the TRADE_ENTRY / TRADE_EXIT events, which
 * meant keeping open trades, parsing times back and searching for the entry bar: 10-15 % of a
 * whole backtest.)
 */
export class TradeLedger {
  /** The closed trades, in exit order. */
  readonly trades = new TradeTable();
  private readonly symbols = new Map<string, PricedSymbol>();

  constructor(symbols: ReadonlyMap<string, LedgerSymbol>, currency: string) {
    for (const [name, s] of symbols) {
      this.symbols.set(name, {
        spec: s.spec, series: s.series, conversion: profitConversion(s.spec, currency), id: this.trades.symbolId(name),
        perPrice: s.spec.tickValueProfit / s.spec.tickSize,
        seenFor: Number.NaN, seenHigh: Number.NEGATIVE_INFINITY, seenLow: Number.POSITIVE_INFINITY,
      });
    }
  }

  /**
   * The oldest `count` bars of `symbol`'s series are about to leave its bar window (a streamed
   * run): those of `open` (the symbol's open position, if any) are folded into its extremes
   * first, so its MFE and MAE still cover every bar it was open over.
   */
  barsLeaving(symbol: string, open: ClosedPosition | null, count: number): void {
    const s = this.symbols.get(symbol);
    if (!s || !open) return;
    foldBars(s, open, count, Number.POSITIVE_INFINITY);
  }

  /** The recorder for `symbol`'s actor (`SymbolSetup.onTradeClosed`). */
  recorder(symbol: string): TradeRecorder {
    const s = this.symbols.get(symbol);
    if (!s) throw new Error(`trade ledger: ${symbol} is not one of the run's symbols (${[...this.symbols.keys()].join(', ')})`);
    const trades = this.trades;
    return (position, deal, pnl) => book(trades, s, position, deal, pnl);
  }
}

/**
 * Books a closed trade with its MFE and MAE. Profit rises with direction x price (also after
 * conversion at that price), so the extremes are at the highest and lowest price the trade saw:
 * one scan of its bars, then two conversions.
 */
function book(trades: TradeTable, s: PricedSymbol, position: ClosedPosition, deal: ClosingDeal, pnl: number): void {
  const direction = position.direction === 'buy' ? 1 : -1;
  const entryPrice = position.entryPrice;
  const lots = position.lotSize;
  const exitPrice = deal.price;
  // Times to the second, as the events carry them.
  const exitTime = Math.floor(deal.time / 1000) * 1000;
  // The bars from the entry bar (or the window's first, if it has moved past it) that open
  // before the exit, with those a moving window has already dropped (a streamed run).
  foldBars(s, position, s.series.length, exitTime);
  const top = s.seenHigh > exitPrice ? s.seenHigh : exitPrice;
  const bottom = s.seenLow < exitPrice ? s.seenLow : exitPrice;
  s.seenFor = Number.NaN;
  const realised = money(s, direction, entryPrice, lots, exitPrice);
  const mfe = Math.max(0, realised, money(s, direction, entryPrice, lots, direction === 1 ? top : bottom));
  const mae = Math.min(0, realised, money(s, direction, entryPrice, lots, direction === 1 ? bottom : top));
  trades.add(s.id, direction, Math.floor(position.entryTime / 1000) * 1000, exitTime, pnl, mfe, mae);
}

/**
 * Folds the highest high and lowest low of `position`'s bars into `s.seenHigh` / `s.seenLow`:
 * from its entry bar (or the series' first) up to bar `end`, stopping at the first that opens
 * at or after `until`. A trade other than the one `s` has seen starts from nothing.
 *
 * The scan has no branch on the prices: `top += (d + |d|) / 2` with `d = high - top` adds `d`
 * only when the high is above. On real prices a new high or low is unpredictable, and a
 * mispredicted branch per new extreme made the branching loop twice as slow. The sum is exact
 * when every step's `d` is (Sterbenz: `top <= high <= 2 top`, both positive), so the extremes
 * are the same numbers a comparison would pick. The running top only rises and starts at the
 * first high, so a final top below twice the first high proves that no high went past it (a
 * rounded step past it lands at or above it); likewise for the low, which only falls, against
 * half the first low. Otherwise (a price at or past those bounds, at or below zero, a NaN or an
 * infinity, all of which fail the check), the comparisons run.
 */
function foldBars(s: PricedSymbol, position: ClosedPosition, end: number, until: number): void {
  if (s.seenFor !== position.entryTime) {
    s.seenFor = position.entryTime;
    s.seenHigh = Number.NEGATIVE_INFINITY;
    s.seenLow = Number.POSITIVE_INFINITY;
  }
  const time = s.series.time, high = s.series.high, low = s.series.low;
  const from = position.entryIndex > 0 ? position.entryIndex : 0;
  if (from >= end || !(time[from] < until)) return;
  const firstHigh = high[from];
  const firstLow = low[from];
  let top = firstHigh;
  let bottom = firstLow;
  let i = from + 1;
  for (; i < end && time[i] < until; i++) {
    const up = high[i] - top;
    const down = low[i] - bottom;
    top += (up + Math.abs(up)) * 0.5;
    bottom += (down - Math.abs(down)) * 0.5;
  }
  if (!(firstHigh > 0 && top < 2 * firstHigh && firstLow > 0 && bottom > 0.5 * firstLow)) {
    top = Number.NEGATIVE_INFINITY;
    bottom = Number.POSITIVE_INFINITY;
    for (let j = from; j < i; j++) {
      if (high[j] > top) top = high[j];
      if (low[j] < bottom) bottom = low[j];
    }
  }
  if (top > s.seenHigh) s.seenHigh = top;
  if (bottom < s.seenLow) s.seenLow = bottom;
}

/** The profit of `lots` entered at `entryPrice`, at `price`, in account currency (0 when there is no rate to convert with: no wrong figure). */
function money(symbol: PricedSymbol, direction: 1 | -1, entryPrice: number, lots: number, price: number): number {
  const amount = direction * (price - entryPrice) * symbol.perPrice * lots;
  return symbol.conversion === 'same' ? amount : symbol.conversion === 'divide' ? amount / price : 0;
}
