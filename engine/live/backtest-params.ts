import { ConfigError } from '../config/config-error.ts';
import type { Strategy } from '../strategy/strategy.ts';
import type { ParamField } from '../../protocol/index.ts';
import { decodeParams, paramFields, type ParamLayer } from '../strategy/strategy-params.ts';

/** What the bot runs on one symbol (a `SymbolStrategy`, named here without importing the bot). */
export interface SymbolStrategy {
  readonly symbol: string;
  readonly strategy?: string;
  readonly strategyConfig?: unknown;
}

/** A loaded strategy as the Run Backtest form offers it: its id, description and parameter fields. */
export interface StrategyOption {
  readonly id: string;
  readonly description: string;
  readonly params: readonly ParamField[];
}

export function strategyOptions(strategies: ReadonlyMap<string, Strategy>): StrategyOption[] {
  return [...strategies.values()].map((s) => ({ id: s.id, description: s.description, params: paramFields(s) }));
}

/** What the bot itself runs on each symbol (strategy id and its decoded parameters), so a form can start from it. */
export function configuredParams(symbols: readonly SymbolStrategy[], defaultStrategy: string): Record<string, { strategy: string; params: unknown }> {
  const out: Record<string, { strategy: string; params: unknown }> = {};
  for (const s of symbols) if (s.strategyConfig !== undefined) out[s.symbol] = { strategy: s.strategy ?? defaultStrategy, params: s.strategyConfig };
  return out;
}

export type ResolvedParams = { readonly ok: true; readonly config: unknown } | { readonly ok: false; readonly reason: string; readonly field: string };

/**
 * A client backtest's strategy config: the strategy's defaults, then the bot's own parameters
 * for that symbol when the bot runs the same strategy there (the backtest is the bot), then the
 * request's `params`; decoded by the plugin's codec. A name the plugin does not declare or a
 * value its codec refuses is answered with the field (`params.fast: expected positive integer, got 0`).
 *
 * @example
 * ```ts
 * const r = resolveBacktestParams(smaCrossover, { fast: 5 }, undefined);
 * if (r.ok) runBacktest({ ..., strategyConfig: r.config });
 * ```
 */
export function resolveBacktestParams(strategy: Strategy, requested: Readonly<Record<string, unknown>> | undefined, bot: SymbolStrategy | undefined, botStrategy: string): ResolvedParams {
  const layers: ParamLayer[] = [];
  const ownStrategy = bot ? (bot.strategy ?? botStrategy) === strategy.id : false;
  if (bot && ownStrategy && isRecord(bot.strategyConfig)) layers.push({ where: 'bot config', path: `symbols.${bot.symbol}.params`, values: bot.strategyConfig });
  if (requested) layers.push({ where: 'run_backtest', path: 'params', values: requested });
  try {
    return { ok: true, config: decodeParams(strategy, layers) };
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    // The field without the layer's prefix: what the form highlights.
    const field = err.field.replace(/^params\./, '').split('.')[0];
    const problem = err.message.slice(err.where.length + 2 + (err.field ? err.field.length + 2 : 0));
    return { ok: false, reason: `${err.field}: ${problem} (strategy ${strategy.id})`, field };
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
