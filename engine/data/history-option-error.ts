/** The options of a history load a user gives: the date range and the timeframe. */
export type HistoryOption = 'from' | 'to' | 'timeframe';

/**
 * A history load refused because of an option, not the data: a date that is not one, a range
 * that ends before it starts, a timeframe finer than the file's bars or rows. `option` says
 * which, so a caller blames its own name for it (`--from`, a config's `bot.symbols[0].timeframe`,
 * a message field `to`); `worded` spells the options in the message the caller's way.
 *
 * @example
 * try { loadHistory({ symbol: 'USDCHF', timeframe: 'H1', from: '1998-02-30' }); }
 * catch (e) { if (e instanceof HistoryOptionError) console.error(e.worded((o) => `--${o}`)); }
 */
export class HistoryOptionError extends Error {
  override readonly name = 'HistoryOptionError';
  constructor(
    readonly option: HistoryOption,
    private readonly words: (name: (option: HistoryOption) => string) => string,
    /** The message for a caller that does not word it: the options named `'from'`, unless given. */
    message = words((o) => `'${o}'`),
  ) {
    super(message);
  }

  /** The message with each option spelled by `name`. */
  worded(name: (option: HistoryOption) => string): string {
    return this.words(name);
  }
}
