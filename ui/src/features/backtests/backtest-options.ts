import type { WorkbenchSession } from '../../platform/session.svelte.ts';
import type { ParamField } from '../../../../protocol/index.ts';

export interface BacktestOptions {
  readonly symbols: readonly { readonly symbol: string; readonly synthetic: boolean; readonly digits?: number }[];
  readonly timeframes: readonly string[];
  /** `params` from the plugin's codec; an older server sends none (the form then offers none). */
  readonly strategies: readonly { readonly id: string; readonly description: string; readonly params?: readonly ParamField[] }[];
  readonly default: { readonly symbol?: string; readonly timeframe?: string; readonly strategy?: string };
  /** What the bot itself runs per symbol: the form starts from those values. */
  readonly configured: Readonly<Record<string, { readonly strategy: string; readonly params: unknown }>>;
}

/** Asks the server what a backtest can run on here (`backtest_options`); null when it cannot say. */
export async function fetchBacktestOptions(session: WorkbenchSession): Promise<BacktestOptions | null> {
  const reply = await session.request({ type: 'backtest_options' });
  if (reply.type !== 'command_result' || !reply.ok) return null;
  const data = reply.data as Partial<BacktestOptions> | undefined;
  if (!data || !Array.isArray(data.symbols) || !Array.isArray(data.timeframes) || !Array.isArray(data.strategies)) return null;
  return { symbols: data.symbols, timeframes: data.timeframes, strategies: data.strategies, default: data.default ?? {}, configured: data.configured ?? {} };
}

/** The bot's own parameter values for a symbol when it runs that strategy there. */
export function ownParams(options: BacktestOptions | null, symbol: string, strategy: string): Record<string, unknown> | undefined {
  const own = options?.configured[symbol];
  return own && own.strategy === strategy && typeof own.params === 'object' && own.params !== null ? (own.params as Record<string, unknown>) : undefined;
}
