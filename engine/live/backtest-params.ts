import { ConfigError } from '../config/config-error.ts';
import type { Strategy } from '../strategy/strategy.ts';
import type { ParamField } from '../../protocol/index.ts';
import { declaredParams, decodeParams, paramFields, type ParamLayer } from '../strategy/strategy-params.ts';

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

/**
 * Runs `dry` (the backtest over no bars, so the strategy starts with the decoded config exactly
 * as the real run will) and turns a throw into the refusal `run_backtest` answers with. The field
 * is the parameter the message names (the requested ones first), e.g.
 * `params.fractalBars: fractalBars must be a positive integer, got 0 (strategy patterns-sr)`.
 */
export function dryRunRefusal(strategy: Strategy, requested: Readonly<Record<string, unknown>> | undefined, dry: () => unknown): { ok: false; reason: string; data?: { field: string } } | null {
  try {
    dry();
    return null;
  } catch (err) {
    const message = (err as Error).message;
    const names = [...Object.keys(requested ?? {}), ...declaredParams(strategy).keys()];
    const field = names.find((name) => new RegExp(`\\b${name.replace(/[^A-Za-z0-9_]/g, '')}\\b`).test(message));
    return field
      ? { ok: false, reason: `params.${field}: ${message} (strategy ${strategy.id})`, data: { field } }
      : { ok: false, reason: `params: strategy ${strategy.id} refused its parameters: ${message}` };
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
