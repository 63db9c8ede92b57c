import type { Account } from '../actor/account.ts';
import type { SimBroker, SymbolBook } from '../broker/sim-broker.ts';
import type { MetricsAccumulator } from '../report/performance-metrics.ts';
import type { BarSeries } from '../model/bar.ts';

const DAY_MS = 86_400_000;

/**
 * When the engine samples equity into the metrics, and the samples it may skip.
 *
 * A sample is taken at each day's last bar (daily returns) and wherever a bar could move a
 * drawdown, also right after a deal or a rollover (`settle`). While one position is open its
 * equity rises with direction x mid price and nothing else moves it until the next deal, so a
 * bar can change the metrics only if its close sets a new equity peak or goes below the drawdown
 * floor (a new largest fall or a new lowest equity): the band holds the closes between those two prices
 * (solved by the simulator from the metrics' peak and floor) and bars inside it are skipped,
 * except each day's last one. The metrics are exactly those of sampling every bar (a test
 * compares the two). The engine reads the band's fields inline in its bar loop.
 */
export class EquitySampler {
  /** The band: closes x direction within [low, high] are skipped; empty unless one position is open. */
  bandDirection = 0;
  bandHigh = 0.5;
  bandLow = 0.5;
  /** The book whose one position the band is for. */
  bandBook: SymbolBook | null = null;
  /** The last bar was in a position and not sampled (its time is `skippedTime`). */
  skipped = false;
  /** The first instant of the next UTC day: a bar closing at or after it is sampled. */
  nextSample = Number.NEGATIVE_INFINITY;
  /** The close time of the bar being sampled: a field, so no number is boxed per call. */
  at = Number.NEGATIVE_INFINITY;
  private skippedTime = Number.NEGATIVE_INFINITY;
  /** What the band was last solved for: the simulator's revision, equity peak and floor, direction. */
  private bandRevision = -1;
  private bandPeak = 0.5;
  private bandFloor = 0.5;
  private bandSolvedDirection = 0;
  /** The book and the two prices (times direction, before the slack) of the last solve. */
  private solvedBook: SymbolBook | null = null;
  private solvedHigh = 0.5;
  private solvedLow = 0.5;

  constructor(private readonly metrics: MetricsAccumulator, private readonly sim: SimBroker | null, private readonly account: Account) {}

  /** Samples the equity at `at` (the bar being closed). */
  sample(): void {
    this.skipped = false;
    const time = this.at;
    this.metrics.addEquity(time, this.sim ? this.sim.equity() : this.account.balance);
    this.nextSample = (Math.floor(time / DAY_MS) + 1) * DAY_MS;
  }

  /**
   * Samples, then solves the band again for `book` at the close of bar `i` of `series` (see the
   * class comment). Indexes, not prices, are passed: a double argument to a call that is not
   * inlined is boxed.
   */
  sampleAndResetBand(book: SymbolBook | null, series: BarSeries, i: number): void {
    this.sample();
    this.resetBand(book, series.close[i]);
  }

  /**
   * After a deal or a rollover in bar `i` (the equity moved): the band is solved again for the
   * new positions and balance, and the bar is sampled only if its close lies outside it. Inside,
   * its equity is neither a new peak nor below the drawdown floor, so the sample could not change
   * the metrics (the day's last bar is sampled anyway, by `flush`). A sample moves the peak or
   * the floor, so the band is solved again after it.
   */
  settle(book: SymbolBook | null, series: BarSeries, i: number): void {
    this.resetBand(book, series.close[i]);
    this.sampleOutsideBand(book, series, i);
  }

  /**
   * Bar `i` of `book`'s symbol closed with the band already solved: skipped if its close lies
   * inside, else sampled (and the band solved again). The engine's bar loop does the same check
   * inline.
   */
  sampleOutsideBand(book: SymbolBook | null, series: BarSeries, i: number): void {
    const close = series.close[i];
    const direction = this.bandDirection;
    const x = direction * close;
    if (direction !== 0 && book === this.bandBook && x <= this.bandHigh && x >= this.bandLow) {
      this.skip();
      return;
    }
    this.sample();
    this.resetBand(book, close);
  }

  /** The bar closing at `at` lies inside the band: not sampled unless it is the day's last. */
  skip(): void {
    this.skipped = true;
    this.skippedTime = this.at;
    if (this.at >= this.nextSample) this.nextSample = (Math.floor(this.at / DAY_MS) + 1) * DAY_MS;
  }

  /**
   * The equity moved where no sample is taken (a deal or a swap at a bar's OPEN step): nothing
   * may be skipped until the next sample, so the band is emptied and `moved` is set until the
   * band is solved again (a flat account's bars run whole sample only a new day's first, and
   * the day before would close on the equity before the move).
   */
  dropBand(): void {
    this.bandDirection = 0;
    this.bandBook = null;
    this.emptyBand();
    this.moved = true;
  }

  /** Set by `dropBand`, cleared when the band is solved again: the merged loop then runs bars as steps, each close sampled. */
  moved = false;

  /** Samples the equity of a skipped last bar (a new day began, or the run ends). */
  flush(): void {
    if (!this.skipped) return;
    this.skipped = false;
    this.metrics.addEquity(this.skippedTime, this.sim ? this.sim.equity() : this.account.balance);
  }

  /** One sample at `time` (the end of a run). */
  add(time: number, equity: number): void {
    this.metrics.addEquity(time, equity);
  }

  private resetBand(book: SymbolBook | null, close: number): void {
    this.moved = false;
    const sim = this.sim!;
    const direction = book ? sim.soleDirection(book) : 0;
    this.bandDirection = direction;
    this.bandBook = book;
    if (direction === 0 || book === null) {
      this.emptyBand();
      return;
    }
    const peak = this.metrics.equityPeak;
    const floor = this.metrics.drawdownFloor;
    // Unchanged since the last solve (a day's sample inside the band): the band stands. An
    // empty band is never reused (revision -1), so another symbol's reset cannot leak here.
    const sameState = sim.revision === this.bandRevision && direction === this.bandSolvedDirection && book === this.solvedBook;
    if (sameState && peak === this.bandPeak && floor === this.bandFloor) return;
    // Same positions and balance, and only the peak or only the floor moved (a sample just
    // outside the band): the other side's price stands, solved for the same numbers.
    const high = sameState && peak === this.bandPeak ? this.solvedHigh : direction * sim.midAtEquity(book, peak);
    const low = sameState && floor === this.bandFloor ? this.solvedLow : direction * sim.midAtEquity(book, floor);
    this.bandRevision = sim.revision;
    this.bandPeak = peak;
    this.bandFloor = floor;
    this.bandSolvedDirection = direction;
    this.solvedBook = book;
    this.solvedHigh = high;
    this.solvedLow = low;
    if (Number.isNaN(high) || Number.isNaN(low)) {
      // Not solvable here: every bar is sampled.
      this.bandDirection = 0;
      this.emptyBand();
      return;
    }
    // Narrowed by far more than the rounding of the two prices, so a close the rounding puts
    // on the wrong side is sampled (an extra sample changes nothing).
    const slack = Math.abs(close) * 1e-9;
    this.bandHigh = high - slack;
    this.bandLow = low + slack;
  }

  private emptyBand(): void {
    this.bandHigh = Number.NEGATIVE_INFINITY;
    this.bandLow = Number.POSITIVE_INFINITY;
    this.bandRevision = -1;
  }
}
