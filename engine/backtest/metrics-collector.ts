import type { BacktestMetrics, LogEvent } from '../../protocol/index.ts';
import type { Governor } from '../governor/governor.ts';

/** Collects a backtest's metrics from its event stream and equity marks (no per-bar storage). */
export class BacktestMetricsCollector {
  tradeCount = 0;
  private peak: number;
  private maxDd = 0;
  private maxDdPct = 0;
  constructor(private readonly balance: number, private readonly governor: Governor) {
    this.peak = balance;
  }
  observe(event: LogEvent): void {
    if (event.event_type === 'TRADE_EXIT') this.tradeCount++;
  }
  markEquity(_time: number, equity: number): void {
    if (equity > this.peak) this.peak = equity;
    const dd = this.peak - equity;
    if (dd > this.maxDd) this.maxDd = dd;
    if (dd / this.peak > this.maxDdPct) this.maxDdPct = dd / this.peak;
  }
  metrics(bars: number): BacktestMetrics & { max_drawdown_abs: number } {
    void this.governor;
    return { bars, max_drawdown_pct: this.maxDdPct, max_drawdown_abs: this.maxDd };
  }
}
