import { Subject } from 'rxjs/internal/Subject';
import type { Observable } from 'rxjs';
import type { DataOf, LogEvent } from '../../protocol/index.ts';
import { formatSeconds } from '../../protocol/envelope.ts';
import { Governor, type WeekRoll } from '../governor/governor.ts';
import type { GovernorConfig } from '../governor/governor-config.ts';
import type { BrokerPort } from '../broker/broker-port.ts';
import type { SimBroker } from '../broker/sim-broker.ts';
import type { BarSeries } from '../model/bar.ts';
import type { SymbolSpec } from '../model/symbol-spec.ts';
import type { Strategy } from '../strategy/strategy.ts';
import { SymbolActor, type SymbolActorOptions } from '../actor/symbol-actor.ts';
import { EquitySampler } from './equity-sampler.ts';
import { EventFactory } from '../actor/event-factory.ts';
import { createAccount, type Account } from '../actor/account.ts';
import { MetricsAccumulator } from '../report/performance-metrics.ts';
import { OrderStats, RealizedRisk } from '../report/order-stats.ts';
import { fixed, round2, round4 } from '../util/rounding.ts';
import { widened } from '../util/typed-arrays.ts';
import type { MachineHostKind } from '../actor/machine-host.ts';

export interface TradingEngineOptions {
  readonly sessionId: string;
  /** The session clock: market time in backtests, wall time live. */
  readonly now: () => number;
  readonly broker: BrokerPort;
  readonly sim: SimBroker | null;
  readonly balance: number;
  readonly currency?: string;
  readonly riskPercent: number;
  readonly governor?: Partial<GovernorConfig>;
  readonly emitBars?: boolean;
  /** Where symbol machines run: a live XState actor (default) or its compiled table (backtests). */
  readonly machine?: MachineHostKind;
  /** Every event, in order, called directly (no Observable hop): the backtest hot path. */
  readonly onEvent?: (event: LogEvent) => void;
  /** Sample equity at every bar's close instead of only where it can move the metrics (audits, tests). */
  readonly equityEveryBar?: boolean;
  /** When to emit PERFORMANCE: after every exit (live) or once per week (backtests). */
  readonly performanceEvery?: 'exit' | 'week';
  /** Why new entries are refused right now (paper and live: the journal cannot write), or null. */
  readonly entryBlocked?: () => string | null;
  /** No STATE_TRANSITION or pace DECISION events (see `SymbolActorOptions.quiet`). */
  readonly quiet?: boolean;
  /** Magic number stamped on every order (live: how the bot tells its positions from the user's). */
  readonly magic?: number;
}

export interface SymbolSetup {
  readonly spec: SymbolSpec;
  readonly series: BarSeries;
  readonly strategy: Strategy;
  readonly strategyConfig: unknown;
  /** Told of each trade the symbol closes (a backtest's trade ledger: `TradeLedger.recorder`). */
  readonly onTradeClosed?: SymbolActorOptions['onTradeClosed'];
}

/**
 * Max and min without a branch, for the held range: the candidates are stored and the
 * comparison's 0 or 1 picks one. A new high or low in a held trade is unpredictable, and a
 * mispredicted branch per bar cost more than the rest of the fold. The same numbers a comparison
 * gives (a NaN high or low is never picked).
 */
const PICK = new Float64Array(4);

/** Bar prices `high` and `low` into `actor`'s held range (`SymbolActor.heldHigh`), branch-free (`PICK`). */
function holdBar(actor: SymbolActor, high: number, low: number): void {
  const pick = PICK, top = actor.heldHigh, bottom = actor.heldLow;
  pick[0] = top; pick[1] = high; pick[2] = bottom; pick[3] = low;
  actor.heldHigh = pick[+(high > top)];
  actor.heldLow = pick[2 + +(low < bottom)];
}

/**
 * The shared core of backtest, paper and live runs: one account-wide governor, one broker,
 * one actor per symbol, and the bus that merges every actor's events with the engine's own.
 * Runtimes only decide where bars come from and which clock and broker are used.
 */
export class TradingEngine {
  readonly governor: Governor;
  readonly account: Account;
  readonly events: EventFactory;
  readonly actors = new Map<string, SymbolActor>();
  /** Trades, equity and weeks of the session: PERFORMANCE and BACKTEST_COMPLETE read it. */
  readonly metrics: MetricsAccumulator;
  /** Every event of the session, in order. */
  readonly bus$: Observable<LogEvent>;
  weekNumber = 0;
  /**
   * Each week's trade count and whether it was within the target, by week number (1-based), as
   * columns: BACKTEST_COMPLETE's `weekly_stats` is built from them once (`weeklyStats`). An
   * object per week kept to the end of a run is thousands of objects for the collector to move.
   */
  private weekTrades = new Int32Array(64);
  /** 0: no summary for the week, 1: outside the target, 2: within it. */
  private weekWithin = new Int8Array(64);
  /** Losing trades' loss / the balance each was sized from (BACKTEST_COMPLETE's `realized_risk`). */
  readonly realizedRisk = new RealizedRisk();
  /** Entry orders sent and refused, by retcode (BACKTEST_COMPLETE's `orders`). */
  readonly orders = new OrderStats();
  /** Swap booked over the session, account currency. */
  swapTotal = 0;
  private readonly sink = new Subject<LogEvent>();
  /** When equity is sampled into the metrics (see `EquitySampler`). */
  private readonly sampler: EquitySampler;

  constructor(readonly options: TradingEngineOptions) {
    this.governor = new Governor(options.governor);
    this.targetRange = `${this.governor.min}-${this.governor.max}`;
    this.account = createAccount(options.currency ?? 'USD', options.balance);
    this.events = new EventFactory(options.sessionId, options.now);
    this.metrics = new MetricsAccumulator(options.balance);
    this.sampler = new EquitySampler(this.metrics, options.sim, this.account);
    this.bus$ = this.sink.asObservable();
  }

  addSymbol(setup: SymbolSetup): SymbolActor {
    // MT5 bars are bids: the simulator quotes them bid = price, ask = price + the bar's spread.
    if (setup.series.prices === 'bid') this.options.sim?.setBarPrices(setup.spec.name, 'bid');
    // Written out (no spread of `setup`): the options keep one hidden class from run to run.
    const actor: SymbolActor = new SymbolActor({
      spec: setup.spec,
      series: setup.series,
      strategy: setup.strategy,
      strategyConfig: setup.strategyConfig,
      governor: this.governor,
      broker: this.options.broker,
      sim: this.options.sim,
      account: this.account,
      events: this.events,
      riskPercent: this.options.riskPercent,
      emitBars: this.options.emitBars,
      machine: this.options.machine,
      entryBlocked: this.options.entryBlocked,
      quiet: this.options.quiet,
      magic: this.options.magic,
      onTradeClosed: setup.onTradeClosed,
      sink: (event) => {
        const type = event.event_type;
        if (type === 'TRADE_EXIT') {
          this.realizedRisk.add(actor.lastExitRisk);
          const swap = event.data.swap;
          if (swap !== undefined && swap !== 0) this.swapTotal = round2(this.swapTotal + swap);
          this.metrics.addTrade({ pnl: event.data.pnl, exitTime: this.options.now() });
          this.emit(event);
          // Live and paper: the account's figures after each exit, stamped with the exit.
          if (this.options.performanceEvery === 'exit') this.emit(this.performance(this.events.lastAt, setup.spec.name));
          return;
        } else if (type === 'TRADE_ENTRY') {
          this.orders.filled();
        } else if (type === 'DECISION' && event.data.decision === 'order_rejected') {
          this.orders.refusedWith(event.data.retcode ?? 0, event.data.reason);
        }
        this.emit(event);
      },
    });
    this.actors.set(actor.symbol, actor);
    return actor;
  }

  /** Puts an event on the bus: the direct listener first, then `bus$` subscribers. */
  emit(event: LogEvent): void {
    this.options.onEvent?.(event);
    if (this.sink.observed) this.sink.next(event);
  }

  /** One closed bar of one symbol: governor clock, pace check, then the actor's fast path. */
  processBar(actor: SymbolActor, series: BarSeries, i: number): void {
    const time = series.time[i];
    const closeTime = time + actor.barMs;
    const eq = this.sampler;
    // A new day: the skipped bar before it holds the day's closing equity (quotes are still
    // at that bar's close here).
    if (eq.skipped && closeTime >= eq.nextSample) eq.flush();
    const g = this.governor;
    if (time >= g.nextEventTime) this.onGovernorClock(actor, time);
    const sim = this.options.sim;
    if (sim === null) {
      actor.processBar(i);
      eq.at = closeTime;
      if (closeTime >= eq.nextSample) eq.sample();
      return;
    }
    // Several positions: each one's stop-out price depends on the others' prices, which move.
    if (sim.openPositions > 1) sim.refreshRisk();
    const revision = sim.revision;
    // Rollover swaps are charged at the first bar at or after 00:00 UTC, before anything executes in it.
    if (time >= sim.nextRollover) sim.rollover(time);
    const wasOpen = sim.openPositions > 0;
    actor.processBar(i);
    // Open at the bar's close: the bar into the position's held range (the ledger's MFE and MAE;
    // not kept when no ledger reads it: an optimiser's trial, paper and live). On bid bars a
    // short is held through the asks (the bar's prices + its spread), where it would close.
    if (actor.holdsRange && actor.position !== null) {
      const book = actor.book!;
      if (book.bidBars && actor.position.direction === 'sell') holdBar(actor, sim.askAt(book, series, i, series.high[i]), sim.askAt(book, series, i, series.low[i]));
      else holdBar(actor, series.high[i], series.low[i]);
    }
    eq.at = closeTime;
    if (closeTime >= eq.nextSample || this.options.equityEveryBar) {
      eq.sampleAndResetBand(actor.book, series, i);
    } else if (sim.revision !== revision) {
      // A deal or a rollover: the band is solved again; the bar is sampled only outside it.
      eq.settle(actor.book, series, i);
    } else if (wasOpen) {
      eq.sampleOutsideBand(actor.book, series, i);
    }
  }

  /**
   * Bars `from..to-1` of one symbol, in order: `processBar` for each, with the common bar
   * taken inline. A bar is common when nothing happens at its open (no order waiting, no
   * stop or target within its range) and the account holds nothing or only this symbol's
   * one position; such a bar needs only the governor's clock, the actor's close and the
   * equity samples (the day's, or the band check in a position). `clock.now` is set to each
   * bar's close time before the bar runs (the session clock of a backtest). Bid bars (a spread
   * per bar, and no equity band) take `processBar` for every bar: the inline path is mid bars'.
   */
  processBars(actor: SymbolActor, series: BarSeries, from: number, to: number, clock: { now: number }): void {
    const sim = this.options.sim;
    const book = actor.book;
    const barMs = actor.barMs;
    const time = series.time;
    if (sim === null || book === null || this.options.equityEveryBar || book.bidBars) {
      for (let j = from; j < to; j++) {
        clock.now = time[j] + barMs;
        this.processBar(actor, series, j);
      }
      return;
    }
    const low = series.low;
    const high = series.high;
    const close = series.close;
    const g = this.governor;
    const eq = this.sampler;
    // The open position's held range (`SymbolActor.heldHigh`) in locals while bars run inline:
    // loaded after each bar sent to `processBar` (a fill or an exit happens only there, at a
    // bar's open or inside its range, never at an inline bar's close), stored back before the
    // next one and at the end. Read and written through the actor per bar it cost 5 % of a run.
    let holding = actor.holdsRange && actor.position !== null;
    let top = actor.heldHigh;
    let bottom = actor.heldLow;
    const pick = PICK;
    for (let j = from; j < to; j++) {
      const t = time[j];
      const closeTime = t + barMs;
      clock.now = closeTime;
      const open = sim.openPositions;
      if (actor.ordersWaiting || t >= sim.nextRollover || (open !== 0 && (open !== 1 || eq.bandBook !== book
        || eq.bandDirection === 0 || low[j] <= book.lowTrigger || high[j] >= book.highTrigger))) {
        if (holding) {
          actor.heldHigh = top;
          actor.heldLow = bottom;
        }
        this.processBar(actor, series, j);
        holding = actor.holdsRange && actor.position !== null;
        top = actor.heldHigh;
        bottom = actor.heldLow;
        continue;
      }
      // processBar's steps, in its order: a skipped day close, the governor's clock, the
      // bar's close, the position's held range, then the day's sample.
      const newDay = closeTime >= eq.nextSample;
      if (newDay && eq.skipped) eq.flush();
      if (t >= g.nextEventTime) this.onGovernorClock(actor, t);
      sim.quoteClose(book, close[j], closeTime);
      actor.closeQuotedBar(j, closeTime);
      if (holding) {
        // Branch-free, as `holdBar`.
        const h = high[j], l = low[j];
        pick[0] = top; pick[1] = h; pick[2] = bottom; pick[3] = l;
        top = pick[+(h > top)];
        bottom = pick[2 + +(l < bottom)];
      }
      eq.at = closeTime;
      if (open === 0) {
        if (newDay) eq.sampleAndResetBand(book, series, j);
        continue;
      }
      const x = eq.bandDirection * close[j];
      // Inside the band even a new day's first bar is skipped: the day before was closed by its
      // last bar's sample (`flush`), and this day's close will be its last bar's.
      if (x <= eq.bandHigh && x >= eq.bandLow) eq.skip();
      else eq.sampleAndResetBand(book, series, j);
    }
    if (holding) {
      actor.heldHigh = top;
      actor.heldLow = bottom;
    }
  }

  /**
   * A bar's OPEN step, in a run where another symbol's step comes between this bar's open and
   * its close (`runtime/merged-loop.ts`, the paper bot's replay): the governor's clock at `time`,
   * the multi-position stop-out refresh, the rollover swaps due by then, then the actor's open
   * (its quote at `open`, its pending close and entry executed there). Until the bar's CLOSE
   * step the symbol is quoted at this open, the latest price known. `processBar`'s first half,
   * in its order; equity is sampled only at closes.
   */
  openStep(actor: SymbolActor, time: number, open: number, spreadPoints = Number.NaN): void {
    const eq = this.sampler;
    // A skipped sample stands for the equity as it was: it is taken before anything moves it.
    if (eq.skipped) eq.flush();
    if (time >= this.governor.nextEventTime) this.onGovernorClock(actor, time);
    const sim = this.options.sim;
    if (sim === null) {
      actor.barOpened(time, open, spreadPoints);
      return;
    }
    if (sim.openPositions > 1) sim.refreshRisk();
    const revision = sim.revision;
    if (time >= sim.nextRollover) sim.rollover(time);
    actor.barOpened(time, open, spreadPoints);
    // A deal or a swap moved equity: the band (solved before it) no longer holds.
    if (sim.revision !== revision) eq.dropBand();
  }

  /**
   * Bar `i`'s CLOSE step after its `openStep`: stops, targets and stop-out over the bar's
   * range, the close quote, the strategy, the held range, and an equity sample at the close
   * (every CLOSE step is sampled: exact whatever ran between the two steps).
   */
  closeStep(actor: SymbolActor, series: BarSeries, i: number): void {
    const closeTime = series.time[i] + actor.barMs;
    const eq = this.sampler;
    if (eq.skipped) eq.flush();
    actor.barClosed(i);
    eq.at = closeTime;
    if (this.options.sim === null) {
      if (closeTime >= eq.nextSample) eq.sample();
      return;
    }
    if (actor.holdsRange && actor.position !== null) holdBar(actor, series.high[i], series.low[i]);
    eq.sampleAndResetBand(actor.book, series, i);
  }

  /**
   * An OPEN step moved the equity and no close has been sampled since: until one is, bars must
   * run as steps (`closeStep` samples every close), not whole (`processBars` skips samples).
   */
  get sampleDue(): boolean {
    return this.sampler.moved;
  }

  /** Samples the equity of a skipped last bar (the run ends). */
  flushEquity(): void {
    this.sampler.flush();
  }

  /** One equity sample into the metrics (the end of a run). */
  addEquity(time: number, equity: number): void {
    this.sampler.add(time, equity);
  }

  private onGovernorClock(actor: SymbolActor, time: number): void {
    const g = this.governor;
    const roll = g.observe(time);
    if (roll !== null) this.onWeekRoll(roll, time);
    else if (this.weekNumber === 0) this.weekNumber = 1;
    const stepped = g.checkPace(time);
    if (stepped !== null && !this.options.quiet) actor.decision('increase_aggression', this.paceReason(g.trades, g.expectedPace(time), stepped), time);
  }

  /**
   * The aggression step's reason. Its numbers take few values in a run (trades so far, the
   * expected pace to a tenth, the multiplier), so each wording is built once: formatting
   * numbers into a message costs about a microsecond here, more than the rest of the event.
   */
  private paceReason(trades: number, pace: number, stepped: number): string {
    const paceTenths = Math.round(pace * 10);
    const steppedThousandths = Math.round(stepped * 1000);
    const cacheable = trades < 10_000 && paceTenths < 100_000 && steppedThousandths < 1_000_000;
    const key = trades + 1e4 * paceTenths + 1e9 * steppedThousandths;
    let text = cacheable ? this.paceReasons.get(key) : undefined;
    if (text === undefined) {
      text = `${trades} trades so far this week, under the minimum pace of ${this.governor.min}/week (${fixed(pace, 1)} expected by now): position size x${fixed(stepped, 3)}`;
      if (cacheable) {
        if (this.paceReasons.size >= 4_096) this.paceReasons.clear();
        this.paceReasons.set(key, text);
      }
    }
    return text;
  }

  private readonly paceReasons = new Map<number, string>();
  /** WEEKLY_SUMMARY's `target_range` (the limits are fixed for the session). */
  private readonly targetRange: string;

  /** Closes the week that is still open (end of a backtest). */
  finishWeek(time: number): void {
    const g = this.governor;
    if (!Number.isFinite(g.weekStart)) return;
    this.onWeekRoll({ weekStart: g.weekStart, trades: g.trades, withinTarget: g.isWithinTarget(g.trades), aggression: g.aggression }, time, false);
  }

  performance(time: number, symbol?: string): LogEvent {
    // Read field by field: PERFORMANCE runs every week of a backtest and needs five numbers,
    // not the full metrics (ratios, square roots and a 19-field object).
    const m = this.metrics;
    const g = this.governor;
    const data: DataOf<'PERFORMANCE'> = {
      total_trades: m.tradeCount, win_rate: round4(m.winRate), total_profit: round2(m.netProfitSoFar),
      max_drawdown: round4(m.drawdownFraction),
      weekly_target: { min_trades: g.min, max_trades: g.max, current_trades: g.trades },
      balance: round2(this.account.balance), equity: round2(this.options.sim ? this.options.sim.equity() : this.account.balance),
      time: formatSeconds(time),
    };
    if (symbol) data.symbol = symbol;
    return this.events.make('PERFORMANCE', 'INFO', data, time);
  }

  /** Each summarised week's trades and whether it was within the target, keyed by week number. */
  weeklyStats(): Record<string, { trades: number; within_target: boolean }> {
    const stats: Record<string, { trades: number; within_target: boolean }> = {};
    const within = this.weekWithin;
    for (let week = 1; week < within.length; week++) {
      if (within[week] !== 0) stats[week] = { trades: this.weekTrades[week], within_target: within[week] === 2 };
    }
    return stats;
  }

  private onWeekRoll(roll: WeekRoll, time: number, continues = true): void {
    const week = Math.max(1, this.weekNumber);
    const g = this.governor;
    if (week >= this.weekTrades.length) {
      this.weekTrades = widened(this.weekTrades, Math.max(week + 1, this.weekTrades.length * 4));
      this.weekWithin = widened(this.weekWithin, this.weekTrades.length);
    }
    this.weekTrades[week] = roll.trades;
    this.weekWithin[week] = roll.withinTarget ? 2 : 1;
    this.metrics.addWeek({ trades: roll.trades, withinTarget: roll.withinTarget });
    this.emit(this.events.make('WEEKLY_SUMMARY', 'INFO', {
      week, trades: roll.trades, target_range: this.targetRange, balance: round2(this.account.balance),
      within_target: roll.withinTarget, week_start: formatSeconds(roll.weekStart), aggression_multiplier: round4(roll.aggression),
    }, time));
    if (this.options.performanceEvery !== 'exit') this.emit(this.performance(time));
    if (!continues) return;
    this.weekNumber = week + 1;
    for (const actor of this.actors.values()) actor.weekRolled(time);
  }
}
