import type { BacktestCompleteData, BacktestMetrics, LogEvent } from '../../protocol/index.ts';
import { describeThrown } from '../util/thrown.ts';
import type { SimBroker } from '../broker/sim-broker.ts';
import type { SymbolActor } from '../actor/symbol-actor.ts';
import type { TradingEngine } from '../runtime/trading-engine.ts';
import type { TradeLedger } from '../report/trade-ledger.ts';
import { buildReport } from '../report/build-report.ts';
import { roundMetrics, toWireMetrics } from '../report/performance-metrics.ts';
import { round2, round4 } from '../util/rounding.ts';

/**
 * The end of a backtest, one symbol or a portfolio alike: the last skipped equity sample, then
 * the Strategy Tester's rule (whatever is still open is closed at its symbol's last price), the
 * closing equity, the last week's summary, and the actors stopped.
 */
export function endBacktest(engine: TradingEngine, sim: SimBroker, actors: Iterable<SymbolActor>, last: number): void {
  engine.flushEquity();
  for (const actor of actors) {
    if (!actor.position) continue;
    for (const p of sim.positionsGet(actor.symbol)) {
      sim.orderSend({ action: 1, symbol: actor.symbol, volume: p.volume, type: p.type === 0 ? 1 : 0, price: 0, sl: 0, tp: 0,
        deviation: 0, magic: 0, comment: 'End of backtest', type_filling: 1, type_time: 0, position: p.ticket });
    }
  }
  engine.addEquity(last, sim.equity());
  engine.finishWeek(last);
  for (const actor of actors) actor.stop();
}

/** What names the run in BACKTEST_COMPLETE: its symbol(s), timeframe, strategy and parameters. */
export type RunIdentity = Pick<BacktestCompleteData, 'symbol' | 'timeframe' | 'strategy' | 'params'> & Partial<BacktestCompleteData>;

/**
 * BACKTEST_COMPLETE's data from the engine's account, metrics and counts and the ledger's trades
 * (no ledger: no `report`, for an optimiser's trial).
 */
export function completeData(engine: TradingEngine, ledger: TradeLedger | null, sessionId: string, balance: number, bars: number,
  identity: RunIdentity): { complete: BacktestCompleteData; metrics: BacktestMetrics } {
  const m = engine.metrics.result();
  const metrics = roundMetrics(toWireMetrics(m, bars));
  const risk = engine.realizedRisk;
  const orders = engine.orders;
  const complete: BacktestCompleteData = {
    session_id: sessionId,
    final_balance: round2(engine.account.balance),
    total_return: round2(engine.account.balance - balance),
    total_trades: m.totalTrades,
    max_drawdown: round2(m.maxDrawdown),
    weekly_stats: engine.weeklyStats(),
    metrics,
    ...identity,
    ...(ledger ? { report: buildReport(balance, ledger.trades, engine.metrics.equityDrawdown(), engine.metrics.dailyEquity(), identity.params as Record<string, unknown> | undefined) } : {}),
    realized_risk: {
      losing_trades: risk.count, median_pct: round4(risk.quantilePct(0.5)), p90_pct: round4(risk.quantilePct(0.9)), max_pct: round4(risk.max * 100),
    },
    orders: {
      sent: orders.sent, refused: orders.refused, refused_by_reason: orders.refusedByReason(),
      ...(orders.firstRefusal ? { first_refusal: orders.firstRefusal } : {}),
    },
    swap_total: engine.swapTotal,
    ...faultsOf(engine),
  };
  return { complete, metrics };
}

/** The symbols whose strategy threw during the run (each parked from then on), if any. */
function faultsOf(engine: TradingEngine): Pick<BacktestCompleteData, 'faults'> {
  const faults = [...engine.actors.values()].flatMap((a) => (a.faultNote ? [a.faultNote] : []));
  return faults.length ? { faults } : {};
}

/** A backtest that failed after its BACKTEST_START; its ERROR and BACKTEST_COMPLETE (with `error`) are already out. */
export class BacktestFailedError extends Error {
  constructor(message: string, readonly sessionId: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BacktestFailedError';
  }
}

export interface FailedRun {
  readonly engine: TradingEngine;
  readonly sim: SimBroker;
  /** The run's symbol actors (a portfolio's, or the one of a single-symbol run). */
  readonly actors: readonly SymbolActor[];
  readonly ledger: TradeLedger | null;
  readonly sessionId: string;
  readonly balance: number;
  readonly bars: number;
  readonly last: number;
  readonly emit: (event: LogEvent) => void;
  readonly identity: RunIdentity;
}

/**
 * Closes a run that threw after its BACKTEST_START, so its session ends as a finished one does:
 * an ERROR of the run's own session (its symbol, at the session clock, which never goes back),
 * then BACKTEST_COMPLETE with `error` and the figures of the bars before the failure. Returns
 * the error for the caller to throw.
 */
export function closeFailedRun(run: FailedRun, err: unknown): BacktestFailedError {
  const { engine, emit } = run;
  const error = describeThrown(err);
  emit(engine.events.make('ERROR', 'ERROR', { error: `backtest failed: ${error.message}`, traceback: error.stack, symbol: run.actors.map((a) => a.symbol).join(','), source: 'backtest' }));
  let complete: BacktestCompleteData;
  try {
    endBacktest(engine, run.sim, run.actors, run.last);
    complete = completeData(engine, run.ledger, run.sessionId, run.balance, run.bars, run.identity).complete;
  } catch {
    // The engine may be half-built: the account's figures are what is left to report.
    complete = {
      session_id: run.sessionId, final_balance: round2(engine.account.balance), total_return: round2(engine.account.balance - run.balance),
      total_trades: 0, max_drawdown: 0, weekly_stats: {}, ...run.identity,
    };
  }
  emit(engine.events.make('BACKTEST_COMPLETE', 'INFO', { ...complete, error: error.message }));
  return new BacktestFailedError(error.message, run.sessionId, { cause: err });
}

/** `{ model: 'ticks' }` for a run under the real-ticks model (BACKTEST_START and BACKTEST_COMPLETE say so), else nothing. */
export function ticksModel(sim: SimBroker): { model?: 'ticks' } {
  return sim.config.model === 'ticks' ? { model: 'ticks' } : {};
}
