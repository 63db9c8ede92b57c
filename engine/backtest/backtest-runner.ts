import type { BacktestCompleteData, BacktestMetrics, LogEvent } from '../../protocol/index.ts';
import { MID_QUOTING, quotingOf, type BarSeries } from '../model/bar.ts';
import { BarWindow } from '../model/bar-window.ts';
import { resolveSymbolSpec, type SymbolSpec } from '../model/symbol-spec.ts';
import { SimBroker, type SimBrokerConfig } from '../broker/sim-broker.ts';
import type { GovernorConfig } from '../governor/governor-config.ts';
import type { Strategy } from '../strategy/strategy.ts';
import { TradingEngine } from '../runtime/trading-engine.ts';
import { withinTime } from '../strategy/time-limit.ts';
import { formatSeconds } from '../../protocol/envelope.ts';
import { stableUuid } from '../util/ids.ts';
import { closeFailedRun, completeData, endBacktest, ticksModel } from './run-end.ts';
import { runLettingThrough, runToEnd, type RunSteps } from './run-slices.ts';
import { TradeLedger } from '../report/trade-ledger.ts';
import type { MachineHostKind } from '../actor/machine-host.ts';
import type { SymbolActor } from '../actor/symbol-actor.ts';

export interface BacktestOptions {
  readonly symbol: string;
  /** The bars: one series, or chunks of one (streamed with flat memory). */
  readonly series: BarSeries | Iterable<BarSeries>;
  readonly spec?: SymbolSpec;
  readonly strategy: Strategy;
  readonly strategyConfig?: unknown;
  readonly balance?: number;
  readonly riskPercent?: number;
  readonly governor?: Partial<GovernorConfig>;
  readonly broker?: Partial<SimBrokerConfig>;
  /** Defaults to a uuid derived from the inputs, so reruns are byte-identical. */
  readonly sessionId?: string;
  /**
   * What the bars were read from (`LoadedHistory.fingerprint`: the file's bytes hashed once as it
   * was read), part of the default session id: two files with the same bar count, first and last
   * time but other prices are two sessions.
   */
  readonly dataFingerprint?: string;
  /** Every event of the run, in order (recorders, the WebSocket, tests). */
  readonly onEvent?: (event: LogEvent) => void;
  /** Called every `progressEvery` bars with the bars done so far. */
  readonly onProgress?: (barsDone: number) => void;
  readonly progressEvery?: number;
  /** Total bars when `series` is streamed, for BACKTEST_START's `data_points`. */
  readonly totalBars?: number;
  readonly labels?: { readonly from?: string; readonly to?: string };
  /** `compiled` (default) or `actor`: both give identical events; see MachineHost. */
  readonly machine?: MachineHostKind;
  /** Emit a DEBUG `BAR` event per bar, so a replay of the recording can draw candles. */
  readonly emitBars?: boolean;
  /** Sample equity at every bar (the metrics are the same; for audits and tests). */
  readonly equityEveryBar?: boolean;
  /** What a check of the data against the spec found (`checkSeriesAgainstSpec`), carried into BACKTEST_COMPLETE. */
  readonly warnings?: readonly string[];
  /**
   * False: no trade ledger and no `report` in BACKTEST_COMPLETE (the same trades, metrics and
   * events otherwise), as `runPortfolio` takes it: for a caller that reads only the
   * metrics (a parameter sweep of its own) and need not pay for each trade's MFE/MAE.
   */
  readonly report?: boolean;
  /**
   * A run that lets a server through between slices (`runBacktestYielding`): how long one slice
   * may run before it is stopped (a strategy stuck in a loop) and the run fails with a
   * `TimeLimitError` naming the bar it was at; no limit by default.
   */
  readonly sliceLimitMs?: number;
}

export interface BacktestResult {
  readonly sessionId: string;
  readonly complete: BacktestCompleteData;
  readonly metrics: BacktestMetrics;
  readonly bars: number;
}

/**
 * The BacktestRunner: the same TradingEngine and SymbolActor as paper and live trading, on a
 * simulated clock (market time of the bar being processed) with the SimBroker. Emits
 * BACKTEST_START, the run's trades and decisions, one WEEKLY_SUMMARY per week, PERFORMANCE and
 * BACKTEST_COMPLETE. Nothing is held per bar or per event: memory stays flat however long the
 * series.
 *
 * @example
 * ```ts
 * const { complete } = runBacktest({ symbol: 'USDCHF', series, strategy: smaCrossover });
 * console.log(complete.final_balance, complete.metrics?.sharpe);
 * ```
 */
export function runBacktest(options: BacktestOptions): BacktestResult {
  return runToEnd(backtestSteps(options, Number.POSITIVE_INFINITY));
}

/**
 * `runBacktest` for a process that serves others meanwhile (the server's `run_backtest`): the
 * same run, with the event loop let through (`pause`, a macrotask by default) after every
 * `sliceBars` bars, so sockets, timers and the paper or live bot are not held for the whole run.
 * The events and the result are the same as `runBacktest`'s.
 */
export function runBacktestYielding(options: BacktestOptions, sliceBars = 8_192, pause?: () => Promise<void>): Promise<BacktestResult> {
  return runLettingThrough(backtestSteps(options, sliceBars), pause);
}

/** The run, yielding after each `sliceBars` bars of a series (never inside a bar). */
function* backtestSteps(options: BacktestOptions, sliceBars: number): RunSteps<BacktestResult> {
  const spec = options.spec ?? resolveSymbolSpec(options.symbol);
  const strategy = options.strategy;
  const config = options.strategyConfig ?? strategy.defaultConfig;
  const balance = options.balance ?? 10_000;
  const chunks = isSeries(options.series) ? null : options.series;
  const first = isSeries(options.series) ? options.series : null;
  const iterator = chunks ? chunks[Symbol.iterator]() : null;
  let pending = iterator ? iterator.next() : null;
  const timeframe = first?.timeframe ?? (pending && !pending.done ? pending.value.timeframe : 'H1');
  const sessionId = options.sessionId ?? stableUuid('backtest', options.symbol, strategy.id, config, balance,
    options.riskPercent ?? 1, options.governor ?? {}, options.broker ?? {}, options.labels ?? {}, first ? [first.length, first.time[0], first.time[first.length - 1]] : options.totalBars ?? 0,
    ...(options.dataFingerprint !== undefined ? [options.dataFingerprint] : []));

  // The simulated clock is written once per bar: numbers in closure variables or object
  // literals are re-boxed on every write, fields of a class instance are updated in place.
  const clock = new BacktestClock();
  // The simulator is the run's own: nothing outside it can ask for its deal history (trades go
  // out as events), so it keeps none unless asked to. Copying each deal into the history's
  // columns was 4-6 % of a million-bar run.
  const sim = new SimBroker([spec], { historyLimit: 0, ...options.broker, balance });
  // The window quotes as the chunks do (bid bars with their spreads, or mid): the first one says.
  const quoting = pending && !pending.done ? quotingOf(pending.value) : MID_QUOTING;
  const window = chunks ? new BarWindow(spec.name, timeframe, 16_384, 4_096, (d) => actor.shiftIndexes(d), quoting) : null;
  const series = first ?? window!.series;
  const ledger = options.report === false ? null : new TradeLedger(new Map([[spec.name, { spec }]]), sim.config.currency);
  // The caller's listener itself (no wrapper call per event).
  const emit: (event: LogEvent) => void = options.onEvent ?? (() => {});
  const engine = new TradingEngine({
    sessionId, now: () => clock.now, broker: sim, sim, balance, currency: sim.config.currency,
    riskPercent: options.riskPercent ?? 1, governor: options.governor, performanceEvery: 'week',
    machine: options.machine ?? 'compiled', emitBars: options.emitBars ?? false, onEvent: emit,
    equityEveryBar: options.equityEveryBar,
  });
  const actor = engine.addSymbol({ spec, series, strategy, strategyConfig: config, onTradeClosed: ledger?.recorder(spec.name) });
  const g = engine.governor;
  const dataPoints = first ? first.length : options.totalBars ?? 0;
  const startTime = first ? (first.length ? first.time[0] : 0) : pending && !pending.done && pending.value.length ? pending.value.time[0] : 0;
  emit(engine.events.make('BACKTEST_START', 'INFO', {
    session_id: sessionId, symbol: spec.name, data_points: dataPoints, starting_balance: balance,
    trade_constraints: { min_trades_per_week: g.min, max_trades_per_week: g.max },
    timeframe, strategy: strategy.id, digits: spec.digits, params: { [spec.name]: config }, ...(options.labels?.from ? { from: options.labels.from } : {}), ...(options.labels?.to ? { to: options.labels.to } : {}),
    ...ticksModel(sim),
  }, startTime));

  const identity = {
    symbol: spec.name, timeframe, strategy: strategy.id, params: { [spec.name]: config },
    ...(options.warnings?.length ? { warnings: [...options.warnings] } : {}), ...ticksModel(sim),
  };
  try {
    // The machine starts at the first bar's time, not at the epoch.
    clock.now = startTime;
    actor.start();
    const progressEvery = options.progressEvery ?? 100_000;
    clock.last = 0;
    // One loop for both inputs: a series runs as one range; chunks are block-copied into the
    // window and each copied range runs the same way.
    const loop: RangeLoop = { engine, actor, clock, progressEvery, onProgress: options.onProgress };
    const limit = options.sliceLimitMs;
    // Under a limit each slice runs stopped at it (one watchdog per slice, not per bar).
    const run = (s: BarSeries, from: number, to: number) => limit === undefined ? runRange(loop, s, from, to) : withinTime(() => runRange(loop, s, from, to), limit,
      () => `strategy ${strategy.id} did not return: ${to - from} bars ran for more than ${limit} ms and were stopped at the bar closing ${formatSeconds(clock.now)} (a loop that does not end?)`);
    if (first) {
      for (let i = 0; i < first.length; ) {
        const to = Math.min(first.length, i + sliceBars);
        run(first, i, to);
        i = to;
        if (i < first.length) yield;
      }
    } else {
      for (; pending && !pending.done; pending = iterator!.next()) {
        const chunk = pending.value;
        for (let j = 0; j < chunk.length; ) {
          const n = window!.appendBlock(chunk, j, chunk.length - j);
          run(series, series.length - n, series.length);
          j += n;
        }
        if (sliceBars !== Number.POSITIVE_INFINITY) yield;
      }
    }

    endBacktest(engine, sim, [actor], clock.last);
    const { complete, metrics } = completeData(engine, ledger, sessionId, balance, clock.bars, identity);
    emit(engine.events.make('BACKTEST_COMPLETE', 'INFO', complete, clock.last));
    return { sessionId, complete, metrics, bars: clock.bars };
  } catch (err) {
    throw closeFailedRun({ engine, sim, actors: [actor], ledger, sessionId, balance, bars: clock.bars, last: Math.max(clock.last, clock.now), emit, identity }, err);
  }
}

interface RangeLoop {
  readonly engine: TradingEngine;
  readonly actor: SymbolActor;
  readonly clock: BacktestClock;
  readonly progressEvery: number;
  readonly onProgress: ((barsDone: number) => void) | undefined;
}

/**
 * Bars `from..to-1` of `s` through the engine: the backtest's hot loop. A module function, not
 * a closure per run, so its optimised code does not hold one run's objects and stays valid
 * from run to run.
 */
function runRange(loop: RangeLoop, s: BarSeries, from: number, to: number): void {
  const { engine, actor, clock, progressEvery } = loop;
  for (let i = from; i < to; ) {
    // Bars up to the next progress report, then the report.
    const stop = Math.min(to, i + progressEvery - (clock.bars % progressEvery));
    engine.processBars(actor, s, i, stop, clock);
    clock.bars += stop - i;
    i = stop;
    if (clock.bars % progressEvery === 0) loop.onProgress?.(clock.bars);
  }
  clock.last = clock.now;
}

class BacktestClock {
  /** Close time of the bar being processed (the session clock). */
  now = 0.5;
  /** Close time of the last bar processed. */
  last = 0.5;
  bars = 0;
}

function isSeries(value: BarSeries | Iterable<BarSeries>): value is BarSeries {
  return (value as BarSeries).close instanceof Float64Array;
}
