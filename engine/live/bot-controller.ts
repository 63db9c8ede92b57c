import type { Observable } from 'rxjs';
import type { BotStatus, LogEvent } from '../../protocol/index.ts';
import type { SimModel } from '../broker/sim-broker.ts';

/** The outcome of a manual command: done, or refused with the reason. */
export interface CommandOutcome {
  readonly ok: boolean;
  readonly reason: string;
  readonly data?: unknown;
}

export interface BacktestRequest {
  readonly symbol: string;
  readonly timeframe: string;
  readonly from?: string;
  readonly to?: string;
  readonly strategy?: string;
  readonly balance?: number;
  /** Strategy parameters over the bot's own for that symbol, decoded by the plugin's codec. */
  readonly params?: Readonly<Record<string, unknown>>;
  /** How stops and targets are tested inside a bar (`SimBrokerConfig.model`); default `bars`. */
  readonly model?: SimModel;
}

/**
 * What the server needs from a running bot (paper or live). Events are emitted without `seq`;
 * the server's broadcaster stamps sequence numbers.
 */
export interface BotController {
  /** Every event of the bot and of the backtests it runs, in order. */
  readonly events$: Observable<LogEvent>;
  status(): BotStatus;
  start(): CommandOutcome;
  stop(): CommandOutcome;
  pauseSymbol(symbol: string): CommandOutcome;
  resumeSymbol(symbol: string): CommandOutcome;
  /** With `ticket`, closes only that position and refuses (saying what happened to it) if it is not open. */
  closePosition(symbol: string, ticket?: number): CommandOutcome | Promise<CommandOutcome>;
  /** What `runBacktest` accepts here (symbols with data, timeframes, strategies) and a default that trades. */
  backtestOptions?(): CommandOutcome;
  /** Starts a backtest whose events stream on `events$`; resolves when it is accepted. */
  runBacktest(request: BacktestRequest): CommandOutcome | Promise<CommandOutcome>;
  /**
   * A plugin threw outside its hooks (from a timer or a promise of its own): parks the symbols
   * running strategy `strategyId` and reports it. Returns how many symbols were parked.
   */
  pluginFailed?(strategyId: string, err: unknown, how: string): number;
  /** Stops feeds and timers; flushes what must be flushed. */
  shutdown(): Promise<void>;
}
