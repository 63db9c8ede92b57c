import type { BacktestCompleteData, BacktestMetrics, LogEvent } from '../../protocol/index.ts';
import type { BarSeries } from '../model/bar.ts';
import type { SymbolSpec } from '../model/symbol-spec.ts';
import { SimBroker, type SimBrokerConfig } from '../broker/sim-broker.ts';
import type { GovernorConfig } from '../governor/governor-config.ts';
import type { Strategy } from '../strategy/strategy.ts';
import { TradingEngine } from '../runtime/trading-engine.ts';
import { MergedClock, runMerged } from '../runtime/merged-loop.ts';
import { StepMerge, type MergeSource } from '../runtime/bar-merge.ts';
import type { MachineHostKind } from '../actor/machine-host.ts';
import { TradeLedger } from '../report/trade-ledger.ts';
import { stableUuid } from '../util/ids.ts';
import { closeFailedRun, completeData, endBacktest, ticksModel } from './run-end.ts';
import { runLettingThrough, runToEnd, type RunSteps } from './run-slices.ts';

/** One symbol of a portfolio run: its spec, bars, strategy and the strategy's decoded config. */
export interface PortfolioSymbol {
  readonly spec: SymbolSpec;
  readonly series: BarSeries;
  readonly strategy: Strategy;
  readonly strategyConfig: unknown;
  readonly synthetic?: boolean;
  /** What its bars were read from (`LoadedHistory.fingerprint`), part of the default session id. */
  readonly dataFingerprint?: string;
}

export interface PortfolioOptions {
  readonly symbols: readonly PortfolioSymbol[];
  readonly balance?: number;
  readonly riskPercent?: number;
  readonly governor?: Partial<GovernorConfig>;
  readonly broker?: Partial<SimBrokerConfig>;
  readonly sessionId?: string;
  readonly onEvent?: (event: LogEvent) => void;
  readonly onProgress?: (barsDone: number) => void;
  readonly progressEvery?: number;
  readonly labels?: { readonly from?: string; readonly to?: string };
  readonly machine?: MachineHostKind;
  readonly emitBars?: boolean;
  /** False: no trade ledger and no `report` (an optimiser's trial reads only the metrics). */
  readonly report?: boolean;
  /** What loading the data found (the shared span's warning, data-vs-spec warnings), carried into BACKTEST_COMPLETE `warnings`. */
  readonly warnings?: readonly string[];
  /** No STATE_TRANSITION or pace DECISION events: the same trades and metrics, less to build (an optimiser's trial). */
  readonly quiet?: boolean;
  /** Sample equity at every bar's close (audits, tests; see `TradingEngineOptions.equityEveryBar`). */
  readonly equityEveryBar?: boolean;
}

export interface PortfolioResult {
  readonly sessionId: string;
  readonly complete: BacktestCompleteData;
  readonly metrics: BacktestMetrics;
  readonly bars: number;
}

/**
 * A portfolio backtest: every symbol through one account, one governor and one simulator,
 * each bar's OPEN and CLOSE steps merged by time (`runtime/bar-merge.ts`, the paper bot's order), on the same
 * TradingEngine path as paper trading. BACKTEST_START and BACKTEST_COMPLETE describe the whole
 * portfolio (`symbol` lists the symbols; `symbols`, `timeframes`, `strategies` and `params`
 * give each), and the report has the portfolio and each symbol. Open positions close at each
 * symbol's last price at the end, as MT5's Strategy Tester does.
 *
 * @example
 * ```ts
 * const { complete } = runPortfolio({ symbols: [{ spec, series, strategy: smaCrossover, strategyConfig }] });
 * ```
 */
export function runPortfolio(options: PortfolioOptions): PortfolioResult {
  return runToEnd(portfolioSteps(options, Number.POSITIVE_INFINITY));
}

/**
 * `runPortfolio` for a process that serves others meanwhile (the server's trial backtests): the
 * same run, letting the event loop through (`pause`) after about every `sliceBars` bars.
 */
export function runPortfolioYielding(options: PortfolioOptions, sliceBars = 8_192, pause?: () => Promise<void>): Promise<PortfolioResult> {
  return runLettingThrough(portfolioSteps(options, sliceBars), pause);
}

/** The run, yielding after each `sliceBars` bars or so (between steps, never inside one). */
function* portfolioSteps(options: PortfolioOptions, sliceBars: number): RunSteps<PortfolioResult> {
  const symbols = options.symbols;
  if (symbols.length === 0) throw new Error('runPortfolio: no symbols');
  const balance = options.balance ?? 10_000;
  const names = symbols.map((s) => s.spec.name);
  const params = Object.fromEntries(symbols.map((s) => [s.spec.name, s.strategyConfig]));
  const sessionId = options.sessionId ?? stableUuid('portfolio',
    symbols.map((s) => [s.spec.name, s.series.timeframe, s.strategy.id, s.strategyConfig, s.series.length, s.series.time[0] ?? 0, s.series.time[s.series.length - 1] ?? 0,
      ...(s.dataFingerprint !== undefined ? [s.dataFingerprint] : [])]),
    balance, options.riskPercent ?? 1, options.governor ?? {}, options.broker ?? {}, options.labels ?? {});
  const clock = new MergedClock();
  const sim = new SimBroker(symbols.map((s) => s.spec), { historyLimit: 0, ...options.broker, balance });
  const ledger = options.report === false ? null : new TradeLedger(new Map(symbols.map((s) => [s.spec.name, { spec: s.spec }])), sim.config.currency);
  // The caller's listener itself (no wrapper call per event).
  const emit: (event: LogEvent) => void = options.onEvent ?? (() => {});
  const engine = new TradingEngine({
    sessionId, now: () => clock.now, broker: sim, sim, balance, currency: sim.config.currency,
    riskPercent: options.riskPercent ?? 1, governor: options.governor, performanceEvery: 'week',
    machine: options.machine ?? 'compiled', emitBars: options.emitBars ?? false, onEvent: emit, quiet: options.quiet, equityEveryBar: options.equityEveryBar,
  });
  const actors = symbols.map((s) => engine.addSymbol({
    spec: s.spec, series: s.series, strategy: s.strategy, strategyConfig: s.strategyConfig, onTradeClosed: ledger?.recorder(s.spec.name),
  }));
  const g = engine.governor;
  const dataPoints = symbols.reduce((n, s) => n + s.series.length, 0);
  const startTime = Math.min(...symbols.map((s) => (s.series.length ? s.series.time[0] : Infinity)));
  const timeframes = Object.fromEntries(symbols.map((s) => [s.spec.name, s.series.timeframe]));
  const strategies = Object.fromEntries(symbols.map((s) => [s.spec.name, s.strategy.id]));
  const oneTimeframe = new Set(Object.values(timeframes)).size === 1 ? symbols[0].series.timeframe : 'mixed';
  const strategyIds = [...new Set(Object.values(strategies))].join(',');
  const labels = options.labels ?? {};
  emit(engine.events.make('BACKTEST_START', 'INFO', {
    session_id: sessionId, symbol: names.join(','), data_points: dataPoints, starting_balance: balance,
    trade_constraints: { min_trades_per_week: g.min, max_trades_per_week: g.max },
    timeframe: oneTimeframe, strategy: strategyIds, symbols: names, timeframes, strategies, params,
    synthetic_symbols: symbols.filter((s) => s.synthetic).map((s) => s.spec.name),
    ...(labels.from ? { from: labels.from } : {}), ...(labels.to ? { to: labels.to } : {}), ...ticksModel(sim),
  }, Number.isFinite(startTime) ? startTime : 0));

  clock.now = Number.isFinite(startTime) ? startTime : 0;
  const identity = {
    symbol: names.join(','), timeframe: oneTimeframe, strategy: strategyIds, symbols: names, params,
    synthetic_symbols: symbols.filter((s) => s.synthetic).map((s) => s.spec.name),
    ...(labels.from ? { from: labels.from } : {}), ...(labels.to ? { to: labels.to } : {}),
    ...(options.warnings?.length ? { warnings: [...options.warnings] } : {}), ...ticksModel(sim),
  };
  try {
    for (const actor of actors) actor.start();
    const sources: MergeSource[] = symbols.map((s) => ({ series: s.series, next: 0, opened: false }));
    const merge = new StepMerge(sources);
    for (let until = sliceBars; !runMerged(engine, actors, sources, clock, options.progressEvery ?? 100_000, options.onProgress, merge, until); until = clock.bars + sliceBars) yield;
    const last = clock.now;

    endBacktest(engine, sim, actors, last);
    const { complete, metrics } = completeData(engine, ledger, sessionId, balance, clock.bars, identity);
    emit(engine.events.make('BACKTEST_COMPLETE', 'INFO', complete, last));
    return { sessionId, complete, metrics, bars: clock.bars };
  } catch (err) {
    // As a single-symbol run does: the session ends with an ERROR and BACKTEST_COMPLETE (`error`).
    throw closeFailedRun({ engine, sim, actors, ledger, sessionId, balance, bars: clock.bars, last: clock.now, emit, identity }, err);
  }
}
