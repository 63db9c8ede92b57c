import type { LogEvent } from '../../protocol/index.ts';
import { ConfigError } from '../config/config-error.ts';
import { withOverrides, type ResolvedBot } from '../config/resolve-bot.ts';
import { loadSymbolHistory } from '../config/symbol-history.ts';
import type { LoadedHistory } from '../data/load-history.ts';
import type { ParamOverride } from '../strategy/strategy-params.ts';
import { runPortfolio, type PortfolioResult } from './portfolio-backtest.ts';

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
 */
export function loadBotHistories(bot: ResolvedBot, range: { readonly from?: string; readonly to?: string } = {}): Map<string, LoadedHistory> {
  const out = new Map<string, LoadedHistory>();
  for (const s of bot.symbols) {
    const history = loadSymbolHistory(bot, s, range);
    if (history.series.length === 0) {
      throw new ConfigError(bot.where, `${s.field}.symbol`, `no ${s.symbol} ${s.timeframe} bars between ${range.from ?? 'the start'} and ${range.to ?? 'the end'} (${history.source})`);
    }
    out.set(s.symbol, history);
  }
  return out;
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
  const bot = withOverrides(resolved, options.paramOverrides ?? []);
  const histories = options.histories ?? loadBotHistories(bot, { from: options.from, to: options.to });
  const result = runPortfolio({
    symbols: bot.symbols.map((s) => {
      const history = histories.get(s.symbol);
      if (!history) throw new ConfigError(bot.where, `${s.field}.symbol`, `no bars were given for ${s.symbol}`);
      return { spec: s.spec, series: history.series, strategy: s.strategy, strategyConfig: s.params, synthetic: history.synthetic, dataFingerprint: history.fingerprint };
    }),
    balance: bot.balance, riskPercent: bot.riskPercent, governor: bot.governor, broker: bot.broker,
    sessionId: options.sessionId, onEvent: options.onEvent, onProgress: options.onProgress, progressEvery: options.progressEvery,
    labels: { from: options.from, to: options.to }, emitBars: options.emitBars,
  });
  return { ...result, bot, histories };
}
