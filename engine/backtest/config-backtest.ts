import type { LogEvent } from '../../protocol/index.ts';
import { ConfigError } from '../config/config-error.ts';
import { withOverrides, type ResolvedBot } from '../config/resolve-bot.ts';
import { loadSymbolHistory } from '../config/symbol-history.ts';
import { clipSeries, historyRange, shippedHistoryFor, type LoadedHistory } from '../data/load-history.ts';
import { TIMEFRAME_MS, type BarSeries } from '../model/bar.ts';
import type { ParamOverride } from '../strategy/strategy-params.ts';
import { checkSeriesAgainstSpec, ticksProblem } from './data-check.ts';
import { runPortfolio, runPortfolioYielding, type PortfolioOptions, type PortfolioResult } from './portfolio-backtest.ts';

export interface ConfigBacktestOptions {
  /** `--set`-style overrides, decoded by each strategy's codec (refused as the CLI refuses them). */
  readonly paramOverrides?: readonly ParamOverride[];
  readonly from?: string;
  readonly to?: string;
  /** Bars already loaded by symbol (an optimiser loads them once for many runs). */
  readonly histories?: ReadonlyMap<string, LoadedHistory>;
  readonly sessionId?: string;
  readonly onEvent?: (event: LogEvent) => void;
  readonly onProgress?: (barsDone: number) => void;
  readonly progressEvery?: number;
  readonly emitBars?: boolean;
  /**
   * What loading `histories` found (the shared span's warning, data-vs-spec warnings), carried
   * into BACKTEST_COMPLETE `warnings`; without `histories` the bars are loaded here and the
   * span's warning is found here.
   */
  readonly warnings?: readonly string[];
}

export interface ConfigBacktestResult extends PortfolioResult {
  /** The bot as run (overrides applied). */
  readonly bot: ResolvedBot;
  readonly histories: ReadonlyMap<string, LoadedHistory>;
}

/**
 * Every configured symbol's bars for [from, to]: its own file, the shipped history or synthetic
 * bars. Any problem (a file that does not parse, a timeframe the data cannot give, no bars in
 * the range) is a ConfigError naming the config file and the field, raised before a run starts.
 * Symbols run as one account, so only the span their real data share is kept (see
 * `loadBotHistoriesWithSpan`, which also says what was left out).
 */
export function loadBotHistories(bot: ResolvedBot, range: { readonly from?: string; readonly to?: string } = {}): Map<string, LoadedHistory> {
  return loadBotHistoriesWithSpan(bot, range).histories;
}

export interface BotHistories {
  readonly histories: Map<string, LoadedHistory>;
  /**
   * What the common span left out, naming each symbol's span, then each data file's prices that
   * do not fit its symbol's spec (`checkSeriesAgainstSpec`); empty when neither.
   */
  readonly warnings: readonly string[];
  /** The span the real data share, [from, to) in ms UTC (infinite ends when no symbol has real data). */
  readonly span: { readonly from: number; readonly to: number };
}

export interface BotHistoryRange {
  readonly from?: string;
  readonly to?: string;
  /**
   * Keep each real symbol's bars before the shared span (from `from` on): the paper bot shows
   * them to its strategies as warm-up and starts its replay at `span.from`. A backtest leaves
   * them out.
   */
  readonly earlierBars?: boolean;
  /** How the user runs one symbol alone, for the refusal: default `--symbol` (the backtest's and the optimiser's flag). */
  readonly oneSymbol?: string;
}

/**
 * `loadBotHistories` with its warnings. One account trades every symbol at once, so data that
 * cover different periods cannot be run one after the other as if they were one history (a 2020
 * EURUSD file and the 1996-2001 USDCHF history made a 24-year run): the run covers the span the
 * real data share (each symbol's first bar to its last bar's close, within --from/--to), and a
 * warning names each symbol's span when bars are left out; no common span is a ConfigError
 * naming them all. Synthetic symbols have no span of their own: they are made for that span.
 * Every symbol's bars are then checked against its spec, as `npm run backtest -- --symbol`
 * checks its file: a price that is not a positive number is a ConfigError naming the symbol's
 * file (or its spec), prices off the spec's scale are warnings. So the backtest, the optimiser,
 * the paper bot and the workbench's config runs refuse and warn alike.
 *
 * @example
 * const { histories, warnings } = loadBotHistoriesWithSpan(bot, { from: '1998-01-01' });
 */
export function loadBotHistoriesWithSpan(bot: ResolvedBot, range: BotHistoryRange = {}): BotHistories {
  const asked = askedRange(bot, range);
  const real = bot.symbols.filter((s) => s.file !== undefined || shippedHistoryFor(s.symbol) !== undefined);
  const whole = new Map(real.map((s) => [s.symbol, loadSymbolHistory(bot, s)]));
  const spans = real.map((s) => ({ s, span: spanOf(whole.get(s.symbol)!.series) }));
  let from = asked.from;
  let to = asked.to;
  for (const { span } of spans) {
    from = Math.max(from, span.from);
    to = Math.min(to, span.to);
  }
  const out = new Map<string, LoadedHistory>();
  const warnings: string[] = [];
  const described = () => spans.map(({ s, span }) => `${s.symbol} ${s.timeframe} ${describeSpan(span)} (${whole.get(s.symbol)!.source})`).join('; ');
  const wanted = range.from !== undefined || range.to !== undefined ? ` between ${range.from ?? 'the start'} and ${range.to ?? 'the end'}` : '';
  if (real.length > 1 && !(from < to)) {
    throw new ConfigError(bot.where, 'bot.symbols', `the symbols' data share no period${wanted}, and one account trades them together: ${described()}. `
      + `Give data files that cover a common period, or run one symbol alone (${range.oneSymbol ?? '--symbol'})`);
  }
  const cut: string[] = [];
  for (const s of bot.symbols) {
    const loaded = whole.get(s.symbol);
    // A bar that overlaps the span stays (an H4 bar opening at 20:00 beside H1 bars from 22:00).
    const clipped = loaded ? clipSeries(loaded.series, Math.max(asked.from, from - TIMEFRAME_MS[loaded.series.timeframe] + 1), Math.min(asked.to, to)) : null;
    if (loaded && clipped!.length < barsIn(loaded.series, asked.from, asked.to)) cut.push(s.symbol);
    const history = loaded
      ? { ...loaded, series: range.earlierBars ? clipSeries(loaded.series, asked.from, Math.min(asked.to, to)) : clipped! }
      : loadSymbolHistory(bot, s, Number.isFinite(from) || Number.isFinite(to) ? { from: isoOf(from), to: isoOf(to) } : range);
    if (history.series.length === 0) {
      throw new ConfigError(bot.where, `${s.field}.symbol`, `no ${s.symbol} ${s.timeframe} bars between ${range.from ?? 'the start'} and ${range.to ?? 'the end'} (${history.source})`);
    }
    out.set(s.symbol, history);
  }
  // Bars of the asked range left out because another symbol's data end or start there.
  if (real.length > 1 && cut.length > 0) {
    warnings.push(`the symbols' data cover different periods; the run covers only the span they share${wanted}, ${describeSpan({ from, to })}: ${described()}`);
  }
  for (const s of bot.symbols) {
    const history = out.get(s.symbol)!;
    const check = checkSeriesAgainstSpec(history.series, s.spec, s.file ?? history.source, `bot.symbolSpecs.${s.symbol} in ${bot.where}`);
    if (check.errors.length > 0) throw new ConfigError(bot.where, s.file ? `${s.field}.file` : `bot.symbolSpecs.${s.symbol}`, `the data does not fit ${s.symbol}'s spec: ${check.errors.join('; ')}`);
    warnings.push(...check.warnings);
    const noTicks = bot.broker.model === 'ticks' ? ticksProblem(history.series, `${s.symbol}'s data (${s.file ?? history.source})`) : null;
    if (noTicks) throw new ConfigError(bot.where, 'bot.broker.model', noTicks);
  }
  return { histories: out, warnings, span: { from, to } };
}

function askedRange(bot: ResolvedBot, range: { readonly from?: string; readonly to?: string }): { from: number; to: number } {
  try {
    return historyRange(range.from, range.to);
  } catch (err) {
    throw new ConfigError(bot.where, '', (err as Error).message);
  }
}

/** How many bars open in [from, to). */
function barsIn(series: BarSeries, from: number, to: number): number {
  let n = 0;
  for (let i = 0; i < series.length; i++) if (series.time[i] >= from && series.time[i] < to) n++;
  return n;
}

/** From the first bar's open to the last bar's close. */
function spanOf(series: BarSeries): { from: number; to: number } {
  if (series.length === 0) return { from: Infinity, to: -Infinity };
  return { from: series.time[0], to: series.time[series.length - 1] + TIMEFRAME_MS[series.timeframe] };
}

function describeSpan(span: { from: number; to: number }): string {
  const at = (t: number) => new Date(t).toISOString().slice(0, 16).replace('T', ' ');
  return Number.isFinite(span.from) ? `${at(span.from)} to ${at(span.to)} UTC` : 'no bars';
}

/** A UTC instant as the date-time `historyRange` reads (an exact `to` is exclusive). */
function isoOf(t: number): string | undefined {
  return Number.isFinite(t) ? new Date(t).toISOString().slice(0, 19) : undefined;
}

/**
 * The bot config as one portfolio backtest: the engine function behind
 * `npm run backtest -- --config my-bot.json`, callable from anywhere (an optimiser's worker
 * threads included). Overrides are applied and checked first, then the data is loaded (unless
 * given), then every symbol runs through one account, governor and simulator.
 *
 * @example
 * ```ts
 * const bot = resolveBot(config.bot, { where: 'my-bot.json', baseDir, strategies });
 * const { complete } = runPortfolioBacktest(bot, { paramOverrides: parseOverrides(['fast=12']), from: '1998-01-01' });
 * ```
 */
export function runPortfolioBacktest(resolved: ResolvedBot, options: ConfigBacktestOptions = {}): ConfigBacktestResult {
  const { bot, histories, portfolio } = portfolioRun(resolved, options);
  return { ...runPortfolio(portfolio), bot, histories };
}

/** `runPortfolioBacktest` letting the event loop through between slices of bars (`runPortfolioYielding`). */
export async function runPortfolioBacktestYielding(resolved: ResolvedBot, options: ConfigBacktestOptions = {}, sliceBars?: number): Promise<ConfigBacktestResult> {
  const { bot, histories, portfolio } = portfolioRun(resolved, options);
  return { ...(await runPortfolioYielding(portfolio, sliceBars)), bot, histories };
}

function portfolioRun(resolved: ResolvedBot, options: ConfigBacktestOptions): { bot: ResolvedBot; histories: ReadonlyMap<string, LoadedHistory>; portfolio: PortfolioOptions } {
  const bot = withOverrides(resolved, options.paramOverrides ?? []);
  const loaded = options.histories ? null : loadBotHistoriesWithSpan(bot, { from: options.from, to: options.to });
  const histories = options.histories ?? loaded!.histories;
  const warnings = options.warnings ?? loaded?.warnings ?? [];
  const portfolio: PortfolioOptions = {
    symbols: bot.symbols.map((s) => {
      const history = histories.get(s.symbol);
      if (!history) throw new ConfigError(bot.where, `${s.field}.symbol`, `no bars were given for ${s.symbol}`);
      return { spec: s.spec, series: history.series, strategy: s.strategy, strategyConfig: s.params, synthetic: history.synthetic, dataFingerprint: history.fingerprint };
    }),
    balance: bot.balance, riskPercent: bot.riskPercent, governor: bot.governor, broker: bot.broker,
    sessionId: options.sessionId, onEvent: options.onEvent, onProgress: options.onProgress, progressEvery: options.progressEvery,
    labels: { from: options.from, to: options.to }, emitBars: options.emitBars, warnings,
  };
  return { bot, histories, portfolio };
}
