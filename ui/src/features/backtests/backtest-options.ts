import type { WorkbenchSession } from '../../platform/session.svelte.ts';

export interface BacktestOptions {
  readonly symbols: readonly { readonly symbol: string; readonly synthetic: boolean; readonly digits?: number }[];
  readonly timeframes: readonly string[];
  readonly strategies: readonly { readonly id: string; readonly description: string }[];
  readonly default: { readonly symbol?: string; readonly timeframe?: string; readonly strategy?: string };
}

/** Asks the server what a backtest can run on here (`backtest_options`); null when it cannot say. */
export async function fetchBacktestOptions(session: WorkbenchSession): Promise<BacktestOptions | null> {
  const reply = await session.request({ type: 'backtest_options' });
  if (reply.type !== 'command_result' || !reply.ok) return null;
  const data = reply.data as Partial<BacktestOptions> | undefined;
  if (!data || !Array.isArray(data.symbols) || !Array.isArray(data.timeframes) || !Array.isArray(data.strategies)) return null;
  return { symbols: data.symbols, timeframes: data.timeframes, strategies: data.strategies, default: data.default ?? {} };
}
