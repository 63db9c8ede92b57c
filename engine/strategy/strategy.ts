import type * as t from 'io-ts';
import type { BarSeries } from '../model/bar.ts';
import type { SymbolSpec } from '../model/symbol-spec.ts';

export type Direction = 'buy' | 'sell';

/** The open position of a symbol as a strategy sees it. */
export interface PositionView {
  readonly direction: Direction;
  readonly entryPrice: number;
  readonly lotSize: number;
  readonly stopLoss: number;
  readonly takeProfit: number;
  readonly entryTime: number;
  /**
   * Index of the bar on which the position was filled. After a restart, the bar its entry time
   * falls in (negative if before the bars the bot holds; NaN only before any bar has arrived).
   */
  readonly entryIndex: number;
}

/** Trade-frequency progress in the current week, so a strategy (or RL policy) can see pace. */
export interface WeekProgress {
  readonly trades: number;
  readonly min: number;
  readonly max: number;
  /** Fraction of the trading week elapsed, 0..1. */
  readonly elapsed: number;
  readonly aggression: number;
}

/**
 * What a strategy hook gets. The object is reused from bar to bar (no allocation per bar), so
 * read from it inside the hook and do not keep it. `bars` holds closed bars `0..index` only:
 * reading beyond `index` is look-ahead and the arrays are not guaranteed to hold it.
 */
export interface StrategyContext<TConfig = unknown, TState = Record<string, unknown>> {
  readonly symbol: string;
  readonly spec: SymbolSpec;
  readonly config: TConfig;
  readonly bars: BarSeries;
  /** Index of the bar that just closed. */
  index: number;
  position: PositionView | null;
  week: WeekProgress;
  balance: number;
  /** The strategy's own state; persisted through `onSave`/`onLoad`. */
  state: TState;
}

/**
 * What `onBar` may ask for. `close` closes the open position at the next price. A `buy` or
 * `sell` while a position in the other direction is open closes it first (a reversal).
 * `hold` changes nothing; a policy returns it to have its `decision` reported.
 */
export interface Signal {
  readonly direction: Direction | 'close' | 'hold';
  /** Stop-loss price, required for an entry: position size derives from its distance. */
  readonly stopLoss?: number;
  readonly takeProfit?: number;
  readonly patterns?: readonly string[];
  readonly srLevels?: { readonly support: number | null; readonly resistance: number | null };
  readonly reason?: string;
  /** For policies: the chosen action and the value or probability of each action. */
  readonly decision?: { readonly action: string; readonly values: Readonly<Record<string, number>> };
}

/** A closed trade, as `onTradeExit` receives it. */
export interface TradeExitInfo {
  readonly direction: Direction;
  readonly entryPrice: number;
  readonly exitPrice: number;
  readonly pnl: number;
  readonly reason: string;
  readonly time: number;
}

/**
 * A strategy plugin: an id, a config codec and optional hooks. Hooks do no I/O: everything
 * comes through the context.
 */
export interface Strategy<TConfig = any, TState = any> {
  readonly kind: 'strategy';
  readonly id: string;
  readonly description: string;
  readonly configCodec: t.Type<TConfig, unknown, unknown>;
  readonly defaultConfig: TConfig;
  /**
   * One line per parameter for people (the Run Backtest form shows it beside the field); the
   * codec says the type, this says what the number means.
   */
  readonly paramDescriptions?: Readonly<Partial<Record<Extract<keyof TConfig, string>, string>>>;
  /** Bars needed before the first signal can be meaningful. */
  readonly warmup?: number;
  /** Makes the per-symbol initial state. */
  initialState?(ctx: StrategyContext<TConfig, TState>): TState;
  onStart?(ctx: StrategyContext<TConfig, TState>): void;
  /** Called on each closed bar while the symbol is scanning or in a trade. */
  onBar?(ctx: StrategyContext<TConfig, TState>): Signal | null | undefined | void;
  onTradeExit?(ctx: StrategyContext<TConfig, TState>, exit: TradeExitInfo): void;
  onStop?(ctx: StrategyContext<TConfig, TState>): void;
  onSave?(ctx: StrategyContext<TConfig, TState>): unknown;
  onLoad?(ctx: StrategyContext<TConfig, TState>, saved: unknown): void;
  /**
   * For the optimiser: false for a config the strategy cannot meaningfully run (a fast average
   * slower than the slow one); such combinations are skipped, not run.
   */
  constraint?(config: TConfig): boolean;
  /** For the optimiser: objectives of the strategy's own, by name (`--objective NAME`); higher is better. */
  readonly objectives?: Readonly<Record<string, (metrics: TrialMetrics) => number>>;
}

/**
 * What one optimiser trial reports, and what an objective scores. Money in account currency;
 * `maxDrawdownPct` a fraction of the peak (0..1); ratios null where undefined (no loss, no drawdown).
 */
export interface TrialMetrics {
  readonly netProfit: number;
  readonly grossProfit: number;
  readonly grossLoss: number;
  readonly profitFactor: number | null;
  readonly expectedPayoff: number;
  readonly sharpe: number;
  readonly sortino: number;
  readonly recoveryFactor: number | null;
  readonly maxDrawdown: number;
  readonly maxDrawdownPct: number;
  readonly trades: number;
  readonly winRate: number;
  readonly weeksWithinTarget: number;
  readonly weeksTotal: number;
  readonly finalBalance: number;
  /** Entry orders sent and refused (BACKTEST_COMPLETE's `orders`); absent in outcomes stored by older workers. */
  readonly ordersSent?: number;
  readonly ordersRefused?: number;
  /** The MT5 retcode most refusals gave (10019: not enough money), null when none was refused. */
  readonly mainRefusal?: number | null;
}

type StrategyDefinition<TConfig, TState> = Omit<Strategy<TConfig, TState>, 'kind'>;

/**
 * Defines a strategy plugin.
 *
 * @example
 * ```ts
 * export const breakout = defineStrategy({
 *   id: 'breakout',
 *   description: 'Buys a close above the previous high',
 *   configCodec: t.type({ stopPips: t.number }),
 *   defaultConfig: { stopPips: 30 },
 *   onBar(ctx) {
 *     const { close, high } = ctx.bars;
 *     const i = ctx.index;
 *     if (i > 0 && !ctx.position && close[i] > high[i - 1]) {
 *       return { direction: 'buy', stopLoss: close[i] - ctx.config.stopPips * 10 * ctx.spec.point };
 *     }
 *   },
 * });
 * ```
 */
export function defineStrategy<TConfig, TState = Record<string, unknown>>(
  definition: StrategyDefinition<TConfig, TState>,
): Strategy<TConfig, TState> {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(definition.id)) {
    throw new Error(`strategy id "${definition.id}" must be kebab-case (a-z, 0-9, -)`);
  }
  return Object.freeze({ kind: 'strategy' as const, ...definition });
}
