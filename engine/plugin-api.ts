/**
 * The plugin API: everything a strategy or policy plugin may import from the engine.
 * Plugins import from this file only.
 */
export { defineStrategy } from './strategy/strategy.ts';
export type { Strategy, StrategyContext, Signal, PositionView, WeekProgress, TradeExitInfo, Direction } from './strategy/strategy.ts';
export type { BarSeries, Bar, Timeframe } from './model/bar.ts';
export { TIMEFRAME_MS, barAt, createBarSeries, barSeriesFrom, appendBar, sliceSeries } from './model/bar.ts';
export type { SymbolSpec } from './model/symbol-spec.ts';
