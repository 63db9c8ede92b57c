import { ConfigError } from '../config/config-error.ts';
import type { SimModel } from '../broker/sim-broker.ts';

// The account and instrument flags `npm run backtest` and `npm run optimize` share, checked
// the same way by both: a bad value is a ConfigError naming the flag (exit 2).

/**
 * A numeric flag's value, or undefined when absent; refused naming the flag when it is not a
 * number or breaks its rule (`--risk "0" must be a percent of the balance, above 0 and at most 100`).
 *
 * @example
 * const leverage = accountFlag('leverage', args.leverage);
 */
export function accountFlag(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value)) throw new ConfigError('command line', `--${name}`, `"${raw}" is not a number`);
  const rule = FLAG_RULES[name];
  if (rule && !rule.ok(value)) throw new ConfigError('command line', `--${name}`, `"${raw}" must be ${rule.says}`);
  return value;
}

/** What each numeric flag accepts: a negative spread or commission would pay the trader, a risk of 0 would still trade the minimum volume. */
const FLAG_RULES: Record<string, { ok: (v: number) => boolean; says: string }> = {
  balance: { ok: (v) => v > 0, says: 'greater than 0' },
  risk: { ok: (v) => v > 0 && v <= 100, says: 'a percent of the balance, above 0 and at most 100' },
  'min-trades': { ok: (v) => Number.isInteger(v) && v >= 0, says: 'a whole number of entries a week, 0 or more' },
  'max-trades': { ok: (v) => Number.isInteger(v) && v >= 1, says: 'a whole number of entries a week, at least 1' },
  spread: { ok: (v) => v >= 0, says: 'a number of points, 0 or more' },
  commission: { ok: (v) => v >= 0, says: 'an amount per lot per side, 0 or more' },
  // MT5's account leverage is 1:N with N a whole number: 0.0001 would need 10,000 times the position in margin.
  leverage: { ok: (v) => Number.isInteger(v) && v >= 1, says: 'a whole number, 1 or more (the account\'s 1:N)' },
};

/** The week's minimum may not exceed its maximum, whichever flag or default set them. */
export function checkWeekLimits(min: number | undefined, max: number | undefined, defaults: { min: number; max: number }): void {
  const lo = min ?? defaults.min;
  const hi = max ?? defaults.max;
  if (lo <= hi) return;
  throw new ConfigError('command line', max !== undefined ? '--max-trades' : '--min-trades',
    `the weekly minimum ${lo}${min === undefined ? ' (the default)' : ''} exceeds the weekly maximum ${hi}${max === undefined ? ' (the default)' : ''}`);
}

/** `--model`: how stops and targets are tested inside a bar, `bars` or `ticks`; undefined when not given. */
export function modelFlag(raw: string | undefined): SimModel | undefined {
  if (raw === undefined) return undefined;
  if (raw !== 'bars' && raw !== 'ticks') throw new ConfigError('command line', '--model', `"${raw}" is not bars or ticks`);
  return raw;
}
