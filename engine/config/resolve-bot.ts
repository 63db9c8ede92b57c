import { existsSync, statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { isTimeframe, type Timeframe } from '../model/bar.ts';
import { conversionProblem, resolveSymbolSpec, type SymbolSpec } from '../model/symbol-spec.ts';
import { DEFAULT_SIM_BROKER_CONFIG, type SimBrokerConfig } from '../broker/sim-broker.ts';
import { DEFAULT_GOVERNOR_CONFIG, type GovernorConfig } from '../governor/governor-config.ts';
import type { Strategy } from '../strategy/strategy.ts';
import { declaredParams, decodeParams, type ParamLayer, type ParamOverride } from '../strategy/strategy-params.ts';
import type { BotConfig } from './config-codec.ts';
import { ConfigError } from './config-error.ts';

/** One configured symbol with everything decided: strategy, its decoded parameters, data file. */
export interface ResolvedSymbol {
  readonly symbol: string;
  readonly timeframe: Timeframe;
  readonly strategy: Strategy;
  /** The strategy's config: defaults, then the bot's `params`, the symbol's, then `--set`. */
  readonly params: unknown;
  /** Absolute path of the symbol's own data file, if it has one. */
  readonly file?: string;
  readonly timezone?: string;
  readonly spec: SymbolSpec;
  /** Where it is configured, for messages: `bot.symbols[1]`. */
  readonly field: string;
}

/** A bot config resolved against the loaded plugins: what paper, live and backtests all run. */
export interface ResolvedBot {
  /** The config file (or `defaults`), for messages. */
  readonly where: string;
  readonly baseDir: string;
  readonly symbols: readonly ResolvedSymbol[];
  /** The default strategy id. */
  readonly strategy: string;
  readonly balance: number;
  readonly riskPercent: number;
  readonly governor: Partial<GovernorConfig>;
  readonly broker: Partial<SimBrokerConfig>;
  readonly symbolSpecs: Partial<Record<string, Partial<SymbolSpec>>> | undefined;
  readonly strategies: ReadonlyMap<string, Strategy>;
  /** The input, so overrides can be resolved again (`withOverrides`). */
  readonly input: BotConfig;
}

export interface ResolveContext {
  readonly where: string;
  /** Relative data files are resolved against it (the config file's folder). */
  readonly baseDir: string;
  readonly strategies: ReadonlyMap<string, Strategy>;
}

/**
 * Checks a bot config against the loaded plugins and resolves it: each symbol's timeframe,
 * strategy, parameters (decoded by the plugin's codec), data file and spec. Every problem is a
 * ConfigError naming the file and the field (`bot.symbols[2].symbol: "EURUSD" is configured
 * twice (also bot.symbols[0])`), raised before anything runs.
 *
 * @example
 * ```ts
 * const bot = resolveBot(config.bot, { where: 'my-bot.json', baseDir: '.', strategies }, parseOverrides(['fast=12']));
 * ```
 */
export function resolveBot(bot: BotConfig, context: ResolveContext, overrides: readonly ParamOverride[] = []): ResolvedBot {
  const { where, strategies } = context;
  const strategyId = bot.strategy ?? 'patterns-sr';
  if (!strategies.has(strategyId)) throw new ConfigError(where, 'bot.strategy', `unknown strategy "${strategyId}"; loaded: ${[...strategies.keys()].join(', ')}`);
  const entries = bot.symbols ?? [];
  if (entries.length === 0) throw new ConfigError(where, 'bot.symbols', 'at least one symbol is needed');
  const symbolSpecs = bot.symbolSpecs as Partial<Record<string, Partial<SymbolSpec>>> | undefined;
  const seen = new Map<string, string>();
  for (const o of overrides) {
    if (o.symbol !== null && !entries.some((s) => s.symbol === o.symbol)) {
      throw new ConfigError('command line', `--set ${o.symbol}.${o.name}`, `symbol ${o.symbol} is not configured (configured: ${entries.map((s) => s.symbol).join(', ')})`);
    }
  }
  const symbols = entries.map((s, i): ResolvedSymbol => {
    const field = `bot.symbols[${i}]`;
    const previous = seen.get(s.symbol);
    if (previous) throw new ConfigError(where, `${field}.symbol`, `"${s.symbol}" is configured twice (also ${previous}); one account holds one book per symbol`);
    seen.set(s.symbol, field);
    const timeframe = s.timeframe ?? bot.timeframe ?? 'H4';
    if (!isTimeframe(timeframe)) throw new ConfigError(where, s.timeframe ? `${field}.timeframe` : 'bot.timeframe', `"${timeframe}" is not one of M1, M5, M15, M30, H1, H4, D1`);
    const id = s.strategy ?? strategyId;
    const strategy = strategies.get(id);
    if (!strategy) throw new ConfigError(where, `${field}.strategy`, `unknown strategy "${id}"; loaded: ${[...strategies.keys()].join(', ')}`);
    let spec: SymbolSpec;
    try {
      spec = resolveSymbolSpec(s.symbol, symbolSpecs);
    } catch (err) {
      // A symbol with no spec at all is the symbol entry's problem; a declared spec that is bad, the spec's.
      const declared = symbolSpecs !== undefined && Object.hasOwn(symbolSpecs, s.symbol);
      throw new ConfigError(where, declared ? `bot.symbolSpecs.${s.symbol}` : `${field}.symbol`, (err as Error).message);
    }
    const unconvertible = conversionProblem(spec, DEFAULT_SIM_BROKER_CONFIG.currency);
    if (unconvertible) throw new ConfigError(where, `bot.symbolSpecs.${s.symbol}`, unconvertible);
    const layers: ParamLayer[] = [];
    if (id === strategyId && bot.params) layers.push({ where, path: 'bot.params', values: bot.params });
    if (s.params) layers.push({ where, path: `${field}.params`, values: s.params });
    const mine = overrides.filter((o) => o.symbol === s.symbol || (o.symbol === null && declares(strategy, o.name)));
    if (mine.length) {
      layers.push({
        where: 'command line', path: '--set', values: Object.fromEntries(mine.map((o) => [o.name, o.value])),
        label: (key) => `--set ${mine.find((o) => o.name === key)?.symbol ? `${s.symbol}.` : ''}${key}`,
      });
    }
    const params = decodeParams(strategy, layers);
    let file: string | undefined;
    if (s.file !== undefined) {
      file = isAbsolute(s.file) ? s.file : resolve(context.baseDir, s.file);
      if (!existsSync(file) || !statSync(file).isFile()) throw new ConfigError(where, `${field}.file`, `no such file: ${file}`);
    } else if (s.timezone !== undefined) {
      throw new ConfigError(where, `${field}.timezone`, 'a timezone needs a data file (file) to apply to');
    }
    return { symbol: s.symbol, timeframe, strategy, params, spec, field, ...(file ? { file } : {}), ...(s.timezone ? { timezone: s.timezone } : {}) };
  });
  for (const o of overrides) {
    if (o.symbol === null && !symbols.some((s) => declares(s.strategy, o.name))) {
      throw new ConfigError('command line', `--set ${o.name}`, `no configured strategy has a parameter "${o.name}" (${[...new Set(symbols.map((s) => s.strategy.id))].join(', ')})`);
    }
  }
  const b = bot.broker ?? {};
  const minTrades = bot.minTradesPerWeek ?? DEFAULT_GOVERNOR_CONFIG.minTradesPerWeek;
  const maxTrades = bot.maxTradesPerWeek ?? DEFAULT_GOVERNOR_CONFIG.maxTradesPerWeek;
  if (minTrades > maxTrades) {
    throw new ConfigError(where, bot.maxTradesPerWeek !== undefined ? 'bot.maxTradesPerWeek' : 'bot.minTradesPerWeek', `the weekly minimum ${minTrades} exceeds the weekly maximum ${maxTrades}`);
  }
  const stopOut = b.stopOutLevel ?? DEFAULT_SIM_BROKER_CONFIG.stopOutLevel;
  const marginCall = b.marginCallLevel ?? DEFAULT_SIM_BROKER_CONFIG.marginCallLevel;
  if (marginCall < stopOut) {
    throw new ConfigError(where, b.marginCallLevel !== undefined ? 'bot.broker.marginCallLevel' : 'bot.broker.stopOutLevel', `the margin call level ${marginCall} % is below the stop-out level ${stopOut} %`);
  }
  return {
    where, baseDir: context.baseDir, symbols, strategy: strategyId, strategies,
    balance: bot.balance ?? 10_000,
    riskPercent: bot.riskPercent ?? 1,
    governor: {
      ...(bot.minTradesPerWeek !== undefined ? { minTradesPerWeek: bot.minTradesPerWeek } : {}),
      ...(bot.maxTradesPerWeek !== undefined ? { maxTradesPerWeek: bot.maxTradesPerWeek } : {}),
    },
    broker: {
      ...(b.slippagePoints !== undefined ? { slippagePoints: b.slippagePoints } : {}),
      ...(b.commissionPerLot !== undefined ? { commissionPerLot: b.commissionPerLot } : {}),
      ...(b.spreadPoints !== undefined ? { spreadPoints: b.spreadPoints } : {}),
      ...(b.leverage !== undefined ? { leverage: b.leverage } : {}),
      ...(b.marginCallLevel !== undefined ? { marginCallLevel: b.marginCallLevel } : {}),
      ...(b.stopOutLevel !== undefined ? { stopOutLevel: b.stopOutLevel } : {}),
      ...(b.model !== undefined ? { model: b.model } : {}),
    },
    symbolSpecs,
    input: bot,
  };
}

/** The same bot with `--set`-style overrides applied (decoded and checked the same way). */
export function withOverrides(bot: ResolvedBot, overrides: readonly ParamOverride[]): ResolvedBot {
  return overrides.length === 0 ? bot : resolveBot(bot.input, { where: bot.where, baseDir: bot.baseDir, strategies: bot.strategies }, overrides);
}

function declares(strategy: Strategy, name: string): boolean {
  return declaredParams(strategy).has(name);
}
