import type { BarSeries, PositionView, Signal, Strategy, StrategyContext } from '../../engine/plugin-api.ts';
import { BUILTIN_SYMBOL_SPECS } from '../../engine/model/symbol-spec.ts';

/** A context like the SymbolActor's, for driving a strategy's hooks directly in unit tests. */
export function strategyContext<TConfig, TState>(strategy: Strategy<TConfig, TState>, bars: BarSeries, config?: TConfig): StrategyContext<TConfig, TState> {
  const ctx = {
    symbol: bars.symbol, spec: BUILTIN_SYMBOL_SPECS.USDCHF, config: config ?? strategy.defaultConfig, bars, index: 0,
    position: null as PositionView | null, week: { trades: 0, min: 3, max: 10, elapsed: 0, aggression: 1 }, balance: 10_000,
    state: {} as TState,
  };
  if (strategy.initialState) ctx.state = strategy.initialState(ctx);
  return ctx;
}

/** Runs `onBar` over bars `0..last` and returns every non-empty signal with its bar index. */
export function signalsOver<TConfig, TState>(strategy: Strategy<TConfig, TState>, ctx: StrategyContext<TConfig, TState>, last = ctx.bars.length - 1): { index: number; signal: Signal }[] {
  const out: { index: number; signal: Signal }[] = [];
  for (let i = 0; i <= last; i++) {
    ctx.index = i;
    const signal = strategy.onBar?.(ctx);
    if (signal) out.push({ index: i, signal });
  }
  return out;
}
