import { createHash } from 'node:crypto';
import type { BarSeries } from '../model/bar.ts';
import type { BotConfig } from '../config/config-codec.ts';
import { resolveBot, type ResolvedBot } from '../config/resolve-bot.ts';
import { DEFAULT_SIM_BROKER_CONFIG } from '../broker/sim-broker.ts';
import { DEFAULT_GOVERNOR_CONFIG } from '../governor/governor-config.ts';
import { loadPlugins } from '../strategy/plugin-loader.ts';
import type { ParamSet } from './param-space.ts';
import { referenceOf, type BarRange, type TrialInputs } from './trial.ts';

/**
 * An optimisation's fixed inputs as plain data, so a worker thread or another machine can
 * rebuild the same trial inputs: the bot config run as a portfolio (a single-symbol
 * optimisation is a one-symbol config) and the plugins it needs. The bars travel separately
 * (shared memory, or Redis by hash), so the config carries no data file paths.
 */
export interface RunSpec {
  /** The bot config without `file`/`timezone`/`plugins` (see `portableBot`). */
  readonly bot: BotConfig;
  /** Where the config came from, for messages (`my-bot.json`, `command line`). */
  readonly where: string;
  /** Plugin specs to load besides the built-ins (folders or npm names), resolved against `baseDir`. */
  readonly plugins: readonly string[];
  readonly baseDir: string;
}

/**
 * The config as a worker needs it: the symbols' data files and zones are dropped (the bars
 * come loaded) and plugins listed in the spec instead, so the same run has the same key on
 * every machine whatever folder its files sit in.
 */
export function portableBot(bot: BotConfig): BotConfig {
  const { plugins: _, ...rest } = bot;
  return { ...rest, symbols: (bot.symbols ?? []).map(({ file: _f, timezone: _t, ...s }) => s) };
}

/**
 * Loads the run's plugins and resolves its config: once per process, not per trial. `series`
 * holds every configured symbol's bars (shared views in a worker); the first symbol's are the
 * reference a walk-forward's windows index.
 */
export async function resolveRun(spec: RunSpec, series: ReadonlyMap<string, BarSeries>): Promise<TrialInputs> {
  const plugins = await loadPlugins(spec.plugins, { baseDir: spec.baseDir });
  const strategies = new Map([...plugins].map(([id, p]) => [id, p.strategy]));
  for (const s of spec.bot.symbols ?? []) {
    const id = s.strategy ?? spec.bot.strategy;
    if (id && !strategies.has(id)) throw new Error(`strategy "${id}" is not installed here (loaded: ${[...strategies.keys()].join(', ')}); add its plugin to this machine's project`);
  }
  const bot = resolveBot(spec.bot, { where: spec.where, baseDir: spec.baseDir, strategies });
  for (const s of bot.symbols) if (!series.has(s.symbol)) throw new Error(`no bars for ${s.symbol} were given to this run`);
  return { bot, series, reference: referenceOf(bot, series), balance: bot.balance };
}

/** The run's identity: the spec (without where it was loaded from) and the data set's hash. */
export function runKey(spec: RunSpec, dataHash: string): string {
  const { baseDir: _, where: _w, ...rest } = spec;
  return sha256(canonical({ ...rest, data: dataHash }));
}

/**
 * The run as the result folder's id names it: `runKey`'s inputs with every default written out
 * and every symbol's settings as resolved (timeframe, strategy, its parameters with their
 * defaults, the instrument's spec), so a config that spells a default (`--leverage 100`,
 * `"riskPercent": 1`) or sets a parameter on the bot rather than the symbol is the same run.
 * Trial ids keep `runKey` (what queued and stored outcomes are found by), unchanged.
 *
 * @example
 * const id = `${name}-${runIdentity(inputs.bot, spec, dataHash).slice(0, 8)}-${searchKey(plan)}`;
 */
export function runIdentity(bot: ResolvedBot, spec: RunSpec, dataHash: string): string {
  const {
    symbols: _s, timeframe: _t, strategy: _st, params: _p, symbolSpecs: _ss, broker: b = {},
    balance: _ba, riskPercent: _r, minTradesPerWeek: _min, maxTradesPerWeek: _max, ...rest
  } = spec.bot;
  const d = DEFAULT_SIM_BROKER_CONFIG;
  // The model only when it is not the default: a config that spells "bars" is the same run.
  const { spreadPoints, model, ...costs } = b;
  return sha256(canonical({
    // Fields with no default applied here (warm-up bars, start date, ...) stay as written: never two runs under one id.
    ...rest,
    balance: bot.balance, riskPercent: bot.riskPercent,
    minTradesPerWeek: bot.governor.minTradesPerWeek ?? DEFAULT_GOVERNOR_CONFIG.minTradesPerWeek,
    maxTradesPerWeek: bot.governor.maxTradesPerWeek ?? DEFAULT_GOVERNOR_CONFIG.maxTradesPerWeek,
    broker: {
      ...costs, leverage: b.leverage ?? d.leverage, commissionPerLot: b.commissionPerLot ?? d.commissionPerLot, slippagePoints: b.slippagePoints ?? d.slippagePoints,
      marginCallLevel: b.marginCallLevel ?? d.marginCallLevel, stopOutLevel: b.stopOutLevel ?? d.stopOutLevel,
      ...(spreadPoints && Object.keys(spreadPoints).length > 0 ? { spreadPoints } : {}),
      ...(model === 'ticks' ? { model } : {}),
    },
    symbols: bot.symbols.map((s) => ({ symbol: s.symbol, timeframe: s.timeframe, strategy: s.strategy.id, params: s.params, spec: s.spec })),
    plugins: spec.plugins, data: dataHash,
  }));
}

/**
 * A trial's id from the run, the bar range and the parameters: the same trial gets the same
 * id on every machine and every restart, which is what makes queued trials idempotent.
 */
export function trialId(run: string, params: ParamSet, range?: BarRange): string {
  return sha256(canonical({ run, range: range ?? null, params })).slice(0, 32);
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** JSON with object keys sorted, so equal values hash equally whatever their key order. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_, v) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v));
}

/**
 * The single-symbol form (`npm run optimize -- --symbol USDCHF --timeframe H1`) as a run: a
 * one-symbol config.
 *
 * @example
 * const inputs = await resolveRun(oneSymbolSpec({ symbol: 'USDCHF', timeframe: 'H1' }), new Map([['USDCHF', series]]));
 */
export function oneSymbolSpec(o: { symbol: string; timeframe: string; strategy?: string; balance?: number; riskPercent?: number; plugins?: readonly string[] }): RunSpec {
  return {
    bot: { symbols: [{ symbol: o.symbol, timeframe: o.timeframe }], strategy: o.strategy ?? 'sma-crossover', balance: o.balance ?? 10_000, riskPercent: o.riskPercent ?? 1, broker: {} },
    where: 'command line', plugins: o.plugins ?? [], baseDir: process.cwd(),
  };
}
