import { dirname, resolve } from 'node:path';
import { ConfigError } from '../config/config-error.ts';
import { readConfigFile } from '../config/load-config.ts';
import type { BotConfig } from '../config/config-codec.ts';
import { isTimeframe } from '../model/bar.ts';
import { conversionProblem, resolveSymbolSpec } from '../model/symbol-spec.ts';
import { DEFAULT_SIM_BROKER_CONFIG, type SimModel } from '../broker/sim-broker.ts';
import { DEFAULT_GOVERNOR_CONFIG } from '../governor/governor-config.ts';
import { checkWeekLimits } from './account-flags.ts';
import { specOverrides } from './spec-options.ts';

/** The flags that describe what an optimisation runs (the rest describe the search). */
export interface BotFlags {
  readonly config?: string;
  readonly symbol?: string;
  readonly timeframe?: string;
  readonly file?: string;
  readonly timezone?: string;
  readonly strategy?: string;
  readonly balance?: number;
  readonly risk?: number;
  readonly minTrades?: number;
  readonly maxTrades?: number;
  readonly spread?: number;
  readonly commission?: number;
  readonly leverage?: number;
  /** `--model bars|ticks`: how stops and targets are tested inside a bar. */
  readonly model?: SimModel;
  /** `--spec-file PATH` and `--spec FIELD=VALUE`, as `npm run backtest` takes them (one-symbol form only). */
  readonly specFile?: string;
  readonly spec?: readonly string[];
}

/** The bot config to optimise, where it came from and the folder its relative paths start at. */
export interface BotSource {
  readonly bot: BotConfig;
  readonly where: string;
  readonly configDir: string;
}

/**
 * `--config FILE`: the bot's config, flags overriding its settings as `npm run backtest -- --config`
 * does (`--symbol` keeps only that symbol). Without it, a one-symbol config from `--symbol`,
 * `--timeframe` (H1), `--strategy` (sma-crossover) and the account flags.
 */
export function botFromFlags(f: BotFlags): BotSource {
  if (f.config) {
    const file = resolve(f.config);
    const bot: BotConfig = { ...(readConfigFile(file).bot ?? {}) };
    if (f.minTrades !== undefined || f.maxTrades !== undefined) {
      checkWeekLimits(f.minTrades, f.maxTrades, { min: bot.minTradesPerWeek ?? DEFAULT_GOVERNOR_CONFIG.minTradesPerWeek, max: bot.maxTradesPerWeek ?? DEFAULT_GOVERNOR_CONFIG.maxTradesPerWeek });
    }
    if (f.spec?.length || f.specFile) throw new ConfigError('command line', f.specFile ? '--spec-file' : '--spec', 'with --config, declare symbol specs in the config file (bot.symbolSpecs)');
    const flag = <K extends keyof BotConfig>(key: K, value: BotConfig[K] | undefined) => { if (value !== undefined) bot[key] = value; };
    flag('balance', f.balance);
    flag('riskPercent', f.risk);
    flag('minTradesPerWeek', f.minTrades);
    flag('maxTradesPerWeek', f.maxTrades);
    flag('strategy', f.strategy);
    flag('timeframe', f.timeframe);
    if (f.symbol) {
      const only = (bot.symbols ?? []).filter((s) => s.symbol === f.symbol);
      if (only.length === 0) throw new ConfigError(file, 'bot.symbols', `--symbol ${f.symbol} is not configured here (configured: ${(bot.symbols ?? []).map((s) => s.symbol).join(', ')})`);
      bot.symbols = only;
    }
    if (f.file || f.timezone) throw new ConfigError('command line', f.file ? '--file' : '--timezone', 'with --config, give each symbol its data file in the config (bot.symbols[].file)');
    bot.broker = {
      ...bot.broker,
      ...(f.spread !== undefined ? { spreadPoints: Object.fromEntries((bot.symbols ?? []).map((s) => [s.symbol, f.spread!])) } : {}),
      ...(f.commission !== undefined ? { commissionPerLot: f.commission } : {}),
      ...(f.leverage !== undefined ? { leverage: f.leverage } : {}),
      ...(f.model !== undefined ? { model: f.model } : {}),
    };
    return { bot, where: file, configDir: dirname(file) };
  }
  if (!f.symbol) throw new ConfigError('command line', '--symbol', '--symbol or --config is required');
  const timeframe = f.timeframe ?? 'H1';
  if (!isTimeframe(timeframe)) throw new ConfigError('command line', '--timeframe', `"${timeframe}" is not one of M1, M5, M15, M30, H1, H4, D1`);
  checkWeekLimits(f.minTrades, f.maxTrades, { min: DEFAULT_GOVERNOR_CONFIG.minTradesPerWeek, max: DEFAULT_GOVERNOR_CONFIG.maxTradesPerWeek });
  // The instrument as `npm run backtest -- --symbol` resolves it: a built-in spec, or --spec-file / --spec for any other (a stock, an index).
  let specs;
  try {
    specs = specOverrides(f.symbol, f.specFile ? resolve(f.specFile) : undefined, f.spec ?? []);
    const spec = resolveSymbolSpec(f.symbol, specs);
    const unconvertible = conversionProblem(spec, DEFAULT_SIM_BROKER_CONFIG.currency);
    if (unconvertible) throw new Error(unconvertible);
  } catch (err) {
    const message = (err as Error).message;
    throw new ConfigError('command line', message.startsWith('unknown symbol') ? '--symbol' : f.specFile && message.startsWith('--spec-file') ? '--spec-file' : '--spec', message);
  }
  const bot: BotConfig = {
    symbols: [{ symbol: f.symbol, timeframe, ...(f.file ? { file: resolve(f.file) } : {}), ...(f.timezone ? { timezone: f.timezone } : {}) }],
    strategy: f.strategy ?? 'sma-crossover',
    balance: f.balance ?? 10_000,
    riskPercent: f.risk ?? 1,
    ...(f.minTrades !== undefined ? { minTradesPerWeek: f.minTrades } : {}),
    ...(f.maxTrades !== undefined ? { maxTradesPerWeek: f.maxTrades } : {}),
    broker: {
      ...(f.spread !== undefined ? { spreadPoints: { [f.symbol]: f.spread } } : {}), ...(f.commission !== undefined ? { commissionPerLot: f.commission } : {}),
      ...(f.leverage !== undefined ? { leverage: f.leverage } : {}), ...(f.model !== undefined ? { model: f.model } : {}),
    },
    ...(Object.keys(specs).length ? { symbolSpecs: specs as BotConfig['symbolSpecs'] } : {}),
  };
  return { bot, where: 'command line', configDir: process.cwd() };
}
