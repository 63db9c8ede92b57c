import type { ResolvedBot, ResolvedSymbol } from '../config/resolve-bot.ts';
import { syncResult } from '../strategy/signal-check.ts';
import { declaredParams } from '../strategy/strategy-params.ts';
import { validateStrategyConfig } from '../strategy/plugin-loader.ts';
import type { Constraint } from './constraints.ts';
import { ParamError, type ParamAxis, type ParamSet } from './param-space.ts';
import { overridesOf } from './trial.ts';

/**
 * Checks the axes against the bot: a bare name (`fast`) must be a parameter of at least one
 * configured symbol's strategy, a qualified one (`EURUSD.fast`) must name a configured symbol
 * and a parameter of its strategy, and every value must pass the codec of each strategy it goes
 * to. Errors name the `--param`, the value and the reason, as `--set` does.
 */
export function validateBotAxes(bot: ResolvedBot, axes: readonly ParamAxis[]): void {
  for (const axis of axes) {
    const [o] = overridesOf({ [axis.name]: 0 });
    let targets: readonly ResolvedSymbol[];
    if (o.symbol !== null) {
      const s = bot.symbols.find((x) => x.symbol === o.symbol);
      if (!s) throw new ParamError(`--param ${axis.name}: symbol ${o.symbol} is not configured (configured: ${bot.symbols.map((x) => x.symbol).join(', ')})`);
      targets = [s];
    } else {
      targets = bot.symbols.filter((s) => declaredParams(s.strategy).has(o.name));
    }
    const strategies = [...new Set(targets.map((s) => s.strategy))];
    if (strategies.length === 0 || !declaredParams(strategies[0]).has(o.name)) {
      const all = [...new Set((o.symbol !== null ? targets : bot.symbols).map((s) => s.strategy))];
      throw new ParamError(all.length === 1
        ? `--param ${axis.name}: "${all[0].id}" has no parameter "${o.name}"; its parameters: ${[...declaredParams(all[0]).keys()].join(', ') || '(none)'}`
        : `--param ${axis.name}: no configured strategy has a parameter "${o.name}" (${all.map((s) => `${s.id}: ${[...declaredParams(s).keys()].join(', ')}`).join('; ')})`);
    }
    for (const strategy of strategies) {
      for (const value of axis.values) {
        try {
          validateStrategyConfig(strategy, { [o.name]: value });
        } catch (err) {
          throw new ParamError(`--param ${axis.name}=${value}: ${(err as Error).message}`);
        }
      }
    }
  }
}

/** Every parameter name a constraint may use: those of the configured strategies. */
export function knownParams(bot: ResolvedBot): string[] {
  return [...new Set(bot.symbols.flatMap((s) => [...declaredParams(s.strategy).keys()]))];
}

/**
 * A combination is run only if, on every symbol, the symbol's config with the combination
 * applied (bare names where its strategy has them, its own qualified names) passes the user's
 * constraints (`fast<slow`, over the names that strategy has) and the strategy's own.
 */
export function validFor(bot: ResolvedBot, constraints: readonly Constraint[]): (params: ParamSet) => boolean {
  const checks = bot.symbols.map((s) => {
    const declared = declaredParams(s.strategy);
    const own = constraints.filter((c) => !c.names || c.names.every((n) => declared.has(n)));
    const strategy = s.strategy;
    return (params: ParamSet) => {
      const merged: Record<string, unknown> = { ...(s.params as Record<string, unknown>) };
      for (const o of overridesOf(params)) if ((o.symbol === null && declared.has(o.name)) || o.symbol === s.symbol) merged[o.name] = o.value;
      return own.every((c) => c(merged)) && (!strategy.constraint || syncResult(strategy.constraint(merged as never), 'constraint'));
    };
  });
  return (params) => checks.every((check) => check(params));
}
