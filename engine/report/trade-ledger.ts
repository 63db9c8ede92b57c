import { profitConversion, type ProfitConversion, type SymbolSpec } from '../model/symbol-spec.ts';
import { TradeTable } from './trade-table.ts';

/** A symbol the ledger can price: its spec. */
export interface LedgerSymbol {
  readonly spec: SymbolSpec;
}

/** The closed position as the ledger reads it (the symbol actor's position). */
export interface ClosedPosition {
  readonly direction: 'buy' | 'sell';
  readonly entryPrice: number;
  readonly lotSize: number;
  /** Fill time, UTC ms. */
  readonly entryTime: number;
}

/** The closing deal as the ledger reads it: its time (UTC ms) and price. */
export interface ClosingDeal {
  readonly time: number;
  readonly price: number;
}

/**
 * The prices a position was held through: the highest high and lowest low of the bars it was
 * open at the close of, its fill bar included and the bar it closed in not (minus and plus
 * infinity for none). The symbol actor keeps them (`SymbolActor.heldHigh`), the engine folds
 * each bar in as it closes.
 */
export interface HeldRange {
  readonly heldHigh: number;
  readonly heldLow: number;
}

/**
 * Books one closed trade of a symbol: its position, the closing deal, the round trip's net pnl
 * (TRADE_EXIT's `pnl`) and the prices it was held through. Objects, not their numbers: a double
 * argument to a call that is not inlined is boxed, and this runs for every trade.
 */
export type TradeRecorder = (position: ClosedPosition, deal: ClosingDeal, pnl: number, held: HeldRange) => void;

/** A symbol with its profit conversion to the account currency (decided once) and its id in the trade table. */
interface PricedSymbol {
  readonly conversion: ProfitConversion;
  readonly id: number;
  /** Profit per unit of price per lot, profit currency (tick value / tick size). */
  readonly perPrice: number;
}

/**
 * The trades of a run as the report needs them, told by each symbol actor as its position
 * closes (`recorder`), in exit order; the equity side (drawdowns, daily curve) comes from the
 * metrics. MFE and MAE come from the prices the trade was held through (bar highs and lows,
 * spread aside, and the exit price), in account currency: never smaller than the realised move.
 * Nothing is allocated per trade: closed trades go into the trade table's columns. (It was built
 * from the TRADE_ENTRY / TRADE_EXIT events, which meant keeping open trades, parsing times back
 * and searching for the entry bar: 10-15 % of a whole backtest. Then each trade's bars were
 * scanned again at its exit; the engine now folds each bar in as it closes it, from the prices
 * it has in hand.)
 */
export class TradeLedger {
  /** The closed trades, in exit order. */
  readonly trades = new TradeTable();
  private readonly symbols = new Map<string, PricedSymbol>();

  constructor(symbols: ReadonlyMap<string, LedgerSymbol>, currency: string) {
    for (const [name, s] of symbols) {
      this.symbols.set(name, {
        conversion: profitConversion(s.spec, currency), id: this.trades.symbolId(name), perPrice: s.spec.tickValueProfit / s.spec.tickSize,
      });
    }
  }

  /** The recorder for `symbol`'s actor (`SymbolSetup.onTradeClosed`). */
  recorder(symbol: string): TradeRecorder {
    const s = this.symbols.get(symbol);
    if (!s) throw new Error(`trade ledger: ${symbol} is not one of the run's symbols (${[...this.symbols.keys()].join(', ')})`);
    const trades = this.trades;
    return (position, deal, pnl, held) => book(trades, s, position, deal, pnl, held);
  }
}

/**
 * Books a closed trade with its MFE and MAE. Profit rises with direction x price (also after
 * conversion at that price), so the extremes are at the highest and lowest price the trade saw
 * (the held range and the exit price): two conversions.
 */
function book(trades: TradeTable, s: PricedSymbol, position: ClosedPosition, deal: ClosingDeal, pnl: number, held: HeldRange): void {
  const direction = position.direction === 'buy' ? 1 : -1;
  const entryPrice = position.entryPrice;
  const lots = position.lotSize;
  const exitPrice = deal.price;
  // Times to the second, as the events carry them.
  const exitTime = Math.floor(deal.time / 1000) * 1000;
  const top = held.heldHigh > exitPrice ? held.heldHigh : exitPrice;
  const bottom = held.heldLow < exitPrice ? held.heldLow : exitPrice;
  const realised = money(s, direction, entryPrice, lots, exitPrice);
  const mfe = Math.max(0, realised, money(s, direction, entryPrice, lots, direction === 1 ? top : bottom));
  const mae = Math.min(0, realised, money(s, direction, entryPrice, lots, direction === 1 ? bottom : top));
  trades.add(s.id, direction, Math.floor(position.entryTime / 1000) * 1000, exitTime, pnl, mfe, mae);
}

/** The profit of `lots` entered at `entryPrice`, at `price`, in account currency (0 when there is no rate to convert with: no wrong figure). */
function money(symbol: PricedSymbol, direction: 1 | -1, entryPrice: number, lots: number, price: number): number {
  const amount = direction * (price - entryPrice) * symbol.perPrice * lots;
  return symbol.conversion === 'same' ? amount : symbol.conversion === 'divide' ? amount / price : 0;
}
