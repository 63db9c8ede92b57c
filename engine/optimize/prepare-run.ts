import { isAbsolute, relative, resolve } from 'node:path';
import type { BarSeries } from '../model/bar.ts';
import type { BotConfig } from '../config/config-codec.ts';
import { resolveBot } from '../config/resolve-bot.ts';
import type { LoadedHistory } from '../data/load-history.ts';
import { loadBotHistoriesWithSpan } from '../backtest/config-backtest.ts';
import { loadPlugins } from '../strategy/plugin-loader.ts';
import { portableBot, runKey, type RunSpec } from './run-spec.ts';
import { dataSetHash, hashAll } from './shared-series.ts';
import { referenceOf, type TrialInputs } from './trial.ts';

export interface PrepareOptions {
  /** The bot config to optimise (a config file's `bot`, or a one-symbol config built from flags). */
  readonly bot: BotConfig;
  /** Where it came from, for messages: the config file, or `command line`. */
  readonly where: string;
  /** The config file's folder: its data files and plugins are relative to it. */
  readonly configDir: string;
  /** More plugins (`--plugin`), relative to the working folder. */
  readonly plugins?: readonly string[];
  readonly from?: string;
  readonly to?: string;
}

/** A run ready to optimise: its portable spec, resolved inputs, the loaded bars and its key. */
export interface PreparedRun {
  readonly spec: RunSpec;
  readonly inputs: TrialInputs;
  readonly histories: ReadonlyMap<string, LoadedHistory>;
  readonly series: ReadonlyMap<string, BarSeries>;
  /** Each symbol's data hash, and the whole data set's. */
  readonly hashes: Readonly<Record<string, string>>;
  readonly dataHash: string;
  /** `runKey(spec, dataHash)`: part of every trial id. */
  readonly run: string;
  /**
   * The config with its data files as absolute paths and without plugins (they are in
   * `spec.plugins`): what a recording keeps so a trial can be run again as a full backtest.
   */
  readonly bot: BotConfig;
  /**
   * What `npm run backtest` warns about the same bars: the span the symbols share when it leaves
   * bars out, and data that fit a symbol's spec only loosely. The caller says them (stderr).
   */
  readonly warnings: readonly string[];
}

/**
 * Loads and checks everything an optimisation of a bot config needs, before any trial: the
 * plugins, the config (every problem a ConfigError naming the file and the field, as
 * `npm run backtest -- --config` reports it), and every symbol's bars for [from, to].
 *
 * @example
 * const prepared = await prepareRun({ bot: readConfigFile('my-bot.json').bot, where: 'my-bot.json', configDir: '.' });
 */
export async function prepareRun(o: PrepareOptions): Promise<PreparedRun> {
  const cwd = process.cwd();
  // Plugin paths relative to the working folder, so a queue worker started in its own copy of
  // the project resolves them the same way (and the run key does not hold this machine's paths).
  const fromConfig = (o.bot.plugins ?? []).map((p) => (p.startsWith('.') ? dotted(relative(cwd, resolve(o.configDir, p))) : p));
  const plugins = [...fromConfig, ...(o.plugins ?? [])];
  const loaded = await loadPlugins(plugins, { baseDir: cwd });
  const strategies = new Map([...loaded].map(([id, p]) => [id, p.strategy]));
  const withFiles = resolveBot({ ...o.bot, plugins: undefined }, { where: o.where, baseDir: o.configDir, strategies });
  // As `npm run backtest` does: the shared span, and prices that do not fit a symbol's spec
  // refused (they would make every trial nonsense) or warned of.
  const { histories, warnings } = loadBotHistoriesWithSpan(withFiles, { from: o.from, to: o.to });
  // The ticks inside the bars go to the trials only when they walk them (`bot.broker.model`):
  // a bars-model run shares, stores and hashes its bars as it always did.
  const ticks = withFiles.broker.model === 'ticks';
  const series = new Map([...histories].map(([symbol, h]) => [symbol, ticks || !h.series.ticks ? h.series : { ...h.series, ticks: null }]));
  const spec: RunSpec = { bot: portableBot(o.bot), where: o.where, plugins, baseDir: cwd };
  const bot = resolveBot(spec.bot, { where: o.where, baseDir: cwd, strategies });
  const inputs: TrialInputs = { bot, series, reference: referenceOf(bot, series), balance: bot.balance };
  const hashes = hashAll(series);
  const dataHash = dataSetHash(hashes);
  const { plugins: _, ...rest } = o.bot;
  const absolute: BotConfig = { ...rest, symbols: (o.bot.symbols ?? []).map((x) => (x.file ? { ...x, file: resolve(o.configDir, x.file) } : x)) };
  return { spec, inputs, histories, series, hashes, dataHash, run: runKey(spec, dataHash), bot: absolute, warnings };
}

function dotted(p: string): string {
  return isAbsolute(p) || p.startsWith('.') ? p : `./${p}`;
}
