import { loadHistory, type LoadedHistory } from '../data/load-history.ts';
import { HistoryOptionError } from '../data/history-option-error.ts';
import { ConfigError } from './config-error.ts';
import type { ResolvedBot, ResolvedSymbol } from './resolve-bot.ts';

/**
 * A configured symbol's bars: its own data file, else the shipped history (USDCHF), else
 * synthetic bars (labelled so). A file that does not parse, a zone that does not exist or a
 * timeframe finer than the file's bars is a ConfigError naming the config file and the field.
 *
 * @example
 * ```ts
 * const { series, synthetic } = loadSymbolHistory(bot, bot.symbols[0], { from: '1998-01-01' });
 * ```
 */
export function loadSymbolHistory(bot: ResolvedBot, s: ResolvedSymbol, range: { readonly from?: string; readonly to?: string } = {}): LoadedHistory {
  try {
    return loadHistory({
      symbol: s.symbol, timeframe: s.timeframe, from: range.from, to: range.to,
      ...(s.file ? { file: s.file } : {}), ...(s.timezone ? { timezone: s.timezone } : {}),
    });
  } catch (err) {
    const message = (err as Error).message;
    if (err instanceof HistoryOptionError && err.option === 'timeframe') throw new ConfigError(bot.where, `${s.field}.timeframe`, message);
    const field = /cannot make finer/.test(message) ? `${s.field}.timeframe`
      : /time ?zone/i.test(message) && s.timezone ? `${s.field}.timezone`
        : /'(from|to)'|--(from|to)/.test(message) ? '' : s.file ? `${s.field}.file` : `${s.field}.symbol`;
    throw new ConfigError(bot.where, field, message);
  }
}
