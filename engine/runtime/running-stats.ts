/** Cheap running performance figures for PERFORMANCE events (updated per exit and per bar). */
export class RunningStats {
  closedTrades = 0;
  wins = 0;
  totalProfit = 0;
  peakEquity: number;
  maxDrawdown = 0;
  maxDrawdownFraction = 0;

  constructor(startingEquity: number) {
    this.peakEquity = startingEquity;
  }

  addTrade(pnl: number): void {
    this.closedTrades++;
    if (pnl > 0) this.wins++;
    this.totalProfit += pnl;
  }

  markEquity(equity: number): void {
    if (equity > this.peakEquity) {
      this.peakEquity = equity;
      return;
    }
    const dd = this.peakEquity - equity;
    if (dd > this.maxDrawdown) this.maxDrawdown = dd;
    const frac = dd / this.peakEquity;
    if (frac > this.maxDrawdownFraction) this.maxDrawdownFraction = frac;
  }

  get winRate(): number {
    return this.closedTrades === 0 ? 0 : this.wins / this.closedTrades;
  }
}
