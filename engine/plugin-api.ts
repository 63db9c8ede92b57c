/**
 * The plugin API: everything a strategy or policy plugin may import from the engine.
 * Plugins import from this file only.
 */
export { defineStrategy } from './strategy/strategy.ts';
export type { Strategy, StrategyContext, Signal, PositionView, WeekProgress, TradeExitInfo, Direction, TrialMetrics } from './strategy/strategy.ts';
export type { BarSeries, Bar, Timeframe } from './model/bar.ts';
export { TIMEFRAME_MS, barAt, createBarSeries, barSeriesFrom, appendBar, sliceSeries } from './model/bar.ts';
export type { SymbolSpec } from './model/symbol-spec.ts';
/** Fast `toFixed` for messages (half-up at binary ties). */
export { fixed } from './util/rounding.ts';
/** io-ts, re-exported so a plugin folder outside this repository needs no install of its own. */
export * as t from 'io-ts';
