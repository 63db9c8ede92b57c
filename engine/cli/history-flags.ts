import { ConfigError } from '../config/config-error.ts';
import { HistoryOptionError } from '../data/history-option-error.ts';
import { historyRange } from '../data/load-history.ts';

/**
 * A history option's refusal as the command line's: the flag it came from, in the flags' own
 * spelling (`command line: --to (1998-01-01) must be after --from (1998-06-01)`), never the
 * loader's name. Anything else is returned as it is.
 *
 * @example
 * try { loadHistory(...); } catch (err) { throw historyFlagError(err); }
 */
export function historyFlagError(err: unknown): unknown {
  if (!(err instanceof HistoryOptionError)) return err;
  return err.option === 'timeframe'
    ? new ConfigError('command line', '--timeframe', err.message)
    : new ConfigError('command line', '', err.worded((o) => `--${o}`));
}

/** `--from`/`--to` checked before anything loads: a date that is not one, or an empty range, exits 2 naming the flag. */
export function checkRangeFlags(from: string | undefined, to: string | undefined): void {
  try {
    historyRange(from, to);
  } catch (err) {
    throw historyFlagError(err);
  }
}
