import { parseTimestamp } from '../../protocol/envelope.ts';
import type { LogEvent } from '../../protocol/index.ts';
import type { BarSeries } from '../model/bar.ts';
import { profitToAccount, type SymbolSpec } from '../model/symbol-spec.ts';
import type { ReportTrade } from './tester-stats.ts';

const DAY_MS = 86_400_000;

/** A symbol the ledger can price: its spec and the bars it is trading on (read at each exit). */
export interface LedgerSymbol {
  readonly spec: SymbolSpec;
  readonly series: BarSeries;
}

interface OpenTrade {
  readonly direction: 1 | -1;
  readonly entryTime: number;
  readonly entryPrice: number;
  readonly lots: number;
}

/**
 * The trades and equity of a run as the report needs them, built from the run's own events
 * (TRADE_ENTRY / TRADE_EXIT) and the engine's equity samples. MFE and MAE come from the bars the
 * trade was open over (bar highs and lows, spread aside), in account currency, computed at the
 * exit while those bars are still in the symbol's window; never smaller than the realised move.
 */
export class TradeLedger {
  readonly trades: ReportTrade[] = [];
  /** [time ms, equity] samples, in time order (the drawdowns). */
  readonly equity: Array<[number, number]> = [];
  /**
   * [UTC day start ms, the day's last equity sample] (the curve): the engine samples every day's last bar however
   * sparsely it samples in between, so the curve does not depend on the sampling.
   */
  readonly daily: Array<[number, number]> = [];
  private readonly open = new Map<number, OpenTrade>();

  constructor(private readonly symbols: ReadonlyMap<string, LedgerSymbol>, private readonly currency: string) {}

  onEvent(event: LogEvent): void {
    if (event.event_type === 'TRADE_ENTRY') {
      const d = event.data;
      this.open.set(d.position_id ?? -1, {
        direction: d.direction === 'buy' ? 1 : -1, entryTime: parseTimestamp(d.time ?? event.timestamp), entryPrice: d.price, lots: d.lot_size,
      });
    } else if (event.event_type === 'TRADE_EXIT') {
      const d = event.data;
      const key = d.position_id ?? -1;
      const entry = this.open.get(key);
      if (!entry) return;
      this.open.delete(key);
      const exitTime = parseTimestamp(d.timestamp);
      const { mfe, mae } = this.excursions(d.symbol, entry, exitTime, d.exit_price);
      this.trades.push({ symbol: d.symbol, direction: entry.direction, entryTime: entry.entryTime, exitTime, pnl: d.pnl, mfe, mae });
    }
  }

  onEquity(time: number, equity: number): void {
    const last = this.equity.at(-1);
    if (last && last[0] === time) last[1] = equity;
    else this.equity.push([time, equity]);
    const dayStart = Math.floor(time / DAY_MS) * DAY_MS;
    const day = this.daily.at(-1);
    if (day && day[0] === dayStart) day[1] = equity;
    else this.daily.push([dayStart, equity]);
  }

  private excursions(symbol: string, t: OpenTrade, exitTime: number, exitPrice: number): { mfe: number; mae: number } {
    const s = this.symbols.get(symbol);
    if (!s) return { mfe: 0, mae: 0 };
    const money = (price: number): number => {
      try {
        const amount = (t.direction * (price - t.entryPrice) / s.spec.tickSize) * s.spec.tickValueProfit * t.lots;
        return profitToAccount(s.spec, amount, price, this.currency);
      } catch {
        return 0; // No rate to convert with: the report shows 0 rather than a wrong figure.
      }
    };
    const realised = money(exitPrice);
    let best = Math.max(0, realised);
    let worst = Math.min(0, realised);
    const bars = s.series;
    // Bars that opened at or after the entry bar and before the exit.
    let i = lastAtOrBefore(bars.time, bars.length, t.entryTime);
    for (i = Math.max(0, i); i < bars.length && bars.time[i] < exitTime; i++) {
      const hi = money(t.direction === 1 ? bars.high[i] : bars.low[i]);
      const lo = money(t.direction === 1 ? bars.low[i] : bars.high[i]);
      if (hi > best) best = hi;
      if (lo < worst) worst = lo;
    }
    return { mfe: best, mae: worst };
  }
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
